/** Org membership: roles, the last-admin rule, and removal that takes all app access away. */
import {conflict, notFound} from '../errors.js'
import {recordEvent} from './audit.js'
import {type Ctx, ensureUser, type WriteCtx} from './context.js'
import {byKey} from './order.js'
import type {Membership, Org, OrgRole} from './types.js'
import {currentUsage, ensureWithinLimit, recordUsage} from './usage.js'

/** One row of the member list: a membership, or someone an org app is shared with. */
export interface MemberView {
  org: Org
  email: string
  role: OrgRole
  /** Their user record's id, when they have one. */
  userId?: string
  membership?: Membership
  /** Without a membership: when they were first given access to one of the org's apps. */
  since?: string
}

export async function listMembers(ctx: Ctx, orgName: string): Promise<MemberView[]> {
  const org = await ctx.org(orgName)
  await ctx.authorizeOrg('members:list', org)
  const memberships = await ctx.tx.members.list(org.name)
  const outside = await ctx.tx.collaborators.outsideMembers(org.name)
  // Memberships written before they kept their user's id, and outside collaborators: ids from the user records.
  const missing = [...memberships.filter((membership) => membership.userId === undefined), ...outside].map(({email}) => email)
  const ids = missing.length > 0 ? await ctx.tx.users.idsByEmail(missing) : new Map<string, string>()
  const views = memberships.map((membership) => memberView(org, membership, ids.get(membership.email)))
  if (outside.length === 0) return views
  for (const {email, since} of outside) views.push({org, email, role: 'collaborator', since, userId: ids.get(email)})
  return views.sort(byKey((view) => view.email))
}

function memberView(org: Org, membership: Membership, userId = membership.userId): MemberView {
  return {org, email: membership.email, role: membership.role, membership, userId}
}

/** Someone's row in the member list, if they are in it. */
async function findMember(ctx: Ctx, org: Org, email: string): Promise<MemberView | undefined> {
  const membership = await ctx.tx.members.get(org.name, email)
  if (membership) return memberView(org, membership, membership.userId ?? (await ctx.tx.users.byEmail(email))?.id)
  const since = await ctx.tx.collaborators.sinceInOrg(org.name, email)
  if (since === undefined) return undefined
  return {org, email, role: 'collaborator', since, userId: (await ctx.tx.users.byEmail(email))?.id}
}

/** The view of an absent email (a removal that found nobody). */
export async function absentMember(ctx: Ctx, orgName: string, email: string): Promise<MemberView> {
  const org = (await ctx.tx.orgs.byName(orgName))!
  return {org, email, role: 'collaborator', userId: (await ctx.tx.users.byEmail(email))?.id}
}

async function setMembership(ctx: WriteCtx, org: Org, email: string, role: OrgRole, current: MemberView | undefined): Promise<MemberView> {
  const user = await ensureUser(ctx, email)
  const existing = await ctx.tx.members.get(org.name, email)
  const membership: Membership = existing
    ? {...existing, userId: user.id, role, updatedAt: ctx.at}
    : {id: ctx.newId(), email, userId: user.id, role, createdAt: ctx.at, updatedAt: ctx.at}
  await ctx.tx.members.put(org.name, membership)
  await recordUsage(ctx, org)
  await recordEvent(ctx, {
    action: existing ? 'team-member.update' : 'team-member.create',
    target: {type: 'team-member', name: email},
    org,
    before: current ? {email, role: current.role} : null,
    after: {email, role},
  })
  return memberView(org, membership)
}

/** The org, locked for a change of its member list, as the actor may see it. */
async function lockedOrg(ctx: WriteCtx, orgName: string): Promise<Org> {
  await ctx.tx.lockOrgs([orgName])
  return ctx.org(orgName)
}

/** Adds someone with a role. Adding them again with the same role changes nothing. */
export async function addMember(ctx: WriteCtx, orgName: string, email: string, role: OrgRole): Promise<MemberView> {
  const org = await lockedOrg(ctx, orgName)
  await ctx.authorizeOrg('members:add', org)
  return addTo(ctx, org, email, role, await findMember(ctx, org, email))
}

async function addTo(ctx: WriteCtx, org: Org, email: string, role: OrgRole, current: MemberView | undefined): Promise<MemberView> {
  if (current?.role === role) return current
  if (current?.membership) {
    throw conflict(
      `${email} is already in ${org.name} as ${current.role}: change the role with orgctl members:set ${email} --role ${role} --org ${org.name}.`,
    )
  }
  if (!current) await ensureWithinLimit(ctx, org, 'members', (await currentUsage(ctx, org.name)).members, 1)
  else await ensureNotLastAdmin(ctx, org, current, role)
  return setMembership(ctx, org, email, role, current)
}

/** Changes the role of someone in the member list. */
export async function setMember(ctx: WriteCtx, orgName: string, email: string, role: OrgRole): Promise<MemberView> {
  const org = await lockedOrg(ctx, orgName)
  await ctx.authorizeOrg('members:set', org)
  return setIn(ctx, org, email, role, await findMember(ctx, org, email))
}

async function setIn(ctx: WriteCtx, org: Org, email: string, role: OrgRole, current: MemberView | undefined): Promise<MemberView> {
  if (!current) throw notFound(`${email} is not in ${org.name}: add them with orgctl members:add ${email} --org ${org.name}.`)
  if (current.role === role) return current
  await ensureNotLastAdmin(ctx, org, current, role)
  return setMembership(ctx, org, email, role, current)
}

/** Removes someone from the org and from every app of it, at once. Removing a non-member changes nothing. */
export async function removeMember(ctx: WriteCtx, orgName: string, email: string): Promise<MemberView | undefined> {
  const org = await lockedOrg(ctx, orgName)
  await ctx.authorizeOrg('members:remove', org)
  const current = await findMember(ctx, org, email)
  if (!current) return undefined
  await ensureNotLastAdmin(ctx, org, current, undefined)
  await ctx.tx.members.remove(org.name, email)
  const apps = await ctx.tx.collaborators.appsInOrg(org.name, email)
  for (const name of apps) {
    const app = (await ctx.tx.apps.byName(name))!
    await ctx.tx.collaborators.remove(name, email)
    await ctx.tx.apps.update({...app, updatedAt: ctx.at})
  }
  await recordUsage(ctx, org)
  await recordEvent(ctx, {
    action: 'team-member.destroy',
    target: {type: 'team-member', name: email},
    org,
    before: {email, role: current.role, apps},
  })
  return current
}

/** An org always keeps an admin. */
async function ensureNotLastAdmin(ctx: Ctx, org: Org, current: MemberView, newRole: OrgRole | undefined): Promise<void> {
  if (current.role !== 'admin' || newRole === 'admin') return
  if ((await ctx.tx.members.admins(org.name)).some((admin) => admin.email !== current.email)) return
  const what = newRole ? `make ${current.email} a ${newRole}` : `remove ${current.email}`
  throw conflict(`Cannot ${what}: they are the last admin of ${org.name}. Make someone else an admin first.`)
}

/** Heroku's PUT: add someone, or change their role if they are already in the list. */
export async function putMember(ctx: WriteCtx, orgName: string, email: string, role: OrgRole): Promise<MemberView> {
  const org = await lockedOrg(ctx, orgName)
  await ctx.authorizeOrg('members:add', org)
  const current = await findMember(ctx, org, email)
  if (!current) return addTo(ctx, org, email, role, current)
  await ctx.authorizeOrg('members:set', org)
  return setIn(ctx, org, email, role, current)
}
