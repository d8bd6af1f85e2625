/**
 * The store's records: versioned JSON, migrated forward on load, checked field by
 * field as they are decoded (a store edited by hand fails loudly, never silently).
 * How the sections are laid out in the file is document.ts.
 */
import {
  type AppOwner,
  type AppPermission,
  type Collaborator,
  type DashboardSession,
  DYNO_SIZES,
  type FormationEntry,
  type LedgerEntry,
  type Membership,
  type Operator,
  ORG_ROLES,
  type OrgRole,
  REGIONS,
  type Region,
  type Token,
  TRANSFER_STATES,
  type Transfer,
  type TransferState,
  type UsageDay,
  type User,
  APP_PERMISSIONS,
  type DynoSize,
} from '../../domain/types.js'
import {parseAppName, parseEmail, parseOrgName, quote} from '../../domain/validation.js'
import type {OrgAppsSummary, OrgHistory, State, StoredApp as App, StoredOrg as Org} from '../memory/state.js'
import {summarizeOrgApps} from '../memory/summaries.js'

export const SCHEMA_VERSION = 5

type Json = Record<string, unknown>

/**
 * Each migration takes a document of version N to N+1.
 * 1 -> 2: orgs gained their usage history and billing ledger.
 * 2 -> 3: orgs' usage histories and ledgers moved to a section of their own (`histories`); the file
 *         gained each org's app summary and a layout of its sections (both written by the next commit).
 * 3 -> 4: the platform's operators (a section of their own, empty until one is named).
 * 4 -> 5: Dashboard sessions and sign-in links (a section of their own, empty until someone signs in).
 */
export const MIGRATIONS: Record<number, (doc: Json) => Json> = {
  1: (doc) => ({
    ...doc,
    schemaVersion: 2,
    orgs: asArray(doc.orgs, 'orgs').map((org) => ({usageHistory: [], ledger: [], ...(org as Json)})),
  }),
  2: (doc) => {
    const orgs = asArray(doc.orgs, 'orgs').map((org, i) => asObject(org, `orgs[${i}]`))
    return {
      ...doc,
      schemaVersion: 3,
      orgs: orgs.map(({usageHistory: _usageHistory, ledger: _ledger, ...org}) => org),
      histories: orgs.map((org) => ({org: org.name, usageHistory: org.usageHistory, ledger: org.ledger})),
    }
  },
  3: (doc) => ({...doc, schemaVersion: 4, operators: []}),
  4: (doc) => ({...doc, schemaVersion: 5, sessions: []}),
}

export class DecodeError extends Error {}

/**
 * Paths (`orgs[3].members[0].role`) are built only to explain a failure: a first pass
 * decodes without them (tens of thousands of records, no throwaway strings), and only
 * when it fails does a second pass run with them, to name the field.
 */
let tracing = false
const at = (path: string, key: string | number): string => (tracing ? (typeof key === 'number' ? `${path}[${key}]` : `${path}.${key}`) : '')

/**
 * Checked decoding, for a file not as orgctl's own commit left it (a hand edit, a copy): each email,
 * org and app name must be one the CLI accepts, written as orgctl stores it, and no record may come
 * twice, so that nothing loads that no command could reach. The same functions check flags, files
 * and HTTP bodies. A file as its commit left it skips these checks (they were made as it was written).
 */
let checking = false

/** An email as orgctl stores it (parseEmail's rules, lower-case), in a checked decode. */
function checkedEmail(value: string, path: string): string {
  if (!checking) return value
  let canonical: string
  try {
    canonical = parseEmail(value)
  } catch {
    fail(path, `a valid email address, not ${quote(value)}`)
  }
  if (canonical !== value) fail(path, `written as orgctl stores emails, ${quote(canonical)}, not ${quote(value)}`)
  return value
}

/** An org or app name the CLI accepts, in a checked decode. */
function checkedName(value: string, path: string, parse: (name: string) => string, what: string): string {
  if (!checking) return value
  try {
    parse(value)
  } catch {
    fail(path, `a valid ${what} name (3 to 30 lowercase letters, digits and dashes), not ${quote(value)}`)
  }
  return value
}

function fail(path: string, expected: string): never {
  throw new DecodeError(`${path} should be ${expected}`)
}

function asObject(value: unknown, path: string): Json {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(path, 'an object')
  return value as Json
}

function asArray(value: unknown, path: string): unknown[] {
  if (!Array.isArray(value)) fail(path, 'a list')
  return value
}

function str(obj: Json, key: string, path: string): string {
  const value = obj[key]
  if (typeof value !== 'string') fail(at(path, key), 'a string')
  return value
}

function num(obj: Json, key: string, path: string): number {
  const value = obj[key]
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) fail(at(path, key), 'a non-negative number')
  return value
}

function oneOf<T extends string>(obj: Json, key: string, allowed: readonly T[], path: string): T {
  const value = str(obj, key, path)
  if (!(allowed as readonly string[]).includes(value)) fail(at(path, key), `one of ${allowed.join(', ')}`)
  return value as T
}

function list<T>(items: unknown, path: string, decode: (item: Json, path: string) => T): T[] {
  const array = asArray(items, path)
  const out: T[] = new Array(array.length)
  for (let i = 0; i < array.length; i++) out[i] = decode(asObject(array[i], at(path, i)), at(path, i))
  return out
}

function keyed<T>(items: unknown, path: string, decode: (item: Json, path: string) => T, key: (item: T) => string): Map<string, T> {
  const map = new Map<string, T>()
  const list = asArray(items, path)
  // Where each key was first seen, to name both records of one that comes twice (checked decodes only).
  const seen = checking ? new Map<string, number>() : undefined
  for (let i = 0; i < list.length; i++) {
    const itemPath = at(path, i)
    const decoded = decode(asObject(list[i], itemPath), itemPath)
    const k = key(decoded)
    if (seen) {
      const first = seen.get(k)
      if (first !== undefined) throw new DecodeError(`${itemPath} repeats ${at(path, first)} (both are ${quote(k)}): remove one of them`)
      seen.set(k, i)
    }
    map.set(k, decoded)
  }
  return map
}

const decodeUser = (o: Json, p: string): User => ({
  id: str(o, 'id', p),
  email: checkedEmail(str(o, 'email', p), at(p, 'email')),
  createdAt: str(o, 'createdAt', p),
})

function decodeMembership(o: Json, p: string): Membership {
  const id = str(o, 'id', p)
  const email = checkedEmail(str(o, 'email', p), at(p, 'email'))
  const role = oneOf<OrgRole>(o, 'role', ORG_ROLES, p)
  const createdAt = str(o, 'createdAt', p)
  const updatedAt = str(o, 'updatedAt', p)
  if (o.userId === undefined) return {id, email, role, createdAt, updatedAt}
  return {id, email, userId: str(o, 'userId', p), role, createdAt, updatedAt}
}

/** A membership with its keys in one order (and no userId key when there is none), decoded or encoded. */
const membershipRecord = ({id, email, userId, role, createdAt, updatedAt}: Membership): Membership =>
  userId === undefined ? {id, email, role, createdAt, updatedAt} : {id, email, userId, role, createdAt, updatedAt}

const decodeUsageDay = (o: Json, p: string): UsageDay => ({
  date: str(o, 'date', p),
  apps: num(o, 'apps', p),
  members: num(o, 'members', p),
  dynoUnits: num(o, 'dynoUnits', p),
})

const decodeLedger = (o: Json, p: string): LedgerEntry => ({
  at: str(o, 'at', p),
  app: str(o, 'app', p),
  dynoUnits: num(o, 'dynoUnits', p),
  monthlyCents: num(o, 'monthlyCents', p),
})

function decodeOrg(o: Json, p: string): Org {
  const limits = asObject(o.limits, at(p, 'limits'))
  return {
    id: str(o, 'id', p),
    name: checkedName(str(o, 'name', p), at(p, 'name'), parseOrgName, 'org'),
    createdAt: str(o, 'createdAt', p),
    updatedAt: str(o, 'updatedAt', p),
    limits: {apps: num(limits, 'apps', p), members: num(limits, 'members', p), 'dyno-units': num(limits, 'dyno-units', p)},
    members: keyed(o.members, at(p, 'members'), decodeMembership, (m) => m.email),
  }
}

const decodeHistory = (o: Json, p: string): OrgHistory & {org: string} => ({
  org: checkedName(str(o, 'org', p), at(p, 'org'), parseOrgName, 'org'),
  usageHistory: list(o.usageHistory, at(p, 'usageHistory'), decodeUsageDay),
  ledger: list(o.ledger, at(p, 'ledger'), decodeLedger),
})

const decodeCollaborator = (o: Json, p: string): Collaborator => ({
  id: str(o, 'id', p),
  email: checkedEmail(str(o, 'email', p), at(p, 'email')),
  permissions: asArray(o.permissions, at(p, 'permissions')).map((permission) => {
    if (!(APP_PERMISSIONS as readonly unknown[]).includes(permission)) fail(at(p, 'permissions'), `a list of ${APP_PERMISSIONS.join(', ')}`)
    return permission as AppPermission
  }),
  createdAt: str(o, 'createdAt', p),
  updatedAt: str(o, 'updatedAt', p),
})

const decodeFormation = (o: Json, p: string): FormationEntry => ({
  id: str(o, 'id', p),
  type: str(o, 'type', p),
  quantity: num(o, 'quantity', p),
  size: oneOf<DynoSize>(o, 'size', Object.keys(DYNO_SIZES) as DynoSize[], p),
  createdAt: str(o, 'createdAt', p),
  updatedAt: str(o, 'updatedAt', p),
})

function decodeOwner(value: unknown, p: string): AppOwner {
  const o = asObject(value, p)
  const kind = oneOf(o, 'kind', ['user', 'org'] as const, p)
  return kind === 'user'
    ? {kind, email: checkedEmail(str(o, 'email', p), at(p, 'email'))}
    : {kind, name: checkedName(str(o, 'name', p), at(p, 'name'), parseOrgName, 'org')}
}

function decodeApp(o: Json, p: string): App {
  if (typeof o.locked !== 'boolean') fail(at(p, 'locked'), 'true or false')
  return {
    id: str(o, 'id', p),
    name: checkedName(str(o, 'name', p), at(p, 'name'), parseAppName, 'app'),
    owner: decodeOwner(o.owner, at(p, 'owner')),
    region: oneOf<Region>(o, 'region', REGIONS, p),
    locked: o.locked,
    createdAt: str(o, 'createdAt', p),
    updatedAt: str(o, 'updatedAt', p),
    collaborators: keyed(o.collaborators, at(p, 'collaborators'), decodeCollaborator, (c) => c.email),
    formation: keyed(o.formation, at(p, 'formation'), decodeFormation, (f) => f.type),
  }
}

const decodeTransfer = (o: Json, p: string): Transfer => ({
  id: str(o, 'id', p),
  app: str(o, 'app', p),
  appId: str(o, 'appId', p),
  from: str(o, 'from', p),
  to: str(o, 'to', p),
  state: oneOf<TransferState>(o, 'state', TRANSFER_STATES, p),
  createdAt: str(o, 'createdAt', p),
  updatedAt: str(o, 'updatedAt', p),
})

const decodeOperator = (o: Json, p: string): Operator => ({
  email: checkedEmail(str(o, 'email', p), at(p, 'email')),
  createdAt: str(o, 'createdAt', p),
})

const decodeToken = (o: Json, p: string): Token => ({
  id: str(o, 'id', p),
  email: checkedEmail(str(o, 'email', p), at(p, 'email')),
  hash: str(o, 'hash', p),
  description: str(o, 'description', p),
  createdAt: str(o, 'createdAt', p),
})

const SESSION_KINDS = ['session', 'link'] as const

const decodeSession = (o: Json, p: string): DashboardSession => ({
  hash: str(o, 'hash', p),
  kind: oneOf(o, 'kind', SESSION_KINDS, p),
  email: checkedEmail(str(o, 'email', p), at(p, 'email')),
  createdAt: str(o, 'createdAt', p),
  expiresAt: str(o, 'expiresAt', p),
})

/** The sections of a document, in file order: each is decoded only when first used. */
export const SECTIONS = ['users', 'orgs', 'histories', 'apps', 'transfers', 'tokens', 'operators', 'sessions'] as const
export type SectionName = (typeof SECTIONS)[number]
/** The records of the store file (the audit log is a file of its own: json/audit-file.ts). */
export type Sections = Pick<State, SectionName>

const SECTION_DECODERS: {[K in SectionName]: (value: unknown) => Sections[K]} = {
  users: (value) => keyed(value, 'users', decodeUser, (u) => u.email),
  orgs: (value) => keyed(value, 'orgs', decodeOrg, (o) => o.name),
  histories: (value) => {
    const histories = new Map<string, OrgHistory>()
    const records = list(value, 'histories', decodeHistory)
    for (const [i, {org, ...history}] of records.entries()) {
      if (checking && histories.has(org)) {
        const first = records.findIndex((record) => record.org === org)
        throw new DecodeError(`${at('histories', i)} repeats ${at('histories', first)} (both are ${quote(org)}): remove one of them`)
      }
      histories.set(org, history)
    }
    return histories
  },
  apps: (value) => keyed(value, 'apps', decodeApp, (a) => a.name),
  transfers: (value) => keyed(value, 'transfers', decodeTransfer, (t) => t.id),
  tokens: (value) => keyed(value, 'tokens', decodeToken, (t) => t.id),
  operators: (value) => keyed(value, 'operators', decodeOperator, (o) => o.email),
  sessions: (value) => keyed(value, 'sessions', decodeSession, (s) => s.hash),
}

/*
 * Each record is written with its keys in one order, whatever order the code that made it used: the
 * same state always encodes to the same bytes (a change that changes nothing writes nothing, and a
 * section re-encoded after a check equals the one a commit wrote).
 */
const userRecord = ({id, email, createdAt}: User) => ({id, email, createdAt})
const ownerRecord = (owner: AppOwner) =>
  owner.kind === 'user' ? {kind: owner.kind, email: owner.email} : {kind: owner.kind, name: owner.name}
const collaboratorRecord = ({id, email, permissions, createdAt, updatedAt}: Collaborator) => ({
  id,
  email,
  permissions,
  createdAt,
  updatedAt,
})
const formationRecord = ({id, type, quantity, size, createdAt, updatedAt}: FormationEntry) => ({
  id,
  type,
  quantity,
  size,
  createdAt,
  updatedAt,
})
const dayRecord = ({date, apps, members, dynoUnits}: UsageDay) => ({date, apps, members, dynoUnits})
const ledgerRecord = ({at: when, app, dynoUnits, monthlyCents}: LedgerEntry) => ({at: when, app, dynoUnits, monthlyCents})
const transferRecord = ({id, app, appId, from, to, state, createdAt, updatedAt}: Transfer) => ({
  id,
  app,
  appId,
  from,
  to,
  state,
  createdAt,
  updatedAt,
})
const tokenRecord = ({id, email, hash, description, createdAt}: Token) => ({id, email, hash, description, createdAt})

const SECTION_ENCODERS: {[K in SectionName]: (records: Sections[K]) => unknown[]} = {
  users: (users) => [...users.values()].map(userRecord),
  orgs: (orgs) =>
    [...orgs.values()].map(({id, name, createdAt, updatedAt, limits, members}) => ({
      id,
      name,
      createdAt,
      updatedAt,
      limits: {apps: limits.apps, members: limits.members, 'dyno-units': limits['dyno-units']},
      members: [...members.values()].map(membershipRecord),
    })),
  histories: (histories) =>
    [...histories].map(([org, {usageHistory, ledger}]) => ({
      org,
      usageHistory: usageHistory.map(dayRecord),
      ledger: ledger.map(ledgerRecord),
    })),
  apps: (apps) =>
    [...apps.values()].map(({id, name, owner, region, locked, createdAt, updatedAt, collaborators, formation}) => ({
      id,
      name,
      owner: ownerRecord(owner),
      region,
      locked,
      createdAt,
      updatedAt,
      collaborators: [...collaborators.values()].map(collaboratorRecord),
      formation: [...formation.values()].map(formationRecord),
    })),
  transfers: (transfers) => [...transfers.values()].map(transferRecord),
  tokens: (tokens) => [...tokens.values()].map(tokenRecord),
  operators: (operators) => [...operators.values()].map(({email, createdAt}) => ({email, createdAt})),
  sessions: (sessions) =>
    [...sessions.values()].map(({hash, kind, email, createdAt, expiresAt}) => ({hash, kind, email, createdAt, expiresAt})),
}

/** Runs a decode (checked or not), and when it fails, runs it again naming the bad field. */
function traced<T>(decode: () => T, checked: boolean): T {
  const outer = checking
  checking = checked
  try {
    return decode()
  } catch (error) {
    if (!(error instanceof DecodeError)) throw error
    tracing = true
    try {
      return decode()
    } finally {
      tracing = false
    }
  } finally {
    checking = outer
  }
}

/**
 * Decodes one section's parsed JSON; `checked`: with the checks of a file not as orgctl left it.
 * Throws DecodeError naming the bad field.
 */
export function decodeSection<K extends SectionName>(name: K, parsed: unknown, checked = false): Sections[K] {
  return traced(() => SECTION_DECODERS[name](parsed), checked)
}

/**
 * What no single record shows: every org app's org exists. For a state decoded with checks.
 * Throws DecodeError naming the record.
 */
export function checkReferences(state: Pick<State, 'orgs' | 'apps'>): void {
  let i = 0
  for (const app of state.apps.values()) {
    if (app.owner.kind === 'org' && !state.orgs.has(app.owner.name)) {
      throw new DecodeError(
        `apps[${i}].owner.name names the org ${quote(app.owner.name)}, which is not in the store: fix the owner, or restore the org`,
      )
    }
    i++
  }
}

/** One section's JSON text. */
export function encodeSection<K extends SectionName>(name: K, records: Sections[K]): string {
  return JSON.stringify(SECTION_ENCODERS[name](records))
}

/**
 * Decodes a whole parsed store document, migrating it forward first, with every check (such a file
 * was edited, or written by an older orgctl). Throws DecodeError naming the bad field.
 */
export function decodeState(parsed: unknown): Sections {
  const state = traced(() => decodeDocument(parsed), true)
  checkReferences(state)
  return state
}

function decodeDocument(parsed: unknown): Sections {
  let doc = asObject(parsed, 'the store')
  const version = doc.schemaVersion
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 1) fail('schemaVersion', 'a whole number')
  if (version > SCHEMA_VERSION) throw newerVersion(version)
  for (let v = version; v < SCHEMA_VERSION; v++) doc = MIGRATIONS[v]!(doc)
  return {
    users: SECTION_DECODERS.users(doc.users),
    orgs: SECTION_DECODERS.orgs(doc.orgs),
    histories: SECTION_DECODERS.histories(doc.histories),
    apps: SECTION_DECODERS.apps(doc.apps),
    transfers: SECTION_DECODERS.transfers(doc.transfers),
    tokens: SECTION_DECODERS.tokens(doc.tokens),
    operators: SECTION_DECODERS.operators(doc.operators),
    sessions: SECTION_DECODERS.sessions(doc.sessions),
  }
}

export function newerVersion(version: number): DecodeError {
  return new DecodeError(`it has schema version ${version}, newer than this orgctl understands (${SCHEMA_VERSION}): upgrade orgctl`)
}

/** The org app summaries' JSON text, from the apps. */
export function encodeOrgAppsSummaries(apps: State['apps']): string {
  const out: Json = {}
  for (const [name, {apps: count, dynoUnits, collaborators, since}] of summarizeOrgApps(apps.values())) {
    out[name] = {apps: count, dynoUnits, collaborators: [...collaborators], since: Object.fromEntries(since ?? [])}
  }
  return JSON.stringify(out)
}

/** Decodes the org app summaries. Throws DecodeError naming the bad field. */
export function decodeOrgAppsSummaries(parsed: unknown): Map<string, OrgAppsSummary> {
  return traced(() => {
    const summaries = new Map<string, OrgAppsSummary>()
    for (const [name, value] of Object.entries(asObject(parsed, 'orgApps'))) {
      const p = at('orgApps', name)
      const o = asObject(value, p)
      const collaborators = asArray(o.collaborators, at(p, 'collaborators'))
      if (!collaborators.every((email) => typeof email === 'string')) fail(at(p, 'collaborators'), 'a list of emails')
      // When each was first given access (absent in summaries written before it was kept: counted from the apps then).
      const since = o.since === undefined ? undefined : Object.entries(asObject(o.since, at(p, 'since')))
      if (since && !since.every(([, when]) => typeof when === 'string')) fail(at(p, 'since'), 'emails and times')
      summaries.set(name, {
        apps: num(o, 'apps', p),
        dynoUnits: num(o, 'dynoUnits', p),
        collaborators: new Set(collaborators as string[]),
        ...(since ? {since: new Map(since as [string, string][])} : {}),
      })
    }
    return summaries
  }, false)
}
