/**
 * The in-memory shape of a whole store: maps of records, with each org's members and each app's
 * collaborators and formation kept inside them. The memory engine holds one; the embedded JSON file
 * decodes into one (src/lib/storage/json). Only the repositories over it (state-tx.ts) touch it.
 */
import type {
  App,
  Collaborator,
  DashboardSession,
  FormationEntry,
  LedgerEntry,
  Membership,
  Operator,
  Org,
  Token,
  Transfer,
  UsageDay,
  User,
} from '../../domain/types.js'
import {type AuditLog, MemoryAuditLog} from './audit-log.js'

export interface StoredOrg extends Org {
  members: Map<string, Membership>
}

export interface StoredApp extends App {
  collaborators: Map<string, Collaborator>
  formation: Map<string, FormationEntry>
}

/** What an org has used over time: apart from the org, so that reading its members does not read it. */
export interface OrgHistory {
  usageHistory: UsageDay[]
  ledger: LedgerEntry[]
}

/** What an org's apps add up to: what member lists, standings and limits need of them. */
export interface OrgAppsSummary {
  apps: number
  dynoUnits: number
  /** Everyone an app of the org is shared with. */
  collaborators: ReadonlySet<string>
  /** When each of them was first given access to one of its apps (absent in a summary kept without it). */
  since?: ReadonlyMap<string, string>
}

export interface State {
  users: Map<string, User>
  orgs: Map<string, StoredOrg>
  /** By org name. */
  histories: Map<string, OrgHistory>
  apps: Map<string, StoredApp>
  transfers: Map<string, Transfer>
  tokens: Map<string, Token>
  /** By email. */
  operators: Map<string, Operator>
  /** Dashboard sessions and sign-in links, by hash (not org data: no export or copy carries them). */
  sessions: Map<string, DashboardSession>
  /** The audit log (its own file on the JSON engine, read only when asked). */
  audit: AuditLog
  /**
   * Each org's apps summed up, by org name, when the file kept it and the apps have not been read:
   * then a member list or a limit check need not read thousands of apps. Undefined otherwise
   * (count from `apps`); an org missing from it has no apps.
   */
  readonly orgAppsSummaries?: ReadonlyMap<string, OrgAppsSummary>
}

export function emptyState(): State {
  return {
    users: new Map(),
    orgs: new Map(),
    histories: new Map(),
    apps: new Map(),
    transfers: new Map(),
    tokens: new Map(),
    operators: new Map(),
    sessions: new Map(),
    audit: new MemoryAuditLog(),
  }
}

/** A deep copy (the memory engine's working copy for one write). */
export function cloneState(state: State): State {
  const copy = copyRecords(state)
  copy.audit = state.audit.clone()
  return copy
}

/**
 * A nested unit's start: the records copied and the audit log marked (not read: on the JSON engine
 * it is a file read only by a query). The function returned puts the state back so, in place.
 */
export function savepoint(state: State): () => void {
  const saved = copyRecords(state)
  const audit = state.audit.savepoint()
  return () => {
    restoreState(state, saved)
    audit()
  }
}

/** Every section but the audit log, copied (the copy's log is empty). */
function copyRecords(state: State): State {
  const copy = emptyState()
  for (const [key, user] of state.users) copy.users.set(key, {...user})
  for (const [key, org] of state.orgs) copy.orgs.set(key, {...org, limits: {...org.limits}, members: copyMap(org.members)})
  for (const [key, history] of state.histories) {
    copy.histories.set(key, {
      usageHistory: history.usageHistory.map((day) => ({...day})),
      ledger: history.ledger.map((entry) => ({...entry})),
    })
  }
  for (const [key, app] of state.apps) {
    copy.apps.set(key, {...app, owner: {...app.owner}, collaborators: copyMap(app.collaborators), formation: copyMap(app.formation)})
  }
  for (const [key, transfer] of state.transfers) copy.transfers.set(key, {...transfer})
  for (const [key, token] of state.tokens) copy.tokens.set(key, {...token})
  for (const [key, operator] of state.operators) copy.operators.set(key, {...operator})
  for (const [key, session] of state.sessions) copy.sessions.set(key, {...session})
  return copy
}

function copyMap<T extends object>(map: Map<string, T>): Map<string, T> {
  return new Map([...map].map(([key, value]) => [key, {...value}]))
}

/**
 * Puts a state back as a copy of it was (copyRecords), in place: the repositories over it hold the
 * state itself, not its maps, so they see it at once. What a nested unit that failed leaves. Every
 * section the copy has is put back (a Map or an array), so a section added to State and to
 * cloneState needs nothing here; the audit log is put back by its own savepoint.
 */
function restoreState(state: State, saved: State): void {
  for (const [section, records] of Object.entries(saved)) {
    if (section === 'audit') continue
    const target = (state as unknown as Record<string, unknown>)[section]
    if (records instanceof Map && target instanceof Map) {
      target.clear()
      for (const [key, value] of records) target.set(key, value)
    } else if (Array.isArray(records) && Array.isArray(target)) {
      target.length = 0
      for (const record of records) target.push(record)
    } else if (records !== undefined) {
      throw new Error(`restoreState cannot put back the section ${section}: make it a Map or an array.`)
    }
  }
}
