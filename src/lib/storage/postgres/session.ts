/**
 * One unit of work on one connection: runs statements, and keeps what a write touched (orgs with the
 * change of their member-list size, apps) so that their versions are bumped once, just before COMMIT.
 */
import type {PoolClient, QueryConfig} from 'pg'

import {conflict} from '../../errors.js'
import type {Row} from './rows.js'

/** A failure of a statement, kept as the driver gave it: the transaction runner decides what it means. */
export class StatementFailure extends Error {
  constructor(cause: unknown) {
    super((cause as Error)?.message ?? String(cause), {cause})
    this.name = 'StatementFailure'
  }

  get code(): string | undefined {
    return (this.cause as {code?: string})?.code
  }
}

/** What a unique violation of each constraint means, in the words the memory engine uses. */
const UNIQUE_MEANINGS: Record<string, string> = {
  orgs_name_key: 'The org name is already taken: choose another name.',
  apps_name_key: 'The app name is already taken: choose another, or leave it out to get a generated one.',
  transfers_one_pending_per_app: 'The app already has a pending transfer: answer or cancel it first.',
  users_email_key: 'A user with this email already exists.',
  tokens_hash_key: 'A token with this hash already exists: mint another.',
}

export class Session {
  /** Org ids touched by this write, with how much their member-list size changed. */
  readonly orgs = new Map<string, number>()
  readonly apps = new Set<string>()
  /**
   * The first statement that failed: the transaction is aborted from then on, so even if the caller
   * caught the error and went on, this unit of work must not be reported done.
   */
  failed: Error | undefined

  /** Savepoints opened so far (each nested unit gets a name of its own). */
  private savepoints = 0

  constructor(
    readonly client: PoolClient,
    readonly writing: boolean,
  ) {}

  /**
   * A nested unit (storage.ts, WriteTx.nested) as a savepoint. A failure rolls back to it and puts
   * back what this session had kept (the orgs and apps touched, the member-list changes, the first
   * failure): the transaction goes on as before fn. If even that fails, the failure stays and the
   * whole unit of work fails.
   */
  async savepoint<T>(fn: () => Promise<T>): Promise<T> {
    const name = `nested_${++this.savepoints}`
    await this.rows({text: `SAVEPOINT ${name}`})
    const orgs = new Map(this.orgs)
    const apps = new Set(this.apps)
    const failed = this.failed
    try {
      const value = await fn()
      // A statement failed and fn went on: the transaction is aborted, so fn did not succeed.
      if (this.failed !== failed) throw this.failed
      await this.rows({text: `RELEASE SAVEPOINT ${name}`})
      return value
    } catch (error) {
      try {
        await this.client.query(`ROLLBACK TO SAVEPOINT ${name}`)
        this.orgs.clear()
        for (const [id, delta] of orgs) this.orgs.set(id, delta)
        this.apps.clear()
        for (const id of apps) this.apps.add(id)
        this.failed = failed
      } catch (rollback) {
        this.failed ??= new StatementFailure(rollback)
      }
      throw error
    }
  }

  async rows(query: QueryConfig): Promise<Row[]> {
    try {
      return (await this.client.query(query)).rows
    } catch (error) {
      const {code, constraint} = error as {code?: string; constraint?: string}
      // A unique violation not already turned into a conflict by an ON CONFLICT clause (a race, or an id used twice).
      const failure =
        code === '23505'
          ? conflict(UNIQUE_MEANINGS[constraint ?? ''] ?? `That record already exists (${constraint}).`)
          : new StatementFailure(error)
      this.failed ??= failure
      throw failure
    }
  }

  async row(query: QueryConfig): Promise<Row | undefined> {
    return (await this.rows(query))[0]
  }

  touchOrg(id: string | null | undefined, memberDelta = 0): void {
    if (!id) return
    this.orgs.set(id, (this.orgs.get(id) ?? 0) + memberDelta)
  }

  touchApp(id: string | null | undefined): void {
    if (id) this.apps.add(id)
  }
}
