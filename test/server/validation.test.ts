/** Review: defects reachable through raw HTTP against an in-process server (127.0.0.1, port 0). */
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {afterEach, describe, expect, it} from 'vitest'

import {createApp, joinApp} from '../../src/lib/domain/apps.js'
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

const cleanups: (() => Promise<void>)[] = []
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!()
})

/** A fresh store and server per test: org acme (admin, member), org apps acme-api and acme-web (member joined acme-web). */
async function fixture(options: {rateLimitPerHour?: number} = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'orgctl-review-'))
  const store = new JsonStore(join(dir, 'store.json'))
  const tokens: Record<string, string> = {}
  await store.update(async (state) => {
    const admin = txCtx(state, ADMIN)
    await createOrg(admin, 'acme', {...DEFAULT_LIMITS})
    await addMember(admin, 'acme', MEMBER, 'member')
    await createApp(admin, {name: 'acme-api', org: 'acme', region: 'us'})
    await createApp(admin, {name: 'acme-web', org: 'acme', region: 'us'})
    await createApp(admin, {name: 'admin-own', region: 'us'})
    await joinApp(txCtx(state, MEMBER), 'acme-web')
    for (const email of [ADMIN, MEMBER, OUTSIDER]) tokens[email] = (await createAuthorization(txCtx(state, email), 'test')).token
  })
  const server = await buildServer({storage: new JsonStorage(store), rateLimitPerHour: options.rateLimitPerHour ?? 100_000})
  const base = await server.listen({port: 0, host: '127.0.0.1'})
  cleanups.push(async () => {
    await server.close()
    rmSync(dir, {recursive: true, force: true})
  })
  async function call(method: string, path: string, opts: {as?: string; body?: unknown; headers?: Record<string, string>} = {}) {
    const response = await fetch(`${base}${path}`, {
      method,
      headers: {
        accept: 'application/vnd.heroku+json; version=3',
        authorization: `Bearer ${tokens[opts.as ?? ADMIN]}`,
        ...(opts.body === undefined ? {} : {'content-type': 'application/json'}),
        ...opts.headers,
      },
      body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
    })
    const text = await response.text()
    return {status: response.status, headers: response.headers, text, json: () => JSON.parse(text)}
  }
  return {store, tokens, call, base}
}

describe('PATCH /teams/apps/{app} without locked or owner', () => {
  it('PATCH {"maintenance": true} by an admin must not brick the store for every later reader and writer', async () => {
    const {store, call} = await fixture()
    const response = await call('PATCH', '/teams/apps/acme-api', {body: {maintenance: true}})
    // The body has neither locked nor owner: it should be refused (422), never written as locked=undefined.
    expect.soft(response.status).toBe(422)
    // A fresh reader (any CLI run, or a restarted server) must still be able to load the store.
    await expect.soft(new JsonStore(store.path).read()).resolves.toBeDefined()
    // And the next write through the same server must still work.
    const write = await call('PUT', '/teams/acme/members', {body: {email: 'after@acme.test', role: 'member'}})
    expect.soft(write.status).toBe(200)
  })
})

describe('PATCH /apps/{app}/formation validates like ps:scale does', () => {
  it('refuses a quantity past 100 given as a string, as it does for a number', async () => {
    const {call} = await fixture()
    // A personal app: no org dyno-unit limit applies, only the 100-dynos-per-type rule ps:scale enforces.
    const asNumber = await call('PATCH', '/apps/admin-own/formation', {body: {updates: [{type: 'web', quantity: 999}]}})
    expect(asNumber.status).toBe(422)
    const asString = await call('PATCH', '/apps/admin-own/formation', {body: {updates: [{type: 'web', quantity: '999'}]}})
    expect(asString.status).toBe(422)
  })

  it('refuses repeated relative changes that add up past 100 dynos of one type', async () => {
    const {call} = await fixture()
    const response = await call('PATCH', '/apps/admin-own/formation', {
      body: {
        updates: [
          {type: 'web', quantity: '+100'},
          {type: 'web', quantity: '+100'},
          {type: 'web', quantity: '+100'},
        ],
      },
    })
    expect(response.status).toBe(422)
  })

  it("refuses a dyno type with control characters (an operate collaborator could plant terminal escapes in everyone's `orgctl ps`)", async () => {
    const {call} = await fixture()
    const response = await call('PATCH', '/apps/acme-web/formation', {
      as: MEMBER,
      body: {updates: [{type: '\u001b]0;pwned\u0007\u001b[2J', quantity: 1}]},
    })
    expect(response.status).toBe(422)
  })
})
