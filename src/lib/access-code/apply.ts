/**
 * Making the changes: the safety checks that refuse before anything is changed, then each change
 * through the backend (so the same rules, on the server too), carrying on past a failure.
 */
import type {TeamAccess} from '../api/resources.js'
import type {Backend} from '../backend/backend.js'
import {Interrupted} from '../cli/interrupt.js'
import type {AppPermission, OrgRole} from '../domain/types.js'
import {conflict, OrgctlError, toOrgctlError, usageError} from '../errors.js'
import {applyOrder, type Change, describeChange} from './diff.js'

/** `--max-removals`: a number of removals, or a share of an org's members and collaborators. */
export type RemovalCap = {count: number} | {percent: number}

export const DEFAULT_REMOVAL_CAP: RemovalCap = {percent: 25}

export function parseRemovalCap(value: string): RemovalCap {
  const match = /^(\d{1,7})(%?)$/.exec(value.trim())
  if (!match || (match[2] === '%' && Number(match[1]) > 100))
    throw usageError(`Invalid --max-removals ${JSON.stringify(value)}: give a number of removals (10) or a share of an org (25%).`)
  return match[2] === '%' ? {percent: Number(match[1])} : {count: Number(match[1])}
}

/** How many removals the cap allows in an org: a share of it is at least 1 (unless 0%). */
export function allowedRemovals(cap: RemovalCap, state: TeamAccess): {allowed: number; of: number} {
  const of = state.members.length + state.apps.reduce((sum, app) => sum + app.collaborators.length, 0)
  // At least 1 for a share that rounds down to none, but 0% given is none.
  const allowed = 'count' in cap ? cap.count : cap.percent === 0 ? 0 : Math.max(1, Math.floor((of * cap.percent) / 100))
  return {allowed, of}
}

const RANK: Record<OrgRole, number> = {admin: 2, member: 1, collaborator: 0}

/** Whether a change takes something away from `me`: removes or demotes them, or narrows their permissions. */
function takesFrom(change: Change, me: string): boolean {
  if (change.email !== me) return false
  if (change.action === 'destroy') return true
  if (change.action !== 'update') return false
  if (change.type === 'team-member') return RANK[change.after as OrgRole] < RANK[change.before as OrgRole]
  return (change.before as AppPermission[]).some((permission) => !(change.after as AppPermission[]).includes(permission))
}

export interface SafetyOptions {
  me: string
  cap: RemovalCap
  allowSelf: boolean
}

/**
 * Refuses (a conflict, exit 5: the file is at odds with the current state, and nothing was changed)
 * a plan that would remove more than the cap allows in an org, leave an org without an admin, or
 * remove or demote the person applying without --allow-self.
 */
export function checkSafety(changes: readonly Change[], states: ReadonlyMap<string, TeamAccess>, options: SafetyOptions): void {
  if (!options.allowSelf) {
    const mine = changes.filter((change) => takesFrom(change, options.me))
    if (mine.length > 0) {
      throw conflict(
        `The plan would take access from you (${options.me}): ${mine.map(describeChange).join('; ')}. Nothing was changed: pass --allow-self to do it.`,
      )
    }
  }
  for (const [org, state] of states) {
    const removals = changes.filter((change) => change.org === org && change.action === 'destroy' && change.type !== 'app').length
    const {allowed, of} = allowedRemovals(options.cap, state)
    if (removals > allowed) {
      const cap = 'count' in options.cap ? `${allowed}` : `${allowed}, ${options.cap.percent}% of them`
      throw conflict(
        `The plan removes ${removals} of the ${of} members and collaborators of ${org}, more than --max-removals allows (${cap}). Nothing was changed: check the file, or pass --max-removals ${removals}.`,
      )
    }
    const roles = new Map(state.members.map((member) => [member.email, member.role as OrgRole]))
    for (const change of changes) {
      if (change.org !== org || change.type !== 'team-member') continue
      if (change.action === 'destroy') roles.delete(change.email!)
      else roles.set(change.email!, change.after as OrgRole)
    }
    if (![...roles.values()].includes('admin')) {
      throw conflict(`The plan leaves ${org} without an admin: an org always keeps one. Nothing was changed: keep an admin in the file.`)
    }
  }
}

/** The changes in the order they are made (stable within a step: the plan's order). */
export function ordered(changes: readonly Change[]): Change[] {
  return changes
    .map((change, index) => ({change, index}))
    .sort((a, b) => applyOrder(a.change) - applyOrder(b.change) || a.index - b.index)
    .map(({change}) => change)
}

export interface ChangeResult {
  change: Change
  status: 'done' | 'failed'
  error?: {id: string; message: string}
}

/**
 * Makes one change. Each is made so (not merely sent): another apply of the same file running at the
 * same time may have made it already, or a member's removal taken the access it would change.
 */
export async function makeChange(backend: Backend, change: Change): Promise<void> {
  const {org, action} = change
  const app = change.app!
  const email = change.email!
  if (change.type === 'app') {
    await backend.setLocked(app, change.after as boolean)
    return
  }
  if (change.type === 'team-member') {
    const role = change.after as OrgRole
    const add = () => backend.addMember(org, email, role)
    const set = () => backend.setMember(org, email, role)
    if (action === 'destroy') await backend.removeMember(org, email)
    else if (action === 'create') await otherwise(add, 'conflict', set)
    else await otherwise(set, 'not_found', add)
    return
  }
  if (action === 'destroy') {
    await backend.removeAccess(app, email)
    return
  }
  const permissions = change.after as AppPermission[]
  const add = () => backend.addAccess(app, email, permissions)
  const update = () => backend.updateAccess(app, email, permissions)
  const result = action === 'create' ? await otherwise(add, 'conflict', update) : await otherwise(update, 'not_found', add)
  // Adding yourself is joining, which gives the join's permissions: then set the file's.
  const got = result.permissions.map((permission) => permission.name)
  if (got.length !== permissions.length || permissions.some((permission) => !got.includes(permission))) await update()
}

/** `first`, or when it fails with `id` (the change was made, or undone, by someone else meanwhile) `then`. */
async function otherwise<T>(first: () => Promise<T>, id: string, then: () => Promise<T>): Promise<T> {
  try {
    return await first()
  } catch (error) {
    if (error instanceof OrgctlError && error.id === id) return then()
    throw error
  }
}

/** Makes every change in order, each on its own, carrying on past a failure. */
export async function applyChanges(
  backend: Backend,
  changes: readonly Change[],
  onResult: (result: ChangeResult) => void = () => undefined,
): Promise<ChangeResult[]> {
  const results: ChangeResult[] = []
  for (const change of ordered(changes)) {
    let result: ChangeResult
    try {
      await makeChange(backend, change)
      result = {change, status: 'done'}
    } catch (thrown) {
      // Ctrl-C ends the run (what was made stays made: a rerun of the same file does the rest).
      if (thrown instanceof Interrupted) throw thrown
      const error = toOrgctlError(thrown)
      result = {change, status: 'failed', error: {id: error.id, message: error.message}}
    }
    results.push(result)
    onResult(result)
  }
  return results
}
