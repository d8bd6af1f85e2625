/**
 * Measures (ORGCTL_PG_BENCH=1 only): one connection, a member add (lockOrgs + members.get + figures +
 * users.ensure + members.put + figures + history.putDay + the version bump at COMMIT) into a 10-member
 * org and into a 10,000-member org whose apps are shared with 500 more people. The issue's bar: the big
 * org at most 1.5x the small one. Adds alternate between the two orgs so both see the same machine.
 */
import {spawnSync} from 'node:child_process'
import {existsSync} from 'node:fs'
import {join} from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {emptyState} from '../../src/lib/storage/memory/state.js'
import {PostgresStorage} from '../../src/lib/storage/postgres/pg-storage.js'
import {createTestDatabase, findPgBin, pgInfo, type TestDatabase} from '../helpers/postgres.js'
import {collaborator, membership, org, orgApp, user} from '../storage/records.js'

const ROUNDS = Number(process.env.ORGCTL_PG_BENCH_ROUNDS ?? 400)

describe.runIf(pgInfo().url && process.env.ORGCTL_PG_BENCH === '1')('member add latency on PostgreSQL', () => {
  let database: TestDatabase
  beforeAll(async () => {
    database = await createTestDatabase()
  })
  afterAll(async () => {
    await database?.drop()
  })

  it('10,000 members cost at most 1.5x 10 members', async () => {
    const state = emptyState()
    const orgs = {small: 10, big: 10_000}
    for (const [name, size] of Object.entries(orgs)) {
      state.orgs.set(name, {...org(name, {apps: 1000, members: 100_000, 'dyno-units': 1000}), members: new Map()})
      state.histories.set(name, {usageHistory: [], ledger: []})
      for (let i = 0; i < size; i++) {
        const email = `m${i}@${name}.test`
        state.users.set(email, user(email))
        state.orgs.get(name)!.members.set(email, membership(email, i === 0 ? 'admin' : 'member'))
      }
    }
    for (let a = 0; a < 5; a++) {
      const app = {...orgApp(`big-app-${a}`, 'big'), collaborators: new Map(), formation: new Map()}
      for (let i = 0; i < 100; i++) {
        const email = `c${a}-${i}@outside.test`
        state.users.set(email, user(email))
        app.collaborators.set(email, collaborator(email))
      }
      state.apps.set(app.name, app)
    }
    const storage = await PostgresStorage.open(database.url, {maxConnections: 1})
    try {
      await storage.importState(state, {replace: false})
      expect((await storage.read((tx) => tx.apps.figures('big'))).members).toBe(10_500)
      const add = async (name: string, i: number) => {
        const email = `new${i}@${name}.test`
        const started = process.hrtime.bigint()
        await storage.write(async (tx) => {
          await tx.lockOrgs([name])
          await tx.members.get(name, email)
          await tx.apps.figures(name)
          const stored = await tx.users.ensure(user(email))
          await tx.members.put(name, membership(email, 'member', {userId: stored.id}))
          const after = await tx.apps.figures(name)
          await tx.history.putDay(name, {date: '2026-12-01', ...after}, 400)
        })
        return Number(process.hrtime.bigint() - started) / 1e6
      }
      // Warm-up: prepared statements, plans, caches.
      for (let i = 0; i < 50; i++) await add(i % 2 ? 'small' : 'big', -1 - i)
      const times: Record<string, number[]> = {small: [], big: []}
      for (let i = 0; i < ROUNDS; i++) {
        for (const name of i % 2 ? ['small', 'big'] : ['big', 'small']) times[name]!.push(await add(name, i))
      }
      // The floor: a read of one row is three round trips (BEGIN, the statement, COMMIT).
      const floor: number[] = []
      for (let i = 0; i < ROUNDS; i++) {
        const started = process.hrtime.bigint()
        await storage.read((tx) => tx.users.byEmail('m1@big.test'))
        floor.push(Number(process.hrtime.bigint() - started) / 1e6)
      }
      const median = (values: number[]) => [...values].sort((x, y) => x - y)[Math.floor(values.length / 2)]!
      const mean = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / values.length
      const small = median(times.small!)
      const big = median(times.big!)
      process.stdout.write(
        `member add, one connection, ${ROUNDS} each: 10 members median ${small.toFixed(3)} ms (mean ${mean(times.small!).toFixed(3)}), ` +
          `10,000 members median ${big.toFixed(3)} ms (mean ${mean(times.big!).toFixed(3)}): ratio ${(big / small).toFixed(2)}; ` +
          `a one-row read (3 round trips) median ${median(floor).toFixed(3)} ms\n`,
      )
      expect((await storage.read((tx) => tx.apps.figures('big'))).members).toBe(10_500 + ROUNDS + 25)
      expect(big / small).toBeLessThanOrEqual(1.5)
    } finally {
      await storage.close()
    }
  })

  it('member adds per second with 8 writers, beside pgbench TPC-B with 8 clients on the same server', async () => {
    const seconds = Number(process.env.ORGCTL_PG_BENCH_SECONDS ?? 5)
    const url = new URL(database.url)
    const bin = findPgBin().bin
    let pgbench: number | undefined
    if (bin && existsSync(join(bin, 'pgbench')) && url.searchParams.get('host')) {
      const args = ['-h', url.searchParams.get('host')!, '-U', decodeURIComponent(url.username) || 'postgres']
      const name = decodeURIComponent(url.pathname.slice(1))
      const env = {PATH: process.env.PATH, PGDATABASE: name}
      spawnSync(join(bin, 'pgbench'), [...args, '-i', '-q', '-s', '1', name], {env, encoding: 'utf8'})
      const run = spawnSync(join(bin, 'pgbench'), [...args, '-c', '8', '-j', '2', '-T', String(seconds), '-n', name], {
        env,
        encoding: 'utf8',
      })
      pgbench = Number(/tps = ([0-9.]+)/.exec(run.stdout)?.[1])
    }
    const storage = await PostgresStorage.open(database.url, {maxConnections: 8})
    try {
      const orgs = Array.from({length: 8}, (_, i) => `tput-${i}`)
      await storage.write(async (tx) => {
        for (const name of orgs) await tx.orgs.insert(org(name, {apps: 10, members: 1_000_000, 'dyno-units': 10}))
      })
      const rate = async (pickOrg: (writer: number) => string) => {
        let done = 0
        const until = Date.now() + seconds * 1000
        await Promise.all(
          Array.from({length: 8}, async (_, writer) => {
            while (Date.now() < until) {
              const name = pickOrg(writer)
              const email = `w${writer}-${done}-${Math.random().toString(36).slice(2)}@tput.test`
              await storage.write(async (tx) => {
                await tx.lockOrgs([name])
                await tx.members.get(name, email)
                await tx.apps.figures(name)
                const stored = await tx.users.ensure(user(email))
                await tx.members.put(name, membership(email, 'member', {userId: stored.id}))
                const after = await tx.apps.figures(name)
                await tx.history.putDay(name, {date: '2026-12-01', ...after}, 400)
              })
              done++
            }
          }),
        )
        return done / seconds
      }
      const spread = await rate((writer) => orgs[writer]!)
      const oneOrg = await rate(() => orgs[0]!)
      process.stdout.write(
        `8 writers, ${seconds} s each: member adds ${spread.toFixed(0)}/s over 8 orgs, ${oneOrg.toFixed(0)}/s into one org; ` +
          `pgbench TPC-B -c 8: ${pgbench === undefined ? 'not run' : `${pgbench.toFixed(0)} tps`}\n`,
      )
    } finally {
      await storage.close()
    }
  })
})
