/**
 * The schema's integrity (migrations/0001_init.sql): the rules the database itself holds, whatever the
 * code above it does. Unique names, one pending transfer per app, foreign keys, checked roles,
 * permissions, owners and sizes, byte-wise collation of names and emails, version columns; Dashboard sessions (0004).
 */
import pg from 'pg'
import {afterAll, beforeAll, beforeEach, describe, expect, it} from 'vitest'

import {createTestDatabase, pgInfo, type TestDatabase} from '../helpers/postgres.js'

const info = pgInfo()
const NOW = '2026-01-01T00:00:00.000Z'

describe.skipIf(!info.url)('the PostgreSQL schema', () => {
  let database: TestDatabase
  let pool: pg.Pool
  beforeAll(async () => {
    database = await createTestDatabase()
    pool = new pg.Pool({connectionString: database.url, max: 2})
  })
  afterAll(async () => {
    try {
      await pool?.end()
    } finally {
      await database?.drop()
    }
  })

  let n = 0
  const id = () => `id-${++n}`
  const user = async (email: string) => {
    const userId = id()
    await pool.query('INSERT INTO users (id, email, created_at) VALUES ($1, $2, $3)', [userId, email, NOW])
    return userId
  }
  const org = async (name: string) => {
    const orgId = id()
    await pool.query(
      `INSERT INTO orgs (id, name, created_at, updated_at, limit_apps, limit_members, limit_dyno_units) VALUES ($1, $2, $3, $3, 100, 50, 200)`,
      [orgId, name, NOW],
    )
    return orgId
  }
  const app = async (name: string, owner: {email?: string; orgId?: string}) => {
    const appId = id()
    await pool.query(
      `INSERT INTO apps (id, name, owner_email, owner_org_id, region, created_at, updated_at) VALUES ($1, $2, $3, $4, 'us', $5, $5)`,
      [appId, name, owner.email ?? null, owner.orgId ?? null, NOW],
    )
    return appId
  }
  const transfer = (appId: string, state: string, to = 'bob@acme.test') =>
    pool.query(
      `INSERT INTO transfers (id, app, app_id, from_email, to_email, state, created_at, updated_at) VALUES ($1, 'app', $2, 'ann@acme.test', $3, $4, $5, $5)`,
      [id(), appId, to, state, NOW],
    )
  const code = (promise: Promise<unknown>) =>
    promise.then(
      () => 'ok',
      (error: {code?: string}) => error.code,
    )

  beforeEach(async () => {
    await pool.query('TRUNCATE users, orgs, apps, transfers CASCADE')
    await user('ann@acme.test')
    await user('bob@acme.test')
  })

  it('Dashboard sessions (0004): a 64-hex hash once, a kind of session or link, a lower-case email that needs no user', async () => {
    await pool.query('TRUNCATE dashboard_sessions')
    const session = (hash: string, kind = 'session', email = 'nobody@acme.test') =>
      pool.query('INSERT INTO dashboard_sessions (hash, kind, email, created_at, expires_at) VALUES ($1, $2, $3, $4, $4)', [
        hash,
        kind,
        email,
        NOW,
      ])
    expect(await code(session('a'.repeat(64)))).toBe('ok')
    expect(await code(session('a'.repeat(64), 'link'))).toBe('23505')
    expect(await code(session('b'.repeat(64), 'link'))).toBe('ok')
    expect(await code(session('c'.repeat(64), 'cookie'))).toBe('23514')
    expect(await code(session('C'.repeat(64)))).toBe('23514')
    expect(await code(session('d'.repeat(63)))).toBe('23514')
    expect(await code(session('e'.repeat(64), 'session', 'Ann@acme.test'))).toBe('23514')
    // Users come and go (an import replaces them) without a session standing in the way.
    expect(await code(pool.query('TRUNCATE users CASCADE'))).toBe('ok')
    expect((await pool.query('SELECT count(*)::int AS n FROM dashboard_sessions')).rows[0].n).toBe(2)
  })

  it('org, app and user names are unique (unique_violation 23505)', async () => {
    await org('acme')
    expect(await code(org('acme'))).toBe('23505')
    await app('web', {email: 'ann@acme.test'})
    expect(await code(app('web', {email: 'bob@acme.test'}))).toBe('23505')
    expect(await code(user('ann@acme.test'))).toBe('23505')
  })

  it('an app has at most one pending transfer; answered ones are kept beside it', async () => {
    const appId = await app('web', {email: 'ann@acme.test'})
    await transfer(appId, 'pending')
    expect(await code(transfer(appId, 'pending'))).toBe('23505')
    expect(await code(transfer(appId, 'declined'))).toBe('ok')
    expect(await code(transfer(appId, 'accepted'))).toBe('ok')
    expect(await code(transfer(appId, 'cancelled'))).toBe('23514')
  })

  it('rows of a missing org, app or user are refused (foreign_key_violation 23503)', async () => {
    const membership = (orgId: string, email: string, role = 'member') =>
      pool.query(`INSERT INTO memberships (id, org_id, email, role, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $5)`, [
        id(),
        orgId,
        email,
        role,
        NOW,
      ])
    expect(await code(membership('no-such-org', 'ann@acme.test'))).toBe('23503')
    const orgId = await org('acme')
    expect(await code(membership(orgId, 'nobody@acme.test'))).toBe('23503')
    expect(await code(membership(orgId, 'ann@acme.test', 'owner'))).toBe('23514')
    expect(await code(membership(orgId, 'ann@acme.test', 'admin'))).toBe('ok')
    expect(await code(membership(orgId, 'ann@acme.test'))).toBe('23505')
    expect(await code(app('web', {orgId: 'no-such-org'}))).toBe('23503')
    const collaborator = (appId: string, permissions: string[]) =>
      pool.query(
        `INSERT INTO collaborators (id, app_id, email, permissions, created_at, updated_at) VALUES ($1, $2, 'bob@acme.test', $3, $4, $4)`,
        [id(), appId, permissions, NOW],
      )
    expect(await code(collaborator('no-such-app', ['view']))).toBe('23503')
    // Deleting an org takes its memberships with it.
    await pool.query('DELETE FROM orgs WHERE id = $1', [orgId])
    expect((await pool.query('SELECT count(*)::int AS n FROM memberships')).rows[0].n).toBe(0)
  })

  it('roles, permissions, owners, regions, sizes and quantities are checked (check_violation 23514)', async () => {
    const orgId = await org('acme')
    expect(await code(app('two-owners', {email: 'ann@acme.test', orgId}))).toBe('23514')
    expect(await code(app('no-owner', {}))).toBe('23514')
    expect(await code(org('Bad_Name'))).toBe('23514')
    expect(await code(user('Upper@acme.test'))).toBe('23514')
    const appId = await app('web', {orgId})
    const collaborator = (permissions: (string | null)[]) =>
      pool.query(
        `INSERT INTO collaborators (id, app_id, email, permissions, created_at, updated_at) VALUES ($1, $2, 'bob@acme.test', $3, $4, $4)`,
        [id(), appId, permissions, NOW],
      )
    expect(await code(collaborator(['view', 'admin']))).toBe('23514')
    expect(await code(collaborator([]))).toBe('23514')
    expect(await code(collaborator(['view', null]))).toBe('23514')
    expect(await code(collaborator(['view', 'deploy']))).toBe('ok')
    const dyno = (type: string, quantity: number, size: string) =>
      pool.query(`INSERT INTO formation (id, app_id, type, quantity, size, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $6)`, [
        id(),
        appId,
        type,
        quantity,
        size,
        NOW,
      ])
    expect(await code(dyno('web', 101, 'standard-1x'))).toBe('23514')
    expect(await code(dyno('web', 1, 'huge'))).toBe('23514')
    expect(await code(dyno('web', 2, 'standard-2x'))).toBe('ok')
    expect(await code(dyno('web', 1, 'standard-1x'))).toBe('23505')
    // A personal app cannot be locked.
    expect(await code(pool.query(`UPDATE apps SET locked = true WHERE id = $1`, [appId]))).toBe('ok')
    const personal = await app('mine', {email: 'ann@acme.test'})
    expect(await code(pool.query(`UPDATE apps SET locked = true WHERE id = $1`, [personal]))).toBe('23514')
    const token = (hash: string) =>
      pool.query(`INSERT INTO tokens (id, email, hash, created_at) VALUES ($1, 'ann@acme.test', $2, $3)`, [id(), hash, NOW])
    expect(await code(token('not-a-hash'))).toBe('23514')
    expect(await code(token('a'.repeat(64)))).toBe('ok')
    expect(await code(token('a'.repeat(64)))).toBe('23505')
  })

  it('names and emails sort byte-wise (COLLATE "C"), whatever the database locale', async () => {
    const {rows} = await pool.query<{table_name: string; column_name: string; collation_name: string | null}>(
      `SELECT table_name, column_name, collation_name FROM information_schema.columns
        WHERE table_schema = 'public' AND data_type = 'text'
          AND column_name IN ('name', 'email', 'owner_email', 'app', 'from_email', 'to_email', 'type', 'hash')`,
    )
    expect(rows.length).toBeGreaterThanOrEqual(12)
    for (const row of rows) {
      if (row.table_name === 'schema_migrations') continue
      expect(`${row.table_name}.${row.column_name}: ${row.collation_name}`).toBe(`${row.table_name}.${row.column_name}: C`)
    }
  })

  it('orgs and apps carry a version for cache checks, starting at 1', async () => {
    const orgId = await org('acme')
    const appId = await app('web', {orgId})
    expect((await pool.query('SELECT version FROM orgs WHERE id = $1', [orgId])).rows[0].version).toBe('1')
    expect((await pool.query('SELECT version FROM apps WHERE id = $1', [appId])).rows[0].version).toBe('1')
  })
})
