/** Apps: creating, listing, destroying, locking, joining and leaving. */
import {conflict, usageError} from '../errors.js'
import type {Ctx} from './context.js'
import type {NameGenerator} from './names.js'
import {APP_PERMISSIONS, type App, type AppPermission, type Collaborator, type Region} from './types.js'
import {currentUsage, ensureWithinLimit, recordRate, recordUsage} from './usage.js'
import {isAppName, parseAppName} from './validation.js'

/** What a member gets on joining an app: everything but managing access. */
export const JOIN_PERMISSIONS: readonly AppPermission[] = ['view', 'deploy', 'operate']

/** A generated name that no app has yet. */
function freeAppName(ctx: Ctx, generate: NameGenerator): string {
  for (let attempt = 0; attempt < 50; attempt++) {
    const name = generate(attempt)
    if (isAppName(name) && !ctx.state.apps.has(name)) return name
  }
  throw conflict('Could not generate a free app name: give one explicitly.')
}

export interface CreateAppInput {
  name?: string
  org?: string
  region: Region
  /** Used when no name is given. */
  generateName?: NameGenerator
}

export function createApp(ctx: Ctx, input: CreateAppInput): App {
  const org = input.org === undefined ? undefined : ctx.org(input.org)
  if (org) {
    ctx.authorizeOrg('apps:create', org)
    ensureWithinLimit(org, 'apps', currentUsage(ctx, org).apps, 1)
  }
  if (input.name === undefined && !input.generateName) throw usageError('Give the app a name, or let orgctl generate one.')
  const name = input.name === undefined ? freeAppName(ctx, input.generateName!) : parseAppName(input.name)
  if (ctx.state.apps.has(name))
    throw conflict(`The app name ${name} is already taken: choose another, or leave it out to get a generated one.`)
  ctx.user(ctx.actor)
  const app: App = {
    id: ctx.newId(),
    name,
    owner: org ? {kind: 'org', name: org.name} : {kind: 'user', email: ctx.actor},
    region: input.region,
    locked: false,
    createdAt: ctx.at,
    updatedAt: ctx.at,
    collaborators: new Map(),
    formation: new Map(),
  }
  // As on Heroku, whoever creates an org app is its first collaborator, with every permission.
  if (org) grant(ctx, app, ctx.actor, APP_PERMISSIONS)
  ctx.state.apps.set(name, app)
  if (org) {
    recordRate(ctx, org, app)
    recordUsage(ctx, org)
  }
  return app
}

/** Sets a collaborator record, keeping its id and creation time. */
export function grant(ctx: Ctx, app: App, email: string, permissions: readonly AppPermission[]): Collaborator {
  ctx.user(email)
  const existing = app.collaborators.get(email)
  const collaborator: Collaborator = existing
    ? {...existing, permissions: [...permissions], updatedAt: ctx.at}
    : {id: ctx.newId(), email, permissions: [...permissions], createdAt: ctx.at, updatedAt: ctx.at}
  app.collaborators.set(email, collaborator)
  app.updatedAt = ctx.at
  return collaborator
}

export interface AppList {
  /** Apps of the org, or the actor's own personal apps. */
  apps: App[]
  /** With no org: other apps shared with the actor. */
  collaborated: App[]
}

export function listApps(ctx: Ctx, orgName?: string): AppList {
  if (orgName !== undefined) {
    const org = ctx.org(orgName)
    ctx.authorizeOrg('apps:list', org)
    return {apps: sortByName([...ctx.orgApps(org)]), collaborated: []}
  }
  const apps: App[] = []
  const collaborated: App[] = []
  for (const app of ctx.state.apps.values()) {
    if (app.owner.kind === 'user' && app.owner.email === ctx.actor) apps.push(app)
    else if (app.collaborators.has(ctx.actor)) collaborated.push(app)
  }
  return {apps: sortByName(apps), collaborated: sortByName(collaborated)}
}

function sortByName(apps: App[]): App[] {
  return apps.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
}

export function getApp(ctx: Ctx, name: string): App {
  const app = ctx.app(name)
  ctx.authorizeApp('apps:info', app)
  return app
}

export function destroyApp(ctx: Ctx, name: string): App {
  const app = ctx.app(name)
  ctx.authorizeApp('apps:destroy', app)
  ctx.state.apps.delete(name)
  for (const [id, transfer] of ctx.state.transfers) {
    if (transfer.appId === app.id && transfer.state === 'pending') ctx.state.transfers.delete(id)
  }
  const org = ctx.ownerOrg(app)
  if (org) {
    recordRate(ctx, org, app, {dynoUnits: 0, monthlyCents: 0})
    recordUsage(ctx, org)
  }
  return app
}

/** Locks or unlocks an org app; asking for the state it is already in changes nothing. */
export function setLocked(ctx: Ctx, name: string, locked: boolean): App {
  if (typeof locked !== 'boolean') throw usageError('locked must be true or false.')
  const app = ctx.app(name)
  ctx.authorizeApp('apps:lock', app)
  if (app.owner.kind !== 'org') throw usageError(`Only org apps can be locked: ${app.name} is a personal app.`)
  if (app.locked !== locked) {
    app.locked = locked
    app.updatedAt = ctx.at
  }
  return app
}

/** A member adds themselves to an org app (not a locked one, unless they are an admin). */
export function joinApp(ctx: Ctx, name: string): Collaborator {
  const app = ctx.app(name)
  const subject = ctx.authorizeApp('apps:join', app)
  if (app.owner.kind !== 'org') throw usageError(`Only org apps can be joined: ${app.name} is a personal app.`)
  const existing = app.collaborators.get(ctx.actor)
  if (existing) return existing
  return grant(ctx, app, ctx.actor, subject.standing === 'admin' ? APP_PERMISSIONS : JOIN_PERMISSIONS)
}

/** Removes the actor's own access to an app; leaving an app one has not joined changes nothing. */
export function leaveApp(ctx: Ctx, name: string): Collaborator | undefined {
  const app = ctx.app(name)
  ctx.authorizeApp('apps:leave', app)
  if (app.owner.kind === 'user' && app.owner.email === ctx.actor) {
    throw conflict(`You own ${app.name}: transfer it (orgctl apps:transfer) or destroy it instead of leaving it.`)
  }
  const existing = app.collaborators.get(ctx.actor)
  if (existing) {
    app.collaborators.delete(ctx.actor)
    app.updatedAt = ctx.at
    const org = ctx.ownerOrg(app)
    if (org) recordUsage(ctx, org)
  }
  return existing
}
