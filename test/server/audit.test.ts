/** GET /teams/{team}/audit-events: newest first, Range paging on seq, the filters as query parameters, never cached. */
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {HttpBackend} from '../../src/lib/backend/http-backend.js'
import {LocalBackend} from '../../src/lib/backend/local-backend.js'
import {addMember} from '../../src/lib/domain/members.js'
import {ApiClient} from '../../src/lib/http/api-client.js'
import {JsonStorage} from '../../src/lib/storage/json/json-storage.js'
import {txCtx} from '../helpers/tx-ctx.js'
import {ADMIN, type Fixture, MEMBER, startFixture} from './_fixture.js'

describe('GET /teams/{team}/audit-events', () => {
  let f: Fixture
  beforeAll(async () => {
    f = await startFixture()
  })
  afterAll(() => f.close())

  const FIXTURE_ACTIONS = ['formation.update', 'app.create', 'team-member.create', 'team.create']

  it('newest first, the org events only (the fixture: create, add, app, scale)', async () => {
    const answer = await f.call('GET', '/teams/acme/audit-events')
    expect(answer.status).toBe(200)
    expect(answer.headers['accept-ranges']).toBe('seq')
    expect(answer.json().map((e: any) => e.action)).toEqual(FIXTURE_ACTIONS)
    expect(answer.json()[0]).toMatchObject({actor: {email: ADMIN}, team: {name: 'acme'}, app: {name: 'acme-api'}, request_id: null})
  })

  it('pages with Range and Next-Range: every event once, newest first', async () => {
    const seen: string[] = []
    let range: string | undefined = 'seq ..; max=1, order=desc'
    for (let pages = 0; range !== undefined; pages++) {
      expect(pages).toBeLessThan(10)
      const answer = await f.call('GET', '/teams/acme/audit-events', {headers: {range}})
      expect([200, 206]).toContain(answer.status)
      seen.push(...answer.json().map((e: any) => e.action))
      range = answer.status === 206 ? (answer.headers['next-range'] as string) : undefined
    }
    expect(seen).toEqual(FIXTURE_ACTIONS)
    // ?limit bounds the whole list, across pages.
    const first = await f.call('GET', '/teams/acme/audit-events?limit=3', {headers: {range: 'seq ..; max=2, order=desc'}})
    expect(first.status).toBe(206)
    const second = await f.call('GET', '/teams/acme/audit-events?limit=3', {headers: {range: first.headers['next-range'] as string}})
    expect([...first.json(), ...second.json()].map((e: any) => e.action)).toEqual(FIXTURE_ACTIONS.slice(0, 3))
    expect(second.status).toBe(200)
  })

  it('filters as query parameters; bad ones are one line, 422', async () => {
    const actions = async (query: string) => (await f.call('GET', `/teams/acme/audit-events?${query}`)).json().map((e: any) => e.action)
    expect(await actions('action=team*')).toEqual(['team-member.create', 'team.create'])
    expect(await actions('app=acme-api')).toEqual(['formation.update', 'app.create'])
    expect(await actions(`actor=${encodeURIComponent(MEMBER)}`)).toEqual([])
    expect(await actions('since=2999-01-01')).toEqual([])
    const bad = await f.call('GET', '/teams/acme/audit-events?limit=0')
    expect(bad.status).toBe(422)
    expect(bad.json()).toEqual({id: 'invalid_params', message: 'Invalid limit "0": give a whole number from 1 to 1000.'})
    expect((await f.call('GET', '/teams/acme/audit-events?since=soon')).json().message).toMatch(/^Invalid since "soon"/)
    expect((await f.call('GET', '/teams/acme/audit-events?color=red')).status).toBe(422)
  })

  it('admins only; a change shows at once (never from the answer cache), with its request id', async () => {
    expect((await f.call('GET', '/teams/acme/audit-events', {token: f.tokens[MEMBER]})).status).toBe(403)
    await f.call('GET', '/teams/acme/audit-events')
    const added = await f.call('POST', '/teams/acme/members', {
      body: {email: 'new@acme.test', role: 'member'},
      headers: {'request-id': 'ci-42'},
    })
    expect(added.status).toBe(201)
    const [latest] = (await f.call('GET', '/teams/acme/audit-events')).json()
    expect(latest).toMatchObject({action: 'team-member.create', target: {name: 'new@acme.test'}, request_id: added.headers['request-id']})
    expect(latest.request_id).toMatch(/,ci-42$/)
  })
})

describe('the HTTP backend follows the pages: the same events as on the store', () => {
  let f: Fixture
  beforeAll(async () => {
    f = await startFixture({listen: true})
    await f.store.update(async (state) => {
      const {tx} = txCtx(state, ADMIN)
      const org = (await tx.orgs.byName('acme'))!
      await tx.orgs.update({...org, limits: {...org.limits, members: 1000}})
      for (let i = 0; i < 450; i++) await addMember(txCtx(state, ADMIN), 'acme', `m${i}@acme.test`, 'member')
    })
  })
  afterAll(() => f.close())

  it('450 members later: 454 events over several pages, newest first, equal to the local answer; --limit bounds it', async () => {
    const address = f.server.server.address() as {port: number}
    const http = new HttpBackend(new ApiClient({baseUrl: `http://127.0.0.1:${address.port}`, token: f.tokens[ADMIN]!}))
    const local = new LocalBackend(new JsonStorage(f.store), ADMIN)
    try {
      const overHttp = await http.listAuditEvents('acme', {limit: 1000})
      expect(overHttp).toHaveLength(454)
      expect(overHttp[0]!.target.name).toBe('m449@acme.test')
      expect(overHttp.at(-1)!.action).toBe('team.create')
      expect(overHttp).toEqual(await local.listAuditEvents('acme', {limit: 1000}))
      expect(await http.listAuditEvents('acme', {limit: 250, action: 'team-member.*'})).toEqual(
        await local.listAuditEvents('acme', {limit: 250, action: 'team-member.*'}),
      )
    } finally {
      await http.close()
    }
  })
})
