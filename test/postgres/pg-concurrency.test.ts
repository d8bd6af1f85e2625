/**
 * The PostgreSQL engine under concurrency and faults: check-then-act under the org lock holds however
 * writes race; deadlocks are rerun; a unique violation between two transactions is a conflict (a user
 * created meanwhile is not); a connection killed mid-transaction is store_unavailable and the pool
 * recovers; a connection lost during COMMIT is a store_error saying the outcome is unknown.
 */
import {afterAll, beforeAll, beforeEach, describe, expect, it} from 'vitest'

import {isCommitUnknown} from '../../src/lib/errors.js'

import {limitReached, OrgctlError} from '../../src/lib/errors.js'
import {checkout, openPool, parseDatabaseUrl} from '../../src/lib/storage/postgres/connection.js'
import {PostgresStorage} from '../../src/lib/storage/postgres/pg-storage.js'
import {createTestDatabase, pgInfo, type TestDatabase, withClient} from '../helpers/postgres.js'
import {collaborator, membership, org, orgApp, personalApp, token, user} from '../storage/records.js'

const ADA = 'ada@acme.test'
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** A promise and the function that settles it. */
function signal(): {promise: Promise<void>; fire: () => void} {
  let fire!: () => void
  const promise = new Promise<void>((resolve) => (fire = resolve))
  return {promise, fire}
}

async function failure(promise: Promise<unknown>): Promise<OrgctlError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  )
  expect(error).toBeInstanceOf(OrgctlError)
  return error as OrgctlError
}

describe.skipIf(!pgInfo().url)('the PostgreSQL engine under concurrency and faults', () => {
  let database: TestDatabase
  let storage: PostgresStorage
  /** Runs one statement on a connection of its own (not the storage's pool). */
  const admin = <T = Record<string, unknown>>(text: string, values: unknown[] = []) =>
    withClient(database.url, async (client) => (await client.query(text, values)).rows as T[])
  /** Waits until some backend of the storage is in this state, and gives its pid. */
  const backendIn = async (state: string, query?: string): Promise<number> => {
    for (let tries = 0; tries < 200; tries++) {
      const rows = await admin<{pid: number}>(
        `SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'orgctl'
            AND state = $1 AND ($2::text IS NULL OR query = $2)`,
        [state, query ?? null],
      )
      if (rows.length === 1) return rows[0]!.pid
      await sleep(10)
    }
    throw new Error(`no backend ${state}`)
  }

  beforeAll(async () => {
    database = await createTestDatabase()
    storage = await PostgresStorage.open(database.url, {maxConnections: 12})
  })
  afterAll(async () => {
    try {
      await storage?.close()
    } finally {
      await database?.drop()
    }
  })
  beforeEach(async () => {
    await admin(
      'TRUNCATE users, orgs, memberships, org_people, usage_days, ledger_entries, apps, collaborators, formation, transfers, tokens, operators',
    )
    await storage.write(async (tx) => {
      await tx.users.ensure(user(ADA))
      await tx.orgs.insert(org('acme', {apps: 10, members: 5, 'dyno-units': 10}))
      await tx.orgs.insert(org('zeta'))
      await tx.members.put('acme', membership(ADA, 'admin'))
    })
  })

  it('20 writers racing to add a member against a limit of 5 end with exactly 5 (check-then-act under lockOrgs)', async () => {
    const emails = Array.from({length: 20}, (_, i) => `racer${i}@acme.test`)
    const results = await Promise.allSettled(
      emails.map((email) =>
        storage.write(async (tx) => {
          await tx.lockOrgs(['zeta', 'acme'])
          const {members} = await tx.apps.figures('acme')
          const limit = (await tx.orgs.byName('acme'))!.limits.members
          if (members >= limit) throw limitReached(`acme is full (${members} of ${limit})`)
          // Give the others every chance to read the same count.
          await sleep(2)
          await tx.users.ensure(user(email))
          await tx.members.put('acme', membership(email))
        }),
      ),
    )
    expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(4)
    const refused = results.filter((result) => result.status === 'rejected').map((result) => (result as PromiseRejectedResult).reason)
    expect(refused.every((error) => error instanceof OrgctlError && error.id === 'limit_reached')).toBe(true)
    await storage.read(async (tx) => {
      expect((await tx.apps.figures('acme')).members).toBe(5)
      expect(await tx.members.list('acme')).toHaveLength(5)
    })
  })

  it('the kept member-list size holds when one person is added and removed as member and collaborator at once, without org locks', async () => {
    await storage.write(async (tx) => {
      await tx.apps.insert(orgApp('app-a', 'acme'))
      await tx.apps.insert(orgApp('app-b', 'acme'))
      for (let i = 0; i < 8; i++) await tx.users.ensure(user(`p${i}@acme.test`))
    })
    const people = Array.from({length: 8}, (_, i) => `p${i}@acme.test`)
    // Every person gets a membership and two app shares from three racing writes (no lockOrgs: the
    // people rows serialize them), then loses them again the same way.
    await Promise.all(
      people.flatMap((email) => [
        storage.write((tx) => tx.members.put('acme', membership(email))),
        storage.write((tx) => tx.collaborators.put('app-a', collaborator(email))),
        storage.write((tx) => tx.collaborators.put('app-b', collaborator(email))),
      ]),
    )
    expect((await storage.read((tx) => tx.apps.figures('acme'))).members).toBe(1 + 8)
    await Promise.all(
      people.flatMap((email, i) => [
        storage.write((tx) => tx.members.remove('acme', email)),
        storage.write((tx) => tx.collaborators.remove('app-a', email)),
        // Half of them keep their share of app-b.
        ...(i % 2 ? [storage.write((tx) => tx.collaborators.remove('app-b', email))] : []),
      ]),
    )
    await storage.read(async (tx) => {
      expect((await tx.apps.figures('acme')).members).toBe(1 + 4)
      expect((await tx.collaborators.outsideMembers('acme')).map((entry) => entry.email)).toEqual(people.filter((_, i) => i % 2 === 0))
    })
  })

  it('a statement stuck waiting on a lock past the statement timeout is cancelled: the change is refused, the lock holder goes on', async () => {
    const impatient = await PostgresStorage.open(database.url, {statementTimeoutMs: 300})
    try {
      const locked = signal()
      const hold = signal()
      const holder = storage.write(async (tx) => {
        await tx.lockOrgs(['acme'])
        locked.fire()
        await hold.promise
        await tx.members.put('acme', membership(ADA, 'admin'))
      })
      await locked.promise
      const error = await failure(impatient.write((tx) => tx.lockOrgs(['acme'])))
      // Rolled back, nothing changed: unavailable (503 on a server), safe to retry.
      expect(error.id).toBe('store_unavailable')
      expect(error.message).toMatch(
        /ran over the statement timeout and was cancelled: retry, or look for a stuck query; nothing was changed\.$/,
      )
      hold.fire()
      await holder
    } finally {
      await impatient.close()
    }
  })

  it('a deadlock between two writes locking two apps in opposite orders is rerun: both succeed', async () => {
    await storage.write(async (tx) => {
      await tx.apps.insert(orgApp('app-a', 'acme'))
      await tx.apps.insert(orgApp('app-b', 'acme'))
    })
    let runs = 0
    const both = {a: signal(), b: signal()}
    const first = {a: true, b: true}
    const writer = (mine: 'a' | 'b', theirs: 'a' | 'b') =>
      storage.write(async (tx) => {
        runs++
        await tx.lockApp(`app-${mine}`)
        if (first[mine]) {
          first[mine] = false
          both[mine].fire()
          await both[theirs].promise
        }
        await tx.lockApp(`app-${theirs}`)
        const app = (await tx.apps.byName(`app-${mine}`))!
        await tx.apps.update({...app, locked: true})
      })
    await Promise.all([writer('a', 'b'), writer('b', 'a')])
    expect(runs).toBe(3)
    await storage.read(async (tx) => {
      expect((await tx.apps.byName('app-a'))!.locked).toBe(true)
      expect((await tx.apps.byName('app-b'))!.locked).toBe(true)
    })
  })

  it('two transactions creating one app name: one wins, the other waits for it and gets conflict', async () => {
    const inserted = signal()
    const hold = signal()
    const winner = storage.write(async (tx) => {
      await tx.apps.insert(orgApp('same', 'acme'))
      inserted.fire()
      await hold.promise
    })
    await inserted.promise
    const loser = failure(storage.write((tx) => tx.apps.insert(personalApp('same', ADA))))
    // The loser waits on the winner's uncommitted row.
    await backendIn('active')
    hold.fire()
    await winner
    const error = await loser
    expect(error.id).toBe('conflict')
    expect(error.message).toBe('The app name same is already taken: choose another, or leave it out to get a generated one.')
    expect((await storage.read((tx) => tx.apps.byName('same')))!.owner).toEqual({kind: 'org', name: 'acme'})
  })

  it('two transactions ensuring one user: both get the same record, neither a conflict', async () => {
    const inserted = signal()
    const hold = signal()
    const first = user('new@acme.test')
    const winner = storage.write(async (tx) => {
      const got = await tx.users.ensure(first)
      inserted.fire()
      await hold.promise
      return got
    })
    await inserted.promise
    const second = storage.write((tx) => tx.users.ensure(user('new@acme.test')))
    await backendIn('active')
    hold.fire()
    expect(await winner).toEqual(first)
    expect(await second).toEqual(first)
  })

  it('a connection killed mid-transaction: store_unavailable, nothing written, and the next write succeeds', async () => {
    const error = await failure(
      storage.write(async (tx) => {
        await tx.users.ensure(user('lost@acme.test'))
        await tx.members.put('acme', membership('lost@acme.test'))
        const pid = await backendIn('idle in transaction')
        await admin('SELECT pg_terminate_backend($1)', [pid])
        await sleep(50)
        await tx.members.list('acme')
      }),
    )
    expect(error.id).toBe('store_unavailable')
    expect(error.httpStatus).toBe(503)
    expect(error.message).toMatch(/^PostgreSQL at .* database orgctl_t_.*nothing was changed: retry when the database is back\.$/)
    expect(error.message.split('\n')).toHaveLength(1)
    await storage.write(async (tx) => {
      await tx.users.ensure(user('next@acme.test'))
      await tx.members.put('acme', membership('next@acme.test'))
    })
    await storage.read(async (tx) => {
      expect(await tx.members.get('acme', 'lost@acme.test')).toBeUndefined()
      expect(await tx.users.byEmail('lost@acme.test')).toBeUndefined()
      expect(await tx.members.get('acme', 'next@acme.test')).toBeDefined()
    })
  })

  it('every pooled connection killed while idle: the next read and write still succeed (broken ones are replaced)', async () => {
    await Promise.all(Array.from({length: 6}, () => storage.read((tx) => tx.members.list('acme'))))
    await admin(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'orgctl'`)
    expect(await storage.read((tx) => tx.members.list('acme'))).toHaveLength(1)
    await admin(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'orgctl'`)
    await storage.write(async (tx) => {
      await tx.users.ensure(user('after@acme.test'))
      await tx.members.put('acme', membership('after@acme.test'))
    })
    expect((await storage.read((tx) => tx.apps.figures('acme'))).members).toBe(2)
  })

  it('connections killed just before they are handed out, again and again: never an unheard error (EPIPE): each unit answers, or fails as a store error', async () => {
    // pg_terminate_backend returns before the backend is gone: the pool may still hand its connection out,
    // and the first write on it fails. 20 rounds make that window likely at least once.
    for (let round = 0; round < 20; round++) {
      await Promise.all(Array.from({length: 6}, () => storage.read((tx) => tx.members.list('acme'))))
      const killing = admin(
        `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'orgctl'`,
      )
      const units = Array.from({length: 6}, () =>
        storage
          .read((tx) => tx.members.list('acme'))
          .then(
            (list) => list.length,
            (error: Error) => error.message,
          ),
      )
      await killing
      const outcomes = await Promise.all(units)
      // A unit whose connection died after BEGIN succeeded is store_unavailable; none may crash the process.
      for (const outcome of outcomes)
        expect(outcome === 1 || /closed the connection|unavailable|terminat/i.test(String(outcome))).toBe(true)
    }
    expect(await storage.read((tx) => tx.members.list('acme'))).toHaveLength(1)
  })

  it('a connection that breaks once taken from the pool is heard (no uncaught error) and destroyed on release, not pooled again', async () => {
    const pool = await openPool(parseDatabaseUrl(database.url), {max: 2})
    try {
      const taken = await checkout(pool)
      // What the driver does when its socket fails (EPIPE on the first write): unheard, emit would throw.
      expect(() => taken.client.emit('error', Object.assign(new Error('write EPIPE'), {code: 'EPIPE'}))).not.toThrow()
      expect(taken.broken?.message).toBe('write EPIPE')
      taken.release()
      expect(pool.totalCount).toBe(0)
      const next = await checkout(pool)
      expect((await next.client.query('SELECT 1 AS one')).rows[0]).toEqual({one: 1})
      next.release()
      expect(pool.idleCount).toBe(1)
    } finally {
      await pool.end()
    }
  })

  it('close() waits for the units of work under way (one waiting for the only connection too), then refuses new ones', async () => {
    const single = await PostgresStorage.open(database.url, {maxConnections: 1})
    const started = signal()
    const first = single.write(async (tx) => {
      started.fire()
      await sleep(100)
      await tx.users.ensure(user('first@acme.test'))
    })
    await started.promise
    const queued = single.write((tx) => tx.users.ensure(user('queued@acme.test')))
    const closing = single.close()
    const refused = await failure(single.read((tx) => tx.users.byEmail(ADA)))
    expect(refused.id).toBe('store_unavailable')
    await Promise.all([first, queued, closing])
    await storage.read(async (tx) => {
      expect(await tx.users.byEmail('first@acme.test')).toBeDefined()
      expect(await tx.users.byEmail('queued@acme.test')).toBeDefined()
    })
  })

  it('a write whose function catches a failed statement and goes on is not reported done (the transaction is aborted)', async () => {
    const error = await storage
      .write(async (tx) => {
        await tx.orgs.update({...(await tx.orgs.byName('acme'))!, limits: {apps: 1, members: 1, 'dyno-units': 1}})
        // No user record for this email: the foreign key refuses it, and the transaction is aborted.
        await tx.members.put('acme', membership('nobody@acme.test')).catch(() => undefined)
      })
      .catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(OrgctlError)
    expect((error as OrgctlError).id).toBe('store_error')
    expect((error as OrgctlError).message).toMatch(/foreign key/)
    expect((await storage.read((tx) => tx.orgs.byName('acme')))!.limits.members).toBe(5)
  })

  it('a database that refuses connections: store_unavailable; when it takes them again, the pool recovers', async () => {
    // From the server's maintenance database: a database cannot refuse connections from inside itself.
    const server = (text: string) => withClient(pgInfo().url!, (client) => client.query(text))
    await server(`ALTER DATABASE "${database.name}" WITH ALLOW_CONNECTIONS false`)
    try {
      await server(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '${database.name}'`)
      const error = await failure(storage.write((tx) => tx.members.put('acme', membership(ADA, 'member'))))
      expect(error.id).toBe('store_unavailable')
      expect(error.message).toMatch(
        /^PostgreSQL at .* is not currently accepting connections.*nothing was changed: retry when the database is back\.$/,
      )
    } finally {
      await server(`ALTER DATABASE "${database.name}" WITH ALLOW_CONNECTIONS true`)
    }
    expect((await storage.read((tx) => tx.members.get('acme', ADA)))!.role).toBe('admin')
  })

  it('a connection lost during COMMIT: a store_error saying the change may or may not have been saved', async () => {
    // A deferred trigger makes COMMIT itself slow, so the connection can be cut while it runs.
    await admin(
      `CREATE OR REPLACE FUNCTION slow_commit() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN PERFORM pg_sleep(2); RETURN NULL; END $$`,
    )
    await admin(
      `CREATE CONSTRAINT TRIGGER slow_commit AFTER INSERT ON tokens DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION slow_commit()`,
    )
    try {
      const write = failure(storage.write((tx) => tx.tokens.insert(token(ADA, 'c'))))
      const pid = await backendIn('active', 'COMMIT')
      await admin('SELECT pg_terminate_backend($1)', [pid])
      const error = await write
      expect(error.id).toBe('store_error')
      expect(isCommitUnknown(error)).toBe(true)
      expect(error.httpStatus).toBe(500)
      expect(error.message).toMatch(
        /^PostgreSQL at .* database orgctl_t_\S+: the database connection was lost while committing: the change may or may not have been saved; check before retrying it\.$/,
      )
    } finally {
      await admin('DROP TRIGGER slow_commit ON tokens')
    }
    // Here it did not commit (the server was cut before the end of COMMIT); and the pool goes on.
    expect(await storage.read((tx) => tx.tokens.of(ADA))).toEqual([])
    await storage.write((tx) => tx.tokens.insert(token(ADA, 'd')))
    expect(await storage.read((tx) => tx.tokens.of(ADA))).toHaveLength(1)
  })
})
