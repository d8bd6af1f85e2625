/**
 * The one contract the commands talk to. `LocalBackend` runs the domain on the
 * embedded store; the HTTP backend speaks Heroku's Platform API to a server that
 * runs the same domain. Both return the same resources and throw the same errors.
 */
import type * as R from '../api/resources.js'
import type {AppPermission, Limits, OrgRole, Region} from '../domain/types.js'
import type {ScaleChange} from '../domain/validation.js'
import type {AuditFilter} from '../domain/audit.js'

export interface CreateAppRequest {
  name?: string
  team?: string
  region: Region
}

export interface Backend {
  readonly kind: 'local' | 'http'
  /** Where the data lives, for messages: a file path or a URL. */
  readonly location: string
  /** Lets go of what it holds (an HTTP backend's kept-alive connections), so the process can end at once. */
  close(): Promise<void>

  account(): Promise<R.Account>
  createAuthorization(description: string): Promise<R.Authorization>
  listAuthorizations(): Promise<R.Authorization[]>
  /** Revokes one of your tokens by id (`~`: the token this backend uses, on an API). */
  revokeAuthorization(id: string): Promise<R.Authorization>

  /** A one-time link that opens the Dashboard signed in as the actor (valid a couple of minutes). */
  createDashboardLink(): Promise<R.DashboardLink>

  listTeams(): Promise<R.Team[]>
  /** A new org; `admin`: its first admin, when not the caller (an operator provisioning it for them). */
  createTeam(name: string, limits: Limits, options?: {admin?: string}): Promise<R.CreatedTeam>
  getTeam(team: string): Promise<R.TeamInfo>
  teamUsage(team: string, history: boolean): Promise<R.TeamUsage>
  teamBilling(team: string): Promise<R.TeamBilling>
  teamLimits(team: string): Promise<R.TeamLimits>
  /** Changes the limits named (operators; the team's admins while no operator is named). */
  setTeamLimits(team: string, changes: Partial<Limits>): Promise<R.TeamLimits>
  renameTeam(team: string, name: string): Promise<R.Team>
  /** Destroys a team that has no apps. */
  destroyTeam(team: string): Promise<R.Team>

  listMembers(team: string): Promise<R.TeamMember[]>
  /** Adds someone; the same role again changes nothing; another role is a conflict. */
  addMember(team: string, email: string, role: OrgRole): Promise<R.TeamMember>
  setMember(team: string, email: string, role: OrgRole): Promise<R.TeamMember>
  /** Removes someone and all their access to the org's apps (role null: was not there). */
  removeMember(team: string, email: string): Promise<R.TeamMember>

  /** An org's apps, or (no team) the apps the actor owns or collaborates on. */
  listApps(team?: string): Promise<R.App[]>
  createApp(request: CreateAppRequest): Promise<R.App>
  getApp(app: string): Promise<R.App>
  destroyApp(app: string): Promise<R.App>
  setLocked(app: string, locked: boolean): Promise<R.App>

  listAccess(app: string): Promise<R.Collaborator[]>
  addAccess(app: string, email: string, permissions?: AppPermission[]): Promise<R.Collaborator>
  updateAccess(app: string, email: string, permissions: AppPermission[]): Promise<R.Collaborator>
  /** (role null: had no access) */
  removeAccess(app: string, email: string): Promise<R.Collaborator>
  joinApp(app: string): Promise<R.Collaborator>
  leaveApp(app: string): Promise<R.Collaborator>

  transferApp(app: string, recipient: string, options: {locked?: boolean}): Promise<R.TransferResult>
  listTransfers(): Promise<R.AppTransfer[]>
  answerTransfer(id: string, state: 'accepted' | 'declined'): Promise<R.AppTransfer>
  cancelTransfer(id: string): Promise<R.AppTransfer>

  /** Whether EMAIL holds PERMISSION on the app, and why (anyone who may list the app's access may ask). */
  checkAccess(app: string, email: string, permission: AppPermission): Promise<R.AccessCheck>
  /** Everyone who holds PERMISSION on the app, and how, by email. */
  accessHolders(app: string, permission: AppPermission): Promise<R.AccessCheck[]>
  /** An org's memberships, apps and collaborators, in one read (access as code). */
  teamAccess(team: string): Promise<R.TeamAccess>

  listFormation(app: string): Promise<R.Formation[]>
  scale(app: string, changes: ScaleChange[]): Promise<R.Formation[]>

  /** The org's audit events, newest first (admins only). */
  listAuditEvents(team: string, filter: AuditFilter): Promise<R.AuditEvent[]>
}
