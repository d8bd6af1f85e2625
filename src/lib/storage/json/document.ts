/**
 * The store file: one JSON document in sections, with the byte range of each in a `layout` at its end.
 *
 *   {"schemaVersion":5,"revision":"…","users":[…],"orgs":[…],"histories":[…],"apps":[…],"transfers":[…],
 *    "tokens":[…],"operators":[…],"sessions":[…],"orgApps":{…},"layout":{"users":[start,end],…,"orgApps":[start,end],"crc32":N}}
 *
 * A reader parses only the sections it uses, and a commit re-encodes only those it decoded, copying
 * the others' bytes: listing an org's 2,000 members does not parse its 5,000 apps. `orgApps` sums up
 * each org's apps (count, dyno units, who they are shared with), derived from `apps` by every commit
 * that changes them. It is trusted while the file's mtime is still the one its commit set (`written`,
 * in ms); otherwise (a hand edit, a copy) only if the crc32 of `apps` and `orgApps` still matches.
 * A file that does not match its layout (an older schema, a hand edit that moved bytes, a reformat)
 * is read the slow, safe way: parsed whole and checked field by field.
 *
 * The file need not even be read whole: the store reads its end first, and leaves the apps (most
 * of a big store) unread until a section that needs them is used (`StoreFile.fill`).
 *
 * A file laid out by schema 3 (no `operators`, no `sessions`) or 4 (no `sessions`) is read the same lazy
 * way, with those sections empty: the next commit writes it as schema 5. Migrating it would mean
 * reading it whole on every command until then.
 */
import {zlib} from '../../builtins.js'
import {storeError} from '../../errors.js'
import type {OrgAppsSummary, State} from '../memory/state.js'
import {type AuditCommit, type AuditRef, auditRefOf, encodeRef, FileAuditLog, NO_AUDIT} from './audit-file.js'
import {
  checkReferences,
  DecodeError,
  decodeOrgAppsSummaries,
  decodeSection,
  decodeState,
  encodeOrgAppsSummaries,
  encodeSection,
  newerVersion,
  SCHEMA_VERSION,
  SECTIONS,
  type SectionName,
  type Sections,
} from './codec.js'

const PARTS = [...SECTIONS, 'orgApps'] as const
type Part = (typeof PARTS)[number]
/** The parts an older schema's laid-out file lacks (each came later, and is empty in such a file). */
const MISSING_IN: Record<string, readonly Part[]> = {3: ['operators', 'sessions'], 4: ['sessions']}
type Bodies = Record<Part, Buffer>

const LAYOUT_KEY = Buffer.from(',"layout":')
const EMPTY_BODIES: Bodies = {
  users: Buffer.from('[]'),
  orgs: Buffer.from('[]'),
  histories: Buffer.from('[]'),
  apps: Buffer.from('[]'),
  transfers: Buffer.from('[]'),
  tokens: Buffer.from('[]'),
  operators: Buffer.from('[]'),
  sessions: Buffer.from('[]'),
  orgApps: Buffer.from('{}'),
}

/** A store file's bytes: all of them, or a buffer of the file's size whose unread ranges `fill` reads on demand. */
export interface StoreFile {
  bytes: Buffer
  fill?: (start: number, end: number) => void
}

/** The state of one committed version of the store, decoded section by section as it is used. */
export class StoreState implements State {
  private readonly decoded: Partial<Pick<State, SectionName>>
  private summaries?: Map<string, OrgAppsSummary>
  private intact?: boolean
  private auditLog?: FileAuditLog
  /** What of the audit log the last encode() planned to write (json-store.ts writes it before the store). */
  auditPlan?: AuditCommit

  private constructor(
    private readonly path: string,
    /** The bytes of each section as committed (for a file read whole: as it would be written). */
    private readonly bodies: Bodies,
    /** The crc32 of `apps` and `orgApps`, when the file's layout vouches for them. */
    private readonly crc32: number | undefined,
    /** The file is as its commit left it (its mtime unchanged): no need to check the crc32. */
    private readonly untouched = false,
    decoded: Partial<Pick<State, SectionName>> = {},
    /** Reads a part's bytes in, when the file was not read whole. */
    private readonly fillPart?: (part: Part) => void,
    /**
     * Sections are decoded with the checks of a file not as orgctl left it (see codec.ts): its mtime
     * is not its commit's (a hand edit in place, a copy). A file read whole was checked whole already.
     */
    private readonly checked = false,
    /** How much of the audit log beside the store is committed. */
    private readonly auditRef: AuditRef = NO_AUDIT,
  ) {
    this.decoded = decoded
  }

  /** The store with nothing in it yet (no file). */
  static empty(path: string): StoreState {
    return new StoreState(path, EMPTY_BODIES, undefined)
  }

  /**
   * The state in a store file's bytes, read when the file's mtime was `mtimeMs`.
   * Throws a store error naming the file when they cannot be used.
   */
  static read(path: string, {bytes, fill}: StoreFile, mtimeMs?: number): StoreState {
    const version = /^\{"schemaVersion":(\d+),/.exec(bytes.toString('latin1', 0, 32))?.[1]
    if (version !== undefined && Number(version) > SCHEMA_VERSION) throw unusable(path, newerVersion(Number(version)))
    const laidOut =
      version === String(SCHEMA_VERSION) ? layoutOf(bytes, PARTS) : version === undefined ? undefined : olderLayoutOf(bytes, version)
    if (laidOut) {
      const untouched = mtimeMs !== undefined && Math.round(mtimeMs) === laidOut.written
      const fillPart = fill && ((part: Part) => fill(...laidOut.ranges[part]))
      return new StoreState(path, laidOut.bodies, laidOut.crc32, untouched, {}, fillPart, !untouched, laidOut.audit)
    }
    fill?.(0, bytes.length)
    // Read whole: every section decoded now, and its bytes as this orgctl would write them
    // (so that a change that changes nothing still writes nothing).
    let parsed: unknown
    try {
      parsed = JSON.parse(bytes.toString('utf8'))
    } catch {
      throw notJson(path)
    }
    let state: Sections
    try {
      state = decodeState(parsed)
    } catch (error) {
      throw unusable(path, error)
    }
    const bodies = {orgApps: Buffer.from(encodeOrgAppsSummaries(state.apps))} as Bodies
    for (const name of SECTIONS) bodies[name] = Buffer.from(encodeSection(name, state[name] as never))
    const layout = (parsed as {layout?: {audit?: unknown}} | null)?.layout
    return new StoreState(path, bodies, undefined, false, state, undefined, false, auditRefOf(layout?.audit) ?? NO_AUDIT)
  }

  /** Reads in whatever part of the file is still unread (before the file is let go). */
  materialize(): void {
    for (const part of PARTS) this.body(part)
  }

  /** A part's committed bytes, read in first if they were not. */
  private body(part: Part): Buffer {
    this.fillPart?.(part)
    return this.bodies[part]
  }

  get users(): State['users'] {
    return (this.decoded.users ??= this.decode('users'))
  }

  get orgs(): State['orgs'] {
    return (this.decoded.orgs ??= this.decode('orgs'))
  }

  get histories(): State['histories'] {
    return (this.decoded.histories ??= this.decode('histories'))
  }

  get apps(): State['apps'] {
    return (this.decoded.apps ??= this.decode('apps'))
  }

  get transfers(): State['transfers'] {
    return (this.decoded.transfers ??= this.decode('transfers'))
  }

  get tokens(): State['tokens'] {
    return (this.decoded.tokens ??= this.decode('tokens'))
  }

  get operators(): State['operators'] {
    return (this.decoded.operators ??= this.decode('operators'))
  }

  get sessions(): State['sessions'] {
    return (this.decoded.sessions ??= this.decode('sessions'))
  }

  /** The audit log beside the store: opened only when its events are asked for. */
  get audit(): FileAuditLog {
    return (this.auditLog ??= new FileAuditLog(this.path, this.auditRef))
  }

  /** Kept summaries, while the apps are unread (once read, they may change: count from them). */
  get orgAppsSummaries(): ReadonlyMap<string, OrgAppsSummary> | undefined {
    if (this.decoded.apps !== undefined || !this.summariesIntact()) return undefined
    this.summaries ??= this.parse('orgApps', decodeOrgAppsSummaries)
    return this.summaries
  }

  /**
   * The document to write for this state under a new revision and the time it is written (ms, to
   * be set as the file's mtime), or undefined when it is the committed one (nothing to write).
   * Sections never decoded are copied byte for byte.
   */
  encode(): ((revision: string, writtenMs: number) => Buffer) | undefined {
    let bodies = this.encodeParts()
    this.auditPlan = this.auditLog?.plan()
    const auditRef = this.auditPlan?.ref ?? this.auditRef
    if (PARTS.every((part) => bodies[part] === this.bodies[part]) && !this.auditPlan) return undefined
    if (this.checked) {
      // The new file will be trusted by its mtime: every section of this one is checked before any
      // of it is copied there (an edited section no command read must not be passed on unchecked).
      for (const name of SECTIONS) void this[name]
      try {
        checkReferences(this)
      } catch (error) {
        throw unusable(this.path, error)
      }
      bodies = this.encodeParts()
    }
    if (this.decoded.apps === undefined && !this.summariesIntact()) {
      // The summaries no longer match the apps (an edit by hand): made again from the apps, never
      // copied under a new mtime that would vouch for them.
      void this.apps
      bodies = this.encodeParts()
    }
    const copied = bodies.apps === this.bodies.apps && bodies.orgApps === this.bodies.orgApps
    const crc32 = copied && this.summariesIntact() ? this.crc32! : zlib().crc32(bodies.orgApps, zlib().crc32(bodies.apps))
    return (revision, writtenMs) => assemble(bodies, crc32, revision, writtenMs, auditRef)
  }

  private encodeParts(): Bodies {
    const bodies = {} as Bodies
    for (const name of SECTIONS) {
      const records = this.decoded[name]
      bodies[name] = records === undefined ? this.body(name) : this.sameOr(name, Buffer.from(encodeSection(name, records as never)))
    }
    const apps = this.decoded.apps
    bodies.orgApps = apps === undefined ? this.body('orgApps') : this.sameOr('orgApps', Buffer.from(encodeOrgAppsSummaries(apps)))
    return bodies
  }

  /** Whether the kept summaries are those of the apps: the file is as its commit left it, or its crc32 still matches. */
  private summariesIntact(): boolean {
    this.intact ??=
      this.crc32 !== undefined && (this.untouched || zlib().crc32(this.body('orgApps'), zlib().crc32(this.body('apps'))) === this.crc32)
    return this.intact
  }

  /** The committed bytes when a fresh encoding equals them (unchanged), else the fresh ones. */
  private sameOr(part: Part, fresh: Buffer): Buffer {
    return fresh.equals(this.body(part)) ? this.bodies[part] : fresh
  }

  private decode<K extends SectionName>(name: K): Sections[K] {
    return this.parse(name, (parsed) => decodeSection(name, parsed, this.checked))
  }

  private parse<T>(part: Part, decode: (parsed: unknown) => T): T {
    // Read in first, outside the JSON check: a failed read is not a corrupt file.
    const text = this.body(part).toString('utf8')
    let parsed: unknown
    try {
      parsed = JSON.parse(text)
    } catch {
      throw notJson(this.path)
    }
    try {
      return decode(parsed)
    } catch (error) {
      throw unusable(this.path, error)
    }
  }
}

/** The sections of a file written by this schema, if its layout matches its bytes. */
/**
 * Where the apps are in a file, from its last bytes (`tail`, the file's last bytes, of a file of
 * `size` bytes), if they hold a layout: the range a reader may leave unread for now.
 */
export function appsRangeIn(tail: Buffer, size: number): [number, number] | undefined {
  const layout = layoutJson(tail)
  const range = layout?.apps
  if (!Array.isArray(range) || range.length !== 2 || !range.every((n) => Number.isInteger(n))) return undefined
  const [start, end] = range as [number, number]
  return start >= 0 && start <= end && end <= size - tail.length + (layout!.at as number) ? [start, end] : undefined
}

/** The layout object at the end of the bytes (and where its key starts), if there is one. */
function layoutJson(bytes: Buffer): (Record<string, unknown> & {at: number}) | undefined {
  const at = bytes.lastIndexOf(LAYOUT_KEY)
  if (at < 0 || bytes[bytes.length - 1] !== 0x7d /* } */) return undefined
  try {
    const layout = JSON.parse(bytes.toString('utf8', at + LAYOUT_KEY.length, bytes.length - 1)) as unknown
    return typeof layout === 'object' && layout !== null && !Array.isArray(layout)
      ? {...(layout as Record<string, unknown>), at}
      : undefined
  } catch {
    return undefined
  }
}

interface Layout {
  bodies: Bodies
  ranges: Record<Part, [number, number]>
  crc32: number
  written: number
  audit: AuditRef
}

/** An older schema's layout, with empty parts for those it lacks (nothing of the file to read for them). */
function olderLayoutOf(bytes: Buffer, version: string): Layout | undefined {
  const missing = MISSING_IN[version]
  if (!missing) return undefined
  const layout = layoutOf(
    bytes,
    PARTS.filter((part) => !missing.includes(part)),
  )
  if (!layout) return undefined
  for (const part of missing) {
    layout.bodies[part] = EMPTY_BODIES[part]
    layout.ranges[part] = [0, 0]
  }
  return layout
}

function layoutOf(bytes: Buffer, parts: readonly Part[]): Layout | undefined {
  const layout = layoutJson(bytes)
  if (!layout) return undefined
  const {at} = layout
  const {crc32, written} = layout
  if (typeof crc32 !== 'number' || !Number.isInteger(crc32) || typeof written !== 'number') return undefined
  const bodies = {} as Bodies
  const ranges = {} as Record<Part, [number, number]>
  // The sections must tile the document: each right after its key, each key right after the
  // section before, and the last ending where the layout begins. Anything else is a hand edit.
  let previousEnd: number | undefined
  for (const part of parts) {
    const range = layout[part]
    if (!Array.isArray(range) || range.length !== 2) return undefined
    const [start, end] = range as unknown[]
    if (!Number.isInteger(start) || !Number.isInteger(end) || (start as number) > (end as number) || (end as number) > at) return undefined
    const key = Buffer.from(`,"${part}":`)
    const keyStart = (start as number) - key.length
    if (previousEnd !== undefined && keyStart !== previousEnd) return undefined
    if (keyStart < 0 || !bytes.subarray(keyStart, start as number).equals(key)) return undefined
    bodies[part] = bytes.subarray(start as number, end as number)
    ranges[part] = [start as number, end as number]
    previousEnd = end as number
  }
  if (previousEnd !== at) return undefined
  return {bodies, ranges, crc32, written, audit: auditRefOf(layout.audit) ?? NO_AUDIT}
}

function assemble(bodies: Bodies, crc32: number, revision: string, writtenMs: number, audit: AuditRef): Buffer {
  const parts: Buffer[] = [Buffer.from(`{"schemaVersion":${SCHEMA_VERSION},"revision":"${revision}"`)]
  let offset = parts[0]!.length
  const layout: Record<string, unknown> = {}
  for (const part of PARTS) {
    const key = Buffer.from(`,"${part}":`)
    parts.push(key, bodies[part])
    layout[part] = [offset + key.length, offset + key.length + bodies[part].length]
    offset += key.length + bodies[part].length
  }
  layout.crc32 = crc32
  layout.written = writtenMs
  // Only once there is a log: a store without one is written as before.
  if (audit.lastSeq > 0 || audit.generation > 0) layout.audit = encodeRef(audit)
  parts.push(LAYOUT_KEY, Buffer.from(`${JSON.stringify(layout)}}`))
  return Buffer.concat(parts)
}

function notJson(path: string): Error {
  return storeError(
    `The store ${path} is not valid JSON (corrupt or edited by hand): restore it from a backup, or point ORGCTL_STORE elsewhere. It was left as it is.`,
  )
}

function unusable(path: string, error: unknown): Error {
  if (!(error instanceof DecodeError)) return error as Error
  return storeError(
    `The store ${path} cannot be used: ${error.message}. Fix that record by hand, or restore the file from a backup; it was left as it is.`,
  )
}
