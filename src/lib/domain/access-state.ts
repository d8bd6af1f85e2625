/**
 * An org's whole access state in one read (access as code: export, plan, apply): its memberships
 * with their roles, its apps with their lock, and each app's collaborators with their permissions.
 */
import type {Ctx} from './context.js'
import type {App, AppPermission, Org, OrgRole} from './types.js'

export interface OrgAccessState {
  org: Org
  /** The org's memberships, by email (people an app is shared with are the apps' collaborators). */
  members: {email: string; role: OrgRole}[]
  /** The org's apps, by name, each with its collaborators by email. */
  apps: {app: App; collaborators: {email: string; permissions: readonly AppPermission[]}[]}[]
}

/** Admins and members may read it (the `access:export` row): each of them may list every app's access too. */
export async function orgAccessState(ctx: Ctx, name: string): Promise<OrgAccessState> {
  const org = await ctx.org(name)
  await ctx.authorizeOrg('access:export', org)
  const members = (await ctx.tx.members.list(org.name)).map(({email, role}) => ({email, role}))
  // Three reads, whatever the org's size (not one per app).
  const collaborators = new Map<string, {email: string; permissions: readonly AppPermission[]}[]>()
  for (const {app, collaborator} of await ctx.tx.collaborators.ofOrg(org.name)) {
    let list = collaborators.get(app)
    if (!list) collaborators.set(app, (list = []))
    list.push({email: collaborator.email, permissions: collaborator.permissions})
  }
  const apps = (await ctx.tx.apps.ofOrg(org.name)).map((app) => ({app, collaborators: collaborators.get(app.name) ?? []}))
  return {org, members, apps}
}
