/**
 * The built `orgctl serve` (the bundle users run) as Heroku's clients meet it: ids for names, the
 * add-on and dyno lists of apps:info and ps, empty JSON bodies, and Heroku's error body for failures
 * node:http answers itself. Through the real binary only: on the HTTP runs of the suite (the file, PostgreSQL).
 */
import {connect} from 'node:net'
import {join} from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {HTTP, sandbox, type Sandbox, type Server, stopServer} from '../helpers/cli.js'
import {ADMIN, expectOk, ORG} from './_util.js'

describe.runIf(HTTP)('orgctl serve on the wire', () => {
  let box: Sandbox
  let server: Server
  let token: string

  const call = async (method: string, path: string, headers: Record<string, string> = {}, body?: string) => {
    const response = await fetch(`${server.url}${path}`, {method, headers: {authorization: `Bearer ${token}`, ...headers}, body})
    const text = await response.text()
    return {status: response.status, text, json: () => JSON.parse(text)}
  }

  beforeAll(async () => {
    box = sandbox()
    const admin = box.as(ADMIN)
    expectOk(await admin('orgs:create', ORG))
    expectOk(await admin('create', 'wire-api', '--org', ORG))
    expectOk(await admin('ps:scale', 'web=2', 'worker=1', '--app', 'wire-api'))
    token = await box.mint(ADMIN, 'wire')
    server = await box.serve({PATH: process.env.PATH, HOME: join(box.dir, 'home'), ORGCTL_CONFIG_DIR: box.configDir})
  })
  afterAll(async () => {
    if (server) await stopServer(server)
    await box?.cleanup()
  })

  it('answers by id as by name, and lists the add-ons and dynos the Heroku CLI reads', async () => {
    const app = (await call('GET', '/apps/wire-api')).json()
    expect((await call('GET', `/apps/${app.id}`)).json()).toEqual(app)
    expect((await call('GET', `/apps/${app.id}/addons`)).json()).toEqual([])
    const dynos = (await call('GET', `/apps/${app.id}/dynos`)).json() as {name: string; state: string}[]
    expect(dynos.map((dyno) => `${dyno.name} ${dyno.state}`)).toEqual(['web.1 up', 'web.2 up', 'worker.1 up'])
    const team = (await call('GET', `/teams/${ORG}`)).json()
    expect((await call('GET', `/teams/${team.id}`)).json()).toEqual(team)
  })

  it('scales one type with PATCH /apps/{app}/formation/{type}, and takes an empty JSON body on DELETE', async () => {
    const web = await call('PATCH', '/apps/wire-api/formation/web', {'content-type': 'application/json'}, '{"quantity": 1}')
    expect(web.json()).toMatchObject({type: 'web', quantity: 1})
    const revoked = await call('DELETE', '/oauth/authorizations/~', {'content-type': 'application/json'})
    expect(revoked.status).toBe(200)
    token = await box.mint(ADMIN, 'wire')
  })

  it('gives every failure Heroku’s {id, message} body, node:http’s own included', async () => {
    const port = new URL(server.url).port
    const oversized = await new Promise<string>((resolve, reject) => {
      const socket = connect(Number(port), '127.0.0.1')
      const chunks: Buffer[] = []
      socket.on('data', (chunk) => chunks.push(chunk))
      socket.on('error', reject)
      socket.on('close', () => resolve(Buffer.concat(chunks).toString('utf8')))
      socket.end(`GET /account HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`)
    })
    expect(oversized).toMatch(/^HTTP\/1\.1 431 /)
    expect(Object.keys(JSON.parse(oversized.split('\r\n\r\n')[1]!)).sort()).toEqual(['id', 'message'])
    for (const response of [
      await call('GET', '/teams/nope/members/x/y'),
      await call('PUT', '/apps/wire-api'),
      await call('GET', `/teams/${ORG}/members`, {range: 'email ..; max=0'}),
      await call('POST', '/teams', {'content-type': 'application/json'}, '{"name": "x-org", "__proto__": {}}'),
      await call('POST', '/teams', {'content-type': 'text/plain'}, 'x'),
    ]) {
      expect(response.status).toBeGreaterThanOrEqual(400)
      expect(Object.keys(response.json()).sort()).toEqual(['id', 'message'])
    }
  })
})
