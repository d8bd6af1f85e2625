/**
 * Several `orgctl serve` processes (the built binary) on one PostgreSQL database (issue 10, section 4
 * and Tests): started at once on an unmigrated database they migrate once; every rule holds however
 * requests race over them; a read through one instance sees a change another acknowledged, warm cache
 * or not; a SIGKILLed instance loses nothing it acknowledged; SIGTERM finishes requests in flight and
 * closes its connections; the rate limit is shared out with --instances.
 */
import {readdirSync} from 'node:fs'
import {resolve} from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {createTestDatabase, type TestDatabase, withClient} from '../helpers/postgres.js'
import {api, emails, type Instance, pooled, type Reply, Seeder, serve, stop} from './_instances.js'

const MIGRATIONS = readdirSync(resolve(import.meta.dirname, '../../src/lib/storage/postgres/migrations')).filter((name) =>
  name.endsWith('.sql'),
)
const BOSS = 'boss@acme.test'
const ANN = 'ann@acme.test'

let database: TestDatabase
let seeder: Seeder
let instances: Instance[] = []
let boss: string
let ann: string

/** ORGCTL_TEST_REPORT=1 prints the measured figures (for the closing note). */
const report = (line: string) => process.env.ORGCTL_TEST_REPORT && process.stderr.write(`[multi-instance] ${line}\n`)
const ok = (reply: Reply) => reply.status >= 200 && reply.status < 300
const count = (replies: Reply[], status: number) => replies.filter((reply) => reply.status === status).length
const on = (i: number) => instances[i % instances.length]!.url

beforeAll(async () => {
  database = await createTestDatabase({migrated: false})
  // Three at once on an empty database: each migrates under the advisory lock, one applies the files.
  instances = await Promise.all([0, 1, 2].map(() => serve(database.url)))
  seeder = await Seeder.open(database.url)
  await seeder.org(BOSS, 'acme', {members: 10_000, apps: 1000})
  boss = await seeder.token(BOSS)
  ann = await seeder.token(ANN)
})

afterAll(async () => {
  await Promise.all(instances.map((instance) => stop(instance)))
  await seeder?.close()
  await database?.drop()
})

describe('three orgctl serve on one database', () => {
  it('started at once on an unmigrated database: they migrate once, without an error', async () => {
    const rows = await withClient(database.url, (client) => client.query('SELECT version FROM schema_migrations ORDER BY version'))
    expect(rows.rows.map((row) => Number(row.version))).toEqual(MIGRATIONS.map((name) => Number(name.split('_')[0])))
    const applied = instances.map((instance) => (instance.stderr().match(/migrated the database: applied/g) ?? []).length)
    // One instance applied each file; the others found the schema current.
    expect(applied.reduce((a, b) => a + b, 0)).toBe(MIGRATIONS.length)
    for (const instance of instances) {
      expect(instance.stderr()).not.toMatch(/error|warn/i)
      expect((await api(instance.url, boss, 'GET', '/teams/acme')).status).toBe(200)
    }
  })

  it('concurrent writers over all three: every acknowledged write is there, read through each instance', async () => {
    await api(on(0), boss, 'POST', '/teams/apps', {name: 'shared-app', team: 'acme'})
    // Member adds, app creates and collaborator adds on one app, interleaved, 12 at a time, round-robin.
    type Write = {kind: 'member' | 'app' | 'collaborator'; name: string}
    const writes: Write[] = Array.from({length: 150}, (_, i) => ({kind: 'member', name: `w${i}@acme.test`}))
    for (let i = 0; i < 30; i++) writes.splice(i * 6, 0, {kind: 'app', name: `mixed-app-${i}`})
    for (let i = 0; i < 30; i++) writes.splice(i * 6 + 3, 0, {kind: 'collaborator', name: `w${i}@acme.test`})
    const replies = await pooled(writes, 12, ({kind, name}, i) => {
      if (kind === 'member') return api(on(i), boss, 'PUT', '/teams/acme/members', {email: name, role: 'member'})
      if (kind === 'app') return api(on(i), boss, 'POST', '/teams/apps', {name, team: 'acme'})
      return api(on(i), boss, 'POST', '/teams/apps/shared-app/collaborators', {user: name})
    })
    const acknowledged = writes.filter((_, i) => ok(replies[i]!))
    const statuses = [...new Set(replies.map((reply) => reply.status))].sort().join(',')
    report(`writers: ${acknowledged.length}/${writes.length} acknowledged, statuses ${statuses}`)
    // Measured: all 210 acknowledged (members 200, apps and collaborators 201).
    expect(acknowledged.length).toBe(writes.length)
    const of = (kind: Write['kind']) => acknowledged.filter((write) => write.kind === kind).map((write) => write.name)
    for (const instance of instances) {
      const members = new Set(emails(await api(instance.url, boss, 'GET', '/teams/acme/members')))
      expect(
        of('member').filter((email) => !members.has(email)),
        instance.url,
      ).toEqual([])
      const apps = new Set(((await api(instance.url, boss, 'GET', '/teams/acme/apps')).body as {name: string}[]).map((app) => app.name))
      expect(
        of('app').filter((name) => !apps.has(name)),
        instance.url,
      ).toEqual([])
      const collaborators = (await api(instance.url, boss, 'GET', '/teams/apps/shared-app/collaborators')).body as {user: {email: string}}[]
      const shared = new Set(collaborators.map((c) => c.user.email))
      expect(
        of('collaborator').filter((email) => !shared.has(email)),
        instance.url,
      ).toEqual([])
    }
    const {rows} = await withClient(database.url, (client) =>
      client.query<{n: string}>("SELECT count(*) AS n FROM memberships m JOIN orgs o ON o.id = m.org_id WHERE o.name = 'acme'"),
    )
    expect(Number(rows[0]!.n)).toBe(of('member').length + 1)
  })

  it('a member limit of N: however 40 adds race over the three, exactly N members, the others limit_reached', async () => {
    const N = 6
    await seeder.org(BOSS, 'capped', {members: N})
    const adds = Array.from({length: 40}, (_, i) => `c${i}@acme.test`)
    const replies = await pooled(adds, 20, (email, i) => api(on(i), boss, 'POST', '/teams/capped/members', {email, role: 'member'}))
    report(`limit ${N}: ${count(replies, 201)} added (201), ${count(replies, 422)} limit_reached (422)`)
    // The creator is the first member: N - 1 adds fit.
    expect(count(replies, 201)).toBe(N - 1)
    expect(count(replies, 422)).toBe(adds.length - (N - 1))
    for (const reply of replies.filter((r) => r.status === 422)) expect(reply.body.id).toBe('limit_reached')
    for (const instance of instances) expect(emails(await api(instance.url, boss, 'GET', '/teams/capped/members')).length).toBe(N)
  })

  it('two admins demoting each other at once through two instances: one admin is left, the other request is refused', async () => {
    const refusals: number[] = []
    for (let round = 0; round < 8; round++) {
      const team = `duo-${round}`
      await seeder.org(BOSS, team)
      await seeder.as(BOSS).addMember(team, ANN, 'admin')
      const [a, b] = await Promise.all([
        api(on(round), boss, 'PATCH', `/teams/${team}/members`, {email: ANN, role: 'member'}),
        api(on(round + 1), ann, 'PATCH', `/teams/${team}/members`, {email: BOSS, role: 'member'}),
      ])
      expect([a.status, b.status].filter((status) => status === 200)).toHaveLength(1)
      const refused = a.status === 200 ? b : a
      refusals.push(refused.status)
      expect(refused.body.id).toBe('forbidden')
      const members = (await api(on(round + 2), boss, 'GET', `/teams/${team}/members`)).body as {email: string; role: string}[]
      expect(members.filter((member) => member.role === 'admin')).toHaveLength(1)
    }
    report(`demotions: 8 rounds, refused with ${refusals.join(',')}`)
    // Measured: always 403 forbidden, never 409: the org's row lock orders the two, and whoever comes second
    // is no longer an admin, so may not change roles at all (as when the two run one after the other).
    expect(refusals).toEqual(Array(8).fill(403))
  })

  it('two instances creating the same app name at once: one 201, one 409 conflict', async () => {
    for (let round = 0; round < 10; round++) {
      const name = `race-app-${round}`
      const replies = await Promise.all([0, 1].map((i) => api(on(round + i), boss, 'POST', '/teams/apps', {name, team: 'acme'})))
      expect(replies.map((reply) => reply.status).sort()).toEqual([201, 409])
      expect(replies.find((reply) => reply.status === 409)!.body.id).toBe('conflict')
    }
  })

  it('read-your-writes across instances, with the answer cache warm on the reader', async () => {
    await api(on(0), boss, 'POST', '/teams/apps', {name: 'ryw-app', team: 'acme'})
    for (let i = 0; i < 30; i++) {
      const [writer, reader] = [on(i), on(i + 1)]
      // Members.
      const email = `ryw${i}@acme.test`
      await api(reader, boss, 'GET', '/teams/acme/members')
      await api(reader, boss, 'GET', '/teams/acme/members')
      expect((await api(writer, boss, 'PUT', '/teams/acme/members', {email, role: 'member'})).status).toBe(200)
      expect(emails(await api(reader, boss, 'GET', '/teams/acme/members'))).toContain(email)
      // An app's collaborators.
      const collaborators = () => api(reader, boss, 'GET', '/teams/apps/ryw-app/collaborators')
      await collaborators()
      expect((await api(writer, boss, 'POST', '/teams/apps/ryw-app/collaborators', {user: email})).status).toBe(201)
      expect(((await collaborators()).body as {user: {email: string}}[]).map((c) => c.user.email)).toContain(email)
      // Its lock.
      const locked = i % 2 === 0
      expect((await api(reader, boss, 'GET', '/teams/apps/ryw-app')).body.locked).toBe(!locked)
      expect((await api(writer, boss, 'PATCH', '/teams/apps/ryw-app', {locked})).status).toBe(200)
      expect((await api(reader, boss, 'GET', '/teams/apps/ryw-app')).body.locked).toBe(locked)
    }
  })

  it('an instance SIGKILLed in a stream of writes loses nothing it acknowledged; the others keep serving', async () => {
    const victim = await serve(database.url)
    const acknowledged: string[] = []
    const failed: number[] = []
    let n = 0
    // Killed mid-stream once 40 writes are acknowledged (a count, not a time: the machine may be busy).
    let killAt: () => void
    const enough = new Promise<void>((resolve) => (killAt = resolve))
    const writer = async () => {
      while (victim.child.exitCode === null && victim.child.signalCode === null) {
        const email = `k${n++}@acme.test`
        const reply = await api(victim.url, boss, 'PUT', '/teams/acme/members', {email, role: 'member'})
        if (ok(reply)) acknowledged.push(email)
        else failed.push(reply.status)
        if (acknowledged.length >= 40) killAt()
      }
    }
    const writers = Array.from({length: 6}, writer)
    await enough
    victim.child.kill('SIGKILL')
    await Promise.all(writers)
    expect(await victim.exited).toBe('SIGKILL')
    report(`SIGKILL: ${acknowledged.length} acknowledged before the kill, ${failed.length} cut off (${failed.join(',')})`)
    // Measured: 40 acknowledged, 6 to 9 cut off (status 0: the connection dropped, or refused after the kill).
    expect(failed.length).toBeGreaterThanOrEqual(1)
    expect(failed.every((status) => status === 0)).toBe(true)
    for (const instance of instances) {
      const listed = new Set(emails(await api(instance.url, boss, 'GET', '/teams/acme/members')))
      expect(acknowledged.filter((email) => !listed.has(email))).toEqual([])
    }
    expect((await api(on(0), boss, 'PUT', '/teams/acme/members', {email: 'after-kill@acme.test', role: 'member'})).status).toBe(200)
  })

  it('SIGTERM with requests in flight: they finish 2xx, it exits 0, and its connections are gone', async () => {
    // Its own application_name (a URL parameter the driver sends) tells its connections from the others'.
    const url = new URL(database.url)
    url.searchParams.set('application_name', 'orgctl-sigterm')
    const leaving = await serve(url.toString())
    const connections = () =>
      withClient(database.url, async (client) => {
        const {rows} = await client.query<{n: string}>(
          "SELECT count(*) AS n FROM pg_stat_activity WHERE application_name = 'orgctl-sigterm' AND datname = current_database()",
        )
        return Number(rows[0]!.n)
      })
    // Requests held in flight by a lock on the org's row, taken by the test.
    const replies = await withClient(database.url, async (holder) => {
      await holder.query('BEGIN')
      await holder.query("SELECT id FROM orgs WHERE name = 'acme' FOR UPDATE")
      const pending = Array.from({length: 8}, (_, i) =>
        api(leaving.url, boss, 'PUT', '/teams/acme/members', {email: `t${i}@acme.test`, role: 'member'}),
      )
      await new Promise((resolve) => setTimeout(resolve, 400))
      expect(await connections()).toBeGreaterThanOrEqual(1)
      leaving.child.kill('SIGTERM')
      await new Promise((resolve) => setTimeout(resolve, 300))
      expect(leaving.child.exitCode).toBe(null)
      await holder.query('COMMIT')
      return Promise.all(pending)
    })
    expect(replies.map((reply) => reply.status)).toEqual(Array(8).fill(200))
    expect(await leaving.exited).toBe(0)
    expect(leaving.stderr()).toMatch(/SIGTERM: finishing requests in flight/)
    expect(await connections()).toBe(0)
  })
})

describe('the per-token rate limit over three instances', () => {
  it('--instances 3 --rate-limit 30: each instance allows its share (10), 30 in all', async () => {
    const limited = await Promise.all([0, 1, 2].map(() => serve(database.url, ['--instances', '3', '--rate-limit', '30'])))
    try {
      const token = await seeder.token(BOSS)
      const perInstance = await Promise.all(
        limited.map(async (instance) => {
          const replies = await pooled(Array.from({length: 15}), 3, () => api(instance.url, token, 'GET', '/account'))
          return {allowed: count(replies, 200), limited: count(replies, 429)}
        }),
      )
      report(`rate limit: ${JSON.stringify(perInstance)}`)
      // Measured: each instance's bucket starts full at 30 / 3 = 10 and refills 10 an hour, so 10 of 15
      // pass on each, 30 in all. The limit is each instance's share, not counted in the database: a
      // client that sticks to one instance gets R/N, one spread evenly gets R.
      expect(perInstance).toEqual(Array(3).fill({allowed: 10, limited: 5}))
    } finally {
      await Promise.all(limited.map((instance) => stop(instance)))
    }
  })
})
