/** Orgs: creating them, listing the actor's, and what admins see of them. */
import {conflict} from '../errors.js'
import {type Ctx, orgStanding} from './context.js'
import type {Standing} from './permissions.js'
import type {Limits, Org, UsageDay} from './types.js'
import {type Billing, currentUsage, estimateBilling, recordUsage, type Usage} from './usage.js'
import {parseOrgName} from './validation.js'

export interface OrgView {
  org: Org
  role: Exclude<Standing, 'none'>
}

/** The orgs the actor belongs to, or collaborates on an app of, with their role. */
export function listOrgs(ctx: Ctx): OrgView[] {
  const views = new Map<string, OrgView>()
  for (const org of ctx.state.orgs.values()) {
    const membership = org.members.get(ctx.actor)
    if (membership) views.set(org.name, {org, role: membership.role})
  }
  for (const [name, summary] of ctx.orgAppsSummaries()) {
    const org = views.has(name) || !summary.collaborators.has(ctx.actor) ? undefined : ctx.findOrg(name)
    if (org) views.set(name, {org, role: 'collaborator'})
  }
  return [...views.values()].sort((a, b) => a.org.name.localeCompare(b.org.name))
}

/** Creates an org whose only member is the actor, as admin. */
export function createOrg(ctx: Ctx, name: string, limits: Limits): OrgView {
  parseOrgName(name)
  if (ctx.state.orgs.has(name)) throw conflict(`The org name ${name} is already taken: choose another name.`)
  const admin = ctx.user(ctx.actor)
  const org: Org = {
    id: ctx.newId(),
    name,
    createdAt: ctx.at,
    updatedAt: ctx.at,
    limits: {...limits},
    members: new Map([
      [ctx.actor, {id: ctx.newId(), email: ctx.actor, userId: admin.id, role: 'admin', createdAt: ctx.at, updatedAt: ctx.at}],
    ]),
  }
  ctx.state.orgs.set(name, org)
  ctx.state.histories.set(name, {usageHistory: [], ledger: []})
  recordUsage(ctx, org)
  return {org, role: 'admin'}
}

export interface OrgInfo extends OrgView {
  usage: Usage
}

export function orgInfo(ctx: Ctx, name: string): OrgInfo {
  const org = ctx.org(name)
  ctx.authorizeOrg('orgs:info', org)
  return {org, role: orgStanding(ctx, org, ctx.actor) as OrgView['role'], usage: currentUsage(ctx, org)}
}

export interface OrgUsage {
  org: Org
  usage: Usage
  history: UsageDay[]
}

export function orgUsage(ctx: Ctx, name: string): OrgUsage {
  const org = ctx.org(name)
  ctx.authorizeOrg('orgs:usage', org)
  return {org, usage: currentUsage(ctx, org), history: ctx.history(org).usageHistory}
}

export function orgBilling(ctx: Ctx, name: string): {org: Org; billing: Billing} {
  const org = ctx.org(name)
  ctx.authorizeOrg('orgs:billing', org)
  return {org, billing: estimateBilling(ctx.history(org), ctx.clock.now())}
}
