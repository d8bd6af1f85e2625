/**
 * Load on `orgctl serve` with autocannon: sustained mixed reads and writes for a fixed
 * time, with p50/p99 latency, zero errors and zero non-2xx, and the server's memory
 * (VmRSS from /proc/<pid>/status) staying flat.
 */
import {readFileSync} from 'node:fs'
import {createRequire} from 'node:module'

import {afterAll, describe, expect, it} from 'vitest'

import {addMember} from '../../src/lib/domain/members.js'
import {createApp} from '../../src/lib/domain/apps.js'
import {createOrg} from '../../src/lib/domain/orgs.js'
import {type Box, box, loadStore, mintToken, report, SCALE, seed, sleep, startServe} from './_util.js'

const require = createRequire(import.meta.url)
const autocannon = require('autocannon') as (options: Record<string, unknown>) => Promise<any>

const ORG = 'acme-load'
const ADMIN = 'admin@load.test'
const APPS = 20
const MEMBERS = 20

const boxes: Box[] = []
afterAll(() => {
  for (const b of boxes) b.cleanup()
})

function rssKb(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
  return match ? Number(match[1]) : Number.NaN
}

describe('load', () => {
  it('sustained mixed reads and writes: no errors, no non-2xx, latency reported, memory flat', async () => {
    const seconds = Math.max(2, Math.round(5 * SCALE))
    const b = box('load')
    boxes.push(b)
    await seed(b.store, async (_state, as) => {
      const admin = as(ADMIN)
      await createOrg(admin, ORG, {apps: 1000, members: 1000, 'dyno-units': 1000})
      for (let i = 0; i < APPS; i++) await createApp(admin, {name: `load-app-${i}`, org: ORG, region: 'us'})
      for (let i = 0; i < MEMBERS; i++) await addMember(admin, ORG, `m-${i}@load.test`, 'member')
    })
    const token = await mintToken(b.store, ADMIN)
    const server = await startServe(b.store, b.env(), ['--rate-limit', '1000000000'])
    const pid = server.child.pid!
    try {
      let n = 0
      const headers = {
        authorization: `Bearer ${token}`,
        'content-type': 'application/json',
        accept: 'application/vnd.heroku+json; version=3',
      }
      // Reads and writes in turn; every write is a real change (a toggle), bounded in size.
      const requests = [
        {method: 'GET', path: `/teams/${ORG}/members`, headers},
        {method: 'GET', path: `/teams/${ORG}/apps`, headers},
        {
          method: 'PATCH',
          headers,
          setupRequest: (req: Record<string, unknown>) => {
            const k = n++
            return {...req, path: `/teams/apps/load-app-${k % APPS}`, body: JSON.stringify({locked: Math.floor(k / APPS) % 2 === 0})}
          },
        },
        {method: 'GET', path: '/apps/load-app-1', headers},
        {
          method: 'PUT',
          path: `/teams/${ORG}/members`,
          headers,
          setupRequest: (req: Record<string, unknown>) => {
            const k = n++
            return {
              ...req,
              body: JSON.stringify({email: `m-${k % MEMBERS}@load.test`, role: Math.floor(k / MEMBERS) % 2 === 0 ? 'admin' : 'member'}),
            }
          },
        },
        {method: 'GET', path: '/account', headers},
      ]
      // Warm up at the measured load (JIT, caches, connection pools, and the heap and malloc arenas
      // growing to their working size, which takes a few seconds), then measure memory before and
      // after the sustained run: a leak keeps growing, a working set does not.
      await autocannon({url: server.url, connections: 10, duration: 3, requests})
      await sleep(300)
      const before = rssKb(pid)
      const result = await autocannon({url: server.url, connections: 10, duration: seconds, requests})
      await sleep(500)
      const after = rssKb(pid)
      const growth = (after - before) / before
      const total = result.requests.total as number
      const errors = (result.errors as number) + (result.timeouts as number)
      const non2xx = result.non2xx as number
      const writes = Math.floor(total / 3)
      const line = `${seconds} s x 10 connections, mixed 4 reads : 2 writes: ${total} requests (${Math.round(result.requests.average)} req/s), p50 ${result.latency.p50} ms, p99 ${result.latency.p99} ms, max ${result.latency.max} ms; errors ${errors}, non-2xx ${non2xx}; RSS ${Math.round(before / 1024)} -> ${Math.round(after / 1024)} MiB (${growth >= 0 ? '+' : ''}${Math.round(growth * 100)}%)`
      report('load', line, {
        seconds,
        total,
        rps: Math.round(result.requests.average),
        p50: result.latency.p50,
        p99: result.latency.p99,
        errors,
        non2xx,
        rssBeforeKb: before,
        rssAfterKb: after,
        writes,
      })
      expect(errors, 'connection errors and timeouts').toBe(0)
      expect(non2xx, 'non-2xx responses').toBe(0)
      expect(total).toBeGreaterThan(0)
      expect(growth, 'server RSS growth over the run').toBeLessThan(0.5)
      // The store is still whole after the run.
      const state = await loadStore(b.store)
      expect(state.orgs.get(ORG)!.members.size).toBe(MEMBERS + 1)
      expect([...state.apps.values()].filter((a) => a.owner.kind === 'org').length).toBe(APPS)
    } finally {
      await server.stop()
    }
  })
})
