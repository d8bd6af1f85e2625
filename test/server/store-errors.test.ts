/**
 * A store the server cannot read or write is the operator's problem, not the client's: the client gets
 * a 500 internal_error with the request id (no path, no advice meant for the operator, whoever asks),
 * and the full message goes to the server's error log, with or without --verbose.
 */
import {writeFileSync} from 'node:fs'
import {join} from 'node:path'

import {afterEach, describe, expect, it} from 'vitest'

import {buildServer} from '../../src/lib/server/server.js'
import {JsonStorage} from '../../src/lib/storage/json/json-storage.js'
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
