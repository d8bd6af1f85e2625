/**
 * Access checks for CI gates (`access:check`, `access:who-can`): answered by the rule that enforces
 * the matrix (`appSubject`/`subjectOf` for the standing, `holdsPermission` for the cell), so a
 * check can never disagree with what the real command would let through.
 */
import {appSubject, type Ctx, subjectOf} from './context.js'
import {byKey} from './order.js'
import {holdsPermission, type Standing, type Subject} from './permissions.js'
import type {App, AppPermission, OrgRole} from './types.js'

export interface AccessCheck {
  app: App
  email: string
  permission: AppPermission
  allowed: boolean
  standing: Standing
  /** Why, in a few words: `admin of acme-widgets`, `collaborator with deploy`, `member: no operate on this app`. */
  via: string
}

/** Whether EMAIL holds PERMISSION on the app. Anyone who may list the app's access may ask. */
export async function checkAccess(ctx: Ctx, name: string, email: string, permission: AppPermission): Promise<AccessCheck> {
  const app = await ctx.app(name)
  await ctx.authorizeApp('access:list', app)
  return answer(app, email, permission, await appSubject(ctx, app, email), await roleOf(ctx, app, email))
}

/** Everyone who holds PERMISSION on the app, and how, by email. */
export async function whoCan(ctx: Ctx, name: string, permission: AppPermission): Promise<{app: App; holders: AccessCheck[]}> {
  const app = await ctx.app(name)
  await ctx.authorizeApp('access:list', app)
  const collaborators = new Map((await ctx.tx.collaborators.list(app.name)).map((c) => [c.email, c.permissions]))
  const roles = new Map<string, OrgRole>()
  if (app.owner.kind === 'org') for (const m of await ctx.tx.members.list(app.owner.name)) roles.set(m.email, m.role)
  const candidates = new Set([...collaborators.keys(), ...roles.keys(), ...(app.owner.kind === 'user' ? [app.owner.email] : [])])
  const holders: AccessCheck[] = []
  for (const email of candidates) {
    const check = answer(app, email, permission, subjectOf(app, email, roles.get(email), collaborators.get(email)), roles.get(email))
    if (check.allowed) holders.push(check)
  }
  return {app, holders: holders.sort(byKey((holder) => holder.email))}
}

async function roleOf(ctx: Ctx, app: App, email: string): Promise<OrgRole | undefined> {
  return app.owner.kind === 'org' ? (await ctx.tx.members.get(app.owner.name, email))?.role : undefined
}

function answer(app: App, email: string, permission: AppPermission, subject: Subject, role: OrgRole | undefined): AccessCheck {
  const allowed = holdsPermission(permission, subject)
  return {app, email, permission, allowed, standing: subject.standing, via: explain(app, permission, subject, role, allowed)}
}

function explain(app: App, permission: AppPermission, subject: Subject, role: OrgRole | undefined, allowed: boolean): string {
  const org = app.owner.kind === 'org' ? app.owner.name : undefined
  // A locked app: only admins may give access, whatever manage says (the matrix's lockedAdminsOnly).
  const lockNote =
    app.locked && permission === 'manage' && allowed && subject.standing !== 'admin'
      ? ` (${app.name} is locked: only admins may add access)`
      : ''
  const held = subject.permissions.join(', ')
  switch (subject.standing) {
    case 'admin':
      return org === undefined ? `owner of ${app.name}` : `admin of ${org}`
    case 'member': {
      if (allowed)
        return subject.permissions.includes(permission) ? `member of ${org}, collaborator with ${held}${lockNote}` : `member of ${org}`
      return held === '' ? `member: no ${permission} on this app` : `member with ${held}: no ${permission} on this app`
    }
    case 'collaborator': {
      const who = role === 'collaborator' ? `collaborator of ${org}` : 'collaborator'
      return allowed ? `${who} with ${held}${lockNote}` : `${who} with ${held}: no ${permission} on this app`
    }
    default:
      return `no access to ${app.name}`
  }
}
