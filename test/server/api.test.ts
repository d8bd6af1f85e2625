/**
 * The server through raw HTTP: a real listener on an ephemeral loopback port,
 * a real store in a temp folder, Heroku's wire conventions checked request by request.
 */
import {mkdtempSync, readFileSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import type {FastifyInstance} from 'fastify'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {createApp} from '../../src/lib/domain/apps.js'
import {addMember} from '../../src/lib/domain/members.js'
import {createOrg} from '../../src/lib/domain/orgs.js'
import {createAuthorization} from '../../src/lib/domain/tokens.js'
import {DEFAULT_LIMITS} from '../../src/lib/domain/validation.js'
import {buildServer} from '../../src/lib/server/server.js'
import {JsonStore} from '../../src/lib/storage/json/json-store.js'
import {txCtx} from '../helpers/tx-ctx.js'
import {JsonStorage} from '../../src/lib/storage/json/json-storage.js'

const ADMIN = 'admin@acme.test'
const MEMBER = 'member@acme.test'
const OUTSIDER = 'outsider@else.test'
const MEMBERS = 1100

let dir: string
let store: JsonStore
let server: FastifyInstance
let base: string
const tokens: Record<string, string> = {}

async function call(
  method: string,
  path: string,
  options: {token?: string | null; body?: unknown; raw?: string; headers?: Record<string, string>} = {},
) {
  const token = options.token === undefined ? tokens[ADMIN] : options.token
  const response = await fetch(`${base}${path}`, {
    method,
    headers: {
      accept: 'application/vnd.heroku+json; version=3',
      ...(token ? {authorization: `Bearer ${token}`} : {}),
      ...(options.body !== undefined || options.raw !== undefined ? {'content-type': 'application/json'} : {}),
      ...options.headers,
    },
    body: options.raw ?? (options.body === undefined ? undefined : JSON.stringify(options.body)),
  })
  const text = await response.text()
  return {status: response.status, headers: response.headers, text, json: () => JSON.parse(text)}
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'orgctl-server-'))
  store = new JsonStore(join(dir, 'store.json'))
  await store.update(async (state) => {
    const admin = txCtx(state, ADMIN)
    await createOrg(admin, 'acme', {...DEFAULT_LIMITS, members: 5000})
    for (let i = 0; i < MEMBERS; i++) await addMember(admin, 'acme', `user${String(i).padStart(4, '0')}@acme.test`, 'member')
    await addMember(admin, 'acme', MEMBER, 'member')
    await createApp(admin, {name: 'acme-api', org: 'acme', region: 'us'})
    for (const email of [ADMIN, MEMBER, OUTSIDER]) tokens[email] = (await createAuthorization(txCtx(state, email), 'test')).token
  })
  server = await buildServer({storage: new JsonStorage(store), rateLimitPerHour: 100_000})
  base = await server.listen({port: 0, host: '127.0.0.1'})
}, 60_000)

afterAll(async () => {
  await server.close()
  rmSync(dir, {recursive: true, force: true})
})

describe('pagination (Range / Next-Range)', () => {
  it('pages past 1,000 members, 200 at a time by default, until the list is complete', async () => {
    const seen: string[] = []
    let range: string | undefined
    let pages = 0
    for (;;) {
      const page = await call('GET', '/teams/acme/members', {headers: range ? {range} : {}})
      pages++
      expect([200, 206]).toContain(page.status)
      const items = page.json() as {email: string}[]
      seen.push(...items.map((m) => m.email))
      range = page.headers.get('next-range') ?? undefined
      if (page.status === 200) break
      expect(items).toHaveLength(200)
      expect(range).toMatch(/^email \]/)
    }
    expect(pages).toBe(Math.ceil((MEMBERS + 2) / 200))
    expect(new Set(seen).size).toBe(MEMBERS + 2)
    expect([...seen].sort()).toEqual(seen)
  })

  it('pages up to 1,000 (more is an error, not clamped) and honours order=desc', async () => {
    const big = await call('GET', '/teams/acme/members', {headers: {range: 'email ..; max=1000'}})
    expect(big.status).toBe(206)
    expect(big.json()).toHaveLength(1000)
    expect((await call('GET', '/teams/acme/members', {headers: {range: 'email ..; max=5000'}})).status).toBe(400)
    const desc = await call('GET', '/teams/acme/members', {headers: {range: 'email ..; max=3, order=desc'}})
    expect((desc.json() as {email: string}[]).map((m) => m.email)).toEqual([
      'user1099@acme.test',
      'user1098@acme.test',
      'user1097@acme.test',
    ])
  })

  it('refuses a Range on a field the list does not range on', async () => {
    const response = await call('GET', '/teams/acme/members', {headers: {range: 'role ..'}})
    expect(response.status).toBe(400)
    expect(response.json().message).toContain('ranges on email')
  })
})

describe('bad requests', () => {
  it('answers malformed JSON with 400 and changes nothing', async () => {
    const before = readFileSync(store.path, 'utf8')
    const response = await call('PUT', '/teams/acme/members', {raw: '{"email": "x@acme.test", '})
    expect(response.status).toBe(400)
    expect(response.json()).toMatchObject({id: 'bad_request'})
    expect(readFileSync(store.path, 'utf8')).toBe(before)
  })

  it('answers wrong types and unknown roles with 422 invalid_params', async () => {
    const wrongType = await call('PUT', '/teams/acme/members', {body: {email: 'x@acme.test', role: 7}})
    expect(wrongType.status).toBe(422)
    expect(wrongType.json()).toMatchObject({id: 'invalid_params'})
    const badRole = await call('PUT', '/teams/acme/members', {body: {email: 'x@acme.test', role: 'emperor'}})
    expect(badRole.status).toBe(422)
    const badEmail = await call('PUT', '/teams/acme/members', {body: {email: 'not an email', role: 'member'}})
    expect(badEmail.status).toBe(422)
    expect(badEmail.json().message).toContain('Invalid email')
  })

  it('refuses bodies over the size limit with 413', async () => {
    const response = await call('POST', '/teams', {body: {name: 'x'.repeat(100_000)}})
    expect(response.status).toBe(413)
    expect(response.json()).toMatchObject({id: 'payload_too_large'})
  })

  it('refuses prototype-poisoning keys as the unknown keys they are', async () => {
    const response = await call('POST', '/teams', {raw: '{"name": "evil-org", "__proto__": {"admin": true}}'})
    expect(response.status).toBe(422)
    expect((await call('GET', '/teams/evil-org')).status).toBe(404)
  })

  it('answers unknown routes with a JSON 404', async () => {
    const response = await call('GET', '/no/such/route')
    expect(response.status).toBe(404)
    expect(response.json()).toMatchObject({id: 'not_found'})
  })
})

describe('authentication and rate limits', () => {
  it('needs a token: missing or unknown is 401', async () => {
    expect((await call('GET', '/account', {token: null})).json()).toMatchObject({id: 'unauthorized'})
    const bad = await call('GET', '/account', {token: 'orgctl_not-a-real-token'})
    expect(bad.status).toBe(401)
    expect(bad.text).not.toContain('orgctl_not-a-real-token')
  })

  it('accepts Basic auth with the token as the password (netrc clients)', async () => {
    const basic = Buffer.from(`${MEMBER}:${tokens[MEMBER]}`).toString('base64')
    const response = await call('GET', '/account', {token: null, headers: {authorization: `Basic ${basic}`}})
    expect(response.status).toBe(200)
    expect(response.json().email).toBe(MEMBER)
  })

  it('ignores a token in the query string', async () => {
    expect((await call('GET', `/account?token=${tokens[ADMIN]}`, {token: null})).status).toBe(401)
  })

  it('puts a Request-Id and RateLimit-Remaining on every response', async () => {
    const ok = await call('GET', '/account', {headers: {'request-id': 'client-1'}})
    expect(ok.headers.get('request-id')).toMatch(/^[0-9a-f-]{36},client-1$/)
    expect(Number(ok.headers.get('ratelimit-remaining'))).toBeGreaterThan(0)
    expect((await call('GET', '/nope')).headers.get('request-id')).toBeTruthy()
  })

  it('answers 429 with Retry-After past the per-token budget, other tokens unaffected', async () => {
    const limited = await buildServer({storage: new JsonStorage(store), rateLimitPerHour: 3})
    const url = await limited.listen({port: 0, host: '127.0.0.1'})
    try {
      const get = (token: string) => fetch(`${url}/account`, {headers: {authorization: `Bearer ${token}`}})
      const statuses = []
      for (let i = 0; i < 4; i++) statuses.push((await get(tokens[MEMBER]!)).status)
      expect(statuses).toEqual([200, 200, 200, 429])
      const limitedResponse = await get(tokens[MEMBER]!)
      expect(Number(limitedResponse.headers.get('retry-after'))).toBeGreaterThan(0)
      expect(await limitedResponse.json()).toMatchObject({id: 'rate_limit'})
      expect((await get(tokens[ADMIN]!)).status).toBe(200)
    } finally {
      await limited.close()
    }
  })
})

describe("Heroku's conventions", () => {
  it('reports an org app as owned by <org>@herokumanager.com', async () => {
    const response = await call('GET', '/apps/acme-api')
    expect(response.json()).toMatchObject({name: 'acme-api', owner: {email: 'acme@herokumanager.com'}, team: {name: 'acme'}, locked: false})
  })

  it('lists org-access-controls as an enabled feature', async () => {
    const features = (await call('GET', '/teams/acme/features')).json() as {name: string; enabled: boolean}[]
    expect(features.find((f) => f.name === 'org-access-controls')?.enabled).toBe(true)
  })

  it('tells a non-member no more than a 404 would', async () => {
    const hidden = await call('GET', '/teams/acme/members', {token: tokens[OUTSIDER]})
    const missing = await call('GET', '/teams/no-such-org/members', {token: tokens[OUTSIDER]})
    expect(hidden.status).toBe(404)
    expect(missing.status).toBe(404)
    expect(hidden.json().message.replace('acme', 'X')).toBe(missing.json().message.replace('no-such-org', 'X'))
  })

  it('treats a member adding or deleting themselves as joining and leaving', async () => {
    const join = await call('POST', '/teams/apps/acme-api/collaborators', {token: tokens[MEMBER], body: {user: MEMBER}})
    expect(join.status).toBe(201)
    expect(join.json().permissions.map((p: {name: string}) => p.name)).toEqual(['view', 'deploy', 'operate'])
    const leave = await call('DELETE', `/apps/acme-api/collaborators/${encodeURIComponent(MEMBER)}`, {token: tokens[MEMBER]})
    expect(leave.status).toBe(200)
    const others = await call('POST', '/teams/apps/acme-api/collaborators', {
      token: tokens[MEMBER],
      body: {user: OUTSIDER, permissions: ['deploy']},
    })
    expect(others.status).toBe(403)
  })

  it('accepts percent-encoded emails in paths, and every role name Heroku uses', async () => {
    expect((await call('PUT', '/teams/acme/members', {body: {email: 'temp@acme.test', role: 'viewer'}})).json().role).toBe('member')
    expect((await call('PATCH', '/teams/acme/members', {body: {email: 'temp@acme.test', role: 'owner'}})).json().role).toBe('admin')
    const removed = await call('DELETE', '/teams/acme/members/temp%40acme.test')
    expect(removed.status).toBe(200)
    expect(removed.json().email).toBe('temp@acme.test')
  })

  it('finishes a write in flight when closed', async () => {
    const closing = await buildServer({storage: new JsonStorage(store)})
    // Close only once the write is being handled (and make it take a moment), whatever the machine's load.
    let arrived!: () => void
    const inFlight = new Promise<void>((resolve) => (arrived = resolve))
    closing.addHook('preHandler', async () => {
      arrived()
      await new Promise((resolve) => setTimeout(resolve, 50))
    })
    const url = await closing.listen({port: 0, host: '127.0.0.1'})
    const write = fetch(`${url}/teams/acme/members`, {
      method: 'PUT',
      headers: {authorization: `Bearer ${tokens[ADMIN]}`, 'content-type': 'application/json'},
      body: JSON.stringify({email: 'during-close@acme.test', role: 'member'}),
    })
    await inFlight
    await closing.close()
    expect((await write).status).toBe(200)
    expect((await store.read()).orgs.get('acme')!.members.has('during-close@acme.test')).toBe(true)
  })
})
