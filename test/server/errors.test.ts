/**
 * One error shape, {id, message}, for every failure the server can answer: fastify's, node:http's,
 * the router's and ours; and one rule for every part of a Range header.
 */
import {connect} from 'node:net'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {type Fixture, startFixture} from './_fixture.js'

let f: Fixture
let port: number

beforeAll(async () => {
  f = await startFixture({listen: true})
  port = (f.server.server.address() as {port: number}).port
})
afterAll(() => f.close())

/** Sends raw bytes and returns the status and body of the answer. */
function raw(request: string | Buffer): Promise<{status: number; headers: string; body: string}> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1')
    const chunks: Buffer[] = []
    socket.on('data', (chunk) => chunks.push(chunk))
    socket.on('error', reject)
    socket.on('close', () => {
      const text = Buffer.concat(chunks).toString('utf8')
      const [head = '', ...rest] = text.split('\r\n\r\n')
      resolve({status: Number(/^HTTP\/1\.1 (\d+)/.exec(head)?.[1]), headers: head, body: rest.join('\r\n\r\n')})
    })
    socket.end(request)
  })
}

function expectErrorShape(body: string, id?: string) {
  const parsed = JSON.parse(body) as Record<string, unknown>
  expect(Object.keys(parsed).sort()).toEqual(['id', 'message'])
  expect(typeof parsed.message).toBe('string')
  expect((parsed.message as string).length).toBeGreaterThan(10)
  if (id) expect(parsed.id).toBe(id)
}

describe('one error shape', () => {
  it('answers an oversized header with 431 and {id, message}', async () => {
    const response = await raw(`GET /account HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\nConnection: close\r\n\r\n`)
    expect(response.status).toBe(431)
    expect(response.headers).toMatch(/content-type: application\/json/i)
    expectErrorShape(response.body, 'bad_request')
  })

  it('answers a request node cannot parse with 400 and {id, message}', async () => {
    const response = await raw('NOT A REQUEST\r\n\r\n')
    expect(response.status).toBe(400)
    expectErrorShape(response.body, 'bad_request')
  })

  it('answers an unknown route with 404, and a known path with the wrong method with 405 and Allow', async () => {
    const unknown = await f.call('GET', '/no/such/route')
    expect(unknown.status).toBe(404)
    expectErrorShape(unknown.text, 'not_found')
    const wrongMethod = await f.call('PUT', '/apps/acme-api')
    expect(wrongMethod.status).toBe(405)
    expect(wrongMethod.headers.allow).toBe('GET, HEAD, PATCH, DELETE')
    expectErrorShape(wrongMethod.text, 'bad_request')
  })

  it('answers malformed JSON with 400, an unknown content type with 415, a big body with 413', async () => {
    const malformed = await f.call('PUT', '/teams/acme/members', {raw: '{"email": '})
    expect(malformed.status).toBe(400)
    expectErrorShape(malformed.text, 'bad_request')
    const xml = await f.call('POST', '/teams', {raw: '<team/>', headers: {'content-type': 'application/xml'}})
    expect(xml.status).toBe(415)
    expectErrorShape(xml.text, 'bad_request')
    const text = await f.call('POST', '/teams', {raw: 'name=x', headers: {'content-type': 'text/plain'}})
    expect(text.status).toBe(415)
    const big = await f.call('POST', '/teams', {body: {name: 'x'.repeat(100_000)}})
    expect(big.status).toBe(413)
    expectErrorShape(big.text, 'payload_too_large')
  })

  it('answers a malformed URL and a path parameter over the router limit with {id, message}', async () => {
    const badUrl = await f.call('GET', '/apps/%E0%A4%A')
    expect(badUrl.status).toBe(400)
    expectErrorShape(badUrl.text, 'bad_request')
    const long = await f.call('GET', `/apps/${'a'.repeat(600)}`)
    expect(long.status).toBeGreaterThanOrEqual(400)
    expectErrorShape(long.text)
  })

  it('answers 401 and 422 with exactly {id, message}', async () => {
    expectErrorShape((await f.call('GET', '/account', {token: null})).text, 'unauthorized')
    expectErrorShape((await f.call('PUT', '/teams/acme/members', {body: {email: 'x@acme.test'}})).text, 'invalid_params')
  })

  it('answers a request node:http times out with 408 and {id, message}', async () => {
    // node checks request timeouts every 30 s: hand the server's clientError listener the error it would get.
    const serverSide = new Promise<import('node:net').Socket>((resolve) => f.server.server.once('connection', resolve))
    const client = connect(port, '127.0.0.1')
    const chunks: Buffer[] = []
    client.on('data', (chunk) => chunks.push(chunk))
    const closed = new Promise((resolve) => client.on('close', resolve))
    client.write('POST /teams HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{"na')
    const socket = await serverSide
    f.server.server.emit('clientError', Object.assign(new Error('Request timeout'), {code: 'ERR_HTTP_REQUEST_TIMEOUT'}), socket)
    await closed
    const text = Buffer.concat(chunks).toString('utf8')
    expect(text).toMatch(/^HTTP\/1\.1 408 /)
    expectErrorShape(text.split('\r\n\r\n').slice(1).join(''), 'bad_request')
  })
})

describe('Range: one rule for every part', () => {
  it.each(['email ..; max=0', 'email ..; max=1001', 'email ..; max=-1', 'email ..; max=1.5', 'email ..; max=abc', 'email ..; max='])(
    'refuses %j, giving the range 1..1000',
    async (range) => {
      const response = await f.call('GET', '/teams/acme/members', {headers: {range}})
      expect(response.status).toBe(400)
      expectErrorShape(response.text, 'bad_request')
      expect(response.json().message).toContain('1 to 1000')
    },
  )

  it.each(['email ..; order=up', 'email ..; max=10; max=20', 'email ..; colour=red', 'nope ..', 'email'])('refuses %j', async (range) => {
    const response = await f.call('GET', '/teams/acme/members', {headers: {range}})
    expect(response.status).toBe(400)
    expectErrorShape(response.text, 'bad_request')
  })

  it('accepts the bounds themselves', async () => {
    expect((await f.call('GET', '/teams/acme/members', {headers: {range: 'email ..; max=1'}})).status).toBe(206)
    expect((await f.call('GET', '/teams/acme/members', {headers: {range: 'email ..; max=1000'}})).status).toBe(200)
  })
})
