/**
 * Database URLs and connection failures: one line naming the host and database, saying what to check,
 * and never the password (not in a message, not in --json, not in a usage error about the URL itself).
 */
import {mkdtempSync, rmSync} from 'node:fs'
import {createServer} from 'node:net'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {afterAll, describe, expect, it} from 'vitest'

import {OrgctlError} from '../../src/lib/errors.js'
import {databaseError, describeHost, openPool, parseDatabaseUrl, redactDatabaseUrl} from '../../src/lib/storage/postgres/connection.js'
import {runBin} from '../helpers/cli.js'
import {createTestDatabase, PASSWORD_ROLE, pgInfo, withDatabase} from '../helpers/postgres.js'
import {cliEnv} from './_env.js'

const info = pgInfo()
const SECRET = 'hunter2-S3cret'

async function closedPort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const {port} = server.address() as {port: number}
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return port
}

const emptySocketDir = mkdtempSync(join(tmpdir(), 'orgctl-pg-nosrv-'))
afterAll(() => rmSync(emptySocketDir, {recursive: true, force: true}))

async function failure(url: string): Promise<OrgctlError> {
  const target = parseDatabaseUrl(url)
  const error = await openPool(target, {connectTimeoutMs: 3000}).then(
    async (pool) => {
      await pool.end()
      throw new Error('connected')
    },
    (thrown: unknown) => thrown,
  )
  expect(error).toBeInstanceOf(OrgctlError)
  return error as OrgctlError
}

function expectNoSecret(text: string): void {
  expect(text).not.toContain(SECRET)
  expect(text).not.toContain(encodeURIComponent(SECRET))
}

describe('database URLs', () => {
  it('are parsed into host, port, database and user, with a redacted form', () => {
    const target = parseDatabaseUrl(`postgres://orgctl:${SECRET}@db.example.com:6543/teams?sslmode=require`)
    expect(target).toMatchObject({host: 'db.example.com', port: 6543, database: 'teams', user: 'orgctl'})
    expect(target.redacted).toBe('postgres://orgctl:***@db.example.com:6543/teams?sslmode=require')
    expect(describeHost(target)).toBe('db.example.com:6543')
    expect(parseDatabaseUrl('postgresql://bob@localhost/orgctl?host=/run/postgresql')).toMatchObject({
      host: '/run/postgresql',
      port: 5432,
      database: 'orgctl',
    })
    expect(describeHost(parseDatabaseUrl('postgresql://bob@localhost/orgctl?host=/run/postgresql'))).toBe(
      'socket /run/postgresql (port 5432)',
    )
  })

  it("accept libpq's host-less form (postgresql://user@/db?host=/dir), which new URL() rejects", () => {
    expect(parseDatabaseUrl('postgresql://bob@/orgctl?host=/tmp/sock')).toMatchObject({host: '/tmp/sock', database: 'orgctl', user: 'bob'})
    expect(parseDatabaseUrl('postgresql:///orgctl?host=/tmp/sock')).toMatchObject({host: '/tmp/sock', database: 'orgctl'})
  })

  it('hide a password in the authority or in a password parameter, percent-encoded or not', () => {
    expect(redactDatabaseUrl(`postgres://u:${SECRET}@h/d`)).toBe('postgres://u:***@h/d')
    expect(redactDatabaseUrl(`postgres://u:${encodeURIComponent('p@ss:w/rd')}@h/d`)).toBe('postgres://u:***@h/d')
    expect(redactDatabaseUrl(`postgres://u@h/d?password=${SECRET}&sslmode=require`)).toBe('postgres://u@h/d?password=***&sslmode=require')
    expect(redactDatabaseUrl(`postgres://u@h/d?sslmode=require&sslpassword=${SECRET}`)).toBe(
      'postgres://u@h/d?sslmode=require&sslpassword=***',
    )
  })

  it('that are not PostgreSQL URLs are usage errors that show the URL redacted', () => {
    for (const bad of [
      `mysql://u:${SECRET}@h/d`,
      `postgres://u:${SECRET}@h:99999/d`,
      `not a url ${SECRET}`,
      `postgres://:${SECRET}@h:5432`,
      '  ',
    ]) {
      let error: unknown
      try {
        parseDatabaseUrl(bad)
      } catch (thrown) {
        error = thrown
      }
      expect(error, bad).toBeInstanceOf(OrgctlError)
      expect((error as OrgctlError).id).toBe('invalid_params')
      expect((error as OrgctlError).message).toMatch(/^ORGCTL_DATABASE_URL /)
      expectNoSecret((error as OrgctlError).message)
    }
  })

  it('a driver message quoting the password has it scrubbed', () => {
    const target = parseDatabaseUrl(`postgres://u:${SECRET}@h/d`)
    const error = databaseError(Object.assign(new Error(`something about ${SECRET} went wrong`), {code: 'XX000'}), target)
    expect(error.message).toBe('PostgreSQL at h:5432 database d: something about *** went wrong (XX000).')
  })
})

describe('an unreachable database', () => {
  it('a socket directory with no server: one store_error naming the socket and the database', async () => {
    const error = await failure(`postgresql://orgctl:${SECRET}@localhost/teams?host=${emptySocketDir}`)
    expect(error.id).toBe('store_error')
    expect(error.message).toBe(
      `Cannot reach PostgreSQL at socket ${emptySocketDir} (port 5432) database teams (ENOENT): check ORGCTL_DATABASE_URL and that the server is running.`,
    )
    expectNoSecret(error.message)
  })

  it('a closed TCP port: one store_error naming host:port and the database', async () => {
    const port = await closedPort()
    const error = await failure(`postgres://orgctl:${SECRET}@127.0.0.1:${port}/teams`)
    expect(error.message).toBe(
      `Cannot reach PostgreSQL at 127.0.0.1:${port} database teams (ECONNREFUSED): check ORGCTL_DATABASE_URL and that the server is running.`,
    )
  })

  it('orgctl db:migrate: one line, exit 7, no stack, no password (also under --json and DEBUG-less runs)', async () => {
    const port = await closedPort()
    for (const args of [['db:migrate'], ['db:migrate', '--json']]) {
      const run = await runBin(args, cliEnv({ORGCTL_DATABASE_URL: `postgres://orgctl:${SECRET}@127.0.0.1:${port}/teams`}))
      expect(run.code).toBe(7)
      expect(run.stderr).toBe(
        `Error: Cannot reach PostgreSQL at 127.0.0.1:${port} database teams (ECONNREFUSED): check ORGCTL_DATABASE_URL and that the server is running.\n`,
      )
      expectNoSecret(run.stdout + run.stderr)
      if (args.includes('--json')) expect(run.json()).toMatchObject({id: 'store_error'})
      else expect(run.stdout).toBe('')
    }
    const flag = await runBin(
      ['db:migrate', '--database-url', `postgresql://orgctl:${SECRET}@localhost/teams?host=${emptySocketDir}`],
      cliEnv(),
    )
    expect(flag.code).toBe(7)
    expect(flag.stderr).toMatch(/^Error: Cannot reach PostgreSQL at socket .* database teams \(ENOENT\): check --database-url and/)
    expectNoSecret(flag.stderr)
  })

  it('orgctl db:migrate with no database at all is a usage error (exit 2)', async () => {
    const run = await runBin(['db:migrate'], cliEnv())
    expect(run.code).toBe(2)
    expect(run.stderr).toBe(
      'Error: No database given: set ORGCTL_DATABASE_URL or pass --database-url, such as postgres://user:password@host:5432/orgctl. Usage: orgctl db:migrate [--database-url URL] [--json]\n',
    )
    const bad = await runBin(['db:migrate'], cliEnv({ORGCTL_DATABASE_URL: `http://u:${SECRET}@h/d`}))
    expect(bad.code).toBe(2)
    expect(bad.stderr).toMatch(/^Error: ORGCTL_DATABASE_URL \(http:\/\/u:\*\*\*@h\/d\) is not a PostgreSQL URL/)
    expectNoSecret(bad.stderr)
  })
})

describe.skipIf(!info.url)('a reachable server that refuses', () => {
  it('a missing database: names it and says how to create it', async () => {
    const error = await failure(withDatabase(info.url!, 'no_such_database_here'))
    expect(error.id).toBe('store_error')
    expect(error.message).toMatch(
      /^PostgreSQL at .* database no_such_database_here does not exist: create it \(createdb no_such_database_here\) or check ORGCTL_DATABASE_URL\.$/,
    )
  })

  it.skipIf(!info.throwaway)('a wrong password: refused login named, the password never shown', async () => {
    const database = await createTestDatabase()
    try {
      const error = await failure(withDatabase(database.url, database.name, {user: PASSWORD_ROLE, password: SECRET}))
      expect(error.id).toBe('store_error')
      expect(error.message).toMatch(
        new RegExp(
          `^PostgreSQL at socket .* database ${database.name} refused the login of user ${PASSWORD_ROLE} \\(.*password authentication failed.*\\): check ORGCTL_DATABASE_URL \\(user and password\\)\\.$`,
        ),
      )
      expectNoSecret(error.message)
      const run = await runBin(
        ['db:migrate'],
        cliEnv({ORGCTL_DATABASE_URL: withDatabase(database.url, database.name, {user: PASSWORD_ROLE, password: SECRET})}),
      )
      expect(run.code).toBe(7)
      expect(run.stderr.trim().split('\n')).toHaveLength(1)
      expectNoSecret(run.stderr)
      // The right password gets in.
      const target = parseDatabaseUrl(withDatabase(database.url, database.name, {user: PASSWORD_ROLE, password: 'right-password'}))
      const pool = await openPool(target)
      await pool.end()
    } finally {
      await database.drop()
    }
  })
})

describe('a password with unencoded @ or : in the URL', () => {
  it('is never partly shown', () => {
    const raw = 'postgres://u:pa@ss:wo@rd@db.example.com/d'
    const target = parseDatabaseUrl(raw)
    expect(target.redacted).toBe('postgres://u:***@db.example.com/d')
    expect(target.host).toBe('db.example.com')
    for (const part of ['pa@ss', 'ss:wo', 'wo@rd']) expect(target.redacted).not.toContain(part)
  })
})
