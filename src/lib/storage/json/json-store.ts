/**
 * The embedded store: one JSON file. Writers take an inter-process lock
 * (proper-lockfile: a lock directory whose mtime is refreshed while held, so a
 * lock left by a killed process goes stale and is taken over), re-read the file
 * under the lock, and replace it atomically (write-file-atomic: temp file, fsync,
 * rename; then the directory is fsynced so the rename itself survives a crash).
 * Readers need no lock: they always see one whole committed version.
 */
import {crypto} from '../../builtins.js'
import {
  type BigIntStats,
  closeSync,
  constants,
  fstatSync,
  open as openCallback,
  openSync,
  read as readCallback,
  readSync,
  statSync,
} from 'node:fs'
import {access, open, stat, utimes} from 'node:fs/promises'
import {dirname} from 'node:path'

import {makeFolders} from '../../folders.js'
import {OrgctlError, storeError} from '../../errors.js'
import {describeOsError, osCode} from '../../os-errors.js'
import {changeCommitted} from '../../output/stdio.js'
import type {State} from '../memory/state.js'
import {appsRangeIn, type StoreFile, StoreState} from './document.js'

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
/** The end of the file read first: the layout (a few hundred bytes) and more. */
const TAIL_BYTES = 64 * 1024
/** Files and apps sections smaller than this are read whole at once. */
const LAZY_MIN_BYTES = 256 * 1024

/** The most changes one write commits. */
const MAX_GROUP = 64

interface Pending {
  change: (state: State) => Promise<unknown>
  resolve: (value: unknown) => void
  reject: (error: unknown) => void
}

type Outcome = {ok: true; value: unknown} | {ok: false; error: unknown}

function revisionOf(head: string): string | undefined {
  return REVISION.exec(head)?.[1]
}

/** What tells one file at the path from another (a hand edit in place changes the ctime at least). */
function stampOf(info: BigIntStats): string {
  return `${info.dev}:${info.ino}:${info.size}:${info.mtimeNs}:${info.ctimeNs}`
}

// Numeric descriptors (not FileHandles, which complain when collected open): one kept for the cache.
const openFd = (path: string) =>
  new Promise<number>((resolve, reject) => openCallback(path, 'r', (error, fd) => (error ? reject(error) : resolve(fd))))
const readFd = (fd: number, buffer: Buffer, offset: number, end: number) =>
  new Promise<number>((resolve, reject) =>
    readCallback(fd, buffer, offset, end - offset, offset, (error, bytesRead) => (error ? reject(error) : resolve(bytesRead))),
  )

/** Bytes [start, end) of the file into the same offsets of the buffer. */
async function readRange(fd: number, buffer: Buffer, start: number, end: number, path: string): Promise<void> {
  for (let offset = start; offset < end;) {
    const bytesRead = await readFd(fd, buffer, offset, end)
    if (bytesRead === 0) throw changedWhileRead(path)
    offset += bytesRead
  }
}

/** The same, synchronously (a section is read in while the domain, which is synchronous, uses it). */
function readRangeSync(fd: number, buffer: Buffer, start: number, end: number, path: string): void {
  for (let offset = start; offset < end;) {
    let bytesRead: number
    try {
      bytesRead = readSync(fd, buffer, offset, end - offset, offset)
    } catch (error) {
      throw storeFailure(path, 'read', error)
    }
    if (bytesRead === 0) throw changedWhileRead(path)
    offset += bytesRead
  }
}

/** Only an edit in place (never a commit, which renames a new file in) can shorten the file being read. */
const changedWhileRead = (path: string) =>
  storeError(`The store ${path} was cut short while being read (edited in place?): run the command again.`)

/** A descriptor, closed once. */
class OpenFile {
  closed = false
  constructor(readonly fd: number) {}

  close(): void {
    if (this.closed) return
    this.closed = true
    closeSync(this.fd)
  }
}

interface Cached {
  handle: OpenFile
  stamp: string
  version: Version
  state: StoreState
}

/** The device and inode part of a stamp. */
const inodeOf = (stamp: string) => stamp.split(':', 2).join(':')

export class JsonStore {
  readonly path: string
  private readonly lockWaitMs: number
  private readonly staleMs: number
  /**
   * The version this process last read or wrote (a long-lived server reads each version once), with
   * the file kept open: while it is open its inode number cannot be reused by a later version, so
   * the same inode, size, mtime and ctime at the path mean the same file, seen with one stat.
   */
  private cache?: Cached
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
    const cached = this.cache
    // Synchronous on purpose: one small syscall, cheaper than a thread-pool round trip on every
    // read of a busy server. Any failure is left to load() to report.
    let stamp: string | undefined
    try {
      stamp = stampOf(statSync(this.path, {bigint: true}))
    } catch {}
    if (cached && stamp === cached.stamp) return cached
    const {state, revision, handle, stamp: loaded} = await this.load()
    if (handle === undefined || loaded === undefined) return {state}
    const version = `${revision ?? '-'}:${loaded}`
    this.remember({handle, stamp: loaded, version, state})
    return {state, version}
  }

  /**
   * For a server about to start: the store exists and every section of it can be used (each is
   * decoded now, not at the first request that needs it), or a store error naming the file says
   * what to do. Gives back why a commit would be refused (a read-only file or folder), if it would.
   */
  async check(): Promise<{readOnly?: string}> {
    try {
      await stat(this.path)
    } catch (error) {
      if (osCode(error) !== 'ENOENT') throw storeFailure(this.path, 'read', error)
      throw storeError(
        `There is no store at ${this.path}: create it with a first command on the embedded store, e.g. ORGCTL_STORE=${this.path} ORGCTL_USER=you@example.com orgctl orgs:create my-org, then mint a token with orgctl authorizations:create (or point ORGCTL_STORE at an existing store).`,
      )
    }
    const state = await this.read()
    for (const section of ['users', 'orgs', 'histories', 'apps', 'transfers', 'tokens', 'operators', 'sessions'] as const)
      void state[section]
    try {
      await access(dirname(this.path), constants.W_OK)
    } catch (error) {
      return {readOnly: `The folder of the store ${this.path} cannot be written: ${describeOsError(error)}.`}
    }
    try {
      await this.writable()
      return {}
    } catch (error) {
      return {readOnly: (error as Error).message.replace(/ Nothing was changed\.$/, '')}
    }
  }

  /** Lets go of the file kept open for the cache. */
  close(): void {
    this.remember(undefined)
  }

  private remember(entry: Cached | undefined): void {
    const previous = this.cache
    this.cache = entry
    if (!previous || previous.handle === entry?.handle) return
    try {
      // A reader may still hold the old state: it gets its unread parts before its file goes. Not at
      // close(), nor when the file was rewritten in place (the old bytes are gone already).
      if (entry && inodeOf(entry.stamp) !== inodeOf(previous.stamp)) previous.state.materialize()
    } catch {
      // Then that old state cannot be read in any more; readers get the new one from now on.
    } finally {
      previous.handle.close()
    }
  }

  /**
   * Runs a change under the lock against the latest state, and commits it if
   * it returns; if it throws, nothing of it is written. A change that leaves the
   * state as it was writes nothing either. Changes made while a commit is under
   * way (a server's concurrent requests, a bulk run) are committed together in the
   * next write, each still all or nothing: a group commit.
   */
  update<T>(change: (state: State) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.pending.push({change, resolve: resolve as (value: unknown) => void, reject})
      void this.drain()
    })
  }

  /**
   * A dry run of a change: under the lock, against the latest state, as `update` runs it, but never
   * committed: the file and its folder are left exactly as they were (the lock taken is let go, and
   * a folder that does not exist is not created). What a commit would refuse (a lost lock, a file
   * that may not be written) is refused here too, when the change changed anything.
   */
  async tryChange<T>(change: (state: State, committable: () => void) => Promise<T>): Promise<T> {
    try {
      await stat(dirname(this.path))
    } catch (error) {
      // No folder, so no store: the change runs on an empty one (a real run would create both, the
      // folder first: refused here as it would be there, before the change runs).
      if (osCode(error) === 'ENOENT') {
        await this.folderCreatable()
        return change(StoreState.empty(this.path), () => undefined)
      }
      throw storeFailure(this.path, 'folder', error)
    }
    const lock = await this.lock()
    let loaded: Awaited<ReturnType<JsonStore['load']>> | undefined
    try {
      loaded = await this.load()
      const {state} = loaded
      // Asked once: whether the file may be written. A unit of a longer dry run (DryRunStorage) calls
      // committable() when it ends, and is refused then, as its own commit would be in a real run.
      const refusal = await this.writable().then(
        () => undefined,
        (error: unknown) => ({error}),
      )
      const committable = () => {
        if (refusal && state.encode()) throw refusal.error
      }
      const value = await change(state, committable)
      if (loaded.state.encode()) {
        if (lock.lost()) {
          throw storeError(
            `Lost the lock on the store ${this.path} while changing it (this process stalled): nothing was written. Run the command again.`,
          )
        }
        await this.writable()
      }
      return value
    } finally {
      loaded?.handle?.close()
      await lock.release()
    }
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
    // Always a fresh copy: a change that throws halfway must not leave a trace in the cache.
    let loaded: Awaited<ReturnType<JsonStore['load']>> | undefined
    try {
      loaded = await this.load()
      const {file, revision} = loaded
      let state = loaded.state
      const outcomes: Outcome[] = []
      for (const {change} of group) {
        try {
          outcomes.push({ok: true, value: await change(state)})
        } catch (error) {
          outcomes.push({ok: false, error})
          // Whatever the failed change did before throwing must go: start again from the file
          // and replay the changes before it (nothing has been answered or written yet).
          state = await this.replay(file, group, outcomes)
        }
      }
      // A state that is still the committed one encodes to nothing: nothing to write.
      const encoded = state.encode()
      if (encoded) {
        // A writer stalled past the stale limit has lost its lock to another: it must not commit over it.
        if (lock.lost() || this.headRevision() !== revision) {
          throw storeError(
            `Lost the lock on the store ${this.path} while changing it (this process stalled): nothing was written. Run the command again.`,
          )
        }
        const writtenMs = Date.now()
        const next = crypto().randomUUID()
        const existing = await this.writable()
        const bytes = encoded(next, writtenMs)
        // The log's new lines are durable before the store that counts them is renamed in.
        const audit = state.auditPlan
        audit?.write()
        await this.write(bytes, writtenMs, existing)
        audit?.done()
        this.rememberWritten(next, state)
      }
      return outcomes
    } finally {
      loaded?.handle?.close()
      await lock.release()
    }
  }

  /** A fresh state from the file with the successful changes so far applied again. */
  private async replay(file: StoreFile | undefined, group: Pending[], outcomes: Outcome[]): Promise<StoreState> {
    const state = file === undefined ? StoreState.empty(this.path) : StoreState.read(this.path, file)
    for (const [j, outcome] of outcomes.entries()) {
      if (!outcome.ok) continue
      try {
        outcomes[j] = {ok: true, value: await group[j]!.change(state)}
      } catch (error) {
        // Not expected (changes are functions of the state), but then it is simply not committed.
        outcomes[j] = {ok: false, error}
        return this.replay(file, group, outcomes)
      }
    }
    return state
  }

  /** After a commit (the lock still held, so the file is this one): the state just written is the cache. */
  private rememberWritten(revision: string, state: StoreState): void {
    let handle: OpenFile | undefined
    try {
      // Its unread parts were read from the file just replaced, which is about to be let go.
      state.materialize()
      handle = new OpenFile(openSync(this.path, 'r'))
      const stamp = stampOf(fstatSync(handle.fd, {bigint: true}))
      this.remember({handle, stamp, version: `${revision}:${stamp}`, state})
    } catch {
      // The commit is written: this only costs the next reader a read of the file.
      handle?.close()
      this.remember(undefined)
    }
  }

  /** The revision in the file's first bytes (undefined when there is no file or it has none). */
  private headRevision(): string | undefined {
    let fd: number | undefined
    try {
      fd = openSync(this.path, 'r')
      const buffer = Buffer.alloc(HEAD_BYTES)
      return revisionOf(buffer.toString('utf8', 0, readSync(fd, buffer, 0, HEAD_BYTES, 0)))
    } catch {
      return undefined
    } finally {
      if (fd !== undefined) closeSync(fd)
    }
  }

  /**
   * The committed file, from one open descriptor (a commit replaces the file by a rename, so the
   * descriptor sees one whole version), handed back open: the caller closes it. Its end is read
   * first, and when it names where the apps are in a big file, they are left to be read on demand.
   */
  private async load(): Promise<{state: StoreState; file?: StoreFile; revision?: string; handle?: OpenFile; stamp?: string}> {
    let handle: OpenFile | undefined
    try {
      handle = new OpenFile(await openFd(this.path))
      const {fd} = handle
      const info = fstatSync(fd, {bigint: true})
      if (!info.isFile()) throw Object.assign(new Error('not a file'), {code: info.isDirectory() ? 'EISDIR' : 'EINVAL'})
      const size = Number(info.size)
      const bytes = Buffer.allocUnsafe(size)
      const tailStart = Math.max(0, size - TAIL_BYTES)
      await readRange(fd, bytes, tailStart, size, this.path)
      const apps = size >= LAZY_MIN_BYTES ? appsRangeIn(bytes.subarray(tailStart), size) : undefined
      let unread = apps && apps[1] - apps[0] >= LAZY_MIN_BYTES ? apps : undefined
      if (unread) {
        await readRange(fd, bytes, 0, unread[0], this.path)
        await readRange(fd, bytes, unread[1], tailStart, this.path)
      } else {
        await readRange(fd, bytes, 0, tailStart, this.path)
      }
      const open = handle
      const fill = (start: number, end: number) => {
        if (!unread || end <= unread[0] || start >= unread[1]) return
        if (open.closed) throw storeError(`The store ${this.path} was let go before all of it was read: run the command again.`)
        readRangeSync(open.fd, bytes, unread[0], unread[1], this.path)
        unread = undefined
      }
      const file: StoreFile = {bytes, fill}
      const state = StoreState.read(this.path, file, Number(info.mtimeNs / 1000n) / 1000)
      const loaded = {
        state,
        file,
        revision: revisionOf(bytes.toString('utf8', 0, Math.min(HEAD_BYTES, size))),
        handle,
        stamp: stampOf(info),
      }
      handle = undefined
      return loaded
    } catch (error) {
      if (osCode(error) === 'ENOENT') return {state: StoreState.empty(this.path)}
      if (error instanceof OrgctlError) throw error
      throw storeFailure(this.path, 'read', error)
    } finally {
      handle?.close()
    }
  }

  /** Whether ensureDirectory could create the store's folder: the nearest folder above it that is there may be written. */
  private async folderCreatable(): Promise<void> {
    let missing = dirname(this.path)
    for (let above = dirname(missing); above !== missing; missing = above, above = dirname(above)) {
      try {
        await access(above, constants.W_OK)
        return
      } catch (error) {
        if (osCode(error) !== 'ENOENT') throw storeFailure(this.path, 'folder', error)
      }
    }
  }

  private async ensureDirectory(): Promise<void> {
    try {
      await makeFolders(dirname(this.path), 0o700)
    } catch (error) {
      throw storeFailure(this.path, 'folder', error)
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
        if (code !== 'ELOCKED') throw storeFailure(this.path, 'lock', error)
        if (Date.now() >= deadline) {
          throw storeError(
            `The store ${this.path} stayed locked by another orgctl for ${Math.round(this.lockWaitMs / 1000)}s: try again, or check for a stuck process.`,
          )
        }
        // Short waits with jitter at first (writes take milliseconds), then up to 50 ms.
        await new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(50, 5 * 1.5 ** attempt)))
      }
    }
  }

  /**
   * The file as it is, before a commit replaces it: refused when it is not writable. A commit
   * renames a new file in, which only the folder's permissions govern: without this check a file
   * the user may not write (or made read-only on purpose, mode 0444) would be silently replaced.
   */
  private async writable(): Promise<{mode: number; uid: number; gid: number} | undefined> {
    let info: Awaited<ReturnType<typeof stat>>
    try {
      info = await stat(this.path)
    } catch (error) {
      if (osCode(error) === 'ENOENT') return undefined
      throw storeFailure(this.path, 'write', error)
    }
    const mode = info.mode & 0o7777
    try {
      await access(this.path, constants.W_OK)
    } catch (error) {
      throw storeFailure(this.path, 'write', error)
    }
    // Root may write anything: a file that nobody may write is still meant to be read-only.
    if ((mode & 0o222) === 0) {
      throw storeError(
        `Cannot write the store ${this.path}: it is read-only (mode 0${mode.toString(8)}). Make it writable (chmod u+w) if it should change, or point ORGCTL_STORE elsewhere. Nothing was changed.`,
      )
    }
    return {mode, uid: info.uid, gid: info.gid}
  }

  /**
   * Replaces the file atomically and durably, then gives it the mtime its layout names (see document.ts).
   * An existing file keeps its mode, owner and group (as far as this user may set them); a new one is 0600.
   */
  private async write(bytes: Buffer, writtenMs: number, existing: {mode: number; uid: number; gid: number} | undefined): Promise<void> {
    try {
      const {default: writeFileAtomic} = await import('write-file-atomic')
      await writeFileAtomic(this.path, bytes, {
        mode: existing?.mode ?? 0o600,
        ...(existing ? {chown: {uid: existing.uid, gid: existing.gid}} : {}),
        fsync: true,
      })
    } catch (error) {
      throw storeFailure(this.path, 'write', error)
    }
    changeCommitted()
    try {
      const directory = await open(dirname(this.path), 'r')
      try {
        await directory.sync()
      } finally {
        await directory.close()
      }
    } catch {
      // The rename is done; only its durability across a power cut is not confirmed.
    }
    // Committed already; a failure here only means the next reader checks the crc32.
    await utimes(this.path, writtenMs / 1000, writtenMs / 1000).catch(() => undefined)
  }
}

const ADVICE: Record<string, string> = {
  ENOSPC: 'Free some space, then run the command again.',
  EDQUOT: 'Free some space, then run the command again.',
  EROFS: 'Remount it read-write, or point ORGCTL_STORE elsewhere.',
  EACCES: 'Check the permissions of the file and its folder, or point ORGCTL_STORE elsewhere.',
  EPERM: 'Check the file and its folder (lsattr; chattr -i if immutable), or point ORGCTL_STORE elsewhere.',
  ENOTDIR: 'Point ORGCTL_STORE at a file inside a folder.',
  EISDIR: 'Point ORGCTL_STORE at a store file (such as store.json in that folder), not a folder.',
}

/** A store error for the operating system's refusal: the store, what was being done, why, what to do. */
function storeFailure(path: string, doing: 'read' | 'write' | 'lock' | 'folder', error: unknown): OrgctlError {
  const what = {
    read: `Cannot read the store ${path}`,
    write: `Cannot write the store ${path}`,
    lock: `Cannot lock the store ${path} (creating ${path}.lock)`,
    folder: `Cannot create the folder of the store ${path}`,
  }[doing]
  // mkdir -p of a folder that is a file says EEXIST: a part of the path is not a folder.
  const cause = doing === 'folder' && osCode(error) === 'EEXIST' ? Object.assign(new Error(), {code: 'ENOTDIR'}) : error
  const advice = ADVICE[osCode(cause) ?? ''] ?? 'Check the file and its folder, or point ORGCTL_STORE elsewhere.'
  return storeError(`${what}: ${describeOsError(cause)}. ${advice}${doing === 'read' ? '' : ' Nothing was changed.'}`)
}
