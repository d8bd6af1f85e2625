/** Apps: creating, listing, destroying, locking, joining and leaving. */
import {conflict, notFound, OrgctlError, usageError} from '../errors.js'
import {appFacts, recordAppEvent, recordCollaboratorEvent} from './audit.js'
import {type Ctx, ensureUser, lockForApp, type WriteCtx} from './context.js'
import type {NameGenerator} from './names.js'
import {byKey} from './order.js'
import {APP_PERMISSIONS, type App, type AppPermission, type Collaborator, type Region} from './types.js'
import {currentUsage, ensureWithinLimit, NO_RATE, recordRate, recordUsage} from './usage.js'
import {isAppName, parseAppName} from './validation.js'
import {type AppView, appView} from './views.js'

/** What a member gets on joining an app: everything but managing access. */
export const JOIN_PERMISSIONS: readonly AppPermission[] = ['view', 'deploy', 'operate']

const GENERATED_NAME_ATTEMPTS = 50

/** Inserts the app under a generated name no app has (one taken meanwhile by another change: the next name). */
async function insertWithFreeName(ctx: WriteCtx, app: Omit<App, 'name'>, generate: NameGenerator): Promise<App> {
  for (let attempt = 0; attempt < GENERATED_NAME_ATTEMPTS; attempt++) {
    const name = generate(attempt)
    if (!isAppName(name) || (await ctx.tx.apps.byName(name))) continue
    try {
      await ctx.tx.apps.insert({...app, name})
      return {...app, name}
    } catch (error) {
      if (!(error instanceof OrgctlError) || error.id !== 'conflict') throw error
    }
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

export async function createApp(ctx: WriteCtx, input: CreateAppInput): Promise<App> {
  if (input.org !== undefined) await ctx.tx.lockOrgs([input.org])
  const org = input.org === undefined ? undefined : await ctx.org(input.org)
  if (org) {
    await ctx.authorizeOrg('apps:create', org)
    await ensureWithinLimit(ctx, org, 'apps', (await currentUsage(ctx, org.name)).apps, 1)
  }
  if (input.name === undefined && !input.generateName) throw usageError('Give the app a name, or let orgctl generate one.')
  const name = input.name === undefined ? undefined : parseAppName(input.name)
  if (name !== undefined && (await ctx.tx.apps.byName(name))) {
    throw conflict(`The app name ${name} is already taken: choose another, or leave it out to get a generated one.`)
  }
  await ensureUser(ctx, ctx.actor)
  const fields: Omit<App, 'name'> = {
    id: ctx.newId(),
    owner: org ? {kind: 'org', name: org.name} : {kind: 'user', email: ctx.actor},
    region: input.region,
    locked: false,
    createdAt: ctx.at,
    updatedAt: ctx.at,
  }
  let app: App
  if (name === undefined) app = await insertWithFreeName(ctx, fields, input.generateName!)
  else await ctx.tx.apps.insert((app = {...fields, name}))
  if (org) {
    // As on Heroku, whoever creates an org app is its first collaborator, with every permission.
    await grant(ctx, app, ctx.actor, APP_PERMISSIONS)
    await recordRate(ctx, org, app.name, NO_RATE)
    await recordUsage(ctx, org)
  }
  await recordAppEvent(ctx, app, {action: 'app.create', target: {type: 'app', name: app.name}, org, after: appFacts(app)})
  return app
}

/** Sets a collaborator record, keeping its id and creation time; the app's updatedAt moves on. */
export async function grant(ctx: WriteCtx, app: App, email: string, permissions: readonly AppPermission[]): Promise<Collaborator> {
  await ensureUser(ctx, email)
  const existing = await ctx.tx.collaborators.get(app.name, email)
  const collaborator: Collaborator = existing
    ? {...existing, permissions: [...permissions], updatedAt: ctx.at}
    : {id: ctx.newId(), email, permissions: [...permissions], createdAt: ctx.at, updatedAt: ctx.at}
  await ctx.tx.collaborators.put(app.name, collaborator)
  await touch(ctx, app)
  return collaborator
}

/** Takes a collaborator off an app. */
export async function revoke(ctx: WriteCtx, app: App, email: string): Promise<void> {
  await ctx.tx.collaborators.remove(app.name, email)
  await touch(ctx, app)
}

/** Writes the app back with updatedAt now (and whatever else the caller changed on it). */
export async function touch(ctx: WriteCtx, app: App): Promise<void> {
  app.updatedAt = ctx.at
  await ctx.tx.apps.update(app)
}

export interface AppList {
  /** Apps of the org, or the actor's own personal apps. */
  apps: App[]
  /** With no org: other apps shared with the actor. */
  collaborated: App[]
}

export async function listApps(ctx: Ctx, orgName?: string): Promise<AppList> {
  if (orgName !== undefined) {
    const org = await ctx.org(orgName)
    await ctx.authorizeOrg('apps:list', org)
    return {apps: await ctx.tx.apps.ofOrg(org.name), collaborated: []}
  }
  const apps = await ctx.tx.apps.ownedBy(ctx.actor)
  const owned = new Set(apps.map((app) => app.name))
  const collaborated = (await ctx.tx.apps.sharedWith(ctx.actor)).filter((app) => !owned.has(app.name))
  return {apps, collaborated}
}

export const byAppName = byKey((app: App) => app.name)

export async function getApp(ctx: Ctx, name: string): Promise<App> {
  const app = await ctx.app(name)
  await ctx.authorizeApp('apps:info', app)
  return app
}

/** The app under the lock its change needs, if the actor may know it exists. */
export async function lockedApp(ctx: WriteCtx, name: string, alsoOrgs: readonly string[] = []): Promise<App> {
  const found = await lockForApp(ctx, name, alsoOrgs)
  if (!found) throw notFound(`Couldn't find app ${name}, or you have no access to it.`)
  return ctx.app(name)
}

/** Destroys an app; gives back how it was just before (as it was answered under the lock). */
export async function destroyApp(ctx: WriteCtx, name: string): Promise<AppView> {
  const app = await lockedApp(ctx, name)
  await ctx.authorizeApp('apps:destroy', app)
  const view = await appView(ctx, app)
  const org = await ctx.ownerOrg(app)
  const pending = await ctx.tx.transfers.pendingFor(app.id)
  if (pending) await ctx.tx.transfers.remove(pending.id)
  await ctx.tx.apps.remove(name)
  if (org) {
    await recordRate(ctx, org, app.name, NO_RATE)
    await recordUsage(ctx, org)
  }
  await recordAppEvent(ctx, app, {action: 'app.destroy', target: {type: 'app', name: app.name}, org, before: appFacts(app)})
  return view
}

/** Locks or unlocks an org app; asking for the state it is already in changes nothing. */
export async function setLocked(ctx: WriteCtx, name: string, locked: boolean): Promise<App> {
  if (typeof locked !== 'boolean') throw usageError('locked must be true or false.')
  const app = await lockedApp(ctx, name)
  await ctx.authorizeApp('apps:lock', app)
  if (app.owner.kind !== 'org') throw usageError(`Only org apps can be locked: ${app.name} is a personal app.`)
  if (app.locked !== locked) {
    app.locked = locked
    await touch(ctx, app)
    await recordLockEvent(ctx, app)
  }
  return app
}

/** A member adds themselves to an org app (not a locked one, unless they are an admin). */
export async function joinApp(ctx: WriteCtx, name: string): Promise<{app: App; collaborator: Collaborator}> {
  const app = await lockedApp(ctx, name)
  const subject = await ctx.authorizeApp('apps:join', app)
  if (app.owner.kind !== 'org') throw usageError(`Only org apps can be joined: ${app.name} is a personal app.`)
  const existing = await ctx.tx.collaborators.get(app.name, ctx.actor)
  if (existing) return {app, collaborator: existing}
  const collaborator = await grant(ctx, app, ctx.actor, subject.standing === 'admin' ? APP_PERMISSIONS : JOIN_PERMISSIONS)
  await recordCollaboratorEvent(ctx, app, ctx.actor, undefined, collaborator.permissions)
  return {app, collaborator}
}

/** Removes the actor's own access to an app; leaving an app one has not joined changes nothing. */
export async function leaveApp(ctx: WriteCtx, name: string): Promise<{app: App; removed?: Collaborator}> {
  const app = await lockedApp(ctx, name)
  await ctx.authorizeApp('apps:leave', app)
  if (app.owner.kind === 'user' && app.owner.email === ctx.actor) {
    throw conflict(`You own ${app.name}: transfer it (orgctl apps:transfer) or destroy it instead of leaving it.`)
  }
  const existing = await ctx.tx.collaborators.get(app.name, ctx.actor)
  if (existing) {
    await revoke(ctx, app, ctx.actor)
    const org = await ctx.ownerOrg(app)
    if (org) await recordUsage(ctx, org)
    await recordCollaboratorEvent(ctx, app, ctx.actor, existing.permissions, undefined)
  }
  return {app, removed: existing}
}

/** app.lock or app.unlock, for a lock just changed. */
export function recordLockEvent(ctx: WriteCtx, app: App): Promise<void> {
  return recordAppEvent(ctx, app, {
    action: app.locked ? 'app.lock' : 'app.unlock',
    target: {type: 'app', name: app.name},
    before: {locked: !app.locked},
    after: {locked: app.locked},
  })
}
