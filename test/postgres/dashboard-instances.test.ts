/**
 * Dashboard sessions live in the storage: on one PostgreSQL database, a browser signed in through
 * one instance is signed in on another, a one-time link minted on one works once on either, and a
 * sign-out through one ends the session on both.
 */
import type {FastifyInstance} from 'fastify'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {Ctx} from '../../src/lib/domain/context.js'
import {createOrg} from '../../src/lib/domain/orgs.js'
import {createSignInLink} from '../../src/lib/domain/sessions.js'
import {createAuthorization} from '../../src/lib/domain/tokens.js'
import {DEFAULT_LIMITS} from '../../src/lib/domain/validation.js'
import {buildServer} from '../../src/lib/server/server.js'
import {PostgresStorage} from '../../src/lib/storage/postgres/pg-storage.js'
import {createTestDatabase, pgInfo, type TestDatabase} from '../helpers/postgres.js'
import {clientOf, cookieValue, csrfOf, type DashboardClient} from '../server/_dashboard.js'

const ADMIN = 'admin@acme.test'

describe.skipIf(!pgInfo().url)('Dashboard sessions across two instances on one database', () => {
  let database: TestDatabase
  const servers: FastifyInstance[] = []
  const clients: DashboardClient[] = []
  let token: string

  beforeAll(async () => {
    database = await createTestDatabase()
    for (let i = 0; i < 2; i++) {
      const server = await buildServer({storage: await PostgresStorage.open(database.url), rateLimitPerHour: 100_000})
      await server.ready()
      servers.push(server)
      clients.push(clientOf(server))
    }
    const seeding = await PostgresStorage.open(database.url)
    token = await seeding.write(async (tx) => {
      await createOrg(new Ctx(tx, ADMIN), 'acme', DEFAULT_LIMITS)
      return (await createAuthorization(new Ctx(tx, ADMIN), 'test')).token
    })
    await seeding.close()
  })
  afterAll(async () => {
    await Promise.all(servers.map((server) => server.close()))
    await database?.drop()
  })

  it('signed in on one, signed in on the other; signed out on the other, signed out on both', async () => {
    const [one, two] = clients as [DashboardClient, DashboardClient]
    const cookies = await one.signIn(ADMIN, token)
    const there = await two.browse('GET', '/dashboard/orgs/acme/access', {cookies})
    expect(there.status).toBe(200)
    expect(there.text).toContain(ADMIN)
    const out = await two.browse('POST', '/dashboard/sign-out', {cookies, form: {csrf: csrfOf(there.text)!}})
    expect(out.status).toBe(303)
    for (const client of clients) {
      const after = await client.browse('GET', '/dashboard', {cookies})
      expect(after.status).toBe(303)
      expect(String(after.headers.location)).toMatch(/^\/dashboard\/sign-in/)
    }
  })

  it('a one-time link minted through one instance works once, whichever instance it reaches first', async () => {
    const storage = await PostgresStorage.open(database.url)
    const {code} = await storage.write((tx) => createSignInLink(new Ctx(tx, ADMIN)))
    await storage.close()
    const url = `/dashboard/sign-in/link?code=${code}`
    // Both at once: exactly one wins.
    const answers = await Promise.all(clients.map((client) => client.browse('GET', url)))
    expect(answers.map((answer) => answer.status).sort()).toEqual([303, 401])
    const winner = answers.find((answer) => answer.status === 303)!
    const cookies = `orgctl_session=${cookieValue(winner, 'orgctl_session')}`
    for (const client of clients) expect((await client.browse('GET', '/dashboard', {cookies})).status).toBe(200)
  })
})
