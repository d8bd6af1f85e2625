/** Orgs: creating them, listing the actor's, and what admins see of them. */
import {conflict} from '../errors.js'
import {recordEvent} from './audit.js'
import {type Ctx, ensureUser, orgStanding, type WriteCtx} from './context.js'
import {byKey} from './order.js'
import type {Standing} from './permissions.js'
import type {Limits, Org, UsageDay} from './types.js'
import {type Billing, currentUsage, estimateBilling, recordUsage, type Usage} from './usage.js'
import {parseOrgName} from './validation.js'

export interface OrgView {
  org: Org
  role: Exclude<Standing, 'none'>
}

/** The orgs the actor belongs to, or collaborates on an app of, with their role, by name. */
export async function listOrgs(ctx: Ctx): Promise<OrgView[]> {
  const views = new Map<string, OrgView>()
  for (const {org, membership} of await ctx.tx.orgs.withMember(ctx.actor)) views.set(org.name, {org, role: membership.role})
  for (const org of await ctx.tx.orgs.withCollaborator(ctx.actor)) {
    if (!views.has(org.name)) views.set(org.name, {org, role: 'collaborator'})
  }
  return [...views.values()].sort(byKey((view) => view.org.name))
}

/** Creates an org whose only member is the actor, as admin. */
export async function createOrg(ctx: WriteCtx, name: string, limits: Limits): Promise<OrgView> {
  parseOrgName(name)
  if (await ctx.tx.orgs.byName(name)) throw conflict(`The org name ${name} is already taken: choose another name.`)
  const admin = await ensureUser(ctx, ctx.actor)
  const org: Org = {id: ctx.newId(), name, createdAt: ctx.at, updatedAt: ctx.at, limits: {...limits}}
  await ctx.tx.orgs.insert(org)
  await ctx.tx.members.put(name, {
    id: ctx.newId(),
    email: ctx.actor,
    userId: admin.id,
    role: 'admin',
    createdAt: ctx.at,
    updatedAt: ctx.at,
  })
  await recordUsage(ctx, org)
  await recordEvent(ctx, {action: 'team.create', target: {type: 'team', name}, org, after: {name, limits: {...limits}}})
  return {org, role: 'admin'}
}

export interface OrgInfo extends OrgView {
  usage: Usage
}

export async function orgInfo(ctx: Ctx, name: string): Promise<OrgInfo> {
  const org = await ctx.org(name)
  await ctx.authorizeOrg('orgs:info', org)
  const role = (await orgStanding(ctx, org.name, ctx.actor)) as OrgView['role']
  return {org, role, usage: await currentUsage(ctx, org.name)}
}

export interface OrgUsage {
  org: Org
  usage: Usage
  history: UsageDay[]
}

export async function orgUsage(ctx: Ctx, name: string): Promise<OrgUsage> {
  const org = await ctx.org(name)
  await ctx.authorizeOrg('orgs:usage', org)
  return {org, usage: await currentUsage(ctx, org.name), history: await ctx.tx.history.days(org.name)}
}

export async function orgBilling(ctx: Ctx, name: string): Promise<{org: Org; billing: Billing}> {
  const org = await ctx.org(name)
  await ctx.authorizeOrg('orgs:billing', org)
  return {org, billing: estimateBilling(await ctx.tx.history.ledger(org.name), ctx.clock.now())}
}
