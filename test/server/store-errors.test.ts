/**
 * A store the server cannot read or write is the operator's problem, not the client's: the client gets
 * a 500 internal_error with the request id (no path, no advice meant for the operator, whoever asks),
 * and the full message goes to the server's error log, with or without --verbose.
 */
import {writeFileSync} from 'node:fs'
import {join} from 'node:path'

import {afterEach, describe, expect, it} from 'vitest'

import {commitUnknown, storeUnavailable} from '../../src/lib/errors.js'
import {buildServer} from '../../src/lib/server/server.js'
import {JsonStorage} from '../../src/lib/storage/json/json-storage.js'
import type {Storage} from '../../src/lib/storage/storage.js'
import {ADMIN, type Fixture, startFixture} from './_fixture.js'

let fixture: Fixture | undefined

afterEach(async () => {
  await fixture?.close()
  fixture = undefined
})

describe('a store error while serving', () => {
  for (const token of ['none', 'admin'] as const) {
    it(`answers 500 internal_error with the request id, no path (${token === 'none' ? 'no token' : 'the admin'})`, async () => {
      fixture = await startFixture()
      const path = join(fixture.dir, 'store.json')
      const lines: string[] = []
      // The same store, served with an error log only (no per-request log, as without --verbose).
      const server = await buildServer({storage: new JsonStorage(path), errorLog: (line) => lines.push(line)})
      try {
        writeFileSync(path, '{ this is not json')
        const response = await server.inject({
          method: 'GET',
          url: '/apps',
          headers: {
            accept: 'application/vnd.heroku+json; version=3',
            ...(token === 'admin' ? {authorization: `Bearer ${fixture.tokens[ADMIN]}`} : {}),
          },
        })
        expect(response.statusCode).toBe(500)
        const body = response.json()
        const requestId = String(response.headers['request-id'])
        expect(body.id).toBe('internal_error')
        expect(body.message).toBe(
          `The server could not read or write its store: its operator can see why in the server's log (request id ${requestId}).`,
        )
        expect(response.body).not.toContain(fixture.dir)
        expect(response.body).not.toMatch(/ORGCTL_STORE|store\.json/)
        expect(lines).toHaveLength(1)
        expect(lines[0]).toContain(requestId)
        expect(lines[0]).toContain(path)
      } finally {
        await server.close()
      }
    })
  }
})

/** The fixture's store, with every write failing as the PostgreSQL engine reports a lost database. */
function failingWrites(storage: Storage, failure: () => Error): Storage {
  return {
    kind: storage.kind,
    location: storage.location,
    read: (fn) => storage.read(fn),
    write: async () => {
      throw failure()
    },
    close: () => storage.close(),
  }
}

describe('the database lost while serving', () => {
  const add = (server: Awaited<ReturnType<typeof buildServer>>, token: string) =>
    server.inject({
      method: 'PUT',
      url: '/teams/acme/members',
      headers: {accept: 'application/vnd.heroku+json; version=3', authorization: `Bearer ${token}`, 'content-type': 'application/json'},
      payload: JSON.stringify({email: 'new@acme.test', role: 'member'}),
    })

  it('a change that never reached it: 503 store_unavailable with Retry-After (nothing changed, safe to retry)', async () => {
    fixture = await startFixture()
    const lines: string[] = []
    const storage = failingWrites(new JsonStorage(join(fixture.dir, 'store.json')), () =>
      storeUnavailable('Cannot reach PostgreSQL at db.internal:5432 database orgctl (ECONNREFUSED); nothing was changed.'),
    )
    const server = await buildServer({storage, errorLog: (line) => lines.push(line)})
    try {
      const response = await add(server, fixture.tokens[ADMIN]!)
      expect(response.statusCode).toBe(503)
      expect(response.headers['retry-after']).toBe('2')
      expect(response.json().id).toBe('store_unavailable')
      expect(response.json().message).toMatch(/nothing was changed; retry/)
      expect(response.body).not.toContain('db.internal')
      expect(lines.join('\n')).toContain('db.internal')
    } finally {
      await server.close()
    }
  })

  it('a COMMIT whose outcome is unknown: 500 store_error saying so (a client must check, not retry)', async () => {
    fixture = await startFixture()
    const lines: string[] = []
    const storage = failingWrites(new JsonStorage(join(fixture.dir, 'store.json')), () =>
      commitUnknown('PostgreSQL at db.internal:5432 database orgctl: the database connection was lost while committing.'),
    )
    const server = await buildServer({storage, errorLog: (line) => lines.push(line)})
    try {
      const response = await add(server, fixture.tokens[ADMIN]!)
      expect(response.statusCode).toBe(500)
      expect(response.json().id).toBe('store_error')
      expect(response.json().message).toMatch(/may or may not have been made\. Check before retrying/)
      expect(response.body).not.toContain('db.internal')
      expect(lines.join('\n')).toMatch(/commit outcome unknown.*db\.internal/)
    } finally {
      await server.close()
    }
  })
})
