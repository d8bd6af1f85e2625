/** What every domain operation is given: who acts, when, and the state it acts on. */
import {crypto} from '../builtins.js'

import {notFound} from '../errors.js'
import {authorize, type Action, type Standing, type Subject} from './permissions.js'
import type {App, AppPermission, Org, OrgAppsSummary, OrgHistory, State, User} from './types.js'
import {APP_PERMISSIONS} from './types.js'
import {summarizeApps, summarizeOrgApps} from './usage.js'

export interface Clock {
  now(): Date
}

export const systemClock: Clock = {now: () => new Date()}

export class Ctx {
  readonly state: State
  readonly actor: string
  readonly clock: Clock
  /** One timestamp per operation, so everything it touches agrees. */
  readonly at: string

  constructor(state: State, actor: string, clock: Clock = systemClock) {
    this.state = state
    this.actor = actor
    this.clock = clock
    this.at = clock.now().toISOString()
  }

  newId(): string {
    return crypto().randomUUID()
  }

  /** Finds or creates the user record for an email (users are known by email). */
  user(email: string): User {
    let user = this.state.users.get(email)
    if (!user) {
      user = {id: this.newId(), email, createdAt: this.at}
      this.state.users.set(email, user)
    }
    return user
  }

  findOrg(name: string): Org | undefined {
    return this.state.orgs.get(name)
  }

  /** An org's usage history and billing ledger (started empty if it has none yet). */
  history(org: Org): OrgHistory {
    let history = this.state.histories.get(org.name)
    if (!history) {
      history = {usageHistory: [], ledger: []}
      this.state.histories.set(org.name, history)
    }
    return history
  }

  findApp(name: string): App | undefined {
    return this.state.apps.get(name)
  }

  /** The org, if the actor may know it exists; else the same not-found either way. */
  org(name: string): Org {
    const org = this.state.orgs.get(name)
    if (!org || orgStanding(this, org, this.actor) === 'none') throw notFound(`Couldn't find org ${name}, or you have no access to it.`)
    return org
  }

  /** The app, if the actor may know it exists. */
  app(name: string): App {
    const app = this.state.apps.get(name)
    if (!app || appSubject(this, app, this.actor).standing === 'none') {
      throw notFound(`Couldn't find app ${name}, or you have no access to it.`)
    }
    return app
  }

  /** Enforces the permission matrix for the actor on an org. */
  authorizeOrg(action: Action, org: Org): void {
    authorize(action, {standing: orgStanding(this, org, this.actor), permissions: [], target: `org ${org.name}`})
  }

  /** Enforces the permission matrix for the actor on an app. */
  authorizeApp(action: Action, app: App): Subject {
    const subject = appSubject(this, app, this.actor)
    authorize(action, subject)
    return subject
  }

  /** The org that owns an app, if any. */
  ownerOrg(app: App): Org | undefined {
    return app.owner.kind === 'org' ? this.state.orgs.get(app.owner.name) : undefined
  }

  /** Apps owned by an org. */
  *orgApps(org: Org): Iterable<App> {
    for (const app of this.state.apps.values()) {
      if (app.owner.kind === 'org' && app.owner.name === org.name) yield app
    }
  }

  /** What an org's apps add up to: kept by the store while its apps are unread, else counted. */
  orgAppsSummary(org: Org): OrgAppsSummary {
    const kept = this.state.orgAppsSummaries
    if (kept) return kept.get(org.name) ?? NO_APPS
    return summarizeApps(this.orgApps(org))
  }

  /** The same for every org with apps, by org name (one pass over the apps when they are counted). */
  orgAppsSummaries(): ReadonlyMap<string, OrgAppsSummary> {
    return this.state.orgAppsSummaries ?? summarizeOrgApps(this.state.apps.values())
  }
}

const NO_APPS: OrgAppsSummary = {apps: 0, dynoUnits: 0, collaborators: new Set()}

/** An org standing: the membership role, else collaborator on one of its apps, else none. */
export function orgStanding(ctx: Ctx, org: Org, email: string): Standing {
  const membership = org.members.get(email)
  if (membership) return membership.role
  return ctx.orgAppsSummary(org).collaborators.has(email) ? 'collaborator' : 'none'
}

/** The standing and app permissions of a user on one app. */
export function appSubject(ctx: Ctx, app: App, email: string): Subject {
  const collaborator = app.collaborators.get(email)
  const permissions: readonly AppPermission[] = collaborator?.permissions ?? []
  const base = {permissions, locked: app.locked, target: `app ${app.name}`}
  if (app.owner.kind === 'user') {
    if (app.owner.email === email) return {...base, standing: 'admin', permissions: APP_PERMISSIONS}
    return {...base, standing: collaborator ? 'collaborator' : 'none'}
  }
  const org = ctx.ownerOrg(app)
  const role = org?.members.get(email)?.role
  if (role === 'admin') return {...base, standing: 'admin', permissions: APP_PERMISSIONS}
  if (role === 'member') return {...base, standing: 'member'}
  return {...base, standing: collaborator ? 'collaborator' : 'none'}
}
