/**
 * The backend API: the same contract as the embedded store, spoken as Heroku's
 * Platform API v3 (the routes Heroku's own CLI uses, plus a few documented extensions).
 */
import {TEAM_OWNER_DOMAIN} from '../api/present.js'
import type * as R from '../api/resources.js'
import type {AppPermission, Limits, OrgRole} from '../domain/types.js'
import {looksLikeEmail, type ScaleChange} from '../domain/validation.js'
import type {ApiClient} from '../http/api-client.js'
import type {Backend, CreateAppRequest} from './backend.js'

const seg = encodeURIComponent
// Lists ask for 1,000-item pages on the fields Heroku's schema says they range on (members, apps);
// the others come in the server's default pages.

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

  account(): Promise<R.Account> {
    this.me ??= this.client.get<R.Account>('/account')
    return this.me
  }

  private async myEmail(): Promise<string> {
    return (await this.account()).email
  }

  createAuthorization(description: string): Promise<R.Authorization> {
    return this.client.send('POST', '/oauth/authorizations', {description})
  }

  listAuthorizations(): Promise<R.Authorization[]> {
    return this.client.list('/oauth/authorizations')
  }

  revokeAuthorization(id: string): Promise<R.Authorization> {
    return this.client.send('DELETE', `/oauth/authorizations/${seg(id)}`)
  }

  listTeams(): Promise<R.Team[]> {
    return this.client.list('/teams')
  }

  createTeam(name: string, limits: Limits): Promise<R.Team> {
    return this.client.send('POST', '/teams', {name, limits})
  }

  getTeam(team: string): Promise<R.TeamInfo> {
    return this.client.get(`/teams/${seg(team)}`)
  }

  teamUsage(team: string, history: boolean): Promise<R.TeamUsage> {
    return this.client.get(`/teams/${seg(team)}/resource-usage${history ? '?history=true' : ''}`)
  }

  teamBilling(team: string): Promise<R.TeamBilling> {
    return this.client.get(`/teams/${seg(team)}/billing-estimate`)
  }

  listMembers(team: string): Promise<R.TeamMember[]> {
    return this.client.list(`/teams/${seg(team)}/members`, 'email')
  }

  addMember(team: string, email: string, role: OrgRole): Promise<R.TeamMember> {
    return this.client.send('POST', `/teams/${seg(team)}/members`, {email, role})
  }

  setMember(team: string, email: string, role: OrgRole): Promise<R.TeamMember> {
    return this.client.send('PATCH', `/teams/${seg(team)}/members`, {email, role})
  }

  removeMember(team: string, email: string): Promise<R.TeamMember> {
    return this.client.send('DELETE', `/teams/${seg(team)}/members/${seg(email)}`)
  }

  listApps(team?: string): Promise<R.App[]> {
    return this.client.list(team === undefined ? '/apps' : `/teams/${seg(team)}/apps`, 'name')
  }

  createApp(request: CreateAppRequest): Promise<R.App> {
    const body = {...(request.name === undefined ? {} : {name: request.name}), region: request.region}
    return request.team === undefined
      ? this.client.send('POST', '/apps', body)
      : this.client.send('POST', '/teams/apps', {...body, team: request.team})
  }

  getApp(app: string): Promise<R.App> {
    return this.client.get(`/apps/${seg(app)}`)
  }

  destroyApp(app: string): Promise<R.App> {
    return this.client.send('DELETE', `/apps/${seg(app)}`)
  }

  setLocked(app: string, locked: boolean): Promise<R.App> {
    return this.client.send('PATCH', `/teams/apps/${seg(app)}`, {locked})
  }

  listAccess(app: string): Promise<R.Collaborator[]> {
    return this.client.list(`/apps/${seg(app)}/collaborators`)
  }

  addAccess(app: string, email: string, permissions?: AppPermission[]): Promise<R.Collaborator> {
    // Per-app permissions live on the team path; without them, Heroku's plain collaborator path.
    return permissions === undefined
      ? this.client.send('POST', `/apps/${seg(app)}/collaborators`, {user: email})
      : this.client.send('POST', `/teams/apps/${seg(app)}/collaborators`, {user: email, permissions})
  }

  updateAccess(app: string, email: string, permissions: AppPermission[]): Promise<R.Collaborator> {
    return this.client.send('PATCH', `/teams/apps/${seg(app)}/collaborators/${seg(email)}`, {permissions})
  }

  removeAccess(app: string, email: string): Promise<R.Collaborator> {
    return this.client.send('DELETE', `/apps/${seg(app)}/collaborators/${seg(email)}`)
  }

  async joinApp(app: string): Promise<R.Collaborator> {
    return this.client.send('POST', `/teams/apps/${seg(app)}/collaborators`, {user: await this.myEmail()})
  }

  async leaveApp(app: string): Promise<R.Collaborator> {
    return this.client.send('DELETE', `/apps/${seg(app)}/collaborators/${seg(await this.myEmail())}`)
  }

  /** As Heroku's CLI: a personal app going to a user is a pending app-transfer; everything else a PATCH of its owner. */
  async transferApp(app: string, recipient: string, options: {locked?: boolean}): Promise<R.TransferResult> {
    const current = await this.getApp(app)
    const teamApp = current.owner.email.endsWith(TEAM_OWNER_DOMAIN)
    const toUser = looksLikeEmail(recipient)
    // Already there: nothing to send (with --locked the server still checks who may lock).
    if (!options.locked && (toUser ? current.owner.email === recipient.toLowerCase() : current.team?.name === recipient)) {
      return {app: current, moved: false}
    }
    if (toUser && !teamApp && !options.locked) {
      const transfer = await this.client.send<R.AppTransfer>('POST', '/account/app-transfers', {app, recipient})
      return {app: current, transfer, moved: false}
    }
    const moved = await this.client.send<R.App | R.AppTransfer>('PATCH', `/teams/apps/${seg(app)}`, {
      owner: recipient,
      ...(options.locked ? {locked: true} : {}),
    })
    if ('state' in moved) return {app: current, transfer: moved, moved: false}
    return {app: moved, moved: current.team?.name !== recipient}
  }

  listTransfers(): Promise<R.AppTransfer[]> {
    return this.client.list('/account/app-transfers')
  }

  answerTransfer(id: string, state: 'accepted' | 'declined'): Promise<R.AppTransfer> {
    return this.client.send('PATCH', `/account/app-transfers/${seg(id)}`, {state})
  }

  cancelTransfer(id: string): Promise<R.AppTransfer> {
    return this.client.send('DELETE', `/account/app-transfers/${seg(id)}`)
  }

  listFormation(app: string): Promise<R.Formation[]> {
    return this.client.list(`/apps/${seg(app)}/formation`)
  }

  scale(app: string, changes: ScaleChange[]): Promise<R.Formation[]> {
    const updates = changes.map((change) => ({
      type: change.type,
      ...(change.quantity === undefined ? {} : {quantity: change.quantity}),
      ...(change.delta === undefined ? {} : {quantity: `${change.delta >= 0 ? '+' : ''}${change.delta}`}),
      ...(change.size === undefined ? {} : {size: change.size}),
    }))
    return this.client.send('PATCH', `/apps/${seg(app)}/formation`, {updates})
  }
}
