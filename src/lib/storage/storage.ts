/**
 * The one storage interface under the domain: a unit of work with repositories.
 *
 * The domain's rules run inside `read` or `write` and ask the transaction for exactly what a rule
 * needs (one membership, an org's member-list size, the pending transfer of an app), never for a
 * whole collection to search. Every change is written explicitly through a repository: nothing an
 * engine hands out is live, so changing a returned record changes nothing until it is put back.
 *
 * Three engines implement it (src/lib/storage/{memory,json,postgres}); test/storage/contract.test.ts
 * runs one suite on all three. No rule knows which engine it runs on, and no engine decides a rule.
 *
 * Records are keyed by what the domain knows them by: orgs and apps by name (an app's name never
 * changes; an org's only by `orgs.rename`, which carries everything keyed by it),
 * members and collaborators by email within their org or app, transfers and tokens by id.
 *
 * Every list comes in a fixed order: names, emails and dyno types byte-wise (never by a database's
 * locale); transfers and tokens oldest first (creation time, then id); ledger entries in the order
 * they were appended; usage days by date.
 */
import type {
  App,
  AuditEvent,
  Collaborator,
  DashboardSession,
  FormationEntry,
  LedgerEntry,
  Membership,
  Operator,
  Org,
  StoredAuditEvent,
  Token,
  Transfer,
  UsageDay,
  User,
} from '../domain/types.js'

export type EngineKind = 'memory' | 'json' | 'postgres'

export interface Storage {
  readonly kind: EngineKind
  /** Where the data lives, for messages: a file path, or a database URL without its password. */
  readonly location: string
  /** A consistent view of committed data; nothing written. */
  read<T>(fn: (tx: ReadTx) => Promise<T>): Promise<T>
  /**
   * A change: all of it commits, or none (fn threw: nothing is written, the error is rethrown).
   * Retried from the start when the engine reports a serialization failure or deadlock, so fn must
   * not act outside the transaction (it may be run more than once).
   */
  write<T>(fn: (tx: WriteTx) => Promise<T>, options?: WriteOptions): Promise<T>
  /** Lets go of files, connections and pools. */
  close(): Promise<void>
  /** True on a dry run's storage (dry-run.ts): what it gives back was never stored (a token minted there would not work). */
  readonly dryRun?: boolean
}

export interface WriteOptions {
  /**
   * A dry run: fn runs with every check and lock of a real write, then all of it is discarded (the
   * memory engine drops its working copy; the JSON file is never written, nor its lock left behind;
   * PostgreSQL rolls back). Gives back fn's value, or rethrows its error, as the real write would.
   */
  dryRun?: boolean
}

/** What may be asked of a cache key: the org or app an answer is about. */
export interface StampScope {
  org?: string
  app?: string
}

export interface ReadTx {
  readonly users: UserReads
  readonly orgs: OrgReads
  readonly members: MemberReads
  readonly apps: AppReads
  readonly collaborators: CollaboratorReads
  readonly formation: FormationReads
  readonly transfers: TransferReads
  readonly tokens: TokenReads
  readonly history: HistoryReads
  readonly operators: OperatorReads
  readonly audit: AuditReads
  readonly sessions: SessionReads
  /**
   * A key that changes whenever anything an answer about this org or app could depend on changes
   * (its members, apps, collaborators, formation, locking, owner; an app's owner org too), read
   * inside this transaction: a cache of answers checked against it is right across processes.
   * Undefined when the engine cannot tell (then nothing may be cached).
   */
  stamp(scope: StampScope): Promise<string | undefined>
}

export interface UserReads {
  byEmail(email: string): Promise<User | undefined>
  byId(id: string): Promise<User | undefined>
  /** The user ids of those of these emails that have a user record. */
  idsByEmail(emails: readonly string[]): Promise<Map<string, string>>
}

export interface OrgReads {
  byName(name: string): Promise<Org | undefined>
  byId(id: string): Promise<Org | undefined>
  /** The orgs this email has a membership in, with it, by org name. */
  withMember(email: string): Promise<{org: Org; membership: Membership}[]>
  /** The orgs one of whose apps is shared with this email (a member or not), by name. */
  withCollaborator(email: string): Promise<Org[]>
}

export interface MemberReads {
  get(org: string, email: string): Promise<Membership | undefined>
  /** The org's memberships, by email. */
  list(org: string): Promise<Membership[]>
  /** The memberships of those of these emails that have one, by email. */
  byEmails(org: string, emails: readonly string[]): Promise<Membership[]>
  /** Those of these emails that are in the org's member list (a membership, or an app of the org shared with them). */
  inList(org: string, emails: readonly string[]): Promise<Set<string>>
  /** The org's admins, by email. */
  admins(org: string): Promise<Membership[]>
}

/** The figures an org's limits and usage history are about. */
export interface OrgFigures {
  apps: number
  /** Everyone in the member list: memberships, plus people an app of the org is shared with. */
  members: number
  dynoUnits: number
}

export interface AppReads {
  byName(name: string): Promise<App | undefined>
  byId(id: string): Promise<App | undefined>
  /** The org's apps, by name. */
  ofOrg(org: string): Promise<App[]>
  /** The personal apps this email owns, by name. */
  ownedBy(email: string): Promise<App[]>
  /** Apps shared with this email as a collaborator (any owner), by name. */
  sharedWith(email: string): Promise<App[]>
  /** The org's current figures (derived: counted, or kept by the engine as they change). */
  figures(org: string): Promise<OrgFigures>
}

/** Someone an org's app is shared with who has no membership in the org. */
export interface OutsideCollaborator {
  email: string
  /** When they were first given access to one of the org's apps. */
  since: string
}

export interface CollaboratorReads {
  get(app: string, email: string): Promise<Collaborator | undefined>
  /** An app's collaborators, by email. */
  list(app: string): Promise<Collaborator[]>
  /** The collaborators of every app of the org, by app name, then email: the whole org in one read (access as code). */
  ofOrg(org: string): Promise<{app: string; collaborator: Collaborator}[]>
  /** Whether an app of the org is shared with this email. */
  inOrg(org: string, email: string): Promise<boolean>
  /** The names of the org's apps shared with this email, by name. */
  appsInOrg(org: string, email: string): Promise<string[]>
  /** The org's app collaborators without a membership, by email. */
  outsideMembers(org: string): Promise<OutsideCollaborator[]>
  /** When this email was first given access to one of the org's apps (undefined: never). */
  sinceInOrg(org: string, email: string): Promise<string | undefined>
}

export interface FormationReads {
  /** An app's dyno formation, by type. */
  of(app: string): Promise<FormationEntry[]>
}

export interface TransferReads {
  byId(id: string): Promise<Transfer | undefined>
  /** The app's pending transfer, if it has one (at most one). */
  pendingFor(appId: string): Promise<Transfer | undefined>
  /** Transfers sent by or addressed to this email, oldest first. */
  involving(email: string): Promise<Transfer[]>
}

export interface TokenReads {
  byHash(hash: string): Promise<Token | undefined>
  /** This email's tokens, oldest first. */
  of(email: string): Promise<Token[]>
}

export interface SessionReads {
  /** The session or link with this hash, expired or not (the caller compares expiresAt with its clock). */
  byHash(hash: string): Promise<DashboardSession | undefined>
}

export interface HistoryReads {
  /** The org's usage days, oldest first. */
  days(org: string): Promise<UsageDay[]>
  /** Its latest usage day, if any. */
  lastDay(org: string): Promise<UsageDay | undefined>
  /** The org's billing ledger, in the order appended. */
  ledger(org: string): Promise<LedgerEntry[]>
  /** When its oldest ledger entry was recorded (undefined: an empty ledger). */
  oldestLedgerAt(org: string): Promise<string | undefined>
}

export interface OperatorReads {
  /** Everyone named an operator, by email. */
  list(): Promise<Operator[]>
  has(email: string): Promise<boolean>
}

/** Which audit events to list: one org's (by id) or those of no org, filtered; newest first. */
export interface AuditQuery {
  /** The org's id, or null: the events that belong to no org (authorizations, operators'). */
  orgId: string | null
  app?: string
  actor?: string
  /** An action, or a pattern where `*` stands for any characters (`team-member.*`); only [a-z0-9.*-]. */
  action?: string
  /** created_at >= since (ISO). */
  since?: string
  /** created_at < until (ISO). */
  until?: string
  /** Only events appended before the one of this seq (the next page). */
  beforeSeq?: number
  /**
   * Only events appended after the one of this seq (the page before: newer events). With it, the
   * `limit` events that come right after it are the ones given (still listed newest first).
   */
  afterSeq?: number
  limit: number
}

export interface AuditReads {
  /** The matching events, newest (last appended) first, at most `limit`. */
  list(query: AuditQuery): Promise<StoredAuditEvent[]>
}

export interface WriteTx extends ReadTx {
  /**
   * Serializes this change with every other change of these orgs, until commit: the first thing a
   * change that checks an org rule does. Orgs are locked in name order (no deadlock between two
   * changes of the same two orgs). An org that does not exist is skipped.
   */
  lockOrgs(names: readonly string[]): Promise<void>
  /** The same for one app (a personal app's changes). */
  lockApp(name: string): Promise<void>
  /**
   * A unit inside this one (a savepoint): if fn throws, everything it changed is undone and its
   * error rethrown, and the rest of this transaction goes on as before it; if fn returns, its
   * changes stay, to commit (or not) with the rest. What one item of a bulk dry run runs in.
   */
  nested<T>(fn: () => Promise<T>): Promise<T>

  readonly users: UserReads & {
    /** The stored user for this email: this one inserted, or the one already there (never a conflict). */
    ensure(user: User): Promise<User>
  }
  readonly orgs: OrgReads & {
    /** A new org (an org of that name already: conflict). */
    insert(org: Org): Promise<void>
    /** Its updatedAt and limits. */
    update(org: Org): Promise<void>
    /**
     * Gives the org another name (its id stays): its members, apps, usage history and ledger go with
     * it (the new name taken: conflict; no org `from`: an error).
     */
    rename(from: string, to: string): Promise<void>
    /** The org with its members, usage history and ledger; its apps must be gone first (else an error). */
    remove(name: string): Promise<void>
  }
  readonly members: MemberReads & {
    put(org: string, membership: Membership): Promise<void>
    remove(org: string, email: string): Promise<void>
  }
  readonly apps: AppReads & {
    /** A new app with no collaborators and no formation (the name taken already: conflict). */
    insert(app: App): Promise<void>
    /** Its owner, locked and updatedAt. */
    update(app: App): Promise<void>
    /** The app with its collaborators and formation (transfers are the domain's to remove). */
    remove(app: string): Promise<void>
  }
  readonly collaborators: CollaboratorReads & {
    put(app: string, collaborator: Collaborator): Promise<void>
    remove(app: string, email: string): Promise<void>
    removeAll(app: string): Promise<void>
  }
  readonly formation: FormationReads & {
    /** Replaces the app's whole formation. */
    replace(app: string, entries: readonly FormationEntry[]): Promise<void>
  }
  readonly transfers: TransferReads & {
    insert(transfer: Transfer): Promise<void>
    /** Its state and updatedAt. */
    update(transfer: Transfer): Promise<void>
    remove(id: string): Promise<void>
  }
  readonly tokens: TokenReads & {
    insert(token: Token): Promise<void>
    remove(id: string): Promise<void>
  }
  /**
   * Dashboard sessions and one-time sign-in links. Not part of the org data: a change here moves no
   * stamp of an org or app, and db:export / db:import / copies between engines leave them out.
   */
  readonly sessions: SessionReads & {
    insert(session: DashboardSession): Promise<void>
    /** Removes it; whether it was there (a one-time link is used by removing it: of two at once, one wins). */
    remove(hash: string): Promise<boolean>
    /** Removes every session and link of this email (its user signs out everywhere); how many. */
    removeOf(email: string): Promise<number>
    /** Removes those that expired at or before `now` (ISO); how many. */
    prune(now: string): Promise<number>
  }
  readonly history: HistoryReads & {
    /** Sets the usage day of its date, and keeps at most `keep` days (the newest). */
    putDay(org: string, day: UsageDay, keep: number): Promise<void>
    appendLedger(org: string, entry: LedgerEntry): Promise<void>
    replaceLedger(org: string, entries: readonly LedgerEntry[]): Promise<void>
  }
  readonly operators: OperatorReads & {
    /** Names an operator; false when the email was one already (the record kept as it was). */
    add(operator: Operator): Promise<boolean>
    /** False when the email was not one. */
    remove(email: string): Promise<boolean>
  }
  readonly audit: AuditReads & {
    /** Appends an event; the engine gives it its place (seq). */
    append(event: AuditEvent): Promise<void>
    /** Removes every event created before this time (ISO); how many. */
    prune(before: string): Promise<number>
  }
}
