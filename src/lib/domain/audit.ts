/**
 * The audit log: every rule that changes something records one event, in the same transaction as
 * the change (a refused change rolls back with it; a change that changes nothing records nothing).
 * Reading it is for an org's admins; the events of no org (tokens, pruning) are for operators.
 */
import {type Ctx, type WriteCtx} from './context.js'
import {operatorStatus} from './operators.js'
import {authorize} from './permissions.js'
import type {App, AppPermission, AuditAction, AuditEvent, Org, StoredAuditEvent} from './types.js'
import type {AuditQuery} from '../storage/storage.js'

export interface EventInput {
  action: AuditAction
  target: {type: string; name: string}
  org?: Pick<Org, 'id' | 'name'>
  app?: {id: string; name: string}
  before?: unknown
  after?: unknown
}

/** Appends the event of a change made by the actor, now. */
export async function recordEvent(ctx: WriteCtx, input: EventInput): Promise<void> {
  const user = await ctx.tx.users.byEmail(ctx.actor)
  const event: AuditEvent = {
    id: ctx.newId(),
    createdAt: ctx.at,
    action: input.action,
    actor: {email: ctx.actor, ...(user ? {id: user.id} : {})},
    target: {...input.target},
    ...(input.org ? {org: {id: input.org.id, name: input.org.name}} : {}),
    ...(input.app ? {app: {id: input.app.id, name: input.app.name}} : {}),
    data: {before: input.before ?? null, after: input.after ?? null},
    ...(ctx.requestId === undefined ? {} : {requestId: ctx.requestId}),
  }
  await ctx.tx.audit.append(event)
}

export type AuditFilter = Omit<AuditQuery, 'orgId'>

/** An org's events, newest first: for its admins. */
export async function listOrgEvents(ctx: Ctx, orgName: string, filter: AuditFilter): Promise<StoredAuditEvent[]> {
  const org = await ctx.org(orgName)
  await ctx.authorizeOrg('audit:list', org)
  return ctx.tx.audit.list({...filter, orgId: org.id})
}

/**
 * The events of no org (authorizations, pruning), newest first: for whoever holds the storage
 * (the command runs directly on it, never through the API).
 */
export async function listOperatorEvents(ctx: Ctx, filter: AuditFilter): Promise<StoredAuditEvent[]> {
  await authorizePlatform(ctx)
  return ctx.tx.audit.list({...filter, orgId: null})
}

/** Removes the events created before a time; the prune itself is an event (of no org). */
export async function pruneEvents(ctx: WriteCtx, before: string): Promise<number> {
  await authorizePlatform(ctx)
  const removed = await ctx.tx.audit.prune(before)
  // A prune that removed nothing changed nothing: no event, as for any other rerun.
  if (removed > 0) await recordEvent(ctx, {action: 'audit.prune', target: {type: 'audit', name: 'audit-log'}, after: {before, removed}})
  return removed
}

/** What an app event says of the app: its name, owner, region and lock. */
export function appFacts(app: App): {name: string; owner: string; region: string; locked: boolean} {
  return {name: app.name, owner: app.owner.kind === 'org' ? app.owner.name : app.owner.email, region: app.region, locked: app.locked}
}

/** An event about an app (its org's, when an org owns it). */
export async function recordAppEvent(ctx: WriteCtx, app: App, input: Omit<EventInput, 'app'>): Promise<void> {
  const org = input.org ?? (await ctx.ownerOrg(app))
  await recordEvent(ctx, {...input, org, app})
}

/** A collaborator's event: who, and their permissions before and after (null: none). */
export function recordCollaboratorEvent(
  ctx: WriteCtx,
  app: App,
  email: string,
  before: readonly AppPermission[] | undefined,
  after: readonly AppPermission[] | undefined,
): Promise<void> {
  const action = before === undefined ? 'collaborator.create' : after === undefined ? 'collaborator.destroy' : 'collaborator.update'
  return recordAppEvent(ctx, app, {
    action,
    target: {type: 'collaborator', name: email},
    before: before && {email, permissions: [...before]},
    after: after && {email, permissions: [...after]},
  })
}

/** The platform's own log is for whoever holds the storage, and once operators are named, for them alone. */
async function authorizePlatform(ctx: Ctx): Promise<void> {
  authorize('audit:prune', {standing: 'none', permissions: [], target: 'the platform', ...(await operatorStatus(ctx))})
}

/** team.limits-update: an org's limits as they were and as they are (for the rule that changes them). */
export function recordLimitsEvent(ctx: WriteCtx, org: Org, before: Org['limits'], after: Org['limits']): Promise<void> {
  return recordEvent(ctx, {
    action: 'team.limits-update',
    target: {type: 'team', name: org.name},
    org,
    before: {limits: {...before}},
    after: {limits: {...after}},
  })
}
