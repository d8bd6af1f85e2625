/** The embedded backend: the domain run directly on a storage engine (the JSON file, or PostgreSQL). */
import * as present from '../api/present.js'
import type * as R from '../api/resources.js'
import {accessOf, addAccess, listAccess, removeAccess, removedAccess, updateAccess} from '../domain/access.js'
import {orgAccessState} from '../domain/access-state.js'
import {byAppName, createApp, destroyApp, getApp, joinApp, leaveApp, listApps, setLocked} from '../domain/apps.js'
import {type AuditFilter, listOperatorEvents, listOrgEvents, pruneEvents} from '../domain/audit.js'
import {type Clock, Ctx, type CtxOptions, systemClock, type WriteCtx} from '../domain/context.js'
import {checkAccess, whoCan} from '../domain/checks.js'
import {listFormation, scale} from '../domain/formation.js'
import {absentMember, addMember, listMembers, putMember, removeMember, setMember} from '../domain/members.js'
import {loadNameGenerator} from '../domain/names.js'
import {createOrg, destroyOrg, listOrgs, orgBilling, orgInfo, orgLimits, orgUsage, renameOrg, setOrgLimits} from '../domain/orgs.js'
import {createSignInLink, signInLinkPath} from '../domain/sessions.js'
import {createAuthorization, listAuthorizations, revokeAuthorization} from '../domain/tokens.js'
import {cancelTransfer, listTransfers, respondToTransfer, transferApp} from '../domain/transfers.js'
import type {AppPermission, Limits, OrgRole, Token} from '../domain/types.js'
import type {ScaleChange} from '../domain/validation.js'
import {appView, appViews, transferView, transferViews, userRefs} from '../domain/views.js'
import {unauthorized, usageError} from '../errors.js'
import type {Storage} from '../storage/storage.js'
import type {Backend, CreateAppRequest} from './backend.js'

export const NO_USER_MESSAGE = 'No acting user: set ORGCTL_USER=you@example.com, or run orgctl login --email you@example.com.'

export class LocalBackend implements Backend {
  readonly kind = 'local'
  readonly location: string

  constructor(
    /** The storage it runs on (`orgctl dashboard` serves the same one). */
    readonly storage: Storage,
    private readonly actor: string | undefined,
    private readonly clock: Clock = systemClock,
    /** A server's request id, kept in the audit events of the changes this backend makes. */
    private readonly options: CtxOptions = {},
  ) {
    this.location = storage.location
  }

  /** Lets go of the storage (a server's per-request backends share its storage, and never close it). */
  async close(): Promise<void> {
    await this.storage.close()
  }

  private who(): string {
    if (!this.actor) throw unauthorized(NO_USER_MESSAGE)
    return this.actor
  }

  /** A read: committed data, no lock. */
  private view<T>(fn: (ctx: Ctx) => Promise<T>): Promise<T> {
    const actor = this.who()
    return this.storage.read((tx) => fn(new Ctx(tx, actor, this.clock, this.options)))
  }

  /** A change: all of it commits, or none. */
  private change<T>(fn: (ctx: WriteCtx) => Promise<T>): Promise<T> {
    const actor = this.who()
    return this.storage.write((tx) => fn(new Ctx(tx, actor, this.clock, this.options)))
  }

  account(): Promise<R.Account> {
    return this.view(async (ctx) =>
      present.presentAccount((await ctx.tx.users.byEmail(ctx.actor)) ?? {id: ctx.newId(), email: ctx.actor, createdAt: ctx.at}),
    )
  }

  private async authorizations(ctx: Ctx, records: readonly Token[], token?: string): Promise<R.Authorization[]> {
    const users = await userRefs(
      ctx,
      records.map((record) => record.email),
    )
    return records.map((record) => present.presentAuthorization({record, user: users.get(record.email)!, token}))
  }

  createAuthorization(description: string): Promise<R.Authorization> {
    return this.change(async (ctx) => {
      const {token, record} = await createAuthorization(ctx, description)
      // A dry run's token is never stored: it is not shown (it would not work).
      return (await this.authorizations(ctx, [record], this.storage.dryRun ? undefined : token))[0]!
    })
  }

  createDashboardLink(): Promise<R.DashboardLink> {
    return this.change(async (ctx) => {
      const {code, expiresAt} = await createSignInLink(ctx)
      // A dry run's link is never stored: it is not shown (it would not work).
      return {path: this.storage.dryRun ? null : signInLinkPath(code), expires_at: expiresAt}
    })
  }

  listAuthorizations(): Promise<R.Authorization[]> {
    return this.view(async (ctx) => this.authorizations(ctx, await listAuthorizations(ctx)))
  }

  revokeAuthorization(id: string): Promise<R.Authorization> {
    if (id === '~') throw usageError('On the embedded store, name the authorization to revoke by its id (see orgctl authorizations).')
    return this.change(async (ctx) => (await this.authorizations(ctx, [await revokeAuthorization(ctx, {id})]))[0]!)
  }

  /** Revokes the token a request came with (the server's `DELETE /oauth/authorizations/~`). */
  revokeToken(token: string): Promise<R.Authorization> {
    return this.change(async (ctx) => (await this.authorizations(ctx, [await revokeAuthorization(ctx, {token})]))[0]!)
  }

  listTeams(): Promise<R.Team[]> {
    return this.view(async (ctx) => (await listOrgs(ctx)).map(present.presentTeam))
  }

  createTeam(name: string, limits: Limits, options: {admin?: string} = {}): Promise<R.CreatedTeam> {
    return this.change(async (ctx) => present.presentCreatedTeam(await createOrg(ctx, name, limits, options)))
  }

  teamLimits(team: string): Promise<R.TeamLimits> {
    return this.view(async (ctx) => present.presentLimits(await orgLimits(ctx, team)))
  }

  setTeamLimits(team: string, changes: Partial<Limits>): Promise<R.TeamLimits> {
    return this.change(async (ctx) => present.presentLimits(await setOrgLimits(ctx, team, changes)))
  }

  renameTeam(team: string, name: string): Promise<R.Team> {
    return this.change(async (ctx) => present.presentTeam(await renameOrg(ctx, team, name)))
  }

  destroyTeam(team: string): Promise<R.Team> {
    return this.change(async (ctx) => present.presentTeam(await destroyOrg(ctx, team)))
  }

  getTeam(team: string): Promise<R.TeamInfo> {
    return this.view(async (ctx) => present.presentTeamInfo(await orgInfo(ctx, team)))
  }

  teamUsage(team: string, history: boolean): Promise<R.TeamUsage> {
    return this.view(async (ctx) => present.presentUsage(await orgUsage(ctx, team), history))
  }

  teamBilling(team: string): Promise<R.TeamBilling> {
    return this.view(async (ctx) => {
      const {org, billing} = await orgBilling(ctx, team)
      return present.presentBilling(org, billing)
    })
  }

  listMembers(team: string): Promise<R.TeamMember[]> {
    return this.view(async (ctx) => (await listMembers(ctx, team)).map(present.presentMember))
  }

  addMember(team: string, email: string, role: OrgRole): Promise<R.TeamMember> {
    return this.change(async (ctx) => present.presentMember(await addMember(ctx, team, email, role)))
  }

  setMember(team: string, email: string, role: OrgRole): Promise<R.TeamMember> {
    return this.change(async (ctx) => present.presentMember(await setMember(ctx, team, email, role)))
  }

  /** Heroku's PUT: add, or change the role of someone already there (the server's only). */
  putMember(team: string, email: string, role: OrgRole): Promise<R.TeamMember> {
    return this.change(async (ctx) => present.presentMember(await putMember(ctx, team, email, role)))
  }

  /** Heroku's team-daily-usage and team-monthly-usage, from the daily peaks (the server's only). */
  usageHistory(team: string, period: 'daily' | 'monthly', start?: string, end?: string): Promise<R.TeamPeriodUsage[]> {
    return this.view(async (ctx) => present.presentPeriodUsage(await orgUsage(ctx, team), period, start, end))
  }

  removeMember(team: string, email: string): Promise<R.TeamMember> {
    return this.change(async (ctx) => {
      const removed = await removeMember(ctx, team, email)
      return removed ? present.presentMember(removed) : present.presentAbsentMember(await absentMember(ctx, team, email))
    })
  }

  listApps(team?: string): Promise<R.App[]> {
    return this.view(async (ctx) => {
      const {apps, collaborated} = await listApps(ctx, team)
      // One list in name order, as the API pages it.
      return (await appViews(ctx, [...apps, ...collaborated].sort(byAppName))).map(present.presentApp)
    })
  }

  async createApp(request: CreateAppRequest): Promise<R.App> {
    const generateName = request.name === undefined ? await loadNameGenerator() : undefined
    return this.change(async (ctx) => {
      const app = await createApp(ctx, {name: request.name, org: request.team, region: request.region, generateName})
      return present.presentApp(await appView(ctx, app))
    })
  }

  getApp(app: string): Promise<R.App> {
    return this.view(async (ctx) => present.presentApp(await appView(ctx, await getApp(ctx, app))))
  }

  destroyApp(app: string): Promise<R.App> {
    return this.change(async (ctx) => present.presentApp(await destroyApp(ctx, app)))
  }

  setLocked(app: string, locked: boolean): Promise<R.App> {
    return this.change(async (ctx) => present.presentApp(await appView(ctx, await setLocked(ctx, app, locked))))
  }

  listAccess(app: string): Promise<R.Collaborator[]> {
    return this.view(async (ctx) => (await listAccess(ctx, app)).access.map(present.presentAccess))
  }

  addAccess(app: string, email: string, permissions?: AppPermission[]): Promise<R.Collaborator> {
    return this.change(async (ctx) => present.presentAccess(await addAccess(ctx, app, email, permissions)))
  }

  updateAccess(app: string, email: string, permissions: AppPermission[]): Promise<R.Collaborator> {
    return this.change(async (ctx) => present.presentAccess(await updateAccess(ctx, app, email, permissions)))
  }

  removeAccess(app: string, email: string): Promise<R.Collaborator> {
    return this.change(async (ctx) => {
      const view = await removeAccess(ctx, app, email)
      return view.collaborator ? present.presentAccess(view) : present.presentAbsentAccess(view)
    })
  }

  joinApp(app: string): Promise<R.Collaborator> {
    return this.change(async (ctx) => {
      const {app: found, collaborator} = await joinApp(ctx, app)
      // The collaborator record joining made (or found): its own permissions, whatever the role grants besides.
      const view = (await accessOf(ctx, found, ctx.actor))!
      return present.presentAccess({...view, permissions: collaborator.permissions, collaborator})
    })
  }

  leaveApp(app: string): Promise<R.Collaborator> {
    return this.change(async (ctx) => {
      const {app: found, removed} = await leaveApp(ctx, app)
      const view = await removedAccess(ctx, found, ctx.actor, removed)
      return removed ? present.presentAccess(view) : present.presentAbsentAccess(view)
    })
  }

  transferApp(app: string, recipient: string, options: {locked?: boolean}): Promise<R.TransferResult> {
    return this.change(async (ctx) => {
      const outcome = await transferApp(ctx, app, recipient, options)
      const result: R.TransferResult = {app: present.presentApp(await appView(ctx, outcome.app)), moved: outcome.moved}
      if (outcome.transfer) result.transfer = present.presentTransfer(await transferView(ctx, outcome.transfer))
      return result
    })
  }

  listTransfers(): Promise<R.AppTransfer[]> {
    return this.view(async (ctx) => (await transferViews(ctx, await listTransfers(ctx))).map(present.presentTransfer))
  }

  answerTransfer(id: string, state: 'accepted' | 'declined'): Promise<R.AppTransfer> {
    return this.change(async (ctx) => present.presentTransfer(await transferView(ctx, await respondToTransfer(ctx, id, state))))
  }

  cancelTransfer(id: string): Promise<R.AppTransfer> {
    return this.change(async (ctx) => present.presentTransfer(await transferView(ctx, await cancelTransfer(ctx, id))))
  }

  checkAccess(app: string, email: string, permission: AppPermission): Promise<R.AccessCheck> {
    return this.view(async (ctx) => present.presentAccessCheck(await checkAccess(ctx, app, email, permission)))
  }

  accessHolders(app: string, permission: AppPermission): Promise<R.AccessCheck[]> {
    return this.view(async (ctx) => (await whoCan(ctx, app, permission)).holders.map(present.presentAccessCheck))
  }

  teamAccess(team: string): Promise<R.TeamAccess> {
    return this.view(async (ctx) => present.presentTeamAccess(await orgAccessState(ctx, team)))
  }

  listFormation(app: string): Promise<R.Formation[]> {
    return this.view(async (ctx) => {
      const {app: found, formation} = await listFormation(ctx, app)
      return formation.map((entry) => present.presentFormation(found, entry))
    })
  }

  scale(app: string, changes: ScaleChange[]): Promise<R.Formation[]> {
    return this.change(async (ctx) => {
      const {app: found, formation} = await scale(ctx, app, changes)
      return formation.map((entry) => present.presentFormation(found, entry))
    })
  }

  listAuditEvents(team: string, filter: AuditFilter): Promise<R.AuditEvent[]> {
    return this.view(async (ctx) => (await listOrgEvents(ctx, team, filter)).map(present.presentAuditEvent))
  }

  /** The same, each with its place in the log (the server pages on it). */
  auditEventsBySeq(team: string, filter: AuditFilter): Promise<{seq: number; event: R.AuditEvent}[]> {
    return this.view(async (ctx) =>
      (await listOrgEvents(ctx, team, filter)).map((event) => ({seq: event.seq, event: present.presentAuditEvent(event)})),
    )
  }

  /** The events of no org (authorizations, pruning): only directly on the storage, for whoever holds it. */
  listOperatorEvents(filter: AuditFilter): Promise<R.AuditEvent[]> {
    return this.view(async (ctx) => (await listOperatorEvents(ctx, filter)).map(present.presentAuditEvent))
  }

  /** Removes the events created before a time (an event itself); how many. Directly on the storage only. */
  pruneAuditEvents(before: string): Promise<number> {
    return this.change((ctx) => pruneEvents(ctx, before))
  }
}
