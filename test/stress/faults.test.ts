/**
 * Faults between client and server: small fake servers (node:http on 127.0.0.1,
 * standing in for a misbehaving remote API) refuse connections, stall, drop the
 * connection, answer 5xx, 429 with Retry-After, truncated or non-JSON bodies, or a
 * Next-Range that never ends. The real CLI (ORGCTL_API_URL) must retry only what is
 * safe (a POST the server received is never sent again), give up within its deadline
 * with one clear error line and exit 9 (no answer, or one not in the API's format:
 * a redirect, a status without an {id, message} body, a write not answered by its
 * resource), 10 (rate limited) or 1 (the server failed, with its error body), and never
 * report success for a write it could not confirm.
 */
import {createServer, type IncomingMessage, type Server, type ServerResponse} from 'node:http'
import type {Socket} from 'node:net'

import {afterAll, describe, expect, it} from 'vitest'

import {type Box, box, isOneLineError, pool, report, run, type RunResult, SCALE, show} from './_util.js'

const TOKEN = 'orgctl_fakeSECRETtoken0123456789abcdef'
/** The client's deadline, set short through ORGCTL_API_TIMEOUT (the default is 30 s), plus start-up and scheduling slack. */
const DEADLINE_MS = 8_000
const SLACK_MS = 10_000

interface Fake {
  url: string
  /** Requests received, by method. */
  count: Record<string, number>
  close(): Promise<void>
}

type Handler = (req: IncomingMessage, res: ServerResponse, attempt: number, body: string) => void

function fake(handler: Handler): Promise<Fake> {
  return new Promise((resolve) => {
    const count: Record<string, number> = {}
    const sockets = new Set<Socket>()
    const server: Server = createServer((req, res) => {
      let body = ''
      req.on('data', (chunk) => (body += chunk))
      req.on('end', () => {
        count[req.method!] = (count[req.method!] ?? 0) + 1
        handler(req, res, count[req.method!]!, body)
      })
    })
    server.on('connection', (socket) => {
      sockets.add(socket)
      socket.on('close', () => sockets.delete(socket))
    })
    server.listen(0, '127.0.0.1', () => {
      const {port} = server.address() as {port: number}
      resolve({
        url: `http://127.0.0.1:${port}`,
        count,
        close: () =>
          new Promise<void>((done) => {
            for (const socket of sockets) socket.destroy()
            server.close(() => done())
          }),
      })
    })
  })
}

const TEAM = {
  id: '6f0c1f6e-7f9e-4c53-9d2b-3f2d0c9b8a71',
  name: 'acme-new',
  role: 'admin',
  type: 'team',
  default: false,
  membership_limit: 50,
  created_at: '2026-01-01T00:00:00.000Z',
  updated_at: '2026-01-01T00:00:00.000Z',
  limits: {apps: 100, members: 50, 'dyno-units': 200},
}

const json = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
  const text = JSON.stringify(body)
  res.writeHead(status, {'content-type': 'application/json', 'content-length': String(Buffer.byteLength(text)), ...headers})
  res.end(text)
}

/** A correct answer to the two commands used: `orgs` (GET /teams) and `orgs:create` (POST /teams). */
const ok = (req: IncomingMessage, res: ServerResponse) => (req.method === 'POST' ? json(res, 201, TEAM) : json(res, 200, []))

const GET_CMD = ['orgs', '--json']
const POST_CMD = ['orgs:create', 'acme-new', '--json']

const boxes: Box[] = []
afterAll(() => {
  for (const b of boxes) b.cleanup()
})

interface Outcome {
  name: string
  result: RunResult
  count: Record<string, number>
  problems: string[]
}

const outcomes: Outcome[] = []

/** Runs one scenario: a fake server, one CLI run against it, and the checks. */
async function scenario(
  name: string,
  handler: Handler | 'refused',
  args: string[],
  expectations: {
    exit: number
    maxRequests?: Record<string, number>
    minRequests?: Record<string, number>
    minMs?: number
    message?: RegExp
    debug?: boolean
  },
): Promise<Outcome> {
  const b = box('faults')
  boxes.push(b)
  let server: Fake
  if (handler === 'refused') {
    // A port that was just free: nothing listens there.
    server = await fake(() => undefined)
    await server.close()
  } else server = await fake(handler)
  const env = b.env({
    ORGCTL_STORE: undefined,
    ORGCTL_API_URL: server.url,
    ORGCTL_API_KEY: TOKEN,
    ORGCTL_API_TIMEOUT: String(DEADLINE_MS / 1000),
    ...(expectations.debug ? {DEBUG: '1'} : {}),
  })
  const result = await run(args, env, {timeoutMs: DEADLINE_MS + 20_000})
  await server.close()
  const problems: string[] = []
  const count = {...server.count}
  if (result.timedOut) problems.push('the CLI hung past its deadline')
  if (result.code !== expectations.exit) problems.push(`exit ${result.code}, expected ${expectations.exit}`)
  if (result.ms > DEADLINE_MS + SLACK_MS) problems.push(`took ${result.ms} ms, past the ${DEADLINE_MS} ms deadline`)
  if (expectations.minMs !== undefined && result.ms < expectations.minMs)
    problems.push(`took ${result.ms} ms, expected at least ${expectations.minMs} ms (Retry-After)`)
  for (const [method, max] of Object.entries(expectations.maxRequests ?? {})) {
    if ((count[method] ?? 0) > max) problems.push(`${count[method]} ${method} requests received, at most ${max} allowed`)
  }
  for (const [method, min] of Object.entries(expectations.minRequests ?? {})) {
    if ((count[method] ?? 0) < min) problems.push(`${count[method] ?? 0} ${method} requests received, expected at least ${min} (a retry)`)
  }
  if (result.code !== 0) {
    if (!expectations.debug && !isOneLineError(result)) problems.push('not exactly one error line')
    if (/[\u0000-\u0008\u000b-\u001f\u007f]/.test(result.stderr.replace(/\n/g, ''))) problems.push('raw control characters on stderr')
    if (expectations.message && !expectations.message.test(result.stderr)) problems.push(`message does not match ${expectations.message}`)
    // Under --json a failure is one {id, message} document, never the resource.
    try {
      const body = JSON.parse(result.stdout)
      if (typeof body.id !== 'string' || typeof body.message !== 'string' || 'name' in body)
        problems.push(`stdout is not an error document: ${result.stdout.slice(0, 200)}`)
    } catch {
      problems.push(`stdout is not one JSON document: ${result.stdout.slice(0, 200)}`)
    }
  }
  if ((result.stdout + result.stderr).includes(TOKEN)) problems.push('the token was printed')
  const outcome = {name, result, count, problems}
  outcomes.push(outcome)
  return outcome
}

const never = () => undefined
const dropNow = (req: IncomingMessage) => req.socket.destroy()
const dropMidBody = (_req: IncomingMessage, res: ServerResponse) => {
  res.writeHead(200, {'content-type': 'application/json', 'content-length': '500'})
  res.write('[{"id":"')
  setTimeout(() => res.socket?.destroy(), 20)
}

describe('faults between client and server', () => {
  const slowCases = SCALE >= 1
  it('each fault: safe retries only, a deadline, one clear error line, exit 9 (no answer) or 10 (rate limited) or 1 (the server failed), no unconfirmed success', async () => {
    const started = Date.now()
    const cases: (() => Promise<Outcome>)[] = [
      () => scenario('connection refused: GET', 'refused', GET_CMD, {exit: 9, message: /Cannot reach/}),
      () => scenario('connection refused: POST (never sent, safe to retry)', 'refused', POST_CMD, {exit: 9, message: /Cannot reach/}),
      () =>
        scenario('slow server (1.5 s) then answers: GET', (req, res) => setTimeout(() => ok(req, res), 1500), GET_CMD, {
          exit: 0,
          maxRequests: {GET: 1},
        }),
      () =>
        scenario('slow server (1.5 s) then answers: POST', (req, res) => setTimeout(() => ok(req, res), 1500), POST_CMD, {
          exit: 0,
          maxRequests: {POST: 1},
        }),
      () =>
        scenario('connection dropped before any answer: GET (retried)', dropNow, GET_CMD, {
          exit: 9,
          minRequests: {GET: 2},
          maxRequests: {GET: 5},
        }),
      () =>
        scenario('connection dropped before any answer: POST (received: not retried)', dropNow, POST_CMD, {
          exit: 9,
          maxRequests: {POST: 1},
          message: /may or may not/,
        }),
      () =>
        scenario(
          'connection dropped mid-body once, then answers: GET (an idempotent read is retried)',
          (req, res, n) => (n === 1 ? dropMidBody(req, res) : ok(req, res)),
          GET_CMD,
          {
            exit: 0,
            maxRequests: {GET: 5},
          },
        ),
      () =>
        scenario('connection dropped mid-body: POST (not retried, not reported as done)', dropMidBody, POST_CMD, {
          exit: 9,
          maxRequests: {POST: 1},
          message: /may or may not/,
        }),
      () =>
        scenario('500: GET', (_req, res) => json(res, 500, {id: 'internal_error', message: 'boom'}), GET_CMD, {
          exit: 1,
          maxRequests: {GET: 1},
        }),
      () =>
        scenario('500: POST', (_req, res) => json(res, 500, {id: 'internal_error', message: 'boom'}), POST_CMD, {
          exit: 1,
          maxRequests: {POST: 1},
        }),
      () =>
        scenario(
          '502 without an API error body to a POST (a proxy may have forwarded it: not retried, outcome unknown)',
          (_req, res) => json(res, 502, {id: 'bad_gateway', message: 'upstream'}),
          POST_CMD,
          {exit: 9, message: /HTTP 50\d.*may or may not have been made/, maxRequests: {POST: 1}},
        ),
      () =>
        scenario(
          '503 always, without an API error body, to a POST (retried, then gives up: outcome unknown)',
          (_req, res) => json(res, 503, {id: 'unavailable', message: 'closing'}),
          POST_CMD,
          {exit: 9, message: /HTTP 50\d.*may or may not have been made/, maxRequests: {POST: 5}},
        ),
      () =>
        scenario(
          '429 Retry-After: 1 once, then answers: GET',
          (req, res, n) => (n === 1 ? json(res, 429, {id: 'rate_limit', message: 'slow down'}, {'retry-after': '1'}) : ok(req, res)),
          GET_CMD,
          {
            exit: 0,
            minMs: 1000,
            minRequests: {GET: 2},
            maxRequests: {GET: 2},
          },
        ),
      () =>
        scenario(
          '429 Retry-After: 1 once, then answers: POST',
          (req, res, n) => (n === 1 ? json(res, 429, {id: 'rate_limit', message: 'slow down'}, {'retry-after': '1'}) : ok(req, res)),
          POST_CMD,
          {
            exit: 0,
            minMs: 1000,
            maxRequests: {POST: 2},
          },
        ),
      () =>
        scenario(
          '429 always: gives up',
          (_req, res) => json(res, 429, {id: 'rate_limit', message: 'slow down'}, {'retry-after': '1'}),
          GET_CMD,
          {exit: 10, maxRequests: {GET: 5}},
        ),
      () =>
        scenario(
          '200 with a truncated body: GET',
          (_req, res) => {
            res.writeHead(200, {'content-type': 'application/json', 'content-length': '100'})
            res.end('[{"id": "x"')
          },
          GET_CMD,
          {exit: 9, maxRequests: {GET: 5}},
        ),
      () =>
        scenario(
          '200 with a body that is not JSON: GET',
          (_req, res) => {
            res.writeHead(200, {'content-type': 'text/html'})
            res.end('<html>proxy login</html>')
          },
          GET_CMD,
          {exit: 9, maxRequests: {GET: 1}, message: /unexpected/},
        ),
      () =>
        scenario(
          '201 with a body that is not JSON: POST (not reported as done)',
          (_req, res) => {
            res.writeHead(201, {'content-type': 'text/html'})
            res.end('<html>ok?</html>')
          },
          POST_CMD,
          {exit: 9, maxRequests: {POST: 1}},
        ),
      () =>
        scenario(
          '204 with no body: POST (not reported as done)',
          (_req, res) => {
            res.writeHead(204)
            res.end()
          },
          POST_CMD,
          {exit: 9, maxRequests: {POST: 1}, message: /HTTP 204.*may or may not have been made/},
        ),
      () =>
        scenario(
          '200 with a body not shaped like a team: POST (not reported as done)',
          (_req, res) => json(res, 200, {not: 'a list'}),
          POST_CMD,
          {
            exit: 9,
            maxRequests: {POST: 1},
            message: /may or may not have been made/,
          },
        ),
      () =>
        scenario(
          '302 to a login page: GET (not a usage error)',
          (_req, res) => {
            res.writeHead(302, {location: 'http://127.0.0.1:1/login'})
            res.end()
          },
          GET_CMD,
          {exit: 9, maxRequests: {GET: 1}, message: /HTTP 302/},
        ),
      () =>
        scenario(
          '418 without an API error body: POST',
          (_req, res) => {
            res.writeHead(418)
            res.end()
          },
          POST_CMD,
          {exit: 9, maxRequests: {POST: 1}, message: /HTTP 418.*may or may not have been made/},
        ),
      () =>
        scenario('Next-Range repeated forever', (_req, res) => json(res, 206, [TEAM], {'next-range': 'name ]acme..; max=1'}), GET_CMD, {
          exit: 9,
          maxRequests: {GET: 3},
        }),
      () =>
        scenario(
          'Next-Range that never ends (always a new one)',
          (_req, res, n) => json(res, 206, [], {'next-range': `name ]x${String(n).padStart(6, '0')}..; max=1`}),
          GET_CMD,
          {
            exit: 9,
            maxRequests: {GET: 1001},
          },
        ),
      () =>
        scenario(
          'an error message with terminal escapes and a second line',
          (_req, res) =>
            json(res, 404, {id: 'not_found', message: 'no\u001b]0;pwned\u0007 such \u001b[2Jorg\r\nError: forged second line'}),
          GET_CMD,
          {
            exit: 3,
            maxRequests: {GET: 1},
          },
        ),
      () =>
        scenario(
          'DEBUG=1 traces a failing POST without the token',
          (_req, res) => json(res, 500, {id: 'internal_error', message: 'boom'}),
          POST_CMD,
          {exit: 1, maxRequests: {POST: 1}, debug: true},
        ),
    ]
    const hangs: (() => Promise<Outcome>)[] = []
    if (slowCases) {
      hangs.push(
        () =>
          scenario('a server that accepts and never answers: GET (deadline, says it timed out)', never, GET_CMD, {
            exit: 9,
            maxRequests: {GET: 5},
            message: /timed out|did not answer|deadline|\d+ ?s\b/i,
          }),
        () =>
          scenario('a server that accepts and never answers: POST (deadline, not retried)', never, POST_CMD, {
            exit: 9,
            maxRequests: {POST: 1},
            message: /may or may not/,
          }),
      )
    }
    // The two deadline cases run alongside the rest, which run a few at a time (CLI start-up competes for 2 cores).
    const slow = Promise.all(hangs.map((start) => start()))
    const results = [...(await pool(cases, 4)), ...(await slow)]
    const failed = results.filter((o) => o.problems.length > 0)
    const postRetriedAfterReceipt = results.filter(
      (o) => /POST/.test(o.name) && !/429|503|refused/.test(o.name) && (o.count.POST ?? 0) > 1,
    ).length
    const falseSuccess = results.filter((o) => /POST/.test(o.name) && o.result.code === 0 && !/slow|429/.test(o.name)).length
    const worst = Math.max(...results.map((o) => o.result.ms))
    for (const o of results)
      console.log(
        `  ${o.problems.length ? 'FAIL' : 'ok  '} ${o.name}: exit ${o.result.code} in ${o.result.ms} ms, requests ${JSON.stringify(o.count)}${o.problems.length ? ` -- ${o.problems.join('; ')}` : ''}`,
      )
    report(
      'faults',
      `${results.length} fault scenarios against fake servers: ${results.length - failed.length} behaved, ${failed.length} misbehaved; POSTs retried after receipt ${postRetriedAfterReceipt}; unconfirmed writes reported as success ${falseSuccess}; slowest give-up ${worst} ms (deadline ${DEADLINE_MS} ms) (${Date.now() - started} ms)`,
      {scenarios: results.length, misbehaved: failed.length, postRetriedAfterReceipt, falseSuccess, worstMs: worst},
    )
    expect(postRetriedAfterReceipt).toBe(0)
    expect(falseSuccess).toBe(0)
    expect(
      failed.map((o) => `${o.name}: ${o.problems.join('; ')}`),
      failed.map((o) => `${o.name}: ${o.problems.join('; ')}\n${show(o.result)}`).join('\n\n'),
    ).toEqual([])
  })
})
