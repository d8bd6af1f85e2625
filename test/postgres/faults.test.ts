/**
 * `orgctl serve` (the built binary) when its database fails (issue 10, section 6): unreachable at start,
 * lost mid-run (every connection terminated and new ones refused: ALTER DATABASE ... ALLOW_CONNECTIONS
 * false, then true again; the shared cluster keeps running), a stuck transaction holding an org's lock
 * past the statement timeout; and a URL password never shown in any log line or answer.
 */
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {runBin} from '../helpers/cli.js'
import {createTestDatabase, PASSWORD_ROLE, pgInfo, type TestDatabase, withClient, withDatabase} from '../helpers/postgres.js'
import {api, dbEnv, type Instance, type Reply, Seeder, serve, stop} from './_instances.js'

const BOSS = 'boss@acme.test'
const PASSWORD = 'right-password'
const quote = (name: string) => `"${name.replaceAll('"', '""')}"`

let database: TestDatabase
let seeder: Seeder
let boss: string
/** The URL serve is given: the password role's on the throwaway cluster, so that there is a password to leak. */
let serveUrl: string
let server: Instance
/** Every answer body the tests saw, checked for the password at the end. */
const bodies: string[] = []

const call = async (method: string, path: string, body?: unknown): Promise<Reply> => {
  const reply = await api(server.url, boss, method, path, body)
  bodies.push(JSON.stringify(reply.body))
  return reply
}

/** Runs the CLI against the server (the HTTP backend, with its retries). */
const cli = (...args: string[]) => runBin(args, dbEnv({ORGCTL_API_URL: server.url, ORGCTL_API_KEY: boss}))

/** The database lost: no new connection is let in, and every one it had is ended. */
async function loseDatabase(): Promise<void> {
  await withClient(pgInfo().url!, async (client) => {
    await client.query(`ALTER DATABASE ${quote(database.name)} ALLOW_CONNECTIONS false`)
    await client.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [
      database.name,
    ])
  })
}

async function restoreDatabase(): Promise<void> {
  await withClient(pgInfo().url!, (client) => client.query(`ALTER DATABASE ${quote(database.name)} ALLOW_CONNECTIONS true`))
}

const scalar = async (sql: string): Promise<number> =>
  withClient(database.url, async (client) => Number(Object.values((await client.query(sql)).rows[0]!)[0]))

beforeAll(async () => {
  database = await createTestDatabase()
  serveUrl = database.url
  if (pgInfo().throwaway) {
    await withClient(database.url, (client) =>
      client.query(`GRANT ALL ON SCHEMA public TO ${PASSWORD_ROLE};
        GRANT ALL ON ALL TABLES IN SCHEMA public TO ${PASSWORD_ROLE};
        GRANT ALL ON ALL SEQUENCES IN SCHEMA public TO ${PASSWORD_ROLE}`),
    )
    serveUrl = withDatabase(database.url, database.name, {user: PASSWORD_ROLE, password: PASSWORD})
  }
  seeder = await Seeder.open(database.url)
  await seeder.org(BOSS, 'acme')
  await seeder.as(BOSS).createApp({name: 'web-app', team: 'acme', region: 'us'})
  boss = await seeder.token(BOSS)
  // A short statement timeout through the URL (the driver sends URL parameters as session settings).
  const url = new URL(serveUrl)
  url.searchParams.set('statement_timeout', '1500')
  server = await serve(url.toString(), ['--verbose'])
})

afterAll(async () => {
  await restoreDatabase().catch(() => undefined)
  if (server) await stop(server)
  await seeder?.close()
  await database?.drop()
})

describe('a database unreachable at start', () => {
  const refused = async (url: string) => {
    const result = await runBin(['serve', '--database-url', url, '--port', '0', '--host', '127.0.0.1'], dbEnv())
    expect(result.code).toBe(7)
    const lines = result.stderr.trim().split('\n')
    expect(lines).toHaveLength(1)
    expect(result.stderr).not.toContain('secret')
    expect(result.stderr).not.toMatch(/\n\s+at /)
    return lines[0]!
  }

  it('a closed port: exit 7, one line naming host and database, never the password', async () => {
    expect(await refused('postgres://u:secret@127.0.0.1:1/db')).toBe(
      'Error: Cannot reach PostgreSQL at 127.0.0.1:1 database db (ECONNREFUSED): check --database-url and that the server is running.',
    )
  })

  it('a socket directory with no server in it: the same', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'orgctl-no-pg-'))
    try {
      expect(await refused(`postgresql://u:secret@localhost/db?host=${dir}`)).toBe(
        `Error: Cannot reach PostgreSQL at socket ${dir} (port 5432) database db (ENOENT): check --database-url and that the server is running.`,
      )
    } finally {
      rmSync(dir, {recursive: true, force: true})
    }
  })

  it.skipIf(!pgInfo().throwaway)('a wrong password: exit 7, one line, neither password shown', async () => {
    const wrong = withDatabase(database.url, database.name, {user: PASSWORD_ROLE, password: 'wrong-secret'})
    const line = await refused(wrong)
    expect(line).toMatch(/refused the login of user orgctl_password_user/)
    expect(line).not.toContain('wrong-secret')
  })
})

describe('the database lost mid-run, then back', () => {
  it('503 with Retry-After while it is gone; the CLI retries then exits 7; nothing applied twice; served again without a restart', async () => {
    const web = (await call('PATCH', '/apps/web-app/formation/web', {quantity: 1})).body
    expect(web.quantity).toBe(1)
    const tokensBefore = await scalar('SELECT count(*) FROM tokens')
    await loseDatabase()
    try {
      for (const [method, path, body] of [
        ['GET', '/teams/acme/members'],
        ['PUT', '/teams/acme/members', {email: 'lost@acme.test', role: 'member'}],
        ['POST', '/oauth/authorizations', {description: 'during the outage'}],
        ['PATCH', '/apps/web-app/formation/web', {quantity: '+1'}],
      ] as const) {
        const reply = await call(method, path, body)
        expect(reply.status, `${method} ${path}`).toBe(503)
        expect(reply.headers.get('retry-after')).toBe('2')
        expect(reply.body.id).toBe('store_unavailable')
        expect(reply.body.message).toMatch(/^The server cannot reach its database right now: nothing was changed; retry in a moment/)
      }
      // The HTTP client retries a 503 (the server did not act), whatever the method, then gives up.
      const started = Date.now()
      const [token, scale] = await Promise.all([cli('authorizations:create', '--short'), cli('ps:scale', 'web+1', '--app', 'web-app')])
      const took = Date.now() - started
      for (const result of [token, scale]) {
        // The server could not be asked (its database is down): network_error, as a 503 from any server.
        expect(result.code, result.stderr).toBe(9)
        expect(result.stderr.trim().split('\n')).toHaveLength(1)
        expect(result.stderr).toMatch(/cannot reach its database right now: nothing was changed/)
      }
      // Measured: about 8 s (four retries after Retry-After: 2 s each).
      expect(took).toBeGreaterThan(6000)
    } finally {
      await restoreDatabase()
    }
    // The pool reconnects: the same instance serves again.
    expect((await call('GET', '/teams/acme/members')).status).toBe(200)
    expect(await scalar('SELECT count(*) FROM tokens')).toBe(tokensBefore)
    expect((await call('GET', '/apps/web-app/formation/web')).body.quantity).toBe(1)
    expect((await call('PUT', '/teams/acme/members', {email: 'back@acme.test', role: 'member'})).status).toBe(200)
  })

  it('a request retried across the outage is applied once: the CLI keeps retrying and succeeds when the database is back', async () => {
    const tokensBefore = await scalar('SELECT count(*) FROM tokens')
    await loseDatabase()
    let restored = false
    try {
      const token = cli('authorizations:create', '--short')
      const scale = cli('ps:scale', 'web+1', '--app', 'web-app')
      await new Promise((resolve) => setTimeout(resolve, 2500))
      await restoreDatabase()
      restored = true
      const [minted, scaled] = await Promise.all([token, scale])
      expect(minted.code, minted.stderr).toBe(0)
      expect(scaled.code, scaled.stderr).toBe(0)
    } finally {
      if (!restored) await restoreDatabase()
    }
    expect(await scalar('SELECT count(*) FROM tokens')).toBe(tokensBefore + 1)
    expect((await call('GET', '/apps/web-app/formation/web')).body.quantity).toBe(2)
  })
})

/** Terminates, until `done` settles, every backend of the test database that `where` picks out. */
async function terminateWhile(done: Promise<unknown>, where: string): Promise<number> {
  let settled = false
  void done.finally(() => (settled = true))
  let terminated = 0
  await withClient(pgInfo().url!, async (client) => {
    while (!settled) {
      const {rows} = await client.query(
        `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid() AND ${where}`,
        [database.name],
      )
      terminated += rows.length
      await new Promise((resolve) => setTimeout(resolve, 25))
    }
  })
  return terminated
}

describe('a connection lost inside a unit of work', () => {
  it('before COMMIT (a write waiting on a lock): 503, nothing changed', async () => {
    await withClient(database.url, async (holder) => {
      await holder.query('BEGIN')
      await holder.query("SELECT id FROM orgs WHERE name = 'acme' FOR UPDATE")
      const pending = call('PUT', '/teams/acme/members', {email: 'cut@acme.test', role: 'member'})
      expect(await terminateWhile(pending, "wait_event_type = 'Lock'")).toBe(1)
      const reply = await pending
      expect(reply.status).toBe(503)
      expect(reply.body.id).toBe('store_unavailable')
      await holder.query('ROLLBACK')
    })
    const listed = (await call('GET', '/teams/acme/members')).body as {email: string}[]
    expect(listed.map((member) => member.email)).not.toContain('cut@acme.test')
  })

  it('during COMMIT: a 500 store_error saying the outcome is unknown, and the CLI does not mint a second token', async () => {
    // A COMMIT that takes a second (a deferred trigger on tokens named 'slow commit'), cut off half-way.
    await withClient(database.url, (client) =>
      client.query(`CREATE FUNCTION slow_commit() RETURNS trigger LANGUAGE plpgsql AS $$
          BEGIN IF NEW.description = 'slow commit' THEN PERFORM pg_sleep(1); END IF; RETURN NULL; END $$;
        CREATE CONSTRAINT TRIGGER slow_commit AFTER INSERT ON tokens DEFERRABLE INITIALLY DEFERRED
          FOR EACH ROW EXECUTE FUNCTION slow_commit()`),
    )
    try {
      const inCommit = "query = 'COMMIT' AND wait_event = 'PgSleep'"
      const pending = call('POST', '/oauth/authorizations', {description: 'slow commit'})
      expect(await terminateWhile(pending, inCommit)).toBe(1)
      const reply = await pending
      expect(reply.status).toBe(500)
      expect(reply.body.id).toBe('store_error')
      expect(reply.body.message).toMatch(
        /^The server lost its database connection while committing this change: it may or may not have been made/,
      )
      // The CLI: one attempt (a POST whose outcome is unknown is never retried), one line. Exit 1, not 7: the
      // client keeps exit 7 for its own store, and shows a server's store_error as the API's failure.
      const minted = cli('authorizations:create', '--short', '--description', 'slow commit')
      expect(await terminateWhile(minted, inCommit)).toBe(1)
      const result = await minted
      expect(result.code, result.stderr).toBe(1)
      expect(result.stderr.trim().split('\n')).toHaveLength(1)
      expect(result.stderr).toMatch(
        /failed \(store_error\): The server lost its database connection while committing this change: it may or may not/,
      )
      expect(server.stderr().match(/commit outcome unknown/g)).toHaveLength(2)
      // Cut off before the commit finished: neither was saved.
      expect(await scalar("SELECT count(*) FROM tokens WHERE description = 'slow commit'")).toBe(0)
    } finally {
      await withClient(database.url, (client) => client.query('DROP TRIGGER slow_commit ON tokens; DROP FUNCTION slow_commit()'))
    }
  })
})

describe('a stuck transaction holding an org lock', () => {
  it('a write waiting on it fails in bounded time (the statement timeout), and the org works once it ends', async () => {
    await withClient(database.url, async (holder) => {
      await holder.query('BEGIN')
      await holder.query("SELECT id FROM orgs WHERE name = 'acme' FOR UPDATE")
      const started = Date.now()
      const reply = await call('PUT', '/teams/acme/members', {email: 'stuck@acme.test', role: 'member'})
      const took = Date.now() - started
      // statement_timeout=1500 in serve's URL: the lock wait is cancelled, the change rolled back.
      expect(took).toBeGreaterThan(1400)
      expect(took).toBeLessThan(5000)
      // Nothing was changed (the change was rolled back): safe to retry, as any unavailable database.
      expect(reply.status).toBe(503)
      expect(reply.body.id).toBe('store_unavailable')
      expect(server.stderr()).toMatch(
        /ran over the statement timeout and was cancelled: retry, or look for a stuck query; nothing was changed/,
      )
      // Reads do not wait on the lock.
      expect((await call('GET', '/teams/acme/members')).status).toBe(200)
      await holder.query('ROLLBACK')
    })
    expect((await call('PUT', '/teams/acme/members', {email: 'stuck@acme.test', role: 'member'})).status).toBe(200)
  })
})

describe('the URL password', () => {
  it.skipIf(!pgInfo().throwaway)('never appears in serve --verbose stderr, nor in any answer body', async () => {
    expect(serveUrl).toContain(PASSWORD)
    expect(server.stderr()).toMatch(/database unavailable \(request id/)
    expect(server.stderr()).not.toContain(PASSWORD)
    expect(bodies.length).toBeGreaterThan(10)
    for (const body of bodies) expect(body).not.toContain(PASSWORD)
    if (process.env.ORGCTL_TEST_REPORT) process.stderr.write(server.stderr())
  })
})
