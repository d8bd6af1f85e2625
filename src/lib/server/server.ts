/**
 * `orgctl serve`: Heroku's Platform API v3 (for the resources orgctl covers)
 * in front of the embedded store. A thin HTTP face: every rule is the domain's,
 * reached through the same LocalBackend the CLI uses, for the user behind the token.
 */
import {randomUUID} from 'node:crypto'

import Fastify, {type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest} from 'fastify'

import {LocalBackend} from '../backend/local-backend.js'
import {type Clock, systemClock} from '../domain/context.js'
import {hashToken, verifyTokenHash} from '../domain/tokens.js'
import {OrgctlError, toOrgctlError, unauthorized} from '../errors.js'
import type {JsonStore} from '../store/json-store.js'
import {paginate, parseRange} from './pagination.js'
import {RateLimiter} from './rate-limit.js'
import {accountRoutes} from './routes/account.js'
import {appRoutes} from './routes/apps.js'
import {collaboratorRoutes} from './routes/collaborators.js'
import {teamRoutes} from './routes/teams.js'
import {transferRoutes} from './routes/transfers.js'

export interface ServerOptions {
  store: JsonStore
  clock?: Clock
  /** Requests an hour per token (Heroku: 4,500). */
  rateLimitPerHour?: number
  /** Largest request body, in bytes. */
  bodyLimit?: number
  /** Log one line per request (never a header, so never a token). */
  log?: (line: string) => void
}

declare module 'fastify' {
  interface FastifyRequest {
    actor: string
    backend: LocalBackend
    /** Set on GETs whose answer may be kept for the same user and store version. */
    answerKey?: {version: string; key: string}
  }
}

interface Answer {
  status: number
  headers: Record<string, string>
  body: string | Buffer
}

/**
 * The last few GET answers for the current store version, keyed by user, URL and Range (least
 * recently used first out, within a count and a byte budget). A body is encoded at its first hit
 * and kept so: later hits are sent without turning tens of kilobytes of JSON into UTF-8 again (and
 * answers never asked for again, as most are under a stream of writes, never make a Buffer). A new
 * version empties it: answers of an older one can never be served again.
 */
class AnswerCache {
  /** Each answer with its size in bytes, counted once when it is kept. */
  private readonly entries = new Map<string, {answer: Answer; size: number}>()
  private version?: string
  private bytes = 0

  constructor(
    private readonly maxEntries: number,
    private readonly maxBytes: number,
  ) {}

  get(version: string, key: string): Answer | undefined {
    if (version !== this.version) {
      this.entries.clear()
      this.bytes = 0
      this.version = version
      return undefined
    }
    const entry = this.entries.get(key)
    if (!entry) return undefined
    if (typeof entry.answer.body === 'string') entry.answer.body = Buffer.from(entry.answer.body)
    this.entries.delete(key)
    this.entries.set(key, entry)
    return entry.answer
  }

  /** Keeps an answer made from `version`, unless the store has moved on since. */
  set(version: string, key: string, answer: Answer): void {
    const size = Buffer.byteLength(answer.body)
    if (version !== this.version || size > this.maxBytes) return
    const previous = this.entries.get(key)
    if (previous) this.bytes -= previous.size
    this.entries.delete(key)
    this.entries.set(key, {answer, size})
    this.bytes += size
    for (const [oldest, entry] of this.entries) {
      if (this.entries.size <= this.maxEntries && this.bytes <= this.maxBytes) break
      this.entries.delete(oldest)
      this.bytes -= entry.size
    }
  }
}

/** What the routes are handed. */
export interface RouteContext {
  store: JsonStore
  clock: Clock
  /** Answers a list with Heroku's Range pagination. */
  sendList<T>(request: FastifyRequest, reply: FastifyReply, items: readonly T[], fields: Record<string, (item: T) => string>): T[]
}

const JSON_TYPE = 'application/json; charset=utf-8'

/** The token from `Authorization: Bearer T`, or Basic with the token as the password (netrc clients). */
export function tokenFrom(header: string | undefined): string | undefined {
  if (!header) return undefined
  const [scheme, value] = header.trim().split(/\s+/, 2)
  if (!value) return undefined
  if (/^bearer$/i.test(scheme!)) return value
  if (/^basic$/i.test(scheme!)) {
    const decoded = Buffer.from(value, 'base64').toString('utf8')
    const colon = decoded.indexOf(':')
    return colon >= 0 ? decoded.slice(colon + 1) : undefined
  }
  return undefined
}

export async function buildServer(options: ServerOptions): Promise<FastifyInstance> {
  const clock = options.clock ?? systemClock
  const limiter = new RateLimiter(options.rateLimitPerHour ?? 4500)
  const answers = new AnswerCache(200, 32 * 1024 * 1024)
  const app = Fastify({
    bodyLimit: options.bodyLimit ?? 64 * 1024,
    // Heroku's clients send this vendor type; parse it as JSON, and refuse prototype-poisoning keys.
    onProtoPoisoning: 'error',
    onConstructorPoisoning: 'error',
    return503OnClosing: true,
    // On close: idle keep-alive connections end at once, requests in flight finish first.
    forceCloseConnections: 'idle',
    ajv: {customOptions: {coerceTypes: false, removeAdditional: false, allErrors: false}},
    genReqId: () => randomUUID(),
    routerOptions: {ignoreTrailingSlash: true, maxParamLength: 500},
    // Errors fastify meets before routing (a malformed URL, an over-long path parameter) get Heroku's body too.
    frameworkErrors: (error, request, reply) => {
      void (reply as unknown as FastifyReply)
        .code(error.statusCode && error.statusCode < 500 ? error.statusCode : 400)
        .header('Request-Id', request.id)
        .type(JSON_TYPE)
        .send({id: 'bad_request', message: `Bad request: ${error.message}`})
    },
  })
  app.addContentTypeParser(/^application\/(vnd\.heroku\+)?json/, {parseAs: 'string'}, app.getDefaultJsonParser('error', 'error'))

  // Responses sent while closing end their connection, so close() never waits on an idle keep-alive.
  let closing = false
  app.addHook('preClose', async () => {
    closing = true
  })
  app.addHook('onClose', async () => {
    options.store.close()
  })
  app.addHook('onSend', async (_request, reply) => {
    if (closing) reply.header('connection', 'close')
  })

  app.decorateRequest('actor', '')
  app.decorateRequest('answerKey', undefined)
  app.decorateRequest('backend', null as unknown as LocalBackend)

  app.addHook('onRequest', async (request, reply) => {
    const given = request.headers['request-id']
    const requestId = typeof given === 'string' && /^[\w.,:-]{1,200}$/.test(given) ? `${request.id},${given}` : request.id
    reply.header('Request-Id', requestId)
    const token = tokenFrom(request.headers.authorization)
    const hash = token === undefined ? undefined : hashToken(token)
    // One look at the store per request: the state for the token, the version for the answer cache.
    const {state, version} = await options.store.snapshot()
    const actor = hash === undefined ? undefined : verifyTokenHash(state, hash)
    // Known tokens get their own budget; failed attempts share one per client address (no guessing at speed).
    const limit = limiter.take(actor === undefined ? `address:${request.ip}` : `token:${hash}`)
    reply.header('RateLimit-Remaining', String(limit.remaining))
    if (!limit.allowed) {
      reply.header('Retry-After', String(limit.retryAfter))
      throw new OrgctlError(
        'rate_limit',
        `Your token reached the API rate limit of ${limiter.perHour} requests an hour: retry in ${limit.retryAfter}s.`,
      )
    }
    if (!token) throw unauthorized('Missing credentials: send Authorization: Bearer <token> (mint one with orgctl authorizations:create).')
    if (!actor)
      throw unauthorized('Invalid credentials: the token is unknown or was revoked. Mint a new one with orgctl authorizations:create.')
    request.actor = actor
    request.backend = new LocalBackend(options.store, actor, clock)
    if (request.method !== 'GET' || request.url.startsWith('/account/rate-limits')) return
    // Reads of an unchanged store by the same user give the same answer: serve it again.
    if (version === undefined) return
    const key = `${actor}\n${request.url}\n${request.headers.range ?? ''}`
    const hit = answers.get(version, key)
    if (hit) return reply.code(hit.status).headers(hit.headers).type(JSON_TYPE).send(hit.body)
    request.answerKey = {version, key}
  })

  app.addHook('onSend', async (request, reply, payload) => {
    const {answerKey} = request
    if (answerKey === undefined || reply.statusCode >= 300 || typeof payload !== 'string') return payload
    const headers: Record<string, string> = {}
    for (const name of ['next-range', 'accept-ranges']) {
      const value = reply.getHeader(name)
      if (typeof value === 'string') headers[name] = value
    }
    answers.set(answerKey.version, answerKey.key, {status: reply.statusCode, headers, body: payload})
    return payload
  })

  if (options.log) {
    const log = options.log
    app.addHook('onResponse', async (request, reply) => {
      log(`${request.method} ${request.url.split('?')[0]} ${reply.statusCode} ${reply.elapsedTime.toFixed(1)}ms ${request.actor || '-'}`)
    })
  }

  app.setErrorHandler((error: FastifyError, _request, reply) => {
    const failure = httpError(error)
    if (failure.id === 'internal_error' && options.log) options.log(`internal error: ${error.stack ?? error.message}`)
    void reply.code(failure.httpStatus).type(JSON_TYPE).send(failure.toJSON())
  })

  app.setNotFoundHandler((request, reply) => {
    void reply
      .code(404)
      .type(JSON_TYPE)
      .send({
        id: 'not_found',
        message: `No route ${request.method} ${request.url.split('?')[0]}: see the README for the routes orgctl serves.`,
      })
  })

  const context: RouteContext = {
    store: options.store,
    clock,
    sendList(request, reply, items, fields) {
      const names = Object.keys(fields)
      const range = parseRange(request.headers.range, names)
      const page = paginate(items, range, (item, field) => fields[field]!(item))
      reply.header('Accept-Ranges', names.join(', '))
      if (page.nextRange) reply.code(206).header('Next-Range', page.nextRange)
      return page.items
    },
  }
  await app.register(async (scope) => {
    accountRoutes(scope, context)
    teamRoutes(scope, context)
    appRoutes(scope, context)
    collaboratorRoutes(scope, context)
    transferRoutes(scope, context)
  })
  return app
}

/** Every failure as Heroku's error body with the matching status. */
function httpError(error: FastifyError): OrgctlError {
  if (error instanceof OrgctlError) return error
  if (error.validation) {
    const where = `${error.validationContext ?? 'request'}${error.validation[0]?.instancePath ?? ''}`
    return new OrgctlError('invalid_params', `Invalid ${where}: ${error.validation[0]?.message ?? error.message}.`)
  }
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new OrgctlError('payload_too_large', 'The request body is too large.')
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new OrgctlError('bad_request', 'Send the body as application/json.')
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new OrgctlError('bad_request', 'The request body is empty: send a JSON object.')
    default:
      break
  }
  if (error.statusCode === 400 || error instanceof SyntaxError)
    return new OrgctlError('bad_request', `Malformed JSON body: ${error.message}`)
  if (error.statusCode && error.statusCode < 500) return new OrgctlError('bad_request', error.message)
  return toOrgctlError(new Error('Internal server error.'))
}
