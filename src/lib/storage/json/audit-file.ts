/**
 * The embedded store's audit log: a file of its own beside the store, one JSON event a line, only ever
 * appended to (a commit does not rewrite the log). The store file records how much of it is committed
 * (`layout.audit`: [generation, bytes, last seq]): a commit writes and fsyncs its new lines first, then
 * renames the store in; a crash between the two leaves a tail past the recorded length, which readers
 * ignore and the next commit cuts off. Pruning writes the kept events to the next generation's file
 * (`<store>.audit.<n>.jsonl`) and the store then names it, so a crash leaves the old log whole.
 * The log is read only when a query asks for events: other commands never open it. A copy of the store
 * file made without its log has no history: it reads as empty, and its next commit starts a log of its own.
 */
import {
  closeSync,
  constants,
  existsSync,
  fstatSync,
  fsyncSync,
  ftruncateSync,
  openSync,
  readSync,
  renameSync,
  rmSync,
  writeSync,
} from 'node:fs'
import {basename, dirname, join} from 'node:path'

import type {AuditEvent, StoredAuditEvent} from '../../domain/types.js'
import {storeError} from '../../errors.js'
import {describeOsError, osCode} from '../../os-errors.js'
import {type AuditLog, MemoryAuditLog} from '../memory/audit-log.js'

/** What the store file records of its log: which file, how many of its bytes are committed, the last seq given. */
export interface AuditRef {
  generation: number
  bytes: number
  lastSeq: number
}

export const NO_AUDIT: AuditRef = {generation: 0, bytes: 0, lastSeq: 0}

export function sameRef(a: AuditRef, b: AuditRef): boolean {
  return a.generation === b.generation && a.bytes === b.bytes && a.lastSeq === b.lastSeq
}

/** The ref in a layout's `audit` value, if it is one. */
export function auditRefOf(value: unknown): AuditRef | undefined {
  if (!Array.isArray(value) || value.length !== 3 || !value.every((n) => Number.isSafeInteger(n) && n >= 0)) return undefined
  const [generation, bytes, lastSeq] = value as number[]
  return {generation: generation!, bytes: bytes!, lastSeq: lastSeq!}
}

export const encodeRef = (ref: AuditRef) => [ref.generation, ref.bytes, ref.lastSeq]

/** The log file of a store, by generation (the first is `<store>.audit.jsonl`). */
export function auditPath(storePath: string, generation: number): string {
  return join(dirname(storePath), `${basename(storePath)}.audit${generation === 0 ? '' : `.${generation}`}.jsonl`)
}

/** A planned commit of the log: the ref the store will record, and the write that must be durable before it. */
export interface AuditCommit {
  ref: AuditRef
  write(): void
  /** After the store names the new ref: lets go of what it no longer names. */
  done(): void
}

export class FileAuditLog implements AuditLog {
  /** The committed events, once read. */
  private committed?: StoredAuditEvent[]
  private appended: StoredAuditEvent[] = []
  private pruned = false
  private lastSeq: number

  constructor(
    private readonly storePath: string,
    private ref: AuditRef,
  ) {
    this.lastSeq = ref.lastSeq
  }

  get path(): string {
    return auditPath(this.storePath, this.ref.generation)
  }

  events(): readonly StoredAuditEvent[] {
    this.committed ??= readLog(this.storePath, this.ref)
    return this.appended.length === 0 ? this.committed : [...this.committed, ...this.appended]
  }

  append(event: AuditEvent): void {
    this.appended.push({...structuredClone(event), seq: ++this.lastSeq})
  }

  prune(before: string): number {
    const all = this.events()
    const kept = all.filter((event) => event.createdAt >= before)
    // Nothing to remove: nothing to rewrite either.
    if (kept.length === all.length) return 0
    this.committed = kept
    this.appended = []
    this.pruned = true
    return all.length - kept.length
  }

  clone(): AuditLog {
    return new MemoryAuditLog([...this.events()], this.lastSeq + 1)
  }

  savepoint(): () => void {
    // append pushes onto `appended`, prune replaces both arrays: the arrays and a length say it all.
    // Seqs are not given back (as a PostgreSQL sequence): a gap is harmless.
    const {committed, appended, pruned} = this
    const length = appended.length
    return () => {
      appended.length = length
      this.appended = appended
      this.committed = committed
      this.pruned = pruned
    }
  }

  /** What a commit of this state must write of the log (undefined: nothing changed). */
  plan(): AuditCommit | undefined {
    if (!this.pruned && this.appended.length === 0) return undefined
    const from = this.ref
    // A copy of the store without its log (cp store.json elsewhere) has no history: it starts a log of its own.
    const orphaned = !this.pruned && from.bytes > 0 && !existsSync(this.path)
    if (this.pruned || orphaned) {
      const events = orphaned ? [...this.appended] : [...this.committed!, ...this.appended]
      const bytes = Buffer.from(events.map(line).join(''))
      const ref = {generation: from.generation + 1, bytes: bytes.length, lastSeq: this.lastSeq}
      const path = auditPath(this.storePath, ref.generation)
      return {
        ref,
        write: () => writeWhole(path, bytes),
        done: () => {
          this.settle(ref, events)
          try {
            rmSync(auditPath(this.storePath, from.generation), {force: true})
          } catch {
            // The store names the new file already: the old one is only left behind.
          }
        },
      }
    }
    const appended = this.appended
    const bytes = Buffer.from(appended.map(line).join(''))
    const ref = {generation: from.generation, bytes: from.bytes + bytes.length, lastSeq: this.lastSeq}
    return {
      ref,
      write: () => appendAt(this.path, from.bytes, bytes),
      done: () => this.settle(ref, this.committed && [...this.committed, ...appended]),
    }
  }

  /** The log as committed now (the state is kept as the store's cache after its commit). */
  private settle(ref: AuditRef, committed: StoredAuditEvent[] | undefined): void {
    this.ref = ref
    this.committed = committed
    this.appended = []
    this.pruned = false
  }
}

const line = (event: StoredAuditEvent) => `${JSON.stringify(event)}\n`

function failure(path: string, doing: string, error: unknown): Error {
  return storeError(`Cannot ${doing} the audit log ${path}: ${describeOsError(error)}. Check the file and its folder. Nothing was changed.`)
}

/** The committed bytes of the log, as events (a tail past them is an uncommitted write: ignored). */
function readLog(storePath: string, {generation, bytes}: AuditRef): StoredAuditEvent[] {
  if (bytes === 0) return []
  const path = auditPath(storePath, generation)
  let fd: number
  try {
    fd = openSync(path, 'r')
  } catch (error) {
    if (osCode(error) !== 'ENOENT') throw failure(path, 'read', error)
    // Pruned since this version of the store was read: the newer one names the next file.
    if (existsSync(auditPath(storePath, generation + 1))) {
      throw storeError(`The audit log ${path} was pruned while being read: run the command again.`)
    }
    // A copy of the store file without its log: no history.
    return []
  }
  const buffer = Buffer.allocUnsafe(bytes)
  try {
    for (let offset = 0; offset < bytes;) {
      const read = readSync(fd, buffer, offset, bytes - offset, offset)
      if (read === 0) {
        throw storeError(`The audit log ${path} is shorter than the store records (${offset} of ${bytes} bytes): restore it from a backup.`)
      }
      offset += read
    }
  } finally {
    closeSync(fd)
  }
  const events: StoredAuditEvent[] = []
  const lines = buffer.toString('utf8').split('\n')
  // The committed part ends with a whole line: anything else is not what a commit wrote.
  if (lines.pop() !== '')
    throw storeError(`The audit log ${path} cannot be used: line ${lines.length + 1} is not an event. Restore it from a backup.`)
  for (const [i, text] of lines.entries()) {
    let event: StoredAuditEvent
    try {
      event = JSON.parse(text) as StoredAuditEvent
    } catch {
      event = undefined as never
    }
    if (
      !event ||
      typeof event !== 'object' ||
      typeof event.seq !== 'number' ||
      typeof event.action !== 'string' ||
      typeof event.createdAt !== 'string'
    ) {
      throw storeError(`The audit log ${path} cannot be used: line ${i + 1} is not an event. Restore it from a backup.`)
    }
    events.push(event)
  }
  return events
}

/** Writes the bytes at `at` (cutting off any uncommitted tail there first), fsynced. */
function appendAt(path: string, at: number, bytes: Buffer): void {
  let fd: number
  try {
    fd = openSync(path, constants.O_WRONLY | constants.O_CREAT, 0o600)
  } catch (error) {
    throw failure(path, 'write', error)
  }
  try {
    const size = fstatSync(fd).size
    if (size < at) {
      throw storeError(
        `The audit log ${path} is shorter than the store records (${size} of ${at} bytes): restore it from a backup. Nothing was changed.`,
      )
    }
    try {
      if (size > at) ftruncateSync(fd, at)
      for (let offset = 0; offset < bytes.length;) offset += writeSync(fd, bytes, offset, bytes.length - offset, at + offset)
      fsyncSync(fd)
    } catch (error) {
      throw failure(path, 'write', error)
    }
  } finally {
    closeSync(fd)
  }
}

/** A whole new log file, durable before the store names it: written beside it and renamed in. */
function writeWhole(path: string, bytes: Buffer): void {
  const temp = `${path}.${process.pid}.tmp`
  try {
    const fd = openSync(temp, 'w', 0o600)
    try {
      for (let offset = 0; offset < bytes.length;) offset += writeSync(fd, bytes, offset, bytes.length - offset)
      fsyncSync(fd)
    } finally {
      closeSync(fd)
    }
    renameSync(temp, path)
  } catch (error) {
    rmSync(temp, {force: true})
    throw failure(path, 'write', error)
  }
}
