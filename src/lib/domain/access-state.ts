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
  const apps = []
  for (const app of await ctx.tx.apps.ofOrg(org.name)) {
    const collaborators = (await ctx.tx.collaborators.list(app.name)).map(({email, permissions}) => ({email, permissions}))
    apps.push({app, collaborators})
  }
  return {org, members, apps}
}
