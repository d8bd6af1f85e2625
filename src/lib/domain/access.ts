/** Who may touch an app and how: collaborators and their permissions. */
import {conflict, forbidden, notFound, usageError} from '../errors.js'
import {grant, joinApp, leaveApp, lockedApp, revoke} from './apps.js'
import {recordCollaboratorEvent} from './audit.js'
import {appSubject, type Ctx, type WriteCtx} from './context.js'
import {byKey} from './order.js'
import {APP_PERMISSIONS, type App, type AppPermission, type Collaborator} from './types.js'
import {currentUsage, ensureWithinLimit, recordUsage} from './usage.js'
import {normalizePermissions} from './validation.js'
import type {UserRef} from './views.js'

/** What a user an app is shared with may do on a personal app (permissions are an org feature). */
export const PERSONAL_PERMISSIONS: readonly AppPermission[] = ['view', 'deploy', 'operate']

export type AccessRole = 'owner' | 'admin' | 'member' | 'collaborator'

/** One row of an app's access list. */
export interface AccessView {
  app: App
  user: UserRef
  role: AccessRole
  permissions: readonly AppPermission[]
  collaborator?: Collaborator
  /** Since when they have had access without being a collaborator (an admin: since the later of joining and the app). */
  since?: string
}

/** Everyone with access: the owner (personal apps), the org's admins (all permissions), and collaborators. */
export async function listAccess(ctx: Ctx, name: string): Promise<{app: App; access: AccessView[]}> {
  const app = await ctx.app(name)
  await ctx.authorizeApp('access:list', app)
  return {app, access: await accessViews(ctx, app)}
}

async function accessViews(ctx: Ctx, app: App): Promise<AccessView[]> {
  const rows = new Map<string, Omit<AccessView, 'user'>>()
  const org = app.owner.kind === 'org' ? app.owner.name : undefined
  if (app.owner.kind === 'user') rows.set(app.owner.email, {app, role: 'owner', permissions: APP_PERMISSIONS})
  for (const admin of org === undefined ? [] : await ctx.tx.members.admins(org)) {
    const since = admin.createdAt > app.createdAt ? admin.createdAt : app.createdAt
    rows.set(admin.email, {app, role: 'admin', permissions: APP_PERMISSIONS, since})
  }
  const collaborators = await ctx.tx.collaborators.list(app.name)
  // Each collaborator's role in the org, in one look (not one per collaborator).
  const roles = new Map(
    org === undefined
      ? []
      : (
          await ctx.tx.members.byEmails(
            org,
            collaborators.map(({email}) => email),
          )
        ).map((membership) => [membership.email, membership.role]),
  )
  for (const collaborator of collaborators) {
    const row = rows.get(collaborator.email)
    if (row) {
      row.collaborator = collaborator
      continue
    }
    rows.set(collaborator.email, {
      app,
      role: roles.get(collaborator.email) ?? 'collaborator',
      permissions: collaborator.permissions,
      collaborator,
    })
  }
  const ids = await ctx.tx.users.idsByEmail([...rows.keys()])
  return [...rows].map(([email, row]) => ({...row, user: {email, id: ids.get(email)}})).sort(byKey((row) => row.user.email))
}

/** One person's row of an app's access list, as listAccess gives it (undefined: no access). */
export async function accessOf(ctx: Ctx, app: App, email: string): Promise<AccessView | undefined> {
  const collaborator = await ctx.tx.collaborators.get(app.name, email)
  const user = {email, id: (await ctx.tx.users.byEmail(email))?.id}
  if (app.owner.kind === 'user') {
    if (app.owner.email === email) return {app, user, role: 'owner', permissions: APP_PERMISSIONS, collaborator}
    return collaborator && {app, user, role: 'collaborator', permissions: collaborator.permissions, collaborator}
  }
  const membership = await ctx.tx.members.get(app.owner.name, email)
  if (membership?.role === 'admin') {
    const since = membership.createdAt > app.createdAt ? membership.createdAt : app.createdAt
    return {app, user, role: 'admin', permissions: APP_PERMISSIONS, since, collaborator}
  }
  return collaborator && {app, user, role: membership?.role ?? 'collaborator', permissions: collaborator.permissions, collaborator}
}

/** The row of a collaborator just taken off (or of someone who had no access: `collaborator` absent). */
export async function removedAccess(ctx: Ctx, app: App, email: string, removed: Collaborator | undefined): Promise<AccessView> {
  const id = (await ctx.tx.users.byEmail(email))?.id
  const role = app.owner.kind === 'org' ? ((await ctx.tx.members.get(app.owner.name, email))?.role ?? 'collaborator') : 'collaborator'
  return {app, user: {email, id}, role, permissions: removed?.permissions ?? [], collaborator: removed}
}

/** Non-admins may only hand out permissions they hold themselves. */
async function ensureCanGrant(ctx: Ctx, app: App, permissions: readonly AppPermission[]): Promise<void> {
  const subject = await appSubject(ctx, app, ctx.actor)
  if (subject.standing === 'admin') return
  const missing = permissions.find((permission) => !subject.permissions.includes(permission))
  if (missing) throw forbidden(`You cannot grant ${missing} on ${app.name}: you do not hold it yourself. Ask an admin.`)
}

/** Shares an app (with yourself: joining it). Sharing again with the same permissions changes nothing. */
export async function addAccess(ctx: WriteCtx, name: string, email: string, requested?: readonly AppPermission[]): Promise<AccessView> {
  if (email === ctx.actor) {
    const {app} = await joinApp(ctx, name)
    return (await accessOf(ctx, app, email))!
  }
  const app = await lockedApp(ctx, name)
  await ctx.authorizeApp('access:add', app)
  if (app.owner.kind === 'user' && app.owner.email === email) throw conflict(`${email} owns ${app.name} already.`)
  const org = await ctx.ownerOrg(app)
  const permissions = org ? normalizePermissions(requested ?? []) : PERSONAL_PERMISSIONS
  const existing = await ctx.tx.collaborators.get(app.name, email)
  if (existing) {
    if (sameSet(existing.permissions, permissions)) return (await accessOf(ctx, app, email))!
    throw conflict(
      `${email} already has access to ${app.name} (${existing.permissions.join(', ')}): change it with orgctl access:update ${email} --app ${app.name} --permissions ${permissions.join(',')}.`,
    )
  }
  await ensureCanGrant(ctx, app, permissions)
  if (org) {
    const inList = (await ctx.tx.members.get(org.name, email)) || (await ctx.tx.collaborators.inOrg(org.name, email))
    if (!inList) await ensureWithinLimit(ctx, org, 'members', (await currentUsage(ctx, org.name)).members, 1)
  }
  await grant(ctx, app, email, permissions)
  if (org) await recordUsage(ctx, org)
  await recordCollaboratorEvent(ctx, app, email, undefined, permissions)
  return (await accessOf(ctx, app, email))!
}

/** Changes a collaborator's permissions on an org app. */
export async function updateAccess(ctx: WriteCtx, name: string, email: string, requested: readonly AppPermission[]): Promise<AccessView> {
  const app = await lockedApp(ctx, name)
  await ctx.authorizeApp('access:update', app)
  if (app.owner.kind !== 'org')
    throw usageError(`Cannot update permissions: ${app.name} is a personal app, and permissions apply to org apps only.`)
  const existing = await ctx.tx.collaborators.get(app.name, email)
  if (!existing) throw notFound(`${email} has no access to ${app.name}: give it with orgctl access:add ${email} --app ${app.name}.`)
  const permissions = normalizePermissions(requested)
  if (!sameSet(existing.permissions, permissions)) {
    await ensureCanGrant(
      ctx,
      app,
      permissions.filter((permission) => !existing.permissions.includes(permission)),
    )
    await grant(ctx, app, email, permissions)
    await recordCollaboratorEvent(ctx, app, email, existing.permissions, permissions)
  }
  return (await accessOf(ctx, app, email))!
}

/** Takes someone's access away (your own: leaving). Removing someone without access changes nothing. */
export async function removeAccess(ctx: WriteCtx, name: string, email: string): Promise<AccessView> {
  if (email === ctx.actor) {
    const {app, removed} = await leaveApp(ctx, name)
    return removedAccess(ctx, app, email, removed)
  }
  const app = await lockedApp(ctx, name)
  await ctx.authorizeApp('access:remove', app)
  if (app.owner.kind === 'user' && app.owner.email === email) throw conflict(`${email} owns ${app.name}: an owner cannot be removed.`)
  const existing = await ctx.tx.collaborators.get(app.name, email)
  if (existing) {
    await revoke(ctx, app, email)
    const org = await ctx.ownerOrg(app)
    if (org) await recordUsage(ctx, org)
    await recordCollaboratorEvent(ctx, app, email, existing.permissions, undefined)
  }
  return removedAccess(ctx, app, email, existing)
}

function sameSet(a: readonly AppPermission[], b: readonly AppPermission[]): boolean {
  return a.length === b.length && a.every((permission) => b.includes(permission))
}
