/**
 * The repositories over one in-memory State: the memory engine's transactions, and the JSON file's
 * (which decodes the file into a State). Records go in and out as copies, so that nothing the domain
 * holds is live: a change is written only by a repository call, as on PostgreSQL.
 */
import {byCreation, byKey} from '../../domain/order.js'
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
import {conflict} from '../../errors.js'
import type {OrgFigures, OutsideCollaborator, StampScope, WriteTx} from '../storage.js'
import {savepoint, type OrgAppsSummary, type OrgHistory, type State, type StoredApp, type StoredOrg} from './state.js'
import {summarizeApps, summarizeOrgApps} from './summaries.js'
import {selectEvents} from './audit-log.js'

const byEmail = byKey((record: {email: string}) => record.email)
const byName = byKey((record: {name: string}) => record.name)
const byType = byKey((record: {type: string}) => record.type)

const NO_APPS: OrgAppsSummary = {apps: 0, dynoUnits: 0, collaborators: new Set()}

/** Token records by hash, per state (dropped when a write changes its tokens). */
const tokenIndexes = new WeakMap<State, Map<string, Token>>()

function orgOf({members: _members, ...org}: StoredOrg): Org {
  return {...org, limits: {...org.limits}}
}

function appOf({collaborators: _collaborators, formation: _formation, ...app}: StoredApp): App {
  return {...app, owner: {...app.owner}}
}

const copy = <T extends object>(record: T): T => ({...record})
const copyCollaborator = (record: Collaborator): Collaborator => ({...record, permissions: [...record.permissions]})

/**
 * A transaction over a state. Locks are no-ops: the engine around it runs one write at a time.
 * `stamp` is the engine's version of the whole state (any change anywhere changes it).
 */
export function stateTx(state: State, stamp: () => string | undefined): WriteTx {
  const org = (name: string): StoredOrg | undefined => state.orgs.get(name)
  const app = (name: string): StoredApp | undefined => state.apps.get(name)
  const orgApps = function* (name: string): Iterable<StoredApp> {
    for (const candidate of state.apps.values()) {
      if (candidate.owner.kind === 'org' && candidate.owner.name === name) yield candidate
    }
  }
  /** Kept by the file while its apps are unread; else counted (the whole summary only when it carries `since`). */
  const summary = (name: string): OrgAppsSummary => {
    const kept = state.orgAppsSummaries
    if (kept) return kept.get(name) ?? NO_APPS
    return summarizeApps(orgApps(name))
  }
  const since = (name: string): ReadonlyMap<string, string> => summary(name).since ?? summarizeApps(orgApps(name)).since ?? new Map()
  const history = (name: string): OrgHistory => {
    let found = state.histories.get(name)
    if (!found) state.histories.set(name, (found = {usageHistory: [], ledger: []}))
    return found
  }
  const storedApp = (name: string): StoredApp => {
    const found = app(name)
    if (!found) throw new Error(`No app ${name} in this transaction.`)
    return found
  }
  const storedOrg = (name: string): StoredOrg => {
    const found = org(name)
    if (!found) throw new Error(`No org ${name} in this transaction.`)
    return found
  }
  const tokenIndex = (): Map<string, Token> => {
    let index = tokenIndexes.get(state)
    if (!index) tokenIndexes.set(state, (index = new Map([...state.tokens.values()].map((record) => [record.hash, record]))))
    return index
  }

  return {
    async stamp(_scope: StampScope) {
      return stamp()
    },
    async lockOrgs() {},
    async lockApp() {},
    // A snapshot of the whole working state (its every section read in but the audit log), put back if fn throws.
    async nested(fn) {
      const restore = savepoint(state)
      try {
        return await fn()
      } catch (error) {
        restore()
        tokenIndexes.delete(state)
        throw error
      }
    },

    users: {
      async byEmail(email) {
        const user = state.users.get(email)
        return user && copy(user)
      },
      async byId(id) {
        for (const user of state.users.values()) if (user.id === id) return copy(user)
        return undefined
      },
      async idsByEmail(emails) {
        const ids = new Map<string, string>()
        for (const email of emails) {
          const user = state.users.get(email)
          if (user) ids.set(email, user.id)
        }
        return ids
      },
      async ensure(user: User) {
        const existing = state.users.get(user.email)
        if (existing) return copy(existing)
        state.users.set(user.email, copy(user))
        return copy(user)
      },
    },

    orgs: {
      async byName(name) {
        const found = org(name)
        return found && orgOf(found)
      },
      async byId(id) {
        for (const found of state.orgs.values()) if (found.id === id) return orgOf(found)
        return undefined
      },
      async withMember(email) {
        const found: {org: Org; membership: Membership}[] = []
        for (const candidate of state.orgs.values()) {
          const membership = candidate.members.get(email)
          if (membership) found.push({org: orgOf(candidate), membership: copy(membership)})
        }
        return found.sort(byKey((entry) => entry.org.name))
      },
      async withCollaborator(email) {
        const found: Org[] = []
        for (const [name, summed] of state.orgAppsSummaries ?? summarizeOrgApps(state.apps.values())) {
          const candidate = summed.collaborators.has(email) ? org(name) : undefined
          if (candidate) found.push(orgOf(candidate))
        }
        return found.sort(byName)
      },
      async insert(record: Org) {
        if (state.orgs.has(record.name)) throw conflict(`The org name ${record.name} is already taken: choose another name.`)
        state.orgs.set(record.name, {...record, limits: {...record.limits}, members: new Map()})
        state.histories.set(record.name, {usageHistory: [], ledger: []})
      },
      async update(record: Org) {
        const stored = storedOrg(record.name)
        stored.updatedAt = record.updatedAt
        stored.limits = {...record.limits}
      },
      async rename(from, to) {
        const stored = storedOrg(from)
        if (from === to) return
        if (state.orgs.has(to)) throw conflict(`The org name ${to} is already taken: choose another name.`)
        // The apps are read only when the org has some (a big file leaves them unread otherwise).
        if (summary(from).apps > 0) {
          for (const candidate of orgApps(from)) candidate.owner = {kind: 'org', name: to}
        }
        state.orgs.delete(from)
        state.orgs.set(to, {...stored, name: to})
        const kept = state.histories.get(from)
        state.histories.delete(from)
        state.histories.set(to, kept ?? {usageHistory: [], ledger: []})
      },
      async remove(name) {
        if (!org(name)) return
        if (summary(name).apps > 0) throw new Error(`The org ${name} still has apps: move or destroy them first.`)
        state.orgs.delete(name)
        state.histories.delete(name)
      },
    },

    members: {
      async get(name, email) {
        const membership = org(name)?.members.get(email)
        return membership && copy(membership)
      },
      async list(name) {
        return [...(org(name)?.members.values() ?? [])].map(copy).sort(byEmail)
      },
      async byEmails(name, emails) {
        const members = org(name)?.members
        return [...new Set(emails)]
          .flatMap((email) => {
            const membership = members?.get(email)
            return membership ? [copy(membership)] : []
          })
          .sort(byEmail)
      },
      async inList(name, emails) {
        const members = org(name)?.members
        const {collaborators} = summary(name)
        return new Set(emails.filter((email) => members?.has(email) || collaborators.has(email)))
      },
      async admins(name) {
        return [...(org(name)?.members.values() ?? [])]
          .filter((membership) => membership.role === 'admin')
          .map(copy)
          .sort(byEmail)
      },
      async put(name, membership) {
        storedOrg(name).members.set(membership.email, copy(membership))
      },
      async remove(name, email) {
        org(name)?.members.delete(email)
      },
    },

    apps: {
      async byName(name) {
        const found = app(name)
        return found && appOf(found)
      },
      async byId(id) {
        for (const found of state.apps.values()) if (found.id === id) return appOf(found)
        return undefined
      },
      async ofOrg(name) {
        return [...orgApps(name)].map(appOf).sort(byName)
      },
      async ownedBy(email) {
        const found: App[] = []
        for (const candidate of state.apps.values()) {
          if (candidate.owner.kind === 'user' && candidate.owner.email === email) found.push(appOf(candidate))
        }
        return found.sort(byName)
      },
      async sharedWith(email) {
        const found: App[] = []
        for (const candidate of state.apps.values()) if (candidate.collaborators.has(email)) found.push(appOf(candidate))
        return found.sort(byName)
      },
      async figures(name): Promise<OrgFigures> {
        const {apps, dynoUnits, collaborators} = summary(name)
        const members = org(name)?.members
        let count = members?.size ?? 0
        for (const email of collaborators) if (!members?.has(email)) count++
        return {apps, members: count, dynoUnits}
      },
      async insert(record: App) {
        if (state.apps.has(record.name)) {
          throw conflict(`The app name ${record.name} is already taken: choose another, or leave it out to get a generated one.`)
        }
        state.apps.set(record.name, {...record, owner: {...record.owner}, collaborators: new Map(), formation: new Map()})
      },
      async update(record: App) {
        const stored = storedApp(record.name)
        stored.owner = {...record.owner}
        stored.locked = record.locked
        stored.updatedAt = record.updatedAt
      },
      async remove(name) {
        state.apps.delete(name)
      },
    },

    collaborators: {
      async get(name, email) {
        const collaborator = app(name)?.collaborators.get(email)
        return collaborator && copyCollaborator(collaborator)
      },
      async list(name) {
        return [...(app(name)?.collaborators.values() ?? [])].map(copyCollaborator).sort(byEmail)
      },
      async ofOrg(name) {
        return [...orgApps(name)]
          .sort(byName)
          .flatMap((found) =>
            [...found.collaborators.values()].sort(byEmail).map((c) => ({app: found.name, collaborator: copyCollaborator(c)})),
          )
      },
      async inOrg(name, email) {
        return summary(name).collaborators.has(email)
      },
      async appsInOrg(name, email) {
        if (!summary(name).collaborators.has(email)) return []
        return [...orgApps(name)]
          .filter((candidate) => candidate.collaborators.has(email))
          .map((candidate) => candidate.name)
          .sort()
      },
      async outsideMembers(name): Promise<OutsideCollaborator[]> {
        const members = org(name)?.members
        const outside = [...summary(name).collaborators].filter((email) => !members?.has(email))
        if (outside.length === 0) return []
        const first = since(name)
        return outside.map((email) => ({email, since: first.get(email)!})).sort(byEmail)
      },
      async sinceInOrg(name, email) {
        return summary(name).collaborators.has(email) ? since(name).get(email) : undefined
      },
      async put(name, collaborator) {
        storedApp(name).collaborators.set(collaborator.email, copyCollaborator(collaborator))
      },
      async remove(name, email) {
        app(name)?.collaborators.delete(email)
      },
      async removeAll(name) {
        app(name)?.collaborators.clear()
      },
    },

    formation: {
      async of(name) {
        return [...(app(name)?.formation.values() ?? [])].map(copy).sort(byType)
      },
      async replace(name, entries: readonly FormationEntry[]) {
        storedApp(name).formation = new Map(entries.map((entry) => [entry.type, copy(entry)]))
      },
    },

    transfers: {
      async byId(id) {
        const transfer = state.transfers.get(id)
        return transfer && copy(transfer)
      },
      async pendingFor(appId) {
        for (const transfer of state.transfers.values()) {
          if (transfer.appId === appId && transfer.state === 'pending') return copy(transfer)
        }
        return undefined
      },
      async involving(email) {
        return [...state.transfers.values()]
          .filter((transfer) => transfer.from === email || transfer.to === email)
          .map(copy)
          .sort(byCreation)
      },
      async insert(transfer: Transfer) {
        // As PostgreSQL's unique index: at most one pending transfer per app.
        for (const other of state.transfers.values()) {
          if (transfer.state === 'pending' && other.state === 'pending' && other.appId === transfer.appId) {
            throw conflict(`${transfer.app} already has a pending transfer: cancel it first, or wait for its answer.`)
          }
        }
        state.transfers.set(transfer.id, copy(transfer))
      },
      async update(transfer: Transfer) {
        const stored = state.transfers.get(transfer.id)
        if (!stored) throw new Error(`No transfer ${transfer.id} in this transaction.`)
        stored.state = transfer.state
        stored.updatedAt = transfer.updatedAt
      },
      async remove(id) {
        state.transfers.delete(id)
      },
    },

    tokens: {
      async byHash(hash) {
        const token = tokenIndex().get(hash)
        return token && copy(token)
      },
      async of(email) {
        return [...state.tokens.values()]
          .filter((token) => token.email === email)
          .map(copy)
          .sort(byCreation)
      },
      async insert(token: Token) {
        state.tokens.set(token.id, copy(token))
        tokenIndexes.delete(state)
      },
      async remove(id) {
        state.tokens.delete(id)
        tokenIndexes.delete(state)
      },
    },

    sessions: {
      async byHash(hash) {
        const session = state.sessions.get(hash)
        return session && copy(session)
      },
      async insert(session: DashboardSession) {
        // As PostgreSQL's primary key (a hash of 256 random bits: never in practice).
        if (state.sessions.has(session.hash)) throw conflict('That Dashboard session exists already: sign in again.')
        state.sessions.set(session.hash, copy(session))
      },
      async remove(hash) {
        return state.sessions.delete(hash)
      },
      async removeOf(email) {
        let removed = 0
        for (const [hash, session] of state.sessions) {
          if (session.email === email && state.sessions.delete(hash)) removed++
        }
        return removed
      },
      async prune(now) {
        let removed = 0
        // ISO times of one format compare as strings (as PostgreSQL's text column compares them).
        for (const [hash, session] of state.sessions) {
          if (session.expiresAt <= now && state.sessions.delete(hash)) removed++
        }
        return removed
      },
    },

    operators: {
      async list() {
        return [...state.operators.values()].map(copy).sort(byEmail)
      },
      async has(email) {
        return state.operators.has(email)
      },
      async add(operator: Operator) {
        if (state.operators.has(operator.email)) return false
        state.operators.set(operator.email, copy(operator))
        return true
      },
      async remove(email) {
        return state.operators.delete(email)
      },
    },

    history: {
      async days(name) {
        return (state.histories.get(name)?.usageHistory ?? []).map(copy)
      },
      async lastDay(name) {
        const last = state.histories.get(name)?.usageHistory.at(-1)
        return last && copy(last)
      },
      async ledger(name) {
        return (state.histories.get(name)?.ledger ?? []).map(copy)
      },
      async oldestLedgerAt(name) {
        return state.histories.get(name)?.ledger[0]?.at
      },
      async putDay(name, day: UsageDay, keep: number) {
        const days = history(name).usageHistory
        const at = days.findIndex((existing) => existing.date >= day.date)
        if (at < 0) days.push(copy(day))
        else if (days[at]!.date === day.date) days[at] = copy(day)
        else days.splice(at, 0, copy(day))
        if (days.length > keep) days.splice(0, days.length - keep)
      },
      async appendLedger(name, entry: LedgerEntry) {
        history(name).ledger.push(copy(entry))
      },
      async replaceLedger(name, entries: readonly LedgerEntry[]) {
        history(name).ledger = entries.map(copy)
      },
    },

    audit: {
      async list(query) {
        return selectEvents(state.audit.events(), query)
      },
      async append(event) {
        state.audit.append(event)
      },
      async prune(before) {
        return state.audit.prune(before)
      },
    },
  }
}
