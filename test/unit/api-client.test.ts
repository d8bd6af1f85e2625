/**
 * The HTTP client against a fake foreign API (node:http on 127.0.0.1): a write is a success only
 * when the answer is the resource it asked for, and an answer not in the Platform API's format
 * (a redirect, a status without an {id, message} body) is "could not ask" (network_error, exit 9),
 * never a usage error or a server failure; a write's message says the change may have been made.
 */
import type {IncomingMessage, ServerResponse} from 'node:http'

import {afterEach, describe, expect, it} from 'vitest'

import {HttpBackend} from '../../src/lib/backend/http-backend.js'
import {OrgctlError} from '../../src/lib/errors.js'
import {type FakeApi, fakeApi} from '../helpers/fake-api.js'

type Handler = (req: IncomingMessage, res: ServerResponse) => void

let api: FakeApi | undefined

afterEach(async () => {
  await api?.close()
  api = undefined
})

async function backendFor(handler: Handler): Promise<HttpBackend> {
  api = await fakeApi(handler)
  return new HttpBackend(api.client)
}

const send =
  (status: number, body?: string, headers: Record<string, string> = {}) =>
  (_req: IncomingMessage, res: ServerResponse) => {
    res.writeHead(status, body === undefined ? headers : {'content-type': 'application/json', ...headers})
    res.end(body)
  }

async function failure(promise: Promise<unknown>): Promise<OrgctlError> {
  const error = await promise.then(
    (value) => {
      throw new Error(`expected a failure, got ${JSON.stringify(value)}`)
    },
    (error: unknown) => error,
  )
  expect(error).toBeInstanceOf(OrgctlError)
  return error as OrgctlError
}

const MEMBER = {id: 'm1', email: 'q@acme.test', role: 'member', user: {id: 'u1', email: 'q@acme.test', name: null}}

describe('a write the API did not confirm', () => {
  for (const [what, status, body] of [
    ['204 with no body', 204, undefined],
    ['200 with an object not shaped like a member', 200, '{"not":"a list"}'],
    ['200 with a list', 200, '[]'],
    ['200 with null', 200, 'null'],
    ['201 with a member whose email is not a string', 201, '{"id":"m1","email":7}'],
    ['200 with a body that is not JSON', 200, 'ok'],
  ] as const) {
    it(`is a network_error saying the change may have been made (${what})`, async () => {
      const backend = await backendFor(send(status, body))
      const error = await failure(backend.addMember('x', 'q@acme.test', 'member'))
      expect(error.id).toBe('network_error')
      expect(error.exitCode).toBe(9)
      expect(error.message).toMatch(/POST \/teams\/x\/members/)
      expect(error.message).toMatch(/the change may or may not have been made/)
    })
  }

  it('is checked for every kind of write (app, team, collaborator, transfer, formation, authorization)', async () => {
    const backend = await backendFor(send(200, '{"id":"z"}'))
    const writes: Promise<unknown>[] = [
      backend.createApp({name: 'a', region: 'us'}),
      backend.destroyApp('a'),
      backend.setLocked('a', true),
      backend.createTeam('t', {apps: 1, members: 1, 'dyno-units': 1} as never),
      backend.setMember('t', 'q@acme.test', 'admin'),
      backend.removeMember('t', 'q@acme.test'),
      backend.addAccess('a', 'q@acme.test'),
      backend.updateAccess('a', 'q@acme.test', ['view']),
      backend.removeAccess('a', 'q@acme.test'),
      backend.answerTransfer('t1', 'accepted'),
      backend.cancelTransfer('t1'),
      backend.scale('a', [{type: 'web', quantity: 1}]),
    ]
    for (const write of writes) expect((await failure(write)).id).toBe('network_error')
  })

  it('accepts the resource it asked for', async () => {
    const backend = await backendFor(send(201, JSON.stringify(MEMBER)))
    expect(await backend.addMember('x', 'q@acme.test', 'member')).toEqual(MEMBER)
  })
})

describe('an answer not in the Platform API format', () => {
  for (const [what, status, body, headers] of [
    ['a 302', 302, undefined, {location: 'http://127.0.0.1:1/login'}],
    ['a 301 with an error body', 301, '{"id":"forbidden","message":"no"}', {location: '/x'}],
    ['a 418 with no body', 418, undefined, {}],
    ['a 404 with an HTML body', 404, '<html>nope</html>', {}],
    ['a 400 with an unknown id', 400, '{"id":"teapot","message":"short and stout"}', {}],
    ['a 500 with no body', 500, undefined, {}],
    ['a persistent 502', 502, undefined, {}],
  ] as const) {
    it(`is a network_error naming the status, for a read (${what})`, async () => {
      const backend = await backendFor(send(status, body, headers))
      const error = await failure(backend.getApp('a'))
      expect(error.id).toBe('network_error')
      expect(error.exitCode).toBe(9)
      expect(error.message).toContain(`HTTP ${status}`)
      expect(error.message).not.toMatch(/may or may not have been made/)
    })

    it(`is a network_error saying the change may have been made, for a write (${what})`, async () => {
      const backend = await backendFor(send(status, body, headers))
      const error = await failure(backend.addMember('x', 'q@acme.test', 'member'))
      expect(error.id).toBe('network_error')
      expect(error.message).toContain(`HTTP ${status}`)
      expect(error.message).toMatch(/the change may or may not have been made/)
    })
  }

  it('keeps a genuine API error body: its id, exit code and message', async () => {
    const backend = await backendFor(send(403, '{"id":"forbidden","message":"Only admins may add members."}'))
    const error = await failure(backend.addMember('x', 'q@acme.test', 'member'))
    expect(error.id).toBe('forbidden')
    expect(error.exitCode).toBe(4)
    expect(error.message).toBe('Only admins may add members.')
  })

  it('does not take a remote store_error for the local store (exit 7)', async () => {
    const backend = await backendFor(send(500, '{"id":"store_error","message":"Cannot read /srv/store.json"}'))
    const error = await failure(backend.getApp('a'))
    expect(error.id).toBe('internal_error')
    expect(error.exitCode).toBe(1)
  })
})
