/**
 * The embedded store: one JSON file. Writers take an inter-process lock
 * (proper-lockfile: a lock directory whose mtime is refreshed while held, so a
 * lock left by a killed process goes stale and is taken over), re-read the file
 * under the lock, and replace it atomically (write-file-atomic: temp file, fsync,
 * rename; then the directory is fsynced so the rename itself survives a crash).
 * Readers need no lock: they always see one whole committed version.
 */
import {crypto} from '../crypto.js'
import {closeSync, fstatSync, openSync, readSync} from 'node:fs'
import {mkdir, open, readFile} from 'node:fs/promises'
import {dirname} from 'node:path'

import {storeError} from '../errors.js'
import {emptyState, type State} from '../domain/types.js'
import {DecodeError, decodeState, encodeState} from './codec.js'

export interface StoreOptions {
  /** How long a writer waits for the lock before giving up. */
  lockWaitMs?: number
  /** After this long without a refresh, a lock counts as abandoned. */
  staleMs?: number
}

/** Identifies one committed version of the file: the revision each commit writes near its start. */
type Version = string

const REVISION = /"revision":"([0-9a-f-]{36})"/
const HEAD_BYTES = 128

/** The most changes one write commits. */
const MAX_GROUP = 64

interface Pending {
  change: (state: State) => unknown
  resolve: (value: unknown) => void
  reject: (error: unknown) => void
}

type Outcome = {ok: true; value: unknown} | {ok: false; error: unknown}

function revisionOf(text: string | undefined): string | undefined {
  return text === undefined ? undefined : REVISION.exec(text.slice(0, HEAD_BYTES))?.[1]
}

export class JsonStore {
  readonly path: string
  private readonly lockWaitMs: number
  private readonly staleMs: number
  /** The last version read or written by this process (a long-lived server reads it once per commit). */
  private cache?: {version: Version; state: State}
  /** Changes from this process wait here; they are committed together (group commit). */
  private pending: Pending[] = []
  private committing = false

  constructor(path: string, options: StoreOptions = {}) {
    this.path = path
    this.lockWaitMs = options.lockWaitMs ?? 30_000
    this.staleMs = options.staleMs ?? 5000
  }

  /**
   * The last committed state (empty if the store does not exist yet).
   * Callers must not modify it: it may be shared with other readers.
   */
  async read(): Promise<State> {
    return (await this.snapshot()).state
  }

  /** The last committed state with its version (for caches of answers built from it). */
  async snapshot(): Promise<{state: State; version?: Version}> {
    const version = await this.version()
    if (version !== undefined && this.cache?.version === version) return {state: this.cache.state, version}
    const {state} = await this.load()
    if (version !== undefined) this.cache = {version, state}
    return {state, version}
  }

  /**
   * Runs a change under the lock against the latest state, and commits it if
   * it returns; if it throws, nothing of it is written. A change that leaves the
   * state as it was writes nothing either. Changes made while a commit is under
   * way (a server's concurrent requests, a bulk run) are committed together in the
   * next write, each still all or nothing: a group commit.
   */
  update<T>(change: (state: State) => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.pending.push({change, resolve: resolve as (value: unknown) => void, reject})
      void this.drain()
    })
  }

  private async drain(): Promise<void> {
    if (this.committing) return
    this.committing = true
    try {
      while (this.pending.length > 0) await this.commit(this.pending.splice(0, MAX_GROUP))
    } finally {
      this.committing = false
    }
  }

  private async commit(group: Pending[]): Promise<void> {
    let outcomes: Outcome[]
    try {
      outcomes = await this.commitGroup(group)
    } catch (error) {
      for (const {reject} of group) reject(error)
      return
    }
    for (const [i, outcome] of outcomes.entries()) {
      if (outcome.ok) group[i]!.resolve(outcome.value)
      else group[i]!.reject(outcome.error)
    }
  }

  private async commitGroup(group: Pending[]): Promise<Outcome[]> {
    await this.ensureDirectory()
    const lock = await this.lock()
    try {
      // Always a fresh copy: a change that throws halfway must not leave a trace in the cache.
      const {state: first, text} = await this.load()
      let state = first
      const outcomes: Outcome[] = []
      for (const {change} of group) {
        try {
          outcomes.push({ok: true, value: change(state)})
        } catch (error) {
          outcomes.push({ok: false, error})
          // Whatever the failed change did before throwing must go: start again from the file
          // and replay the changes before it (nothing has been answered or written yet).
          state = await this.replay(text, group, outcomes)
        }
      }
      // Unchanged state encodes to the same text under the same revision: nothing to write.
      const revision = revisionOf(text) ?? ''
      const encoded = encodeState(state, revision)
      if (encoded !== text) {
        // A writer stalled past the stale limit has lost its lock to another: it must not commit over it.
        if (lock.lost() || (await this.head()).revision !== revisionOf(text)) {
          throw storeError(`Lost the lock on the store ${this.path} while changing it (this process stalled): nothing was written. Run the command again.`)
        }
        const next = crypto().randomUUID()
        await this.write(encoded.replace(`"revision":"${revision}"`, `"revision":"${next}"`))
        const version = await this.version()
        if (version !== undefined) this.cache = {version, state}
      }
      return outcomes
    } finally {
      await lock.release()
    }
  }

  /** A fresh state from the file with the successful changes so far applied again. */
  private async replay(text: string | undefined, group: Pending[], outcomes: Outcome[]): Promise<State> {
    const state = text === undefined ? emptyState() : decodeState(JSON.parse(text))
    for (const [j, outcome] of outcomes.entries()) {
      if (!outcome.ok) continue
      try {
        outcomes[j] = {ok: true, value: group[j]!.change(state)}
      } catch (error) {
        // Not expected (changes are functions of the state), but then it is simply not committed.
        outcomes[j] = {ok: false, error}
        return this.replay(text, group, outcomes)
      }
    }
    return state
  }

  /** The committed version: its revision with its size and mtime (a hand edit that keeps the revision is still seen). */
  private async version(): Promise<Version | undefined> {
    const {revision, stamp} = await this.head()
    return stamp === undefined ? undefined : `${revision ?? '-'}:${stamp}`
  }

  /**
   * The revision in the file's first bytes, and its size and mtime; nothing when there is no file.
   * Synchronous on purpose: three small syscalls, cheaper than three thread-pool round trips
   * on every read of a busy server.
   */
  private async head(): Promise<{revision?: string; stamp?: string}> {
    let fd: number | undefined
    try {
      fd = openSync(this.path, 'r')
      const buffer = Buffer.alloc(HEAD_BYTES)
      const bytesRead = readSync(fd, buffer, 0, HEAD_BYTES, 0)
      const info = fstatSync(fd, {bigint: true})
      return {revision: revisionOf(buffer.toString('utf8', 0, bytesRead)), stamp: `${info.ino}:${info.size}:${info.mtimeNs}`}
    } catch {
      return {}
    } finally {
      if (fd !== undefined) closeSync(fd)
    }
  }

  private async load(): Promise<{state: State; text: string | undefined}> {
    let text: string
    try {
      text = await readFile(this.path, 'utf8')
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {state: emptyState(), text: undefined}
      throw storeError(`Cannot read the store ${this.path}: ${(error as Error).message}. Check the file's permissions, or point ORGCTL_STORE elsewhere.`)
    }
    let parsed: unknown
    try {
      parsed = JSON.parse(text)
    } catch {
      throw storeError(`The store ${this.path} is not valid JSON (corrupt or edited by hand): restore it from a backup, or point ORGCTL_STORE elsewhere. It was left as it is.`)
    }
    try {
      return {state: decodeState(parsed), text}
    } catch (error) {
      if (error instanceof DecodeError) {
        throw storeError(`The store ${this.path} cannot be used: ${error.message}. It was left as it is.`)
      }
      throw error
    }
  }

  private async ensureDirectory(): Promise<void> {
    try {
      await mkdir(dirname(this.path), {recursive: true, mode: 0o700})
    } catch (error) {
      throw storeError(`Cannot create the store's folder ${dirname(this.path)}: ${(error as Error).message}.`)
    }
  }

  private async lock(): Promise<{release: () => Promise<void>; lost: () => boolean}> {
    let compromised: Error | undefined
    // Loaded here, not at the top: readers never need it (it pulls in graceful-fs and signal-exit).
    const {default: lockfile} = await import('proper-lockfile')
    const deadline = Date.now() + this.lockWaitMs
    // Waits only while another writer holds the lock; any other failure (read-only, full disk,
    // no permission) is reported at once.
    for (let attempt = 0; ; attempt++) {
      try {
        const release = await lockfile.lock(this.path, {
          realpath: false,
          stale: this.staleMs,
          update: Math.floor(this.staleMs / 4),
          retries: 0,
          onCompromised: (error) => {
            compromised = error
          },
        })
        return {
          lost: () => compromised !== undefined,
          // Releasing a lock that was taken over is not an error of this change: it was refused above.
          release: () => release().catch(() => undefined),
        }
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code
        if (code !== 'ELOCKED') {
          const why = code === 'ENOSPC' ? 'the disk is full' : code === 'EROFS' || code === 'EACCES' || code === 'EPERM' ? 'it is read-only' : (error as Error).message
          throw storeError(`Cannot lock the store ${this.path}: ${why}. Nothing was changed.`)
        }
        if (Date.now() >= deadline) {
          throw storeError(`The store ${this.path} stayed locked by another orgctl for ${Math.round(this.lockWaitMs / 1000)}s: try again, or check for a stuck process.`)
        }
        // Short waits with jitter at first (writes take milliseconds), then up to 50 ms.
        await new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(50, 5 * 1.5 ** attempt)))
      }
    }
  }

  private async write(text: string): Promise<void> {
    try {
      const {default: writeFileAtomic} = await import('write-file-atomic')
      await writeFileAtomic(this.path, text, {mode: 0o600, fsync: true})
      const directory = await open(dirname(this.path), 'r')
      try {
        await directory.sync()
      } finally {
        await directory.close()
      }
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code
      const why = code === 'ENOSPC' ? 'the disk is full' : code === 'EROFS' || code === 'EACCES' || code === 'EPERM' ? 'it is read-only' : (error as Error).message
      throw storeError(`Cannot write the store ${this.path}: ${why}. Nothing was changed.`)
    }
  }
}
