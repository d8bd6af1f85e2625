/** The embedded backend: the domain run directly on the JSON store. */
import * as present from '../api/present.js'
import type * as R from '../api/resources.js'
import {addAccess, listAccess, removeAccess, updateAccess} from '../domain/access.js'
import {createApp, destroyApp, getApp, joinApp, leaveApp, listApps, setLocked} from '../domain/apps.js'
import {type Clock, Ctx, systemClock} from '../domain/context.js'
import {listFormation, scale} from '../domain/formation.js'
import {loadNameGenerator} from '../domain/names.js'
import {addMember, listMembers, putMember, removeMember, setMember} from '../domain/members.js'
import {createOrg, listOrgs, orgBilling, orgInfo, orgUsage} from '../domain/orgs.js'
import {createAuthorization, listAuthorizations, revokeAuthorization} from '../domain/tokens.js'
import {cancelTransfer, listTransfers, respondToTransfer, transferApp} from '../domain/transfers.js'
import type {App, AppPermission, Limits, OrgRole, State} from '../domain/types.js'
import type {ScaleChange} from '../domain/validation.js'
import {unauthorized, usageError} from '../errors.js'
import type {JsonStore} from '../store/json-store.js'
import type {Backend, CreateAppRequest} from './backend.js'

export const NO_USER_MESSAGE = 'No acting user: set ORGCTL_USER=you@example.com, or run orgctl login --email you@example.com.'

export class LocalBackend implements Backend {
  readonly kind = 'local'
  readonly location: string

  constructor(
    private readonly store: JsonStore,
    private readonly actor: string | undefined,
    private readonly clock: Clock = systemClock,
  ) {
    this.location = store.path
  }

  /** Lets go of the store file (a server's per-request backends share its store, and never close it). */
  async close(): Promise<void> {
    this.store.close()
  }

  private who(): string {
    if (!this.actor) throw unauthorized(NO_USER_MESSAGE)
    return this.actor
  }

  /** A read: the last committed state, no lock. */
  private async view<T>(fn: (ctx: Ctx) => T): Promise<T> {
    const actor = this.who()
    const state = await this.store.read()
    return fn(new Ctx(state, actor, this.clock))
  }

  /** A change: all of it commits, or none. */
  private change<T>(fn: (ctx: Ctx) => T): Promise<T> {
    const actor = this.who()
    return this.store.update((state: State) => fn(new Ctx(state, actor, this.clock)))
  }

  account(): Promise<R.Account> {
    return this.view((ctx) =>
      present.presentAccount(ctx.state.users.get(ctx.actor) ?? {id: ctx.newId(), email: ctx.actor, createdAt: ctx.at}),
    )
  }

  createAuthorization(description: string): Promise<R.Authorization> {
    return this.change((ctx) => {
      const {token, record} = createAuthorization(ctx, description)
      return present.presentAuthorization(ctx, record, token)
    })
  }

  listAuthorizations(): Promise<R.Authorization[]> {
    return this.view((ctx) => listAuthorizations(ctx).map((record) => present.presentAuthorization(ctx, record)))
  }

  revokeAuthorization(id: string): Promise<R.Authorization> {
    if (id === '~') throw usageError('On the embedded store, name the authorization to revoke by its id (see orgctl authorizations).')
    return this.change((ctx) => present.presentAuthorization(ctx, revokeAuthorization(ctx, {id})))
  }

  /** Revokes the token a request came with (the server's `DELETE /oauth/authorizations/~`). */
  revokeToken(token: string): Promise<R.Authorization> {
    return this.change((ctx) => present.presentAuthorization(ctx, revokeAuthorization(ctx, {token})))
  }

  listTeams(): Promise<R.Team[]> {
    return this.view((ctx) => listOrgs(ctx).map(present.presentTeam))
  }

  createTeam(name: string, limits: Limits): Promise<R.Team> {
    return this.change((ctx) => present.presentTeam(createOrg(ctx, name, limits)))
  }

  getTeam(team: string): Promise<R.TeamInfo> {
    return this.view((ctx) => present.presentTeamInfo(orgInfo(ctx, team)))
  }

  teamUsage(team: string, history: boolean): Promise<R.TeamUsage> {
    return this.view((ctx) => present.presentUsage(orgUsage(ctx, team), history))
  }

  teamBilling(team: string): Promise<R.TeamBilling> {
    return this.view((ctx) => {
      const {org, billing} = orgBilling(ctx, team)
      return present.presentBilling(org, billing)
    })
  }

  listMembers(team: string): Promise<R.TeamMember[]> {
    return this.view((ctx) => {
      const views = listMembers(ctx, team)
      const org = ctx.findOrg(team)!
      return views.map((view) => present.presentMember(ctx, org, view))
    })
  }

  addMember(team: string, email: string, role: OrgRole): Promise<R.TeamMember> {
    return this.change((ctx) => present.presentMember(ctx, ctx.findOrg(team)!, addMember(ctx, team, email, role)))
  }

  setMember(team: string, email: string, role: OrgRole): Promise<R.TeamMember> {
    return this.change((ctx) => present.presentMember(ctx, ctx.findOrg(team)!, setMember(ctx, team, email, role)))
  }

  /** Heroku's PUT: add, or change the role of someone already there (the server's only). */
  putMember(team: string, email: string, role: OrgRole): Promise<R.TeamMember> {
    return this.change((ctx) => present.presentMember(ctx, ctx.findOrg(team)!, putMember(ctx, team, email, role)))
  }

  /** Heroku's team-daily-usage and team-monthly-usage, from the daily peaks (the server's only). */
  usageHistory(team: string, period: 'daily' | 'monthly', start?: string, end?: string): Promise<R.TeamPeriodUsage[]> {
    return this.view((ctx) => present.presentPeriodUsage(orgUsage(ctx, team), period, start, end))
  }

  removeMember(team: string, email: string): Promise<R.TeamMember> {
    return this.change((ctx) => {
      const removed = removeMember(ctx, team, email)
      const org = ctx.findOrg(team)!
      return removed ? present.presentMember(ctx, org, removed) : present.presentAbsentMember(ctx, org, email)
    })
  }

  listApps(team?: string): Promise<R.App[]> {
    return this.view((ctx) => {
      const {apps, collaborated} = listApps(ctx, team)
      // One list in name order, as the API pages it.
      return [...apps, ...collaborated].sort((a, b) => (a.name < b.name ? -1 : 1)).map((app) => present.presentApp(ctx, app))
    })
  }

  async createApp(request: CreateAppRequest): Promise<R.App> {
    const generateName = request.name === undefined ? await loadNameGenerator() : undefined
    return this.change((ctx) =>
      present.presentApp(ctx, createApp(ctx, {name: request.name, org: request.team, region: request.region, generateName})),
    )
  }

  getApp(app: string): Promise<R.App> {
    return this.view((ctx) => present.presentApp(ctx, getApp(ctx, app)))
  }

  destroyApp(app: string): Promise<R.App> {
    return this.change((ctx) => present.presentApp(ctx, destroyApp(ctx, app)))
  }

  setLocked(app: string, locked: boolean): Promise<R.App> {
    return this.change((ctx) => present.presentApp(ctx, setLocked(ctx, app, locked)))
  }

  listAccess(app: string): Promise<R.Collaborator[]> {
    return this.view((ctx) => {
      const {app: found, access} = listAccess(ctx, app)
      return access.map((view) => present.presentAccess(ctx, found, view))
    })
  }

  addAccess(app: string, email: string, permissions?: AppPermission[]): Promise<R.Collaborator> {
    return this.change((ctx) => present.presentAccess(ctx, ctx.findApp(app)!, addAccess(ctx, app, email, permissions)))
  }

  updateAccess(app: string, email: string, permissions: AppPermission[]): Promise<R.Collaborator> {
    return this.change((ctx) => present.presentAccess(ctx, ctx.findApp(app)!, updateAccess(ctx, app, email, permissions)))
  }

  removeAccess(app: string, email: string): Promise<R.Collaborator> {
    return this.change((ctx) => this.removal(ctx, app, email, removeAccess(ctx, app, email)))
  }

  joinApp(app: string): Promise<R.Collaborator> {
    return this.change((ctx) => {
      const collaborator = joinApp(ctx, app)
      const found = ctx.findApp(app)!
      return present.presentAccess(ctx, found, {
        email: collaborator.email,
        role: roleOf(ctx, found, collaborator.email),
        permissions: collaborator.permissions,
        collaborator,
      })
    })
  }

  leaveApp(app: string): Promise<R.Collaborator> {
    return this.change((ctx) => this.removal(ctx, app, ctx.actor, leaveApp(ctx, app)))
  }

  private removal(ctx: Ctx, app: string, email: string, removed: ReturnType<typeof leaveApp>): R.Collaborator {
    const found = ctx.findApp(app)!
    if (!removed) return present.presentAbsentAccess(ctx, found, email)
    return present.presentAccess(ctx, found, {
      email,
      role: roleOf(ctx, found, email),
      permissions: removed.permissions,
      collaborator: removed,
    })
  }

  transferApp(app: string, recipient: string, options: {locked?: boolean}): Promise<R.TransferResult> {
    return this.change((ctx) => {
      const outcome = transferApp(ctx, app, recipient, options)
      const result: R.TransferResult = {app: present.presentApp(ctx, outcome.app), moved: outcome.moved}
      if (outcome.transfer) result.transfer = present.presentTransfer(ctx, outcome.transfer)
      return result
    })
  }

  listTransfers(): Promise<R.AppTransfer[]> {
    return this.view((ctx) => listTransfers(ctx).map((transfer) => present.presentTransfer(ctx, transfer)))
  }

  answerTransfer(id: string, state: 'accepted' | 'declined'): Promise<R.AppTransfer> {
    return this.change((ctx) => present.presentTransfer(ctx, respondToTransfer(ctx, id, state)))
  }

  cancelTransfer(id: string): Promise<R.AppTransfer> {
    return this.change((ctx) => present.presentTransfer(ctx, cancelTransfer(ctx, id)))
  }

  listFormation(app: string): Promise<R.Formation[]> {
    return this.view((ctx) => {
      const {app: found, formation} = listFormation(ctx, app)
      return formation.map((entry) => present.presentFormation(found, entry))
    })
  }

  scale(app: string, changes: ScaleChange[]): Promise<R.Formation[]> {
    return this.change((ctx) => {
      const {app: found, formation} = scale(ctx, app, changes)
      return formation.map((entry) => present.presentFormation(found, entry))
    })
  }
}

function roleOf(ctx: Ctx, app: App, email: string): OrgRole {
  return ctx.ownerOrg(app)?.members.get(email)?.role ?? 'collaborator'
}
