/** Adding many members at once (from arguments or a file), each reported, failures named at the end. */
import {readFile} from 'node:fs/promises'

import type {TeamMember} from '../api/resources.js'
import type {Backend} from '../backend/backend.js'
import {type OrgRole} from '../domain/types.js'
import {parseEmail, parseRole, uniqueEntries} from '../domain/validation.js'
import {usageError} from '../errors.js'
import type {UI} from '../output/ui.js'
import {bulkFailure, concurrencyFor, type ItemResult, runBulk} from './bulk.js'
import {describeOsError} from '../os-errors.js'

export interface MemberEntry {
  email: string
  role: OrgRole
  /** Where it was given, for messages: `argument`, `team.csv line 3`. */
  source?: string
}

/**
 * Each email once: the same email with the same role is kept once, with two roles refused (naming
 * both and where each was given), before anything is added.
 */
export function distinctMembers(entries: readonly MemberEntry[]): MemberEntry[] {
  const keyed = entries.map((entry) => ({...entry, key: entry.email, value: entry.role, source: entry.source ?? 'argument'}))
  return uniqueEntries(keyed, 'email').map(({email, role, source}) => ({email, role, source}))
}

/**
 * Reads `EMAIL[,ROLE]` lines (blank lines and # comments skipped). Every line is
 * checked before anything is added, so a typo stops the run before it starts.
 */
export async function readMemberFile(path: string, defaultRole: OrgRole, readStdin: () => Promise<string>): Promise<MemberEntry[]> {
  let text: string
  try {
    text = path === '-' ? await readStdin() : await readFile(path, 'utf8')
  } catch (error) {
    throw usageError(`Cannot read ${path}: ${describeOsError(error)}. Give a file of EMAIL[,ROLE] lines (- reads stdin).`)
  }
  const entries: MemberEntry[] = []
  for (const [index, raw] of text.split(/\r?\n/).entries()) {
    const line = raw.trim()
    if (line === '' || line.startsWith('#')) continue
    const [email = '', role, ...extra] = line.split(',').map((part) => part.trim())
    try {
      if (extra.length > 0) throw usageError(`${JSON.stringify(line)} has ${extra.length + 2} fields: give EMAIL or EMAIL,ROLE.`)
      entries.push({
        email: parseEmail(email),
        role: role ? parseRole(role) : defaultRole,
        source: `${path === '-' ? 'stdin' : path} line ${index + 1}`,
      })
    } catch (error) {
      throw usageError(`${path === '-' ? 'stdin' : path} line ${index + 1}: ${(error as Error).message}`)
    }
  }
  if (entries.length === 0) throw usageError(`${path === '-' ? 'stdin' : path} has no EMAIL[,ROLE] lines: give one member per line.`)
  return entries
}

export interface BulkMemberItem {
  email: string
  /** unchanged: already in the org with that role (a rerun), as apps:transfer says of apps already there. */
  status: 'added' | 'unchanged' | 'failed'
  member?: TeamMember
  error?: {id: string; message: string}
}

/**
 * Adds each entry; throws a partial failure naming the emails that failed. Who is already there with
 * that role is read first (one listing, on either backend), so a rerun says unchanged, not added.
 */
export async function addMembers(backend: Backend, ui: UI, org: string, entries: readonly MemberEntry[]): Promise<BulkMemberItem[]> {
  const roles = new Map(distinctMembers(entries).map((entry) => [entry.email, entry.role]))
  // A listing refused (not your org) is no reason to stop: each add then reports why it failed.
  const listed = await backend.listMembers(org).catch(() => [])
  const before = new Map(listed.map((member) => [member.email, member.role]))
  const unchanged = (email: string) => before.get(email) === roles.get(email)
  const items = (results: readonly ItemResult<TeamMember>[]): BulkMemberItem[] =>
    results.map((result) =>
      result.ok
        ? {email: result.item, status: unchanged(result.item) ? 'unchanged' : 'added', member: result.value}
        : {email: result.item, status: 'failed', error: result.error},
    )
  const newcomers = [...roles.keys()].filter((email) => !before.has(email)).length
  // The members limit's room (an org you may not see: in order, and each add says why it failed).
  const room =
    newcomers === 0
      ? Infinity
      : await backend.getTeam(org).then(
          (team) => team.limits.members - team.usage.members,
          () => undefined,
        )
  const results = await runBulk([...roles.keys()], (email) => backend.addMember(org, email, roles.get(email)!), {
    concurrency: concurrencyFor(newcomers, room),
    onResult: (result) =>
      ui.info(
        ui.actionLine(
          `Adding ${ui.color.user(result.item)} to ${ui.color.org(org)} as ${roles.get(result.item)}`,
          result.ok ? (unchanged(result.item) ? 'done, already there' : 'done') : `failed: ${result.error.message}`,
        ),
      ),
  })
  const failure = bulkFailure(results, 'members', items, ui.dryRun)
  if (failure) throw failure
  return items(results)
}
