/** Adding many members at once (from arguments or a file), each reported, failures named at the end. */
import {readFile} from 'node:fs/promises'

import type {TeamMember} from '../api/resources.js'
import type {Backend} from '../backend/backend.js'
import {type OrgRole} from '../domain/types.js'
import {parseEmail, parseRole} from '../domain/validation.js'
import {usageError} from '../errors.js'
import type {UI} from '../output/ui.js'
import {BULK_CONCURRENCY, bulkFailure, type ItemResult, runBulk} from './bulk.js'

export interface MemberEntry {
  email: string
  role: OrgRole
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
    throw usageError(
      `Cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}. Give a file of EMAIL[,ROLE] lines.`,
    )
  }
  const entries: MemberEntry[] = []
  for (const [index, raw] of text.split(/\r?\n/).entries()) {
    const line = raw.trim()
    if (line === '' || line.startsWith('#')) continue
    const [email = '', role] = line.split(',').map((part) => part.trim())
    try {
      entries.push({email: parseEmail(email), role: role ? parseRole(role) : defaultRole})
    } catch (error) {
      throw usageError(`${path === '-' ? 'stdin' : path} line ${index + 1}: ${(error as Error).message}`)
    }
  }
  return entries
}

export interface BulkMemberItem {
  email: string
  status: 'added' | 'failed'
  member?: TeamMember
  error?: {id: string; message: string}
}

const items = (results: readonly ItemResult<TeamMember>[]): BulkMemberItem[] =>
  results.map((result) =>
    result.ok ? {email: result.item, status: 'added', member: result.value} : {email: result.item, status: 'failed', error: result.error},
  )

/** Adds each entry; throws a partial failure naming the emails that failed. */
export async function addMembers(backend: Backend, ui: UI, org: string, entries: readonly MemberEntry[]): Promise<BulkMemberItem[]> {
  const roles = new Map(entries.map((entry) => [entry.email, entry.role]))
  const results = await runBulk([...roles.keys()], (email) => backend.addMember(org, email, roles.get(email)!), {
    concurrency: BULK_CONCURRENCY,
    onResult: (result) =>
      ui.info(
        `Adding ${ui.color.user(result.item)} to ${ui.color.org(org)} as ${roles.get(result.item)}... ${result.ok ? 'done' : ui.color.error(`failed: ${result.error.message}`)}`,
      ),
  })
  const failure = bulkFailure(results, 'members', items)
  if (failure) throw failure
  return items(results)
}
