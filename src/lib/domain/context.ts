/** What every domain operation is given: the transaction it runs in, who acts, and when. */
import {crypto} from '../builtins.js'

import {notFound} from '../errors.js'
import type {ReadTx, WriteTx} from '../storage/storage.js'
import {authorize, type Action, type Standing, type Subject} from './permissions.js'
import type {App, AppPermission, Org, OrgRole, User} from './types.js'
import {APP_PERMISSIONS} from './types.js'

export interface Clock {
  now(): Date
}

export const systemClock: Clock = {now: () => new Date()}

export interface CtxOptions {
  /** The request a server runs this for (its Request-Id), kept in the audit events it records. */
  requestId?: string
}

export class Ctx<Tx extends ReadTx = ReadTx> {
  /** One timestamp per operation, so everything it touches agrees. */
  readonly at: string
  /**
   * The actor's standing found by the last `org(name)` / `app(name)` of each name, for the authorize
   * call that follows it (a rule looks a thing up, under its lock, then authorizes: one look, not two).
   */
  private readonly standings = new Map<string, Standing>()
  private readonly subjects = new Map<string, Subject>()

  /** The request this runs for, if a server runs it. */
  readonly requestId?: string

  constructor(
    readonly tx: Tx,
    readonly actor: string,
    readonly clock: Clock = systemClock,
    options: CtxOptions = {},
  ) {
    this.at = clock.now().toISOString()
    this.requestId = options.requestId
  }

  newId(): string {
    return crypto().randomUUID()
  }

  /** The org, if the actor may know it exists; else the same not-found either way. */
  async org(name: string): Promise<Org> {
    this.standings.delete(name)
    const org = await this.tx.orgs.byName(name)
    const standing = org ? await orgStanding(this, org.name, this.actor) : 'none'
    if (!org || standing === 'none') throw notFound(`Couldn't find org ${name}, or you have no access to it.`)
    this.standings.set(name, standing)
    return org
  }

  /** The app, if the actor may know it exists. */
  async app(name: string): Promise<App> {
    this.subjects.delete(name)
    const app = await this.tx.apps.byName(name)
    const subject = app && (await appSubject(this, app, this.actor))
    if (!app || !subject || subject.standing === 'none') throw notFound(`Couldn't find app ${name}, or you have no access to it.`)
    this.subjects.set(name, subject)
    return app
  }

  /** Enforces the permission matrix for the actor on an org. */
  async authorizeOrg(action: Action, org: Org): Promise<void> {
    const standing = this.standings.get(org.name) ?? (await orgStanding(this, org.name, this.actor))
    authorize(action, {standing, permissions: [], target: `org ${org.name}`})
  }

  /** Enforces the permission matrix for the actor on an app. */
  async authorizeApp(action: Action, app: App): Promise<Subject> {
    const found = this.subjects.get(app.name)
    // The app as it was looked up (a rule that changed its lock since asks again).
    const subject = found && found.locked === app.locked ? found : await appSubject(this, app, this.actor)
    authorize(action, subject)
    return subject
  }

  /** The org that owns an app, if any. */
  async ownerOrg(app: App): Promise<Org | undefined> {
    return app.owner.kind === 'org' ? this.tx.orgs.byName(app.owner.name) : undefined
  }
}

/** The context of a change. */
export type WriteCtx = Ctx<WriteTx>

/** Finds or creates the user record for an email (users are known by email). */
export function ensureUser(ctx: WriteCtx, email: string): Promise<User> {
  return ctx.tx.users.ensure({id: ctx.newId(), email, createdAt: ctx.at})
}

/**
 * Locks what a change of this app checks rules against: its org (and any other orgs named, in
 * name order), or the app itself when it is personal. Gives back the app as it is under the lock
 * (it may have moved between the first look and the lock: then the new owner is locked too).
 */
export async function lockForApp(ctx: WriteCtx, name: string, alsoOrgs: readonly string[] = []): Promise<App | undefined> {
  let app = await ctx.tx.apps.byName(name)
  const locked = new Set<string>()
  for (;;) {
    const orgs = [...new Set([...alsoOrgs, ...(app?.owner.kind === 'org' ? [app.owner.name] : [])])].filter((org) => !locked.has(org))
    if (orgs.length > 0) {
      await ctx.tx.lockOrgs(orgs)
      for (const org of orgs) locked.add(org)
    }
    if (app?.owner.kind === 'user') await ctx.tx.lockApp(name)
    const now = await ctx.tx.apps.byName(name)
    if (!now || !app || now.owner.kind === 'user' || locked.has(now.owner.name)) return now
    app = now
  }
}

/** An org standing: the membership role, else collaborator on one of its apps, else none. */
export async function orgStanding(ctx: Ctx, org: string, email: string): Promise<Standing> {
  const membership = await ctx.tx.members.get(org, email)
  if (membership) return membership.role
  return (await ctx.tx.collaborators.inOrg(org, email)) ? 'collaborator' : 'none'
}

/** The standing and app permissions of a user on one app. */
export async function appSubject(ctx: Ctx, app: App, email: string): Promise<Subject> {
  const collaborator = await ctx.tx.collaborators.get(app.name, email)
  const role = app.owner.kind === 'org' ? (await ctx.tx.members.get(app.owner.name, email))?.role : undefined
  return subjectOf(app, email, role, collaborator?.permissions)
}

/**
 * The same from what is known of them already: their role in the app's org (undefined: none, or a
 * personal app) and their collaborator permissions on it (undefined: not a collaborator). Pure, so
 * a list of everyone's standing (`access:who-can`) is worked out exactly as each check is.
 */
export function subjectOf(app: App, email: string, role: OrgRole | undefined, collaborator: readonly AppPermission[] | undefined): Subject {
  const permissions: readonly AppPermission[] = collaborator ?? []
  const base = {permissions, locked: app.locked, target: `app ${app.name}`}
  if (app.owner.kind === 'user') {
    if (app.owner.email === email) return {...base, standing: 'admin', permissions: APP_PERMISSIONS}
    return {...base, standing: collaborator ? 'collaborator' : 'none'}
  }
  if (role === 'admin') return {...base, standing: 'admin', permissions: APP_PERMISSIONS}
  if (role === 'member') return {...base, standing: 'member'}
  return {...base, standing: collaborator ? 'collaborator' : 'none'}
}
