/**
 * Brings a database's schema up to this orgctl's: the numbered migrations (migration-files.ts) not yet
 * recorded in `schema_migrations` are applied in order, all in ONE transaction under a transaction-level
 * advisory lock. So several processes migrating at once (three `orgctl serve` started together) apply
 * each migration once: the first takes the lock and applies, the others wait for it, then find nothing
 * left to do. A failed migration applies nothing. A database migrated by a newer orgctl (a version above
 * the last file this one ships) is refused, never touched.
 */
import type {Pool, PoolClient} from 'pg'

import {OrgctlError, storeError} from '../../errors.js'
import {type Checkout, checkout, databaseError, type DatabaseTarget, describeHost, openPool, parseDatabaseUrl, scrub} from './connection.js'
import {type MigrationFile, migrationFiles} from './migration-files.js'

/** The advisory lock key of migrations ("orgctl" in ASCII): other users of the database pick other keys. */
export const MIGRATION_LOCK_KEY = '122537151525996'

export interface MigrationResult {
  /** The schema version before (0: a database orgctl never migrated). */
  from: number
  /** The schema version after. */
  to: number
  /** The migrations applied, by name (`0001_init`), in order. */
  applied: string[]
}

/** The highest version the given migrations reach. */
export function latestVersion(migrations: readonly MigrationFile[] = migrationFiles()): number {
  return migrations.at(-1)?.version ?? 0
}

function newerError(target: DatabaseTarget, version: number, latest: number): OrgctlError {
  return storeError(
    `Database ${target.database} at ${describeHost(target)} is at schema version ${version}, newer than this orgctl knows ` +
      `(${latest}): it was migrated by a newer orgctl. Upgrade orgctl to use it.`,
  )
}

async function recordedVersion(client: PoolClient): Promise<number> {
  // Two statements: a query naming a missing table fails when parsed, whatever a CASE around it says.
  const exists = await client.query<{table: string | null}>(`SELECT to_regclass('schema_migrations')::text AS table`)
  if (!exists.rows[0]?.table) return 0
  const {rows} = await client.query<{version: number}>('SELECT coalesce(max(version), 0)::integer AS version FROM schema_migrations')
  return Number(rows[0]?.version ?? 0)
}

/** The schema version the database is at (0 if orgctl never migrated it), read without a lock. */
export async function schemaVersion(pool: Pool, target: DatabaseTarget): Promise<number> {
  let taken: Checkout | undefined
  try {
    taken = await checkout(pool)
    return await recordedVersion(taken.client)
  } catch (error) {
    throw databaseError(error, target)
  } finally {
    taken?.release()
  }
}

/**
 * Checks that the database is at exactly the version this orgctl ships (for a server that does not
 * migrate): a newer one is refused, an older one asks for `orgctl db:migrate`.
 */
export async function ensureCurrentSchema(pool: Pool, target: DatabaseTarget, migrations = migrationFiles()): Promise<number> {
  const version = await schemaVersion(pool, target)
  const latest = latestVersion(migrations)
  if (version > latest) throw newerError(target, version, latest)
  if (version < latest) {
    throw storeError(
      `Database ${target.database} at ${describeHost(target)} is at schema version ${version}, this orgctl needs ${latest}: ` +
        `run orgctl db:migrate first.`,
    )
  }
  return version
}

/** Applies the pending migrations (see the module's note) and says what it did. */
export async function migrate(pool: Pool, target: DatabaseTarget, migrations = migrationFiles()): Promise<MigrationResult> {
  const latest = latestVersion(migrations)
  let taken: Checkout
  try {
    taken = await checkout(pool)
  } catch (error) {
    throw databaseError(error, target)
  }
  const {client} = taken
  let step = 'starting'
  try {
    await client.query('BEGIN')
    step = 'waiting for the migration lock'
    await client.query('SELECT pg_advisory_xact_lock($1::bigint)', [MIGRATION_LOCK_KEY])
    // Schema changes may take longer than an ordinary statement; the lock wait above may not.
    await client.query(`SET LOCAL statement_timeout = '10min'`)
    step = 'reading schema_migrations'
    // Created only when missing (under the lock): CREATE TABLE IF NOT EXISTS needs CREATE on the schema even
    // when the table is there, and a role granted only the tables must still find an up-to-date database so.
    const found = await client.query<{table: string | null}>(`SELECT to_regclass('schema_migrations')::text AS table`)
    if (!found.rows[0]?.table) {
      await client.query(
        `CREATE TABLE schema_migrations (
           version     integer PRIMARY KEY,
           name        text NOT NULL,
           applied_at  timestamptz NOT NULL DEFAULT now()
         )`,
      )
    }
    const from = await recordedVersion(client)
    if (from > latest) throw newerError(target, from, latest)
    const pending = migrations.filter((migration) => migration.version > from)
    for (const migration of pending) {
      step = `applying ${migration.name}`
      await client.query(migration.sql)
      await client.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [migration.version, migration.name])
    }
    step = 'committing'
    await client.query('COMMIT')
    return {from, to: pending.at(-1)?.version ?? from, applied: pending.map((migration) => migration.name)}
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined)
    if (error instanceof OrgctlError) throw error
    const code = (error as {code?: string}).code
    // A server-side failure of the SQL itself (a class other than connection, auth or resources) names the step.
    if (step.startsWith('applying') && code && !/^(08|28|3D|53|57)/.test(code)) {
      const detail = scrub(String((error as Error).message), target)
      throw storeError(
        `Migration failed while ${step} on database ${target.database} at ${describeHost(target)}: ${detail} (${code}). Nothing was applied.`,
      )
    }
    throw databaseError(error, target)
  } finally {
    taken.release()
  }
}

/**
 * `orgctl db:migrate`: parses the URL, connects (a failure is one store_error line), migrates, and
 * closes the pool whatever happens.
 */
export async function migrateDatabase(url: string, source: string): Promise<MigrationResult> {
  const target = parseDatabaseUrl(url, source)
  const pool = await openPool(target, {max: 1})
  try {
    return await migrate(pool, target)
  } finally {
    await pool.end().catch(() => undefined)
  }
}
