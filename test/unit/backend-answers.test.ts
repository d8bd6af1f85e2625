/** What the embedded backend answers for a change, on the memory engine: the resource the change made or found. */
import {describe, expect, it} from 'vitest'

import {LocalBackend} from '../../src/lib/backend/local-backend.js'
import {buildServer} from '../../src/lib/server/server.js'
import {MemoryStorage} from '../../src/lib/storage/memory/memory-storage.js'
import {ADMIN, clockAt, MEMBER} from './fixture.js'

describe('answers of changes', () => {
  it('apps:join answers the collaborator record it made or found, with its own permissions, whatever the role', async () => {
    const storage = new MemoryStorage()
    const as = (email: string) => new LocalBackend(storage, email)
    await as(ADMIN).createTeam('acme', {apps: 10, members: 10, 'dyno-units': 10})
    await as(ADMIN).addMember('acme', MEMBER, 'member')
    await as(ADMIN).createApp({name: 'acme-api', team: 'acme', region: 'us'})
    const first = await as(MEMBER).joinApp('acme-api')
    expect([first.role, first.permissions.map((p) => p.name)]).toEqual(['member', ['view', 'deploy', 'operate']])
    await as(ADMIN).setMember('acme', MEMBER, 'admin')
    const again = await as(MEMBER).joinApp('acme-api')
    expect([again.id, again.role, again.permissions.map((p) => p.name)]).toEqual([first.id, 'admin', ['view', 'deploy', 'operate']])
  })

  it('apps:destroy answers the app as it was under the lock (its team, joined)', async () => {
    const storage = new MemoryStorage()
    const admin = new LocalBackend(storage, ADMIN)
    await admin.createTeam('acme', {apps: 10, members: 10, 'dyno-units': 10})
    await admin.createApp({name: 'acme-api', team: 'acme', region: 'us'})
    const gone = await admin.destroyApp('acme-api')
    expect([gone.name, gone.team?.name, gone.joined]).toEqual(['acme-api', 'acme', true])
  })
})

describe('the answer cache', () => {
  it('never keeps the billing estimate: its to-date figure moves with the clock, not the data', async () => {
    const storage = new MemoryStorage()
    let now = '2026-11-01T00:00:00.000Z'
    const clock = {now: () => new Date(now)}
    const admin = new LocalBackend(storage, ADMIN, clockAt(now))
    await admin.createTeam('acme', {apps: 10, members: 10, 'dyno-units': 10})
    await admin.createApp({name: 'acme-api', team: 'acme', region: 'us'})
    await admin.scale('acme-api', [{type: 'web', quantity: 1}])
    const {token} = (await admin.createAuthorization('test')).access_token!
    const server = await buildServer({storage, clock})
    try {
      const billing = async () => {
        const response = await server.inject({
          method: 'GET',
          url: '/teams/acme/billing-estimate',
          headers: {authorization: `Bearer ${token}`},
        })
        expect(response.statusCode, response.body).toBe(200)
        return response.json().total_to_date as number
      }
      now = '2026-11-11T00:00:00.000Z'
      const early = await billing()
      now = '2026-11-21T00:00:00.000Z'
      expect(await billing()).toBeGreaterThan(early)
    } finally {
      await server.close()
    }
  })
})
