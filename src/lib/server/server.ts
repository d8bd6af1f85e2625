/**
 * `orgctl serve`: Heroku's Platform API v3 (for the resources orgctl covers)
 * in front of the embedded store. A thin HTTP face: every rule is the domain's,
 * reached through the same LocalBackend the CLI uses, for the user behind the token.
 */
import {randomUUID} from 'node:crypto'
import {STATUS_CODES} from 'node:http'
import type {Socket} from 'node:net'

import Fastify, {type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest} from 'fastify'

import {methodsFor, paramNames, type ParamsOf, type Route, routerPath} from '../api/routes.js'
import {LocalBackend} from '../backend/local-backend.js'
import {type Clock, systemClock} from '../domain/context.js'
import {hashToken, verifyTokenHash} from '../domain/tokens.js'
import {frameworkErrorPage, isDashboardPath, isDashboardRequest, registerDashboard} from '../dashboard/plugin.js'
import {OrgctlError, toOrgctlError, unauthorized} from '../errors.js'
import {DryRunStorage} from '../storage/dry-run.js'
import type {StampScope, Storage} from '../storage/storage.js'
import {accountEmail, appName, collaboratorEmail, formationType, isUuid, memberEmail, orgName, transferId} from './lookup.js'
import {paginate, parseRange} from './pagination.js'
import {publicFailure, StatusError} from './failures.js'
import {RateLimiter} from './rate-limit.js'
import {accessRoutes} from './routes/access.js'
import {accountRoutes} from './routes/account.js'
import {appRoutes} from './routes/apps.js'
import {collaboratorRoutes} from './routes/collaborators.js'
import {teamRoutes} from './routes/teams.js'
import {transferRoutes} from './routes/transfers.js'

export interface ServerOptions {
  storage: Storage
  clock?: Clock
  /** Requests an hour per token (Heroku: 4,500). */
  rateLimitPerHour?: number
  /** Largest request body, in bytes. */
  bodyLimit?: number
  /** Log one line per request (never a header, so never a token). */
  log?: (line: string) => void
  /**
   * Trust X-Forwarded-* from a proxy in front (TLS ends there): the Dashboard's cookies are then
   * Secure when the browser's side is HTTPS, and the client address is the browser's.
   */
  trustProxy?: boolean
  /** Where failures the client is not told the detail of go (the store's, unexpected ones): always on in serve. */
  errorLog?: (line: string) => void
}

declare module 'fastify' {
  interface FastifyRequest {
    actor: string
    backend: LocalBackend
    /** The storage every request's backend runs on (for turning ids into names). */
    storage: Storage
    /** Set on GETs whose answer may be kept: the key it is kept under (the data's stamp, user, URL, Range). */
    answerKey?: string
    /** A change asked for with `Dry-Run: true`: the rolled-back write its backend runs in, ended when the answer is sent. */
    dryRun?: DryRunStorage
  }
}

interface Answer {
  status: number
  headers: Record<string, string>
  body: string | Buffer
}

/**
 * The last few GET answers, keyed by the stamp of the data they were made from (storage.ts: the
 * file's version, or an org's or app's version on PostgreSQL, read inside the request), the user,
 * the URL and the Range; least recently used first out, within a count and a byte budget. A body is
 * encoded at its first hit and kept so: later hits are sent without turning tens of kilobytes of
 * JSON into UTF-8 again. A change moves the stamp on, so an answer of older data is never served
 * again: it just ages out.
 */
class AnswerCache {
  /** Each answer with its size in bytes, counted once when it is kept. */
  private readonly entries = new Map<string, {answer: Answer; size: number}>()
  private bytes = 0

  constructor(
    private readonly maxEntries: number,
    private readonly maxBytes: number,
  ) {}

  get(key: string): Answer | undefined {
    const entry = this.entries.get(key)
    if (!entry) return undefined
    if (typeof entry.answer.body === 'string') entry.answer.body = Buffer.from(entry.answer.body)
    this.entries.delete(key)
    this.entries.set(key, entry)
    return entry.answer
  }

  set(key: string, answer: Answer): void {
    const size = Buffer.byteLength(answer.body)
    if (size > this.maxBytes) return
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

/** A route's handler, given its params (names, resolved from ids) and its body and query as validated. */
export type Handler<P extends string> = (request: FastifyRequest & {params: Record<ParamsOf<P>, string>}, reply: FastifyReply) => unknown

export interface RouteOptions {
  /** The JSON schema of the body (none: the route takes no body). */
  body?: object
  /** The JSON schema of the query string (none: the route takes no parameters). */
  query?: object
  /** Its answer changes with the time as well as with the data: never kept in the answer cache. */
  timeDependent?: boolean
}

/** What the routes are handed. */
export interface RouteContext {
  storage: Storage
  clock: Clock
  /** Answers a list with Heroku's Range pagination. */
  sendList<T>(request: FastifyRequest, reply: FastifyReply, items: readonly T[], fields: Record<string, (item: T) => string>): T[]
  /** Serves one route of the shared table (src/lib/api/routes.ts): the only way a route is added. */
  on<P extends string>(route: Route<P>, options: RouteOptions, handler: Handler<P>): void
}

const NAME = {type: 'string', minLength: 1, maxLength: 100} as const
const EMAIL_OR_ID = {type: 'string', minLength: 1, maxLength: 254} as const
// No maxLength on other ids: an id nobody has is not found, however long (as on the embedded store).
const ID = {type: 'string', minLength: 1} as const
const PARAM_SCHEMAS: Record<string, object> = {app: NAME, team: NAME, member: EMAIL_OR_ID, collaborator: EMAIL_OR_ID, user: EMAIL_OR_ID}
const NO_QUERY = {type: 'object', additionalProperties: false, properties: {}} as const
/** Longest URL served (node's own limit is on all the headers together, 16 KB). */
const MAX_URL = 8 * 1024

function paramsSchema(route: Route): object | undefined {
  const names = paramNames(route)
  if (names.length === 0) return undefined
  return {
    type: 'object',
    required: names,
    additionalProperties: false,
    properties: Object.fromEntries(names.map((name) => [name, PARAM_SCHEMAS[name] ?? ID])),
  }
}

/** Params resolved by looking at the request's state alone. */
const STATE_PARAMS = new Set(['team', 'app', 'user'])

/** Turns the org, app and account ids in a route's params into the names the domain knows, in place. */
async function resolveStateParams(request: FastifyRequest): Promise<void> {
  const params = request.params as Record<string, string>
  const {storage, actor} = request
  if (params.team !== undefined) params.team = await orgName(storage, actor, params.team)
  if (params.app !== undefined) params.app = await appName(storage, actor, params.app)
  if (params.user !== undefined) params.user = await accountEmail(storage, actor, params.user)
}

/** Whether a route's params hold an id (a name needs no look-up: the hot path stays without an await). */
function hasIdParams(request: FastifyRequest): boolean {
  const params = request.params as Record<string, string>
  return [params.team, params.app, params.user].some((value) => value !== undefined && (value === '~' || isUuid(value)))
}

/** What a GET's answer is about, for its cache stamp (by name: an id in the URL leaves the scope unnamed). */
function stampScope(request: FastifyRequest): StampScope {
  const {team, app} = request.params as Record<string, string | undefined>
  if ((team !== undefined && isUuid(team)) || (app !== undefined && isUuid(app))) return {}
  return {org: team, app}
}

/** Then the ids only a list shows (members, collaborators, formations, transfers), in place. */
async function resolveListedParams(request: FastifyRequest, names: readonly string[]): Promise<void> {
  const params = request.params as Record<string, string>
  const {backend} = request
  for (const name of names) {
    const value = params[name]!
    if (name === 'member') params.member = await memberEmail(backend, params.team!, value)
    else if (name === 'collaborator') params.collaborator = await collaboratorEmail(backend, params.app!, value)
    else if (name === 'formation') params.formation = await formationType(backend, params.app!, value)
    else if (name === 'transfer') params.transfer = await transferId(backend, value)
  }
}

const JSON_TYPE = 'application/json; charset=utf-8'

/** Whether a request's Dry-Run header asks for a dry run: `true` does, none does not, anything else is refused naming it. */
function dryRunAsked(header: string | string[] | undefined): boolean {
  if (header === undefined) return false
  if (typeof header === 'string' && header.trim().toLowerCase() === 'true') return true
  throw new OrgctlError(
    'bad_request',
    `Invalid Dry-Run header ${JSON.stringify(Array.isArray(header) ? header.join(', ') : header)}: send Dry-Run: true for a dry run, or leave it out.`,
  )
}

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
  const {storage} = options
  const limiter = new RateLimiter(options.rateLimitPerHour ?? 4500)
  const answers = new AnswerCache(200, 32 * 1024 * 1024)
  const app = Fastify({
    // One proxy in front, trusted: the client address is the one it appended to X-Forwarded-For (the left-most
    // entries are the client's to write, and would let it pick a fresh rate-limit budget per request).
    trustProxy: options.trustProxy === true ? (_address: string, hop: number) => hop === 0 : false,
    bodyLimit: options.bodyLimit ?? 64 * 1024,
    // Answered by the onRequest hook instead, in Heroku's error body.
    return503OnClosing: false,
    // On close: idle keep-alive connections end at once, requests in flight finish first.
    forceCloseConnections: 'idle',
    ajv: {customOptions: {coerceTypes: false, removeAdditional: false, allErrors: false}},
    genReqId: () => randomUUID(),
    routerOptions: {ignoreTrailingSlash: true, maxParamLength: 500},
    // Errors fastify meets before routing (a malformed URL, an over-long path parameter) get Heroku's body too.
    frameworkErrors: (error, request, reply) => {
      if (isDashboardPath(request.url)) {
        void (reply as unknown as FastifyReply)
          .code(400)
          .header('Request-Id', request.id)
          .header('Cache-Control', 'no-store')
          .type('text/html; charset=utf-8')
          .send(frameworkErrorPage(error.message))
        return
      }
      void (reply as unknown as FastifyReply)
        .code(error.statusCode && error.statusCode < 500 ? error.statusCode : 400)
        .header('Request-Id', request.id)
        .type(JSON_TYPE)
        .send({id: 'bad_request', message: `Bad request: ${error.message}`})
    },
    // Failures node:http meets before there is a request (oversized headers, a timeout, bytes that
    // are not HTTP) get Heroku's body too, instead of fastify's {error, statusCode}.
    clientErrorHandler: answerClientError,
  })
  // Heroku's clients send its vendor type: both are JSON. Any type with an empty body is no body
  // (many client libraries send Content-Type: application/json on every request, DELETE included).
  app.removeAllContentTypeParsers()
  app.addContentTypeParser(/^\s*application\/(?:vnd\.heroku\+)?json\s*(?:;|$)/i, {parseAs: 'string'}, (request, body, done) => {
    try {
      done(null, parseJsonBody(request, body as string))
    } catch (error) {
      done(error as Error, undefined)
    }
  })
  app.addContentTypeParser('*', {parseAs: 'string'}, (request, body, done) => {
    if (body === '') return done(null, undefined)
    done(new StatusError(415, 'bad_request', `Send the body as application/json, not ${request.headers['content-type']}.`), undefined)
  })

  // Responses sent while closing end their connection, so close() never waits on an idle keep-alive.
  let closing = false
  app.addHook('preClose', async () => {
    closing = true
  })
  app.addHook('onClose', async () => {
    await options.storage.close()
  })
  app.addHook('onSend', async (_request, reply) => {
    if (closing) reply.header('connection', 'close')
  })

  app.decorateRequest('actor', '')
  app.decorateRequest('answerKey', undefined)
  app.decorateRequest('dryRun', undefined)
  app.decorateRequest('backend', null as unknown as LocalBackend)
  app.decorateRequest('storage', null as unknown as Storage)

  app.addHook('onRequest', async (request, reply) => {
    if (closing) throw new StatusError(503, 'network_error', 'The server is shutting down: retry in a moment.')
    if (request.url.length > MAX_URL) throw new StatusError(414, 'bad_request', `The URL is too long: keep it under ${MAX_URL} bytes.`)
    const given = request.headers['request-id']
    const requestId = typeof given === 'string' && /^[\w.,:-]{1,200}$/.test(given) ? `${request.id},${given}` : request.id
    reply.header('Request-Id', requestId)
    // The Dashboard's pages check their own session cookie (src/lib/dashboard/plugin.ts), not a token.
    if (isDashboardRequest(request)) return
    const token = tokenFrom(request.headers.authorization)
    const hash = token === undefined ? undefined : hashToken(token)
    const cacheable =
      request.method === 'GET' &&
      !request.url.startsWith('/account/rate-limits') &&
      !(request.routeOptions.config as {timeDependent?: boolean} | undefined)?.timeDependent
    // One look at the storage per request: who the token is, and the stamp of what a GET is about.
    const {actor, stamp} = await storage.read(async (tx) => {
      const found = hash === undefined ? undefined : await verifyTokenHash(tx, hash)
      return {actor: found, stamp: found !== undefined && cacheable ? await tx.stamp(stampScope(request)) : undefined}
    })
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
    request.storage = storage
    // An extension: `Dry-Run: true` runs a change with every check and rolls it back (same status, same body).
    if (dryRunAsked(request.headers['dry-run'])) {
      reply.header('Dry-Run', 'true')
      if (request.method !== 'GET' && request.method !== 'HEAD') request.dryRun = new DryRunStorage(storage)
    }
    request.backend = new LocalBackend(request.dryRun ?? storage, actor, clock, {requestId})
    // Reads of unchanged data by the same user give the same answer: serve it again.
    if (stamp === undefined) return
    const key = `${stamp}\n${actor}\n${request.url}\n${request.headers.range ?? ''}`
    const hit = answers.get(key)
    if (hit) return reply.code(hit.status).headers(hit.headers).type(JSON_TYPE).send(hit.body)
    request.answerKey = key
  })

  const endDryRun = async (request: FastifyRequest) => {
    const dry = request.dryRun
    if (!dry) return
    request.dryRun = undefined
    await dry.close().catch((error: unknown) => errorLog?.(`dry run (request id ${request.id}): ${(error as Error).message}`))
  }
  app.addHook('onSend', async (request, reply, payload) => {
    // A dry run's write is rolled back as soon as its answer is ready (before it is sent: the lock it holds goes with it).
    if (request.dryRun) await endDryRun(request)
    const {answerKey} = request
    if (answerKey === undefined || reply.statusCode >= 300 || typeof payload !== 'string') return payload
    const headers: Record<string, string> = {}
    for (const name of ['next-range', 'accept-ranges']) {
      const value = reply.getHeader(name)
      if (typeof value === 'string') headers[name] = value
    }
    answers.set(answerKey, {status: reply.statusCode, headers, body: payload})
    return payload
  })

  // A request that ends without an answer sent (the client went away) still ends its dry run. One hook in the
  // callback style: no promise for the requests that are not dry runs (every hook on every request costs).
  app.addHook('onResponse', (request, _reply, done) => {
    if (!request.dryRun) return done()
    void endDryRun(request).then(() => done())
  })

  if (options.log) {
    const log = options.log
    app.addHook('onResponse', async (request, reply) => {
      log(`${request.method} ${request.url.split('?')[0]} ${reply.statusCode} ${reply.elapsedTime.toFixed(1)}ms ${request.actor || '-'}`)
    })
  }

  const errorLog = options.errorLog ?? options.log
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const failure = publicFailure(httpError(error, request), error, request, reply, errorLog)
    void reply.code(failure.httpStatus).type(JSON_TYPE).send(failure.toJSON())
  })

  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0]!
    const methods = methodsFor(path)
    if (methods.length > 0) {
      const allowed = methods.flatMap((method) => (method === 'GET' ? ['GET', 'HEAD'] : [method]))
      void reply
        .code(405)
        .header('Allow', allowed.join(', '))
        .type(JSON_TYPE)
        .send({id: 'bad_request', message: `${request.method} is not allowed on ${path}: use ${allowed.join(', ')}.`})
      return
    }
    void reply
      .code(404)
      .type(JSON_TYPE)
      .send({id: 'not_found', message: `No route ${request.method} ${path}: see the README for the routes orgctl serves.`})
  })

  const context: RouteContext = {
    storage,
    clock,
    sendList(request, reply, items, fields) {
      const names = Object.keys(fields)
      const range = parseRange(request.headers.range, names)
      const page = paginate(items, range, (item, field) => fields[field]!(item))
      reply.header('Accept-Ranges', names.join(', '))
      if (page.nextRange) reply.code(206).header('Next-Range', page.nextRange)
      return page.items
    },
    on(route, routeOptions, handler) {
      const names = paramNames(route)
      const listed = names.filter((name) => !STATE_PARAMS.has(name))
      const params = paramsSchema(route)
      app.route({
        method: route.method,
        url: routerPath(route),
        config: {timeDependent: routeOptions.timeDependent === true},
        schema: {
          ...(params ? {params} : {}),
          querystring: routeOptions.query ?? NO_QUERY,
          ...(routeOptions.body ? {body: routeOptions.body} : {}),
        },
        // An empty body is an empty object to a route that takes one; a route that takes none refuses one
        // (GETs are never parsed: no hook on the hot path).
        ...(route.method === 'GET'
          ? {}
          : {
              preValidation: async (request: FastifyRequest) => {
                if (routeOptions.body && request.body === undefined) request.body = {}
                else if (!routeOptions.body && request.body !== undefined && !isEmptyObject(request.body)) {
                  throw new OrgctlError('invalid_params', `${route.method} ${route.path} takes no body: send none.`)
                }
              },
            }),
        // Most routes need only the state to resolve their ids: no extra await on their path.
        handler:
          listed.length > 0
            ? async (request, reply) => {
                await resolveStateParams(request)
                await resolveListedParams(request, listed)
                return handler(request as Parameters<typeof handler>[0], reply)
              }
            : (request, reply) => {
                if (names.length > 0 && hasIdParams(request)) {
                  return resolveStateParams(request).then(() => handler(request as Parameters<typeof handler>[0], reply))
                }
                return handler(request as Parameters<typeof handler>[0], reply)
              },
      })
    },
  }
  accountRoutes(context)
  teamRoutes(context)
  appRoutes(context)
  collaboratorRoutes(context)
  transferRoutes(context)
  accessRoutes(context)
  registerDashboard(app, {storage, clock, limiter, errorLog})
  return app
}

const isEmptyObject = (value: unknown) =>
  typeof value === 'object' && value !== null && !Array.isArray(value) && Object.keys(value).length === 0

/** A JSON body, with `__proto__` and `constructor` refused as the unknown keys they are (never merged into anything). */
function parseJsonBody(request: FastifyRequest, body: string): unknown {
  if (body.trim() === '') return undefined
  let value: unknown
  try {
    value = JSON.parse(body)
  } catch (error) {
    throw new OrgctlError('bad_request', `Malformed JSON body: ${(error as Error).message}.`)
  }
  if (/__proto__|constructor|\\u/.test(body)) {
    const found = forbiddenKey(value, '')
    if (found) throw unknownKey(request, 'body', found.key, found.path)
  }
  return value
}

function forbiddenKey(value: unknown, path: string): {key: string; path: string} | undefined {
  if (typeof value !== 'object' || value === null) return undefined
  for (const key of Object.keys(value)) {
    if (key === '__proto__' || key === 'constructor') return {key, path}
    const found = forbiddenKey((value as Record<string, unknown>)[key], `${path}/${key}`)
    if (found) return found
  }
  return undefined
}

/** The keys a route's schema takes at a place in the body or query (`/updates/0`), for messages. */
function acceptedKeys(request: FastifyRequest, part: 'body' | 'querystring', path: string): string[] {
  return Object.keys((schemaAt(request, part, path)?.properties as object | undefined) ?? {})
}

/** The part of a route's schema for a place in the body or query (`/updates/0/quantity`). */
function schemaAt(request: FastifyRequest, part: 'body' | 'querystring', path: string): Record<string, unknown> | undefined {
  let schema = (request.routeOptions.schema as Record<string, unknown> | undefined)?.[part] as Record<string, unknown> | undefined
  for (const segment of path.split('/').filter(Boolean)) {
    if (!schema) break
    const properties = schema.properties as Record<string, Record<string, unknown>> | undefined
    schema = /^\d+$/.test(segment) && schema.items ? (schema.items as Record<string, unknown>) : properties?.[segment]
  }
  return schema
}

/** Where in the request a value is, for messages: `"role" in the body`, `"updates[0].type" in the body`. */
function describePlace(context: string, path: string): string {
  const dotted = path
    .split('/')
    .filter(Boolean)
    .map((segment, index) => (/^\d+$/.test(segment) ? `[${segment}]` : index === 0 ? segment : `.${segment}`))
    .join('')
  const part = context === 'querystring' ? 'the query string' : context === 'params' ? 'the path' : `the request ${context}`
  return dotted ? `${JSON.stringify(dotted)} in ${part}` : part
}

/** "Invalid X": the place, or the whole part ("Invalid request body"). */
const invalid = (context: string, path: string) => `Invalid ${describePlace(context, path).replace(/^the /, '')}`

function unknownKey(request: FastifyRequest, part: 'body' | 'querystring', key: string, path: string): OrgctlError {
  const accepted = acceptedKeys(request, part, path)
  const takes = accepted.length > 0 ? `it takes ${accepted.join(', ')}` : part === 'body' ? 'it takes none' : 'it takes no parameters'
  const what = part === 'body' ? 'key' : 'query parameter'
  const where = path ? ` at ${describePlace(part, path)}` : part === 'body' ? ' in the request body' : ''
  return new OrgctlError('invalid_params', `Unknown ${what} ${JSON.stringify(key)}${where}: ${takes}.`)
}

interface ValidationIssue {
  keyword: string
  instancePath: string
  message?: string
  params: Record<string, unknown>
}

/** A schema failure as one line naming the key and what it must be. */
function validationError(request: FastifyRequest, context: string, issue: ValidationIssue): OrgctlError {
  const part = context === 'querystring' ? 'querystring' : 'body'
  switch (issue.keyword) {
    case 'additionalProperties':
      return unknownKey(request, part, String(issue.params.additionalProperty), issue.instancePath)
    case 'required': {
      const missing = String(issue.params.missingProperty)
      const what = part === 'body' ? 'key' : 'query parameter'
      return new OrgctlError(
        'invalid_params',
        `Missing ${what} ${JSON.stringify(missing)} in ${describePlace(context, issue.instancePath)}.`,
      )
    }
    case 'enum':
      return new OrgctlError(
        'invalid_params',
        `${invalid(context, issue.instancePath)}: must be one of ${(issue.params.allowedValues as unknown[]).join(', ')}.`,
      )
    case 'anyOf': {
      const schema = (request.routeOptions.schema as {body?: {anyOf?: {required?: string[]}[]}} | undefined)?.body
      const choices =
        issue.instancePath === '' && context === 'body' ? (schema?.anyOf ?? []).flatMap((choice) => choice.required ?? []) : []
      if (choices.length > 0) return new OrgctlError('invalid_params', `Invalid request body: give ${choices.join(' or ')}.`)
      const described = schemaAt(request, part, issue.instancePath)?.description
      if (typeof described === 'string')
        return new OrgctlError('invalid_params', `${invalid(context, issue.instancePath)}: must be ${described}.`)
      break
    }
    default:
      break
  }
  if (issue.keyword === 'type' && issue.params.type === 'object') {
    return new OrgctlError('invalid_params', `${invalid(context, issue.instancePath)}: must be a JSON object.`)
  }
  return new OrgctlError('invalid_params', `${invalid(context, issue.instancePath)}: ${issue.message ?? 'not accepted'}.`)
}

/** What node:http answers before a request exists, as Heroku's error body, then the connection ends. */
function answerClientError(error: Error & {code?: string}, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return
  const [status, message] =
    error.code === 'HPE_HEADER_OVERFLOW'
      ? [431, 'The request headers are too large: keep the URL and headers under 16 KB in all.']
      : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? [408, 'The request did not arrive in time: send it whole, then retry.']
        : [400, `Bad request: the bytes sent are not an HTTP/1.1 request (${error.code ?? error.message}).`]
  const body = JSON.stringify({id: 'bad_request', message})
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: ${JSON_TYPE}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    )
  }
  socket.destroy(error)
}

/** Every failure as Heroku's error body with the matching status. */
function httpError(error: FastifyError, request: FastifyRequest): OrgctlError {
  if (error instanceof OrgctlError) return error
  if (error.validation && error.validation[0]) {
    // An anyOf reports each branch first: the anyOf itself says what the body needs.
    const issue = error.validation.find((candidate) => candidate.keyword === 'anyOf') ?? error.validation[0]
    return validationError(request, error.validationContext ?? 'body', issue as ValidationIssue)
  }
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new OrgctlError('payload_too_large', 'The request body is too large.')
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new StatusError(error.statusCode ?? 400, 'bad_request', `${error.message}: send the body as application/json.`)
    default:
      break
  }
  if (error.statusCode === 400 || error instanceof SyntaxError)
    return new OrgctlError('bad_request', `Malformed JSON body: ${error.message}`)
  if (error.statusCode && error.statusCode < 500) return new OrgctlError('bad_request', error.message)
  return toOrgctlError(new Error('Internal server error.'))
}
