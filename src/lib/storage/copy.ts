/**
 * Moving a team between engines: an embedded store file read whole into a State (for `db:import`),
 * and a State written out as a new embedded store (for `db:export`). The database side is the
 * PostgreSQL engine's (importState / exportState, each one transaction). Dashboard sessions and
 * sign-in links are not org data: the sections copied here leave them out (a copy signs nobody in).
 */
import {closeSync, existsSync, fsyncSync, openSync, renameSync, rmSync, writeSync} from 'node:fs'
import {basename, dirname, join} from 'node:path'

import {storeError, usageError} from '../errors.js'
import {SCHEMA_VERSION, SECTIONS} from './json/codec.js'
import {JsonStore} from './json/json-store.js'
import {MemoryAuditLog} from './memory/audit-log.js'
import {emptyState, type State} from './memory/state.js'
import {auditPath} from './json/audit-file.js'

export interface StateCounts {
  users: number
  orgs: number
  memberships: number
  apps: number
  collaborators: number
  transfers: number
  tokens: number
  operators: number
}

export function countState(state: State): StateCounts {
  let memberships = 0
  for (const org of state.orgs.values()) memberships += org.members.size
  let collaborators = 0
  for (const app of state.apps.values()) collaborators += app.collaborators.size
  return {
    users: state.users.size,
    orgs: state.orgs.size,
    memberships,
    apps: state.apps.size,
    collaborators,
    transfers: state.transfers.size,
    tokens: state.tokens.size,
    operators: state.operators.size,
  }
}

/** Every record of a store file (checked as any command checks it: a damaged file is one store error naming it). */
export async function readStoreFile(path: string): Promise<State> {
  if (!existsSync(path))
    throw usageError(`There is no store at ${path}: give the path of an embedded store file (such as ~/.local/share/orgctl/store.json).`)
  const store = new JsonStore(path)
  try {
    const committed = await store.read()
    const state = emptyState()
    for (const section of ['users', 'orgs', 'histories', 'apps', 'transfers', 'tokens', 'operators'] as const) {
      for (const [key, value] of committed[section]) (state[section] as Map<string, unknown>).set(key, value)
    }
    state.audit = new MemoryAuditLog([...committed.audit.events()])
    return state
  } finally {
    store.close()
  }
}

/** Refuses to write over an existing file unless forced. */
export function ensureNewStoreFile(path: string, force: boolean): void {
  if (existsSync(path) && !force) {
    throw usageError(`${path} exists already: give another path, or --force to replace it with the database's data.`)
  }
}

/**
 * Writes a State as a new store file (0600, fsynced); an existing file only with `force`. It is written
 * beside the target and renamed over it, so a replaced file is whole before or after, and whatever it
 * held (another store, or not a store at all) is never read.
 */
export async function writeStoreFile(path: string, state: State, {force}: {force: boolean}): Promise<void> {
  ensureNewStoreFile(path, force)
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}-${Date.now().toString(36)}.export`)
  const store = new JsonStore(temp)
  try {
    await store.update(async (target) => {
      for (const section of ['users', 'orgs', 'histories', 'apps', 'transfers', 'tokens', 'operators'] as const) {
        const map = target[section] as Map<string, unknown>
        for (const [key, value] of state[section]) map.set(key, value)
      }
      for (const {seq: _seq, ...event} of state.audit.events()) target.audit.append(event)
    })
    store.close()
    // Nothing to copy (an empty database): the store wrote nothing, as for any change that changes nothing.
    if (!existsSync(temp)) writeEmptyStore(temp)
    // The log first: the store that counts its bytes must not be in place before it.
    if (existsSync(auditPath(temp, 0))) renameSync(auditPath(temp, 0), auditPath(path, 0))
    renameSync(temp, path)
    syncDirectory(dirname(path))
  } catch (error) {
    store.close()
    rmSync(temp, {force: true})
    rmSync(auditPath(temp, 0), {force: true})
    if (error instanceof Error && 'id' in error) throw error
    throw storeError(`Cannot write the store ${path}: ${(error as Error).message}`)
  }
}

/** A store with nothing in it (read whole by the next command; its first commit lays it out). */
function writeEmptyStore(path: string): void {
  const fd = openSync(path, 'wx', 0o600)
  try {
    writeSync(fd, JSON.stringify({schemaVersion: SCHEMA_VERSION, ...Object.fromEntries(SECTIONS.map((section) => [section, []]))}))
    fsyncSync(fd)
  } finally {
    closeSync(fd)
  }
}

/** The rename itself survives a crash once the directory is fsynced (not every file system can: then it is skipped). */
function syncDirectory(dir: string): void {
  let fd: number | undefined
  try {
    fd = openSync(dir, 'r')
    fsyncSync(fd)
  } catch {
    // A directory that cannot be opened or fsynced here: the file itself was fsynced.
  } finally {
    if (fd !== undefined) closeSync(fd)
  }
}
