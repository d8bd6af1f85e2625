/** Org membership: roles, the last-admin rule, and removal that takes all app access away. */
import {conflict, notFound} from '../errors.js'
import type {Ctx} from './context.js'
import type {Membership, Org, OrgRole} from './types.js'
import {collaboratorSince, ensureWithinLimit, memberEmails, recordUsage} from './usage.js'

/** One row of the member list: a membership, or someone an org app is shared with. */
export interface MemberView {
  email: string
  role: OrgRole
  membership?: Membership
  /** Without a membership: when they were first given access to one of the org's apps. */
  since?: string
}

export function listMembers(ctx: Ctx, orgName: string): MemberView[] {
  const org = ctx.org(orgName)
  ctx.authorizeOrg('members:list', org)
  return memberViews(ctx, org)
}

function memberViews(ctx: Ctx, org: Org): MemberView[] {
  const views: MemberView[] = [...org.members.values()].map((membership) => ({email: membership.email, role: membership.role, membership}))
  let since: ReadonlyMap<string, string> | undefined
  for (const email of memberEmails(ctx, org)) {
    if (org.members.has(email)) continue
    since ??= collaboratorSince(ctx, org)
    views.push({email, role: 'collaborator', since: since.get(email)})
  }
  return views.sort((a, b) => (a.email < b.email ? -1 : a.email > b.email ? 1 : 0))
}

function findMember(ctx: Ctx, org: Org, email: string): MemberView | undefined {
  const membership = org.members.get(email)
  if (membership) return {email, role: membership.role, membership}
  return ctx.orgAppsSummary(org).collaborators.has(email)
    ? {email, role: 'collaborator', since: collaboratorSince(ctx, org).get(email)}
    : undefined
}

function setMembership(ctx: Ctx, org: Org, email: string, role: OrgRole): MemberView {
  const user = ctx.user(email)
  const existing = org.members.get(email)
  const membership: Membership = existing
    ? {...existing, userId: user.id, role, updatedAt: ctx.at}
    : {id: ctx.newId(), email, userId: user.id, role, createdAt: ctx.at, updatedAt: ctx.at}
  org.members.set(email, membership)
  recordUsage(ctx, org)
  return {email, role, membership}
}

/** Adds someone with a role. Adding them again with the same role changes nothing. */
export function addMember(ctx: Ctx, orgName: string, email: string, role: OrgRole): MemberView {
  const org = ctx.org(orgName)
  ctx.authorizeOrg('members:add', org)
  const current = findMember(ctx, org, email)
  if (current?.role === role) return current
  if (current?.membership) {
    throw conflict(
      `${email} is already in ${org.name} as ${current.role}: change the role with orgctl members:set ${email} --role ${role} --org ${org.name}.`,
    )
  }
  if (!current) ensureWithinLimit(org, 'members', memberEmails(ctx, org).size, 1)
  else ensureNotLastAdmin(org, current, role)
  return setMembership(ctx, org, email, role)
}

/** Changes the role of someone in the member list. */
export function setMember(ctx: Ctx, orgName: string, email: string, role: OrgRole): MemberView {
  const org = ctx.org(orgName)
  ctx.authorizeOrg('members:set', org)
  const current = findMember(ctx, org, email)
  if (!current) throw notFound(`${email} is not in ${org.name}: add them with orgctl members:add ${email} --org ${org.name}.`)
  if (current.role === role) return current
  ensureNotLastAdmin(org, current, role)
  return setMembership(ctx, org, email, role)
}

/** Removes someone from the org and from every app of it, at once. Removing a non-member changes nothing. */
export function removeMember(ctx: Ctx, orgName: string, email: string): MemberView | undefined {
  const org = ctx.org(orgName)
  ctx.authorizeOrg('members:remove', org)
  const current = findMember(ctx, org, email)
  if (!current) return undefined
  ensureNotLastAdmin(org, current, undefined)
  const collaborates = ctx.orgAppsSummary(org).collaborators.has(email)
  org.members.delete(email)
  // Apps are read (and rewritten) only when there is access to take away.
  if (collaborates) {
    for (const app of ctx.orgApps(org)) {
      if (app.collaborators.delete(email)) app.updatedAt = ctx.at
    }
  }
  recordUsage(ctx, org)
  return current
}

/** An org always keeps an admin. */
function ensureNotLastAdmin(org: Org, current: MemberView, newRole: OrgRole | undefined): void {
  if (current.role !== 'admin' || newRole === 'admin') return
  for (const membership of org.members.values()) {
    if (membership.role === 'admin' && membership.email !== current.email) return
  }
  const what = newRole ? `make ${current.email} a ${newRole}` : `remove ${current.email}`
  throw conflict(`Cannot ${what}: they are the last admin of ${org.name}. Make someone else an admin first.`)
}

/** Heroku's PUT: add someone, or change their role if they are already in the list. */
export function putMember(ctx: Ctx, orgName: string, email: string, role: OrgRole): MemberView {
  const org = ctx.org(orgName)
  ctx.authorizeOrg('members:add', org)
  return findMember(ctx, org, email) ? setMember(ctx, orgName, email, role) : addMember(ctx, orgName, email, role)
}
