/**
 * What it takes to make the orgs as the file says: the changes, worked out from each org's access
 * state (one read per org). Only what the file lists is managed: its orgs' members (when it has a
 * `members` section), and its apps' lock and collaborators; removals only where `prune` says so.
 */
import type {TeamAccess} from '../api/resources.js'
import {byKey} from '../domain/order.js'
import type {AppPermission, OrgRole} from '../domain/types.js'
import {notFound} from '../errors.js'
import type {AccessFile, OrgSpec} from './schema.js'

export type ChangeAction = 'create' | 'update' | 'destroy'
export type ChangeType = 'team-member' | 'collaborator' | 'app'

/** One change; `before`/`after`: a role (team-member), permissions (collaborator), `locked` (app); null when absent. */
export interface Change {
  action: ChangeAction
  type: ChangeType
  org: string
  app: string | null
  email: string | null
  before: OrgRole | AppPermission[] | boolean | null
  after: OrgRole | AppPermission[] | boolean | null
}

export interface Summary {
  create: number
  update: number
  destroy: number
}

/** Every org of the file, against its state (all of them read before: `states` by org name). */
export function diff(file: AccessFile, states: ReadonlyMap<string, TeamAccess>): Change[] {
  return file.orgs.flatMap((spec) => diffOrg(file, spec, states.get(spec.name)!))
}

function diffOrg(file: AccessFile, spec: OrgSpec, state: TeamAccess): Change[] {
  const org = spec.name
  const changes: Change[] = []
  const current = new Map(state.members.map((member) => [member.email, member.role]))
  const collaboratorsAnywhere = new Set(state.apps.flatMap((app) => app.collaborators.map((c) => c.email)))
  const removed = new Set<string>()
  if (spec.members) {
    for (const [email, {role}] of spec.members) {
      const before = current.get(email)
      // Someone an app is shared with is in the member list as a collaborator already (members:add says so too).
      if (before === undefined && !(role === 'collaborator' && collaboratorsAnywhere.has(email)))
        changes.push({action: 'create', type: 'team-member', org, app: null, email, before: null, after: role})
      else if (before !== undefined && before !== role)
        changes.push({action: 'update', type: 'team-member', org, app: null, email, before, after: role})
    }
    if (spec.prune.members) {
      for (const [email, role] of current) {
        if (spec.members.has(email)) continue
        removed.add(email)
        changes.push({action: 'destroy', type: 'team-member', org, app: null, email, before: role, after: null})
      }
    }
  }
  const apps = new Map(state.apps.map((app) => [app.name, app]))
  for (const appSpec of spec.apps) {
    const app = apps.get(appSpec.name)
    if (!app) {
      throw notFound(
        `${file.source} line ${appSpec.line}: ${appSpec.name} is not an app of ${org} (apply never creates or moves apps): create or transfer it first, or take it out of the file.`,
      )
    }
    if (appSpec.locked !== undefined && appSpec.locked !== app.locked)
      changes.push({action: 'update', type: 'app', org, app: app.name, email: null, before: app.locked, after: appSpec.locked})
    const had = new Map(app.collaborators.map((c) => [c.email, [...c.permissions] as AppPermission[]]))
    const wanted = appSpec.collaborators
    for (const [email, before] of had) {
      // Removing a member takes their access to every app of the org with them.
      const keep = wanted === undefined || wanted.has(email)
      if (removed.has(email) && !wanted?.has(email)) {
        changes.push({action: 'destroy', type: 'collaborator', org, app: app.name, email, before, after: null})
        had.delete(email)
      } else if (removed.has(email)) had.delete(email)
      else if (!keep && spec.prune.collaborators) {
        changes.push({action: 'destroy', type: 'collaborator', org, app: app.name, email, before, after: null})
      }
    }
    for (const [email, {permissions}] of wanted ?? []) {
      const before = had.get(email)
      if (before === undefined)
        changes.push({action: 'create', type: 'collaborator', org, app: app.name, email, before: null, after: permissions})
      else if (!samePermissions(before, permissions))
        changes.push({action: 'update', type: 'collaborator', org, app: app.name, email, before, after: permissions})
    }
  }
  return changes.sort(byKey(displayKey))
}

/** Shown by org, members first, then apps by name, each by email. */
function displayKey(change: Change): string {
  const kind = change.type === 'team-member' ? '0' : `1 ${change.app} ${change.type === 'app' ? '0' : '1'}`
  return `${change.org} ${kind} ${change.email ?? ''}`
}

function samePermissions(a: readonly AppPermission[], b: readonly AppPermission[]): boolean {
  return a.length === b.length && a.every((permission) => b.includes(permission))
}

export function summarize(changes: readonly Change[]): Summary {
  const summary: Summary = {create: 0, update: 0, destroy: 0}
  for (const change of changes) summary[change.action]++
  return summary
}

const SIGN: Record<ChangeAction, string> = {create: '+', update: '~', destroy: '-'}
const perms = (value: Change['before']) => (value as AppPermission[]).join(',')

/** `+ member dev@acme.test member`, `~ app acme-api locked false -> true`, `- collaborator x@ext.test acme-api`. */
export function describeChange(change: Change): string {
  const sign = SIGN[change.action]
  if (change.type === 'app') return `${sign} app ${change.app} locked ${change.before} -> ${change.after}`
  if (change.type === 'team-member') {
    if (change.action === 'update') return `${sign} member ${change.email} ${change.before} -> ${change.after}`
    return `${sign} member ${change.email} ${change.action === 'create' ? change.after : change.before}`
  }
  if (change.action === 'create') return `${sign} collaborator ${change.email} ${change.app} ${perms(change.after)}`
  if (change.action === 'update')
    return `${sign} collaborator ${change.email} ${change.app} ${perms(change.before)} -> ${perms(change.after)}`
  return `${sign} collaborator ${change.email} ${change.app}`
}

export function describeSummary(summary: Summary): string {
  return `Plan: ${summary.create} to create, ${summary.update} to update, ${summary.destroy} to destroy.`
}

/**
 * The order apply makes them in, so an org is never left without an admin on the way and a lock
 * never stands in the way: additions and promotions, other role changes, demotions, removals
 * (a removed member's access to the apps goes with them), unlocks, collaborators given or
 * changed, collaborators removed, locks.
 */
export function applyOrder(change: Change): number {
  if (change.type === 'team-member') {
    if (change.action === 'create') return 0
    if (change.action === 'destroy') return 3
    if (change.after === 'admin') return 0
    return change.before === 'admin' ? 2 : 1
  }
  if (change.type === 'app') return change.after === false ? 4 : 7
  return change.action === 'destroy' ? 6 : 5
}
