/**
 * A server on a temp store with a small world: org acme (an admin, a member), its app acme-api running
 * two web dynos, the admin's personal app with a pending transfer to an outsider, and a token each.
 */
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import type {FastifyInstance, InjectOptions} from 'fastify'

import {createApp} from '../../src/lib/domain/apps.js'
import {scale} from '../../src/lib/domain/formation.js'
import {addMember} from '../../src/lib/domain/members.js'
import {createOrg} from '../../src/lib/domain/orgs.js'
import {createAuthorization} from '../../src/lib/domain/tokens.js'
import {transferApp} from '../../src/lib/domain/transfers.js'
import {DEFAULT_LIMITS} from '../../src/lib/domain/validation.js'
import {buildServer} from '../../src/lib/server/server.js'
import {JsonStore} from '../../src/lib/storage/json/json-store.js'
import {txCtx} from '../helpers/tx-ctx.js'
import {JsonStorage} from '../../src/lib/storage/json/json-storage.js'

export const ADMIN = 'admin@acme.test'
export const MEMBER = 'member@acme.test'
export const OUTSIDER = 'outsider@else.test'

export interface Fixture {
  dir: string
  store: JsonStore
  server: FastifyInstance
  tokens: Record<string, string>
  /** A request through fastify's inject, as the admin unless another token (or null) is given. */
  call(
    method: string,
    url: string,
    options?: {token?: string | null; body?: unknown; raw?: string; headers?: Record<string, string>},
  ): Promise<{status: number; headers: Record<string, unknown>; text: string; json: () => any}>
  close(): Promise<void>
}

export async function startFixture(options: {listen?: boolean} = {}): Promise<Fixture> {
  const dir = mkdtempSync(join(tmpdir(), 'orgctl-server-'))
  const store = new JsonStore(join(dir, 'store.json'))
  const tokens: Record<string, string> = {}
  await store.update(async (state) => {
    const admin = txCtx(state, ADMIN)
    await createOrg(admin, 'acme', DEFAULT_LIMITS)
    await addMember(admin, 'acme', MEMBER, 'member')
    await createApp(admin, {name: 'acme-api', org: 'acme', region: 'us'})
    await scale(admin, 'acme-api', [{type: 'web', quantity: 2}])
    await createApp(admin, {name: 'admin-own', region: 'us'})
    await transferApp(admin, 'admin-own', OUTSIDER)
    for (const email of [ADMIN, MEMBER, OUTSIDER]) tokens[email] = (await createAuthorization(txCtx(state, email), 'test')).token
  })
  const server = await buildServer({storage: new JsonStorage(store), rateLimitPerHour: 100_000})
  if (options.listen) await server.listen({port: 0, host: '127.0.0.1'})
  else await server.ready()
  return {
    dir,
    store,
    server,
    tokens,
    async call(method, url, callOptions = {}) {
      const token = callOptions.token === undefined ? tokens[ADMIN] : callOptions.token
      const hasBody = callOptions.body !== undefined || callOptions.raw !== undefined
      const response = await server.inject({
        method: method as InjectOptions['method'],
        url,
        headers: {
          accept: 'application/vnd.heroku+json; version=3',
          ...(token ? {authorization: `Bearer ${token}`} : {}),
          ...(hasBody ? {'content-type': 'application/json'} : {}),
          ...callOptions.headers,
        },
        payload: callOptions.raw ?? (callOptions.body === undefined ? undefined : JSON.stringify(callOptions.body)),
      })
      return {status: response.statusCode, headers: response.headers, text: response.body, json: () => JSON.parse(response.body)}
    },
    async close() {
      await server.close()
      rmSync(dir, {recursive: true, force: true})
    },
  }
}
