/**
 * The backend API: the same contract as the embedded store, spoken as Heroku's
 * Platform API v3 (the routes Heroku's own CLI uses, plus a few documented extensions).
 */
import {TEAM_OWNER_DOMAIN} from '../api/present.js'
import type * as R from '../api/resources.js'
import {pathFor, type Route, ROUTES} from '../api/routes.js'
import type {AppPermission, Limits, OrgRole} from '../domain/types.js'
import {asciiLower, looksLikeEmail, type ScaleChange} from '../domain/validation.js'
import {type ApiClient, either, type Expected, listOf, resource} from '../http/api-client.js'
import type {Backend, CreateAppRequest} from './backend.js'
import type {AuditFilter} from '../domain/audit.js'

// Every path comes from the route table the server registers (src/lib/api/routes.ts).
// Lists ask for 1,000-item pages on the fields Heroku's schema says they range on (members, apps);
// the others come in the server's default pages.
// A write is done only when the answer is the resource it changed, with the fields the commands render.
const AUTHORIZATION = resource('an authorization', 'id')
const TEAM = resource('a team', 'id', 'name')
const DASHBOARD_LINK = resource('a Dashboard sign-in link', 'path', 'expires_at')
const MEMBER = resource('a team member', 'id', 'email')
const LIMITS = resource("a team's limits", 'team.id', 'team.name', 'set_by')
const APP = resource('an app', 'id', 'name')
const COLLABORATOR = resource('a collaborator', 'id', 'user.email')
const TRANSFER = resource('an app transfer', 'id', 'state')
const FORMATION = listOf('a list of dynos', 'id', 'type')

export class HttpBackend implements Backend {
  readonly kind = 'http'
  private me?: Promise<R.Account>

  constructor(private readonly client: ApiClient) {}

  get location(): string {
    return this.client.baseUrl
  }

  close(): Promise<void> {
    return this.client.close()
  }

  /** A write to a route of the table, with the method the table gives it. */
  private send<T>(route: Route, path: string, expected: Expected, body?: unknown): Promise<T> {
    return this.client.send<T>(route.method as 'POST' | 'PUT' | 'PATCH' | 'DELETE', path, body, expected)
  }

  account(): Promise<R.Account> {
    this.me ??= this.client.get<R.Account>(pathFor(ROUTES.account))
    return this.me
  }

  private async myEmail(): Promise<string> {
    return (await this.account()).email
  }

  createAuthorization(description: string): Promise<R.Authorization> {
    return this.send(ROUTES.createAuthorization, pathFor(ROUTES.createAuthorization), AUTHORIZATION, {description})
  }

  createDashboardLink(): Promise<R.DashboardLink> {
    return this.send(ROUTES.createDashboardLink, pathFor(ROUTES.createDashboardLink), DASHBOARD_LINK)
  }

  listAuthorizations(): Promise<R.Authorization[]> {
    return this.client.list(pathFor(ROUTES.listAuthorizations))
  }

  revokeAuthorization(id: string): Promise<R.Authorization> {
    return this.send(ROUTES.revokeAuthorization, pathFor(ROUTES.revokeAuthorization, {authorization: id}), AUTHORIZATION)
  }

  listTeams(): Promise<R.Team[]> {
    return this.client.list(pathFor(ROUTES.listTeams))
  }

  createTeam(name: string, limits: Limits, options: {admin?: string} = {}): Promise<R.CreatedTeam> {
    return this.send(ROUTES.createTeam, pathFor(ROUTES.createTeam), TEAM, {name, limits, ...options})
  }

  teamLimits(team: string): Promise<R.TeamLimits> {
    return this.client.get(pathFor(ROUTES.teamLimits, {team}))
  }

  setTeamLimits(team: string, changes: Partial<Limits>): Promise<R.TeamLimits> {
    return this.send(ROUTES.updateTeamLimits, pathFor(ROUTES.updateTeamLimits, {team}), LIMITS, changes)
  }

  renameTeam(team: string, name: string): Promise<R.Team> {
    return this.send(ROUTES.updateTeam, pathFor(ROUTES.updateTeam, {team}), TEAM, {name})
  }

  destroyTeam(team: string): Promise<R.Team> {
    return this.send(ROUTES.destroyTeam, pathFor(ROUTES.destroyTeam, {team}), TEAM)
  }

  getTeam(team: string): Promise<R.TeamInfo> {
    return this.client.get(pathFor(ROUTES.getTeam, {team}))
  }

  teamUsage(team: string, history: boolean): Promise<R.TeamUsage> {
    return this.client.get(`${pathFor(ROUTES.teamResourceUsage, {team})}${history ? '?history=true' : ''}`)
  }

  teamBilling(team: string): Promise<R.TeamBilling> {
    return this.client.get(pathFor(ROUTES.teamBilling, {team}))
  }

  listMembers(team: string): Promise<R.TeamMember[]> {
    return this.client.list(pathFor(ROUTES.listMembers, {team}), 'email')
  }

  addMember(team: string, email: string, role: OrgRole): Promise<R.TeamMember> {
    return this.send(ROUTES.addMember, pathFor(ROUTES.addMember, {team}), MEMBER, {email, role})
  }

  setMember(team: string, email: string, role: OrgRole): Promise<R.TeamMember> {
    return this.send(ROUTES.setMember, pathFor(ROUTES.setMember, {team}), MEMBER, {email, role})
  }

  removeMember(team: string, email: string): Promise<R.TeamMember> {
    return this.send(ROUTES.removeMember, pathFor(ROUTES.removeMember, {team, member: email}), MEMBER)
  }

  listApps(team?: string): Promise<R.App[]> {
    return this.client.list(team === undefined ? pathFor(ROUTES.listApps) : pathFor(ROUTES.teamApps, {team}), 'name')
  }

  createApp(request: CreateAppRequest): Promise<R.App> {
    const body = {...(request.name === undefined ? {} : {name: request.name}), region: request.region}
    return request.team === undefined
      ? this.send(ROUTES.createApp, pathFor(ROUTES.createApp), APP, body)
      : this.send(ROUTES.createTeamApp, pathFor(ROUTES.createTeamApp), APP, {...body, team: request.team})
  }

  getApp(app: string): Promise<R.App> {
    return this.client.get(pathFor(ROUTES.getApp, {app}))
  }

  destroyApp(app: string): Promise<R.App> {
    return this.send(ROUTES.destroyApp, pathFor(ROUTES.destroyApp, {app}), APP)
  }

  setLocked(app: string, locked: boolean): Promise<R.App> {
    return this.send(ROUTES.updateTeamApp, pathFor(ROUTES.updateTeamApp, {app}), APP, {locked})
  }

  listAccess(app: string): Promise<R.Collaborator[]> {
    return this.client.list(pathFor(ROUTES.listCollaborators, {app}))
  }

  addAccess(app: string, email: string, permissions?: AppPermission[]): Promise<R.Collaborator> {
    // Per-app permissions live on the team path; without them, Heroku's plain collaborator path.
    return permissions === undefined
      ? this.send(ROUTES.addCollaborator, pathFor(ROUTES.addCollaborator, {app}), COLLABORATOR, {user: email})
      : this.send(ROUTES.addTeamCollaborator, pathFor(ROUTES.addTeamCollaborator, {app}), COLLABORATOR, {user: email, permissions})
  }

  updateAccess(app: string, email: string, permissions: AppPermission[]): Promise<R.Collaborator> {
    return this.send(ROUTES.updateTeamCollaborator, pathFor(ROUTES.updateTeamCollaborator, {app, collaborator: email}), COLLABORATOR, {
      permissions,
    })
  }

  removeAccess(app: string, email: string): Promise<R.Collaborator> {
    return this.send(ROUTES.removeCollaborator, pathFor(ROUTES.removeCollaborator, {app, collaborator: email}), COLLABORATOR)
  }

  async joinApp(app: string): Promise<R.Collaborator> {
    return this.send(ROUTES.addTeamCollaborator, pathFor(ROUTES.addTeamCollaborator, {app}), COLLABORATOR, {user: await this.myEmail()})
  }

  async leaveApp(app: string): Promise<R.Collaborator> {
    return this.send(ROUTES.removeCollaborator, pathFor(ROUTES.removeCollaborator, {app, collaborator: await this.myEmail()}), COLLABORATOR)
  }

  /** As Heroku's CLI: a personal app going to a user is a pending app-transfer; everything else a PATCH of its owner. */
  async transferApp(app: string, recipient: string, options: {locked?: boolean}): Promise<R.TransferResult> {
    const current = await this.getApp(app)
    const teamApp = current.owner.email.endsWith(TEAM_OWNER_DOMAIN)
    const toUser = looksLikeEmail(recipient)
    // Already there: nothing to send (with --locked the server still checks who may lock).
    if (!options.locked && (toUser ? current.owner.email === asciiLower(recipient) : current.team?.name === recipient)) {
      return {app: current, moved: false}
    }
    if (toUser && !teamApp && !options.locked) {
      const transfer = await this.send<R.AppTransfer>(ROUTES.createTransfer, pathFor(ROUTES.createTransfer), TRANSFER, {app, recipient})
      return {app: current, transfer, moved: false}
    }
    const moved = await this.send<R.App | R.AppTransfer>(
      ROUTES.updateTeamApp,
      pathFor(ROUTES.updateTeamApp, {app}),
      either(APP, TRANSFER),
      {
        owner: recipient,
        ...(options.locked ? {locked: true} : {}),
      },
    )
    if ('state' in moved) return {app: current, transfer: moved, moved: false}
    return {app: moved, moved: current.team?.name !== recipient}
  }

  listTransfers(): Promise<R.AppTransfer[]> {
    return this.client.list(pathFor(ROUTES.listTransfers))
  }

  answerTransfer(id: string, state: 'accepted' | 'declined'): Promise<R.AppTransfer> {
    return this.send(ROUTES.updateTransfer, pathFor(ROUTES.updateTransfer, {transfer: id}), TRANSFER, {state})
  }

  cancelTransfer(id: string): Promise<R.AppTransfer> {
    return this.send(ROUTES.deleteTransfer, pathFor(ROUTES.deleteTransfer, {transfer: id}), TRANSFER)
  }

  checkAccess(app: string, email: string, permission: AppPermission): Promise<R.AccessCheck> {
    // A CI gate exits on `allowed`: an answer that is not a yes or no to this question is not taken as one.
    const expected: Expected = {
      what: `an access check of ${permission} for ${email} on ${app}`,
      check: (body) => {
        const answer = body as Partial<R.AccessCheck> | null
        return (
          typeof answer === 'object' &&
          answer !== null &&
          typeof answer.allowed === 'boolean' &&
          answer.permission === permission &&
          typeof answer.email === 'string' &&
          asciiLower(answer.email) === asciiLower(email) &&
          answer.app === app &&
          typeof answer.via === 'string'
        )
      },
    }
    return this.client.getExpected(pathFor(ROUTES.accessCheck, {app, user: email, permission}), expected)
  }

  accessHolders(app: string, permission: AppPermission): Promise<R.AccessCheck[]> {
    return this.client.list(pathFor(ROUTES.accessHolders, {app, permission}), 'email')
  }

  teamAccess(team: string): Promise<R.TeamAccess> {
    return this.client.get(pathFor(ROUTES.teamAccess, {team}))
  }

  listFormation(app: string): Promise<R.Formation[]> {
    return this.client.list(pathFor(ROUTES.listFormation, {app}))
  }

  scale(app: string, changes: ScaleChange[]): Promise<R.Formation[]> {
    const updates = changes.map((change) => ({
      type: change.type,
      ...(change.quantity === undefined ? {} : {quantity: change.quantity}),
      ...(change.delta === undefined ? {} : {quantity: `${change.delta >= 0 ? '+' : ''}${change.delta}`}),
      ...(change.size === undefined ? {} : {size: change.size}),
    }))
    return this.send(ROUTES.batchUpdateFormation, pathFor(ROUTES.batchUpdateFormation, {app}), FORMATION, {updates})
  }

  listAuditEvents(team: string, filter: AuditFilter): Promise<R.AuditEvent[]> {
    const query = new URLSearchParams()
    for (const key of ['app', 'actor', 'action', 'since', 'until', 'limit'] as const) {
      const value = filter[key]
      if (value !== undefined) query.set(key, String(value))
    }
    // Newest first in the server's pages, following Next-Range until the list is whole.
    return this.client.list(`${pathFor(ROUTES.teamAuditEvents, {team})}?${query.toString()}`)
  }
}
