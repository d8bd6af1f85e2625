/** Orgs: creating, renaming and destroying them, listing the actor's, their limits, and what admins see of them. */
import {conflict, notFound} from '../errors.js'
import {recordEvent, recordLimitsEvent} from './audit.js'
import {type Ctx, ensureUser, orgStanding, type WriteCtx} from './context.js'
import {operatorStatus} from './operators.js'
import {byKey} from './order.js'
import {type Action, authorize, type Standing, type Subject} from './permissions.js'
import {LIMIT_NAMES, type Limits, type Org, type UsageDay} from './types.js'
import {type Billing, currentUsage, estimateBilling, recordUsage, type Usage} from './usage.js'
import {parseEmail, parseOrgName} from './validation.js'

export interface OrgView {
  org: Org
  role: Exclude<Standing, 'none'>
}

/** A new org, with the actor's role: null for an operator who made it for its first admin (not a member). */
export interface CreatedOrg {
  org: Org
  role: OrgView['role'] | null
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

export interface CreateOrgOptions {
  /** Its first admin (default: the actor). */
  admin?: string
}

/**
 * Creates an org whose only member is its first admin: the actor, or `admin` (then the actor, an
 * operator provisioning it for them, is not a member). Once an operator is named, only operators may.
 */
export async function createOrg(ctx: WriteCtx, name: string, limits: Limits, options: CreateOrgOptions = {}): Promise<CreatedOrg> {
  parseOrgName(name)
  const adminEmail = options.admin === undefined ? ctx.actor : parseEmail(options.admin)
  authorize('orgs:create', {standing: 'none', permissions: [], target: 'the platform', ...(await operatorStatus(ctx))})
  if (await ctx.tx.orgs.byName(name)) throw conflict(`The org name ${name} is already taken: choose another name.`)
  const admin = await ensureUser(ctx, adminEmail)
  const org: Org = {id: ctx.newId(), name, createdAt: ctx.at, updatedAt: ctx.at, limits: {...limits}}
  await ctx.tx.orgs.insert(org)
  await ctx.tx.members.put(name, {
    id: ctx.newId(),
    email: adminEmail,
    userId: admin.id,
    role: 'admin',
    createdAt: ctx.at,
    updatedAt: ctx.at,
  })
  await recordUsage(ctx, org)
  await recordEvent(ctx, {action: 'team.create', target: {type: 'team', name}, org, after: {name, admin: adminEmail, limits: {...limits}}})
  return {org, role: adminEmail === ctx.actor ? 'admin' : null}
}

/**
 * The org for an action an operator may take on any org: found for its members as ctx.org finds
 * it, and for an operator whether they belong or not; then the matrix decides.
 */
async function governedOrg(ctx: Ctx, name: string, action: Action): Promise<{org: Org; subject: Subject}> {
  const org = await ctx.tx.orgs.byName(name)
  const status = await operatorStatus(ctx)
  const standing = org ? await orgStanding(ctx, org.name, ctx.actor) : 'none'
  if (!org || (standing === 'none' && !status.operator)) throw notFound(`Couldn't find org ${name}, or you have no access to it.`)
  const subject: Subject = {standing, permissions: [], target: `org ${org.name}`, ...status}
  authorize(action, subject)
  return {org, subject}
}

export interface OrgLimits {
  org: Org
  usage: Usage
  /** Who may change them now: operators once one is named, else the org's admins. */
  setBy: 'operators' | 'admins'
  /** The limits before this change (the same as org.limits when nothing changed). */
  before: Limits
  /** Whether this call changed them. */
  changed: boolean
}

/** An org's limits with their current use (its members and admins, and operators). */
export async function orgLimits(ctx: Ctx, name: string): Promise<OrgLimits> {
  const {org, subject} = await governedOrg(ctx, name, 'orgs:limits')
  return {
    org,
    usage: await currentUsage(ctx, org.name),
    setBy: subject.operatorsNamed ? 'operators' : 'admins',
    before: org.limits,
    changed: false,
  }
}

/**
 * Changes some of an org's limits: operators, or its admins while no operator is named. A limit
 * below what the org uses now is refused (nothing changes), naming the use.
 */
export async function setOrgLimits(ctx: WriteCtx, name: string, changes: Partial<Limits>): Promise<OrgLimits> {
  await ctx.tx.lockOrgs([name])
  const {org, subject} = await governedOrg(ctx, name, 'orgs:limits-set')
  const usage = await currentUsage(ctx, org.name)
  const before = {...org.limits}
  const below = LIMIT_NAMES.filter((limit) => changes[limit] !== undefined && changes[limit]! < usage[limit])
  if (below.length > 0) {
    const said = below.map((limit) => `${limit} is at ${usage[limit]}: a limit of ${changes[limit]} is below it`).join('; ')
    throw conflict(`${said} (org ${org.name}). Bring the use down first, or set a limit of at least the use.`)
  }
  const after: Limits = {...before, ...changes}
  const setBy = subject.operatorsNamed ? 'operators' : 'admins'
  if (LIMIT_NAMES.every((limit) => after[limit] === before[limit])) return {org, usage, setBy, before, changed: false}
  org.limits = after
  org.updatedAt = ctx.at
  await ctx.tx.orgs.update(org)
  await recordLimitsEvent(ctx, org, before, after)
  return {org, usage, setBy, before, changed: true}
}

export interface RenamedOrg extends OrgView {
  /** The name it had. */
  from: string
  changed: boolean
}

/** Gives the org another name (admins; the rules of a new org's name). Its id, members, apps and history stay with it. */
export async function renameOrg(ctx: WriteCtx, name: string, newName: string): Promise<RenamedOrg> {
  parseOrgName(newName)
  await ctx.tx.lockOrgs([name, newName])
  const org = await ctx.org(name)
  await ctx.authorizeOrg('orgs:rename', org)
  const from = org.name
  if (newName === from) return {org, role: 'admin', from, changed: false}
  if (await ctx.tx.orgs.byName(newName)) throw conflict(`The org name ${newName} is already taken: choose another name.`)
  await ctx.tx.orgs.rename(from, newName)
  org.name = newName
  org.updatedAt = ctx.at
  await ctx.tx.orgs.update(org)
  await recordEvent(ctx, {action: 'team.update', target: {type: 'team', name: newName}, org, before: {name: from}, after: {name: newName}})
  return {org, role: 'admin', from, changed: true}
}

export interface DestroyedOrg extends OrgView {
  /** How many memberships went with it. */
  members: number
}

/**
 * Destroys an org (admins) with its memberships, usage history and ledger. One with apps is refused
 * until they are moved out or destroyed. No pending transfer can name an org (a move into an org
 * happens at once), so there is none to cancel.
 */
export async function destroyOrg(ctx: WriteCtx, name: string): Promise<DestroyedOrg> {
  await ctx.tx.lockOrgs([name])
  const org = await ctx.org(name)
  await ctx.authorizeOrg('orgs:destroy', org)
  const {apps} = await ctx.tx.apps.figures(org.name)
  if (apps > 0) {
    const names = (await ctx.tx.apps.ofOrg(org.name)).map((app) => app.name)
    const shown = names.length > 3 ? `${names.slice(0, 3).join(', ')} and ${names.length - 3} more` : names.join(', ')
    throw conflict(
      `${org.name} still has ${apps} app${apps === 1 ? '' : 's'} (${shown}): move them out with orgctl apps:transfer, or destroy them, first.`,
    )
  }
  const members = (await ctx.tx.members.list(org.name)).length
  await ctx.tx.orgs.remove(org.name)
  await recordEvent(ctx, {
    action: 'team.destroy',
    target: {type: 'team', name: org.name},
    org,
    before: {name: org.name, members, limits: {...org.limits}},
  })
  return {org, role: 'admin', members}
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
