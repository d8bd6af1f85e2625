/**
 * One table of routes (src/lib/api/routes.ts): the server registers exactly its entries, and every
 * request the HTTP backend makes is one of them, so a path typed twice cannot drift.
 */
import {mkdtempSync, readdirSync, readFileSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {describe, expect, it} from 'vitest'

import {methodsFor, pathFor, paramNames, type Route, routerPath, ROUTES} from '../../src/lib/api/routes.js'
import {HttpBackend} from '../../src/lib/backend/http-backend.js'
import type {ApiClient} from '../../src/lib/http/api-client.js'
import {buildServer} from '../../src/lib/server/server.js'
import {JsonStorage} from '../../src/lib/storage/json/json-storage.js'

const table = Object.values(ROUTES) as Route[]

/** The route of the table a concrete request is, if any. */
function routeOf(method: string, path: string): Route | undefined {
  const bare = path.split('?')[0]!
  return table.find((route) => route.method === method && new RegExp(`^${route.path.replace(/\{\w+\}/g, '[^/]+')}$`).test(bare))
}

describe('the route table', () => {
  it('has each method and path once', () => {
    const keys = table.map((route) => `${route.method} ${route.path}`)
    expect(new Set(keys).size).toBe(keys.length)
  })

  it('builds paths with every param percent-encoded', () => {
    expect(pathFor(ROUTES.removeMember, {team: 'acme', member: 'a+b@x.test'})).toBe('/teams/acme/members/a%2Bb%40x.test')
    expect(pathFor(ROUTES.getApp, {app: '../x'})).toBe('/apps/..%2Fx')
    expect(paramNames(ROUTES.updateTeamCollaborator)).toEqual(['app', 'collaborator'])
    expect(routerPath(ROUTES.getDyno)).toBe('/apps/:app/dynos/:dyno')
    expect(methodsFor('/apps/acme-api')).toEqual(['GET', 'PATCH', 'DELETE'])
  })

  it('is what the server registers, route for route', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'orgctl-routes-'))
    const server = await buildServer({storage: new JsonStorage(join(dir, 'store.json'))})
    try {
      await server.ready()
      for (const route of table) expect(server.hasRoute({method: route.method, url: routerPath(route)}), route.path).toBe(true)
    } finally {
      await server.close()
      rmSync(dir, {recursive: true, force: true})
    }
  })

  it('is the only place a path is written: no route file or the HTTP backend types one', () => {
    const dir = 'src/lib/server/routes'
    const sources = [...readdirSync(dir).map((file) => join(dir, file)), 'src/lib/server/server.ts', 'src/lib/backend/http-backend.ts']
    for (const file of sources) {
      const text = readFileSync(file, 'utf8')
      expect(text, file).not.toMatch(/\.(get|post|put|patch|delete|head|all)\(\s*['`]\//)
      expect(text, file).not.toMatch(/client\.(get|list|send)\(\s*(['`]\/|'(GET|POST|PUT|PATCH|DELETE)')/)
    }
  })
})

describe('the HTTP backend against the table', () => {
  it('makes only requests the table has, with its methods', async () => {
    const calls: string[] = []
    const app = {name: 'acme-api', owner: {email: 'someone@else.test'}, team: null}
    const client = {
      baseUrl: 'http://127.0.0.1:1',
      async get(path: string) {
        calls.push(`GET ${path}`)
        return path.startsWith('/account') ? {email: 'me@acme.test'} : app
      },
      async list(path: string) {
        calls.push(`GET ${path}`)
        return []
      },
      async send(method: string, path: string) {
        calls.push(`${method} ${path}`)
        return {state: 'pending'}
      },
      async close() {},
    } as unknown as ApiClient
    const backend = new HttpBackend(client)
    await backend.account()
    await backend.createAuthorization('x')
    await backend.listAuthorizations()
    await backend.revokeAuthorization('id-1')
    await backend.listTeams()
    await backend.createTeam('acme', {apps: 1, members: 1, 'dyno-units': 1})
    await backend.getTeam('acme')
    await backend.teamUsage('acme', true)
    await backend.teamBilling('acme')
    await backend.listMembers('acme')
    await backend.addMember('acme', 'a@acme.test', 'member')
    await backend.setMember('acme', 'a@acme.test', 'admin')
    await backend.removeMember('acme', 'a@acme.test')
    await backend.listApps()
    await backend.listApps('acme')
    await backend.createApp({name: 'x-app', region: 'us'})
    await backend.createApp({name: 'x-app', region: 'us', team: 'acme'})
    await backend.getApp('acme-api')
    await backend.destroyApp('acme-api')
    await backend.setLocked('acme-api', true)
    await backend.listAccess('acme-api')
    await backend.addAccess('acme-api', 'a@acme.test')
    await backend.addAccess('acme-api', 'a@acme.test', ['view'])
    await backend.updateAccess('acme-api', 'a@acme.test', ['view'])
    await backend.removeAccess('acme-api', 'a@acme.test')
    await backend.joinApp('acme-api')
    await backend.leaveApp('acme-api')
    await backend.transferApp('acme-api', 'b@acme.test', {})
    await backend.transferApp('acme-api', 'beta', {})
    await backend.listTransfers()
    await backend.answerTransfer('t-1', 'accepted')
    await backend.cancelTransfer('t-1')
    await backend.listFormation('acme-api')
    await backend.scale('acme-api', [{type: 'web', quantity: 1}])
    expect(calls.length).toBeGreaterThan(30)
    for (const call of calls) {
      const [method, path] = call.split(' ') as [string, string]
      expect(routeOf(method, path), call).toBeDefined()
    }
  })
})
