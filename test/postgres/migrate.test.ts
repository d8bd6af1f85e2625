/**
 * Migrations: applied once, in one transaction, under an advisory lock; idempotent; three processes
 * at once migrate once; a database migrated by a newer orgctl is refused; a failed migration applies
 * nothing. Against a real PostgreSQL (see test/helpers/postgres.ts).
 */
import {afterAll, describe, expect, it} from 'vitest'

import {OrgctlError} from '../../src/lib/errors.js'
import {openPool, parseDatabaseUrl} from '../../src/lib/storage/postgres/connection.js'
import {migrationFiles, parseMigrations} from '../../src/lib/storage/postgres/migration-files.js'
import {ensureCurrentSchema, latestVersion, migrate, schemaVersion} from '../../src/lib/storage/postgres/migrate.js'
import {runBin} from '../helpers/cli.js'
import {createTestDatabase, pgInfo, type TestDatabase, withClient} from '../helpers/postgres.js'
import {cliEnv} from './_env.js'

const info = pgInfo()

describe('migration files', () => {
  it('ships 0001_init first, numbered without gaps', () => {
    const files = migrationFiles()
    expect(files[0]).toMatchObject({version: 1, name: '0001_init'})
    expect(files.map((file) => file.version)).toEqual(files.map((_, i) => i + 1))
  })

  it('refuses a gap, a repeat, or a badly named file', () => {
    expect(() => parseMigrations([{file: '0002_b.sql', sql: ''}])).toThrow(/out of sequence/)
    expect(() =>
      parseMigrations([
        {file: '0001_a.sql', sql: ''},
        {file: '0001_b.sql', sql: ''},
      ]),
    ).toThrow(/out of sequence/)
    expect(() => parseMigrations([{file: 'init.sql', sql: ''}])).toThrow(/NNNN_name/)
  })
})

describe.skipIf(!info.url)('migrate', () => {
  const databases: TestDatabase[] = []
  // Whatever migrations this orgctl ships (no test names how many there are).
  const names = migrationFiles().map((file) => file.name)
  const latest = latestVersion()
  const recorded = migrationFiles().map(({version, name}) => ({version, name}))
  const fresh = async () => {
    const database = await createTestDatabase({migrated: false})
    databases.push(database)
    return database
  }
  afterAll(async () => {
    for (const database of databases) await database.drop()
  })

  const rows = (url: string) =>
    withClient(url, async (client) => (await client.query('SELECT version, name FROM schema_migrations ORDER BY version')).rows)

  it('applies the migrations once, and then is up to date', async () => {
    const database = await fresh()
    const target = parseDatabaseUrl(database.url)
    const pool = await openPool(target)
    try {
      expect(await schemaVersion(pool, target)).toBe(0)
      expect(await migrate(pool, target)).toEqual({from: 0, to: latestVersion(), applied: migrationFiles().map((file) => file.name)})
      expect(await migrate(pool, target)).toEqual({from: latestVersion(), to: latestVersion(), applied: []})
      expect(await ensureCurrentSchema(pool, target)).toBe(latestVersion())
    } finally {
      await pool.end()
    }
    expect(await rows(database.url)).toEqual(recorded)
  })

  it('orgctl db:migrate says what it did, and --json gives from, to and applied', async () => {
    const database = await fresh()
    const env = cliEnv({ORGCTL_DATABASE_URL: database.url})
    const first = await runBin(['db:migrate'], env)
    expect(first.stderr).toBe('')
    expect(first.code).toBe(0)
    expect(first.stdout).toBe(names.map((name) => `Applied ${name}\n`).join(''))
    const second = await runBin(['db:migrate'], env)
    expect(second.stdout).toBe(`Up to date at version ${latest}\n`)
    const json = await runBin(['db:migrate', '--json'], env)
    expect(json.code).toBe(0)
    expect(json.json()).toEqual({from: latest, to: latest, applied: []})
  })

  it('--database-url wins over ORGCTL_DATABASE_URL, and --json reports what was applied', async () => {
    const database = await fresh()
    const env = cliEnv({ORGCTL_DATABASE_URL: 'postgres://nobody@127.0.0.1:1/nothing'})
    const run = await runBin(['db:migrate', '--database-url', database.url, '--json'], env)
    expect(run.stderr).toBe('')
    expect(run.json()).toEqual({from: 0, to: latest, applied: names})
  })

  it('three processes migrating at once apply each migration exactly once, without an error', async () => {
    const database = await fresh()
    const env = cliEnv({ORGCTL_DATABASE_URL: database.url})
    const runs = await Promise.all([1, 2, 3].map(() => runBin(['db:migrate', '--json'], env)))
    for (const run of runs) {
      expect(run.stderr).toBe('')
      expect(run.code).toBe(0)
    }
    const applied = runs.map((run) => run.json().applied)
    expect(applied.filter((list) => list.length > 0)).toEqual([names])
    expect(applied.filter((list) => list.length === 0)).toHaveLength(2)
    expect(await rows(database.url)).toEqual(recorded)
  })

  it('refuses a database migrated by a newer orgctl, and changes nothing', async () => {
    const database = await fresh()
    const target = parseDatabaseUrl(database.url)
    const pool = await openPool(target)
    try {
      await migrate(pool, target)
      const future = latest + 1
      await pool.query(`INSERT INTO schema_migrations (version, name) VALUES ($1, $2)`, [
        future,
        `${String(future).padStart(4, '0')}_from_the_future`,
      ])
      const error = await migrate(pool, target).catch((thrown: unknown) => thrown)
      expect(error).toBeInstanceOf(OrgctlError)
      expect((error as OrgctlError).id).toBe('store_error')
      expect((error as OrgctlError).message).toMatch(
        new RegExp(
          `^Database ${database.name} at socket .* is at schema version ${future}, newer than this orgctl knows \\(${latest}\\).*Upgrade orgctl`,
        ),
      )
      await expect(ensureCurrentSchema(pool, target)).rejects.toThrow(/newer than this orgctl knows/)
    } finally {
      await pool.end()
    }
    const run = await runBin(['db:migrate'], cliEnv({ORGCTL_DATABASE_URL: database.url}))
    expect(run.code).toBe(7)
    expect(run.stdout).toBe('')
    expect(run.stderr.trim().split('\n')).toHaveLength(1)
    expect(run.stderr).toMatch(new RegExp(`^Error: Database .* is at schema version ${latest + 1}, newer than this orgctl knows`))
    expect(await rows(database.url)).toHaveLength(latest + 1)
  })

  it('a migration that fails applies nothing of the run (one transaction)', async () => {
    const database = await fresh()
    const target = parseDatabaseUrl(database.url)
    const pool = await openPool(target)
    try {
      const broken = parseMigrations([
        ...migrationFiles().map((file) => ({file: `${file.name}.sql`, sql: file.sql})),
        {
          file: `${String(latestVersion() + 1).padStart(4, '0')}_broken.sql`,
          sql: 'CREATE TABLE half (id int); SELECT * FROM no_such_table;',
        },
      ])
      const error = (await migrate(pool, target, broken).catch((thrown: unknown) => thrown)) as OrgctlError
      expect(error.id).toBe('store_error')
      expect(error.message).toMatch(
        new RegExp(
          `^Migration failed while applying ${String(latest + 1).padStart(4, '0')}_broken on database .*no_such_table.*Nothing was applied\\.$`,
        ),
      )
      expect(await schemaVersion(pool, target)).toBe(0)
      const {rows: tables} = await pool.query(`SELECT to_regclass('users') AS users, to_regclass('half') AS half`)
      expect(tables[0]).toEqual({users: null, half: null})
      // An older database is asked to migrate.
      await expect(ensureCurrentSchema(pool, target)).rejects.toThrow(
        new RegExp(`at schema version 0, this orgctl needs ${latest}: run orgctl db:migrate`),
      )
    } finally {
      await pool.end()
    }
  })
})
