/**
 * The `Dry-Run: true` request header (an extension): a change runs with every check on a dry backend
 * and is rolled back. The same status and body as the real request, nothing written (the store file
 * and its folder as they were), the rate limit counted, and the answer saying it was a dry run.
 */
import {chmodSync, readdirSync, readFileSync, statSync} from 'node:fs'
import {join} from 'node:path'

import {afterEach, describe, expect, it} from 'vitest'

import {buildServer} from '../../src/lib/server/server.js'
import {JsonStorage} from '../../src/lib/storage/json/json-storage.js'
import {ADMIN, type Fixture, MEMBER, OUTSIDER, startFixture} from './_fixture.js'

const DRY = {'dry-run': 'true'}

/** The folder of the store, every entry with its bytes and times. */
function folder(dir: string): unknown {
  return readdirSync(dir)
    .sort()
    .map((name) => {
      const info = statSync(join(dir, name))
      return {name, ino: info.ino, mtimeMs: info.mtimeMs, bytes: info.isFile() ? readFileSync(join(dir, name)).toString('base64') : null}
    })
}

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g
const TIME = /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z/g
/** A body with what differs between two runs of the same change (new ids, times, a minted token) left out. */
const comparable = (text: string) =>
  text
    .replace(UUID, '<id>')
    .replace(TIME, '<time>')
    .replace(/orgctl_[\w-]+/g, '<token>')

interface Case {
  name: string
  method: string
  /** The URL, given the fixture (for ids only it knows). */
  url: (fixture: Fixture) => Promise<string> | string
  body?: unknown
  as?: string
  status: number
}

const transferId = async (fixture: Fixture) =>
  (await fixture.call('GET', '/account/app-transfers', {token: fixture.tokens[OUTSIDER]})).json()[0].id as string
const authorizationId = async (fixture: Fixture) => (await fixture.call('GET', '/oauth/authorizations')).json()[0].id as string

const CASES: Case[] = [
  {name: 'a member added', method: 'POST', url: () => '/teams/acme/members', body: {email: 'new@acme.test', role: 'member'}, status: 201},
  {name: 'a member put', method: 'PUT', url: () => '/teams/acme/members', body: {email: MEMBER, role: 'admin'}, status: 200},
  {name: 'a role changed', method: 'PATCH', url: () => '/teams/acme/members', body: {email: MEMBER, role: 'admin'}, status: 200},
  {name: 'a member removed', method: 'DELETE', url: () => `/teams/acme/members/${MEMBER}`, status: 200},
  {name: 'the last admin removed: refused', method: 'DELETE', url: () => `/teams/acme/members/${ADMIN}`, status: 409},
  {
    name: 'a member added by a member: refused',
    method: 'POST',
    url: () => '/teams/acme/members',
    body: {email: 'new@acme.test', role: 'member'},
    as: MEMBER,
    status: 403,
  },
  {name: 'an org created', method: 'POST', url: () => '/teams', body: {name: 'zeta'}, status: 201},
  {name: 'an org name taken: refused', method: 'POST', url: () => '/teams', body: {name: 'acme'}, status: 409},
  {name: 'an org app created', method: 'POST', url: () => '/teams/apps', body: {name: 'acme-web', team: 'acme'}, status: 201},
  {name: 'an app name taken: refused', method: 'POST', url: () => '/teams/apps', body: {name: 'acme-api', team: 'acme'}, status: 409},
  {name: 'a personal app created', method: 'POST', url: () => '/apps', body: {name: 'mine-too'}, status: 201},
  {name: 'an app locked', method: 'PATCH', url: () => '/teams/apps/acme-api', body: {locked: true}, status: 200},
  {name: 'an app destroyed', method: 'DELETE', url: () => '/apps/acme-api', status: 200},
  {
    name: 'dynos scaled',
    method: 'PATCH',
    url: () => '/apps/acme-api/formation',
    body: {updates: [{type: 'web', quantity: 3}]},
    status: 200,
  },
  {
    name: 'dynos past the limit: refused',
    method: 'PATCH',
    url: () => '/apps/acme-api/formation',
    body: {updates: [{type: 'web', quantity: 5000}]},
    status: 422,
  },
  {
    name: 'a collaborator added',
    method: 'POST',
    url: () => '/teams/apps/acme-api/collaborators',
    body: {user: 'c@ext.test', permissions: ['view', 'deploy']},
    status: 201,
  },
  {
    name: 'a transfer accepted',
    method: 'PATCH',
    url: async (f) => `/account/app-transfers/${await transferId(f)}`,
    body: {state: 'accepted'},
    as: OUTSIDER,
    status: 200,
  },
  {name: 'a transfer cancelled', method: 'DELETE', url: async (f) => `/account/app-transfers/${await transferId(f)}`, status: 200},
  {name: 'a token minted', method: 'POST', url: () => '/oauth/authorizations', body: {description: 'ci'}, status: 201},
  {name: 'a token revoked', method: 'DELETE', url: async (f) => `/oauth/authorizations/${await authorizationId(f)}`, status: 200},
  {name: 'a Dashboard sign-in link made', method: 'POST', url: () => '/account/dashboard-links', status: 201},
]

describe('Dry-Run: true on the server', () => {
  let fixtures: Fixture[] = []
  afterEach(async () => {
    await Promise.all(fixtures.map((fixture) => fixture.close()))
    fixtures = []
  })
  const fixture = async () => {
    const started = await startFixture()
    fixtures.push(started)
    return started
  }

  it.each(CASES.map((c) => [c.name, c] as const))(
    '%s: the real status and body, nothing written, said to be a dry run',
    async (_name, c) => {
      const f = await fixture()
      const options = (headers: Record<string, string>) => ({
        body: c.body,
        headers,
        ...(c.as ? {token: f.tokens[c.as]} : {}),
      })
      const url = await c.url(f)
      const before = folder(f.dir)
      const dry = await f.call(c.method, url, options(DRY))
      expect(folder(f.dir)).toEqual(before)
      expect(dry.headers['dry-run']).toBe('true')
      const real = await f.call(c.method, url, options({}))
      expect(real.headers['dry-run']).toBeUndefined()
      expect(real.status, real.text).toBe(c.status)
      expect(dry.status, dry.text).toBe(real.status)
      expect(comparable(dry.text)).toBe(
        comparable(real.text)
          .replace(/"access_token":\{[^}]*\}/, '"access_token":null')
          .replace(/"path":"[^"]*"/, '"path":null'),
      )
      if (c.status < 300) expect(folder(f.dir)).not.toEqual(before)
    },
  )

  it('a token minted in a dry run is not shown (access_token null): it was never stored, so it would not work', async () => {
    const f = await fixture()
    const dry = await f.call('POST', '/oauth/authorizations', {body: {description: 'ci'}, headers: DRY})
    expect(dry.status, dry.text).toBe(201)
    expect(dry.json().access_token).toBeNull()
    expect(dry.text).not.toMatch(/orgctl_/)
  })

  it('a sign-in link made in a dry run is not shown (path null): it was never stored, so it would not work', async () => {
    const f = await fixture()
    const dry = await f.call('POST', '/account/dashboard-links', {headers: DRY})
    expect(dry.status, dry.text).toBe(201)
    expect(dry.json().path).toBeNull()
    expect(dry.text).not.toMatch(/code=/)
  })

  it('on a read-only store file, a dry change is refused as the real one is (the same status and body); a dry read-only request is not', async () => {
    const f = await fixture()
    chmodSync(join(f.dir, 'store.json'), 0o444)
    const add = (headers: Record<string, string>) =>
      f.call('POST', '/teams/acme/members', {body: {email: 'new@acme.test', role: 'member'}, headers})
    const real = await add({})
    const dry = await add(DRY)
    expect(real.status, real.text).toBe(500)
    expect(dry.status, dry.text).toBe(real.status)
    expect(comparable(dry.text)).toBe(comparable(real.text))
    // The admin is an admin already: a dry PUT of that changes nothing, so nothing is refused.
    const put = await f.call('PUT', '/teams/acme/members', {body: {email: ADMIN, role: 'admin'}, headers: DRY})
    expect(put.status, put.text).toBe(200)
  })

  it('refuses any other value naming it, changing nothing (and a GET too)', async () => {
    const f = await fixture()
    const before = folder(f.dir)
    for (const value of ['yes', 'false', '1', '']) {
      const answer = await f.call('POST', '/teams/acme/members', {
        body: {email: 'new@acme.test', role: 'member'},
        headers: {'dry-run': value},
      })
      expect(answer.status, value).toBe(400)
      expect(answer.json()).toEqual({
        id: 'bad_request',
        message: `Invalid Dry-Run header ${JSON.stringify(value)}: send Dry-Run: true for a dry run, or leave it out.`,
      })
    }
    expect((await f.call('GET', '/teams/acme/members', {headers: {'dry-run': 'maybe'}})).status).toBe(400)
    expect(folder(f.dir)).toEqual(before)
  })

  it('accepts TRUE in any case; a GET with it is answered as usual (it changes nothing), and says so', async () => {
    const f = await fixture()
    const before = folder(f.dir)
    expect(
      (await f.call('POST', '/teams/acme/members', {body: {email: 'n@acme.test', role: 'member'}, headers: {'dry-run': ' True '}})).status,
    ).toBe(201)
    const plain = await f.call('GET', '/teams/acme/members')
    const dry = await f.call('GET', '/teams/acme/members', {headers: DRY})
    expect(dry.status).toBe(200)
    expect(dry.headers['dry-run']).toBe('true')
    expect(dry.text).toBe(plain.text)
    expect(folder(f.dir)).toEqual(before)
  })

  it('a later read sees nothing of a dry run, and the answers kept before are still good (nothing to invalidate)', async () => {
    const f = await fixture()
    const list = await f.call('GET', '/teams/acme/members')
    expect((await f.call('POST', '/teams/acme/members', {body: {email: 'n@acme.test', role: 'member'}, headers: DRY})).status).toBe(201)
    expect((await f.call('DELETE', `/teams/acme/members/${MEMBER}`, {headers: DRY})).status).toBe(200)
    expect((await f.call('GET', '/teams/acme/members')).text).toBe(list.text)
    // A real change after the dry ones is seen at once.
    expect((await f.call('POST', '/teams/acme/members', {body: {email: 'n@acme.test', role: 'member'}})).status).toBe(201)
    expect((await f.call('GET', '/teams/acme/members')).json().map((m: {email: string}) => m.email)).toContain('n@acme.test')
  })

  it('counts against the rate limit as any request does', async () => {
    const f = await fixture()
    const server = await buildServer({storage: new JsonStorage(f.store), rateLimitPerHour: 2})
    try {
      const call = () =>
        server.inject({
          method: 'POST',
          url: '/teams/acme/members',
          headers: {authorization: `Bearer ${f.tokens[ADMIN]}`, 'content-type': 'application/json', ...DRY},
          payload: JSON.stringify({email: 'n@acme.test', role: 'member'}),
        })
      expect((await call()).statusCode).toBe(201)
      expect((await call()).statusCode).toBe(201)
      const third = await call()
      expect(third.statusCode).toBe(429)
      expect(third.json().id).toBe('rate_limit')
    } finally {
      await server.close()
    }
  })

  it('serves other requests while and after dry runs run at once (each rolled back, none holding the store)', async () => {
    const f = await fixture()
    const before = folder(f.dir)
    const answers = await Promise.all(
      Array.from({length: 12}, (_, i) =>
        f.call('POST', '/teams/acme/members', {body: {email: `n${i}@acme.test`, role: 'member'}, headers: DRY}),
      ),
    )
    expect(answers.map((answer) => answer.status)).toEqual(answers.map(() => 201))
    expect(folder(f.dir)).toEqual(before)
    expect((await f.call('POST', '/teams/acme/members', {body: {email: 'real@acme.test', role: 'member'}})).status).toBe(201)
    expect((await f.call('GET', '/teams/acme/members')).json()).toHaveLength(3)
  })
})
