/**
 * The PostgreSQL engine of the storage interface (storage.ts): a pool, and units of work on one of its
 * connections each.
 *
 * - `read`: REPEATABLE READ READ ONLY. A read often asks several questions that must agree (a member
 *   list, the outside collaborators beside it, the figures, and the stamp a cache keeps them under): one
 *   snapshot for all of them. On PostgreSQL a read-only snapshot costs nothing more and never fails to
 *   serialize.
 * - `write`: READ COMMITTED; rules serialize on the org or app rows they lock (`lockOrgs`, `lockApp`).
 *   The versions of every org and app the change touched (and the kept member-list sizes) are brought
 *   up to date just before COMMIT. A serialization failure or deadlock reruns the whole change, a few
 *   times, after a random pause.
 * - Failures: a connection that cannot be had or is lost before COMMIT is `store_unavailable` (nothing
 *   was changed); lost during COMMIT, a `store_error` saying the outcome is unknown (connection.ts).
 *   A broken connection is destroyed, not returned to the pool, so the pool recovers with the database.
 *
 * Load this module with `await import()` only: it loads `pg`.
 */
import type {Pool} from 'pg'

import {OrgctlError, storeUnavailable} from '../../errors.js'
import type {State} from '../memory/state.js'
import type {ReadTx, Storage, WriteOptions, WriteTx} from '../storage.js'
import {
  type Checkout,
  checkout,
  databaseError,
  type DatabaseTarget,
  isConnectionFailure,
  openPool,
  parseDatabaseUrl,
  type PoolOptions,
} from './connection.js'
import {ensureCurrentSchema} from './migrate.js'
import {readRepositories} from './pg-reads.js'
import {exportState, importState, type ImportOptions} from './pg-state.js'
import {writeRepositories} from './pg-writes.js'
import {Session, StatementFailure} from './session.js'
import {named} from './sql.js'

/** How often a change is run when the database keeps reporting a serialization failure or deadlock. */
const ATTEMPTS = 5
const RETRIED = new Set(['40001', '40P01'])
const READ = 'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY'
const WRITE = 'BEGIN ISOLATION LEVEL READ COMMITTED'

const bumpOrgs = named(
  'bump-orgs',
  `UPDATE orgs SET version = version + 1, member_count = member_count + d.delta
     FROM unnest($1::text[], $2::int[]) AS d(id, delta) WHERE orgs.id = d.id`,
)
const bumpApps = named('bump-apps', 'UPDATE apps SET version = version + 1 WHERE id = ANY($1::text[])')

/** A rerun is due: the database gave up on this attempt (serialization failure, deadlock). */
class Rerun extends Error {}

export interface PostgresOptions extends Omit<PoolOptions, 'onIdleError'> {
  /** Where a URL given as text came from, for messages (default ORGCTL_DATABASE_URL). */
  source?: string
  /** Connections at most (the same as `max`; default 10). */
  maxConnections?: number
  /** Called with each error of an idle connection (the pool replaces it), one line, already redacted. */
  onIdleError?: (message: string) => void
}

const pause = (attempt: number) => new Promise((resolve) => setTimeout(resolve, Math.random() * 10 * 2 ** attempt))

export class PostgresStorage implements Storage {
  readonly kind = 'postgres'
  readonly location: string
  private closed = false
  /** The units of work under way, for close() to wait for. */
  private readonly underway = new Set<Promise<unknown>>()

  private constructor(
    private readonly pool: Pool,
    private readonly target: DatabaseTarget,
  ) {
    this.location = target.redacted
  }

  /** Opens a pool to the database and checks that its schema is this orgctl's (else one store_error line). */
  static async open(target: DatabaseTarget | string, options: PostgresOptions = {}): Promise<PostgresStorage> {
    const parsed = typeof target === 'string' ? parseDatabaseUrl(target, options.source) : target
    const {maxConnections, onIdleError, ...poolOptions} = options
    const pool = await openPool(parsed, {
      ...poolOptions,
      max: maxConnections ?? options.max,
      onIdleError: onIdleError && ((error) => onIdleError(error.message)),
    })
    try {
      await ensureCurrentSchema(pool, parsed)
    } catch (error) {
      await pool.end().catch(() => undefined)
      throw error
    }
    return new PostgresStorage(pool, parsed)
  }

  read<T>(fn: (tx: ReadTx) => Promise<T>): Promise<T> {
    return this.retried(() => this.unit(READ, false, (db) => fn(readRepositories(db))))
  }

  write<T>(fn: (tx: WriteTx) => Promise<T>, options: WriteOptions = {}): Promise<T> {
    return this.retried(() => this.unit(WRITE, true, (db) => fn(writeRepositories(db, readRepositories(db))), options.dryRun === true))
  }

  /**
   * Refuses new units of work, waits for those under way (those still waiting for a connection
   * included) to end, then closes every connection: what a graceful SIGTERM wants.
   */
  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    await Promise.allSettled([...this.underway])
    await this.pool.end()
  }

  /** Everything in the database, in the memory engine's shape (db:export). */
  exportState(): Promise<State> {
    return this.retried(() => this.unit(READ, false, exportState))
  }

  /** Copies a whole State in, in one transaction (db:import): see pg-state.ts. */
  importState(state: State, options: ImportOptions): Promise<void> {
    return this.retried(() => this.unit(WRITE, true, (db) => importState(db, state, options, this.target)))
  }

  private retried<T>(run: () => Promise<T>): Promise<T> {
    if (this.closed)
      return Promise.reject(storeUnavailable(`The connection to ${this.location} is closed (orgctl is shutting down): retry.`))
    const work = this.attempts(run)
    this.underway.add(work)
    const done = () => this.underway.delete(work)
    work.then(done, done)
    return work
  }

  private async attempts<T>(run: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await run()
      } catch (error) {
        if (!(error instanceof Rerun)) throw error
        if (attempt >= ATTEMPTS) throw databaseError((error as Rerun).cause, this.target, 'transaction')
        await pause(attempt)
      }
    }
  }

  /**
   * A connection with its transaction begun. A pooled connection found broken at BEGIN is destroyed and
   * another taken: as many times as the pool holds connections (all of them may have died at once, in a
   * database restart), then one more, a new one; nothing was sent, so this is always safe.
   */
  private async begin(statement: string): Promise<Checkout> {
    const attempts = (this.pool.options.max ?? 10) + 1
    for (let tries = 1; ; tries++) {
      let taken: Checkout
      try {
        taken = await checkout(this.pool)
      } catch (error) {
        throw databaseError(error, this.target, 'connect')
      }
      try {
        await taken.client.query(statement)
        return taken
      } catch (error) {
        taken.breaks(error as Error)
        taken.release()
        if (tries < attempts && isConnectionFailure(error)) continue
        throw databaseError(error, this.target, 'transaction')
      }
    }
  }

  /** A dry unit runs as a write does, and ends in ROLLBACK where the write would COMMIT. */
  private async unit<T>(begin: string, writing: boolean, fn: (db: Session) => Promise<T>, dryRun = false): Promise<T> {
    const taken = await this.begin(begin)
    const {client} = taken
    const broken = (error: Error) => taken.breaks(error)
    try {
      const db = new Session(client, writing)
      let value: T
      try {
        value = await fn(db)
        if (db.failed) throw db.failed
        if (dryRun) {
          // Nothing to keep: the versions need no bump, and a failed ROLLBACK only breaks the connection.
          await client.query('ROLLBACK').catch(broken)
          return value
        }
        if (db.orgs.size > 0) {
          const ids = [...db.orgs.keys()].sort()
          await db.rows(
            bumpOrgs(
              ids,
              ids.map((id) => db.orgs.get(id)),
            ),
          )
        }
        if (db.apps.size > 0) await db.rows(bumpApps([...db.apps].sort()))
      } catch (error) {
        const cause = error instanceof StatementFailure ? error.cause : error
        if (isConnectionFailure(cause)) {
          broken(cause as Error)
        } else {
          await client.query('ROLLBACK').catch(broken)
        }
        throw this.meaning(error)
      }
      try {
        // COMMIT of an aborted transaction answers ROLLBACK, not an error: never report that done.
        const {command} = await client.query('COMMIT')
        if (command !== 'COMMIT') throw new Error(`COMMIT answered ${command}`)
      } catch (error) {
        if (isConnectionFailure(error)) broken(error as Error)
        if (!writing) return value
        throw this.meaning(error, 'commit')
      }
      return value
    } finally {
      taken.release()
    }
  }

  /** What a failure inside a unit of work means for its caller. */
  private meaning(error: unknown, phase: 'transaction' | 'commit' = 'transaction'): Error {
    const cause = error instanceof StatementFailure ? error.cause : error
    const code = (cause as {code?: string})?.code
    if (code && RETRIED.has(code)) return Object.assign(new Rerun(code), {cause})
    // The domain's own errors (and conflicts from unique constraints) pass as they are.
    if (error instanceof OrgctlError || !(error instanceof StatementFailure || code || isConnectionFailure(cause))) return error as Error
    return databaseError(cause, this.target, phase)
  }
}
