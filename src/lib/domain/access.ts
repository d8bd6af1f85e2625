/** Who may touch an app and how: collaborators and their permissions. */
import {conflict, forbidden, notFound, usageError} from '../errors.js'
import {grant, joinApp, leaveApp} from './apps.js'
import {appSubject, type Ctx} from './context.js'
import {APP_PERMISSIONS, type App, type AppPermission, type Collaborator} from './types.js'
import {ensureWithinLimit, memberEmails, recordUsage} from './usage.js'
import {normalizePermissions} from './validation.js'

/** What a user an app is shared with may do on a personal app (permissions are an org feature). */
export const PERSONAL_PERMISSIONS: readonly AppPermission[] = ['view', 'deploy', 'operate']

export type AccessRole = 'owner' | 'admin' | 'member' | 'collaborator'

/** One row of an app's access list. */
export interface AccessView {
  email: string
  role: AccessRole
  permissions: readonly AppPermission[]
  collaborator?: Collaborator
  /** Since when they have had access without being a collaborator (an admin: since the later of joining and the app). */
  since?: string
}

/** Everyone with access: the owner (personal apps), the org's admins (all permissions), and collaborators. */
export function listAccess(ctx: Ctx, name: string): {app: App; access: AccessView[]} {
  const app = ctx.app(name)
  ctx.authorizeApp('access:list', app)
  return {app, access: accessViews(ctx, app)}
}

export function accessViews(ctx: Ctx, app: App): AccessView[] {
  const rows = new Map<string, AccessView>()
  const org = ctx.ownerOrg(app)
  if (app.owner.kind === 'user') rows.set(app.owner.email, {email: app.owner.email, role: 'owner', permissions: APP_PERMISSIONS})
  for (const membership of org?.members.values() ?? []) {
    if (membership.role !== 'admin') continue
    const since = membership.createdAt > app.createdAt ? membership.createdAt : app.createdAt
    rows.set(membership.email, {email: membership.email, role: 'admin', permissions: APP_PERMISSIONS, since})
  }
  for (const collaborator of app.collaborators.values()) {
    if (rows.has(collaborator.email)) {
      rows.get(collaborator.email)!.collaborator = collaborator
      continue
    }
    const role = org?.members.get(collaborator.email)?.role ?? 'collaborator'
    rows.set(collaborator.email, {email: collaborator.email, role, permissions: collaborator.permissions, collaborator})
  }
  return [...rows.values()].sort((a, b) => (a.email < b.email ? -1 : a.email > b.email ? 1 : 0))
}

/** Non-admins may only hand out permissions they hold themselves. */
function ensureCanGrant(ctx: Ctx, app: App, permissions: readonly AppPermission[]): void {
  const subject = appSubject(ctx, app, ctx.actor)
  if (subject.standing === 'admin') return
  const missing = permissions.find((permission) => !subject.permissions.includes(permission))
  if (missing) throw forbidden(`You cannot grant ${missing} on ${app.name}: you do not hold it yourself. Ask an admin.`)
}

/** Shares an app (with yourself: joining it). Sharing again with the same permissions changes nothing. */
export function addAccess(ctx: Ctx, name: string, email: string, requested?: readonly AppPermission[]): AccessView {
  if (email === ctx.actor) {
    joinApp(ctx, name)
    return viewOf(ctx, ctx.findApp(name)!, email)
  }
  const app = ctx.app(name)
  ctx.authorizeApp('access:add', app)
  if (app.owner.kind === 'user' && app.owner.email === email) throw conflict(`${email} owns ${app.name} already.`)
  const org = ctx.ownerOrg(app)
  const permissions = org ? normalizePermissions(requested ?? []) : PERSONAL_PERMISSIONS
  const existing = app.collaborators.get(email)
  if (existing) {
    if (sameSet(existing.permissions, permissions)) return viewOf(ctx, app, email)
    throw conflict(
      `${email} already has access to ${app.name} (${existing.permissions.join(', ')}): change it with orgctl access:update ${email} --app ${app.name} --permissions ${permissions.join(',')}.`,
    )
  }
  ensureCanGrant(ctx, app, permissions)
  if (org) {
    const members = memberEmails(ctx, org)
    if (!members.has(email)) ensureWithinLimit(org, 'members', members.size, 1)
  }
  grant(ctx, app, email, permissions)
  if (org) recordUsage(ctx, org)
  return viewOf(ctx, app, email)
}

/** Changes a collaborator's permissions on an org app. */
export function updateAccess(ctx: Ctx, name: string, email: string, requested: readonly AppPermission[]): AccessView {
  const app = ctx.app(name)
  ctx.authorizeApp('access:update', app)
  if (app.owner.kind !== 'org')
    throw usageError(`Cannot update permissions: ${app.name} is a personal app, and permissions apply to org apps only.`)
  const existing = app.collaborators.get(email)
  if (!existing) throw notFound(`${email} has no access to ${app.name}: give it with orgctl access:add ${email} --app ${app.name}.`)
  const permissions = normalizePermissions(requested)
  if (!sameSet(existing.permissions, permissions)) {
    ensureCanGrant(
      ctx,
      app,
      permissions.filter((permission) => !existing.permissions.includes(permission)),
    )
    grant(ctx, app, email, permissions)
  }
  return viewOf(ctx, app, email)
}

/** Takes someone's access away (your own: leaving). Removing someone without access changes nothing. */
export function removeAccess(ctx: Ctx, name: string, email: string): Collaborator | undefined {
  if (email === ctx.actor) return leaveApp(ctx, name)
  const app = ctx.app(name)
  ctx.authorizeApp('access:remove', app)
  if (app.owner.kind === 'user' && app.owner.email === email) throw conflict(`${email} owns ${app.name}: an owner cannot be removed.`)
  const existing = app.collaborators.get(email)
  if (existing) {
    app.collaborators.delete(email)
    app.updatedAt = ctx.at
    const org = ctx.ownerOrg(app)
    if (org) recordUsage(ctx, org)
  }
  return existing
}

function viewOf(ctx: Ctx, app: App, email: string): AccessView {
  return accessViews(ctx, app).find((row) => row.email === email)!
}

function sameSet(a: readonly AppPermission[], b: readonly AppPermission[]): boolean {
  return a.length === b.length && a.every((permission) => b.includes(permission))
}
