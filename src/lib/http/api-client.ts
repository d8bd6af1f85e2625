/**
 * The HTTP client for a Platform API v3 server (orgctl serve, or any compatible API):
 * undici with a keep-alive pool; follows Next-Range until a list is complete;
 * retries what is safe to retry (idempotent methods on connection errors and
 * 429/502/503/504; any method when the server surely did not act on it) with
 * backoff and jitter, honouring Retry-After, within one deadline; maps error
 * bodies to the same typed errors as the embedded store.
 */
import {randomUUID} from 'node:crypto'

import {Agent, type Dispatcher, request} from 'undici'

import {isErrorId, OrgctlError} from '../errors.js'
import {changeCommitted} from '../output/stdio.js'

export interface ApiClientOptions {
  baseUrl: string
  token: string
  /** Give up on a call (retries included) after this long. */
  deadlineMs?: number
  connectTimeoutMs?: number
  /** Longest wait for response headers, and between two chunks of a body. */
  bodyTimeoutMs?: number
  /** A line per request and response, tokens redacted. */
  trace?: (line: string) => void
  userAgent?: string
  /**
   * A dry run: every change is sent with `Dry-Run: true` (the server runs it and rolls it back), and
   * its answer must say it was taken as one (the same header back), else the change may have been made.
   */
  dryRun?: boolean
}

const IDEMPOTENT = new Set(['GET', 'HEAD', 'PUT', 'DELETE', 'OPTIONS'])
const RETRY_STATUSES = new Set([429, 502, 503, 504])
/** Methods that change nothing: sent as they are in a dry run. */
const READ_METHODS = new Set(['GET', 'HEAD', 'OPTIONS'])
// Errors raised before the request could reach the server: safe to retry whatever the method.
const NOT_SENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'UND_ERR_CONNECT_TIMEOUT', 'EHOSTUNREACH', 'ENETUNREACH'])
const MAX_PAGES = 1000
/** Like Heroku's http-call: a few quick retries, not a long wait on a server that is down. */
const MAX_RETRIES = 4

/** What a write must answer for the client to call it done: a check of the body, and what the body should be. */
export interface Expected {
  what: string
  check: (body: unknown) => boolean
}

/** An object with these fields (dotted for nested ones), each a non-empty string. */
export function resource(what: string, ...fields: string[]): Expected {
  return {what, check: (body) => hasFields(body, fields)}
}

/** A list of such objects. */
export function listOf(what: string, ...fields: string[]): Expected {
  return {what, check: (body) => Array.isArray(body) && body.every((item) => hasFields(item, fields))}
}

/** Either of two shapes (a PATCH that answers an app or a transfer). */
export function either(first: Expected, second: Expected): Expected {
  return {what: `${first.what} or ${second.what}`, check: (body) => first.check(body) || second.check(body)}
}

function hasFields(body: unknown, fields: string[]): boolean {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return false
  return fields.every((field) => {
    let value: unknown = body
    for (const key of field.split('.')) {
      value = typeof value === 'object' && value !== null && Object.hasOwn(value, key) ? (value as Record<string, unknown>)[key] : undefined
    }
    return typeof value === 'string' && value !== ''
  })
}

/** Ids a remote server may send that name this machine's own files: not taken as such (exit 7 is the local store). */
const LOCAL_IDS = new Set(['store_error', 'output_error'])

export interface ApiResponse<T> {
  status: number
  headers: Record<string, string | string[] | undefined>
  body: T
}

export class ApiClient {
  private readonly origin: string
  private readonly basePath: string
  private readonly agent: Agent
  private readonly deadlineMs: number
  /** A dry run's check that the API takes dry runs, made once. */
  private dryRunChecked?: Promise<void>

  constructor(private readonly options: ApiClientOptions) {
    const url = new URL(options.baseUrl)
    this.origin = url.origin
    this.basePath = url.pathname.replace(/\/$/, '')
    this.deadlineMs = options.deadlineMs ?? 30_000
    this.agent = new Agent({
      connections: 16,
      keepAliveTimeout: 10_000,
      connect: {timeout: options.connectTimeoutMs ?? 5000},
      headersTimeout: options.bodyTimeoutMs ?? 30_000,
      bodyTimeout: options.bodyTimeoutMs ?? 30_000,
      // A hostile or broken server cannot make the CLI hold an endless body.
      maxResponseSize: 64 * 1024 * 1024,
    })
  }

  get baseUrl(): string {
    return `${this.origin}${this.basePath}`
  }

  async get<T>(path: string): Promise<T> {
    return (await this.call<T>('GET', path)).body
  }

  /** A read whose answer a decision rests on (access:check's): anything but the expected shape is an unexpected answer, never taken. */
  async getExpected<T>(path: string, expected: Expected): Promise<T> {
    const {status, body} = await this.call<T>('GET', path)
    if (!expected.check(body)) {
      throw this.unexpected('GET', path, `HTTP ${status} and ${body === undefined ? 'no body' : `a body that is not ${expected.what}`}`)
    }
    return body
  }

  /**
   * A list, following Next-Range until it is complete. With the field the list ranges on,
   * the first request asks for the largest page (1,000), so most lists take one round trip.
   */
  async list<T>(path: string, field?: string): Promise<T[]> {
    const items: T[] = []
    let range: string | undefined = field === undefined ? undefined : `${field} ..; max=1000`
    const seen = new Set<string>()
    for (let page = 0; page < MAX_PAGES; page++) {
      const response = await this.call<T[]>('GET', path, undefined, range)
      if (!Array.isArray(response.body)) throw this.protocolError(`GET ${path} did not answer a list`)
      items.push(...response.body)
      const next = header(response.headers, 'next-range')
      if (response.status !== 206 || !next) return items
      if (seen.has(next)) throw this.protocolError(`GET ${path} sent the same Next-Range twice (${next})`)
      seen.add(next)
      range = next
    }
    throw this.protocolError(`GET ${path} did not finish within ${MAX_PAGES} pages`)
  }

  /** A write: done only when the server answers the resource it was asked for (else its outcome is unknown). */
  async send<T>(method: 'POST' | 'PUT' | 'PATCH' | 'DELETE', path: string, body: unknown, expected: Expected): Promise<T> {
    if (this.options.dryRun) await (this.dryRunChecked ??= this.checkDryRun())
    const {status, body: answer} = await this.call<T>(method, path, body)
    if (!expected.check(answer)) {
      const what = answer === undefined ? 'no body' : `a body that is not ${expected.what}`
      throw this.unexpected(method, path, `HTTP ${status} and ${what}`)
    }
    // The server made the change: output that fails from now on says so (see stdio.ts). Not in a dry run.
    if (!this.options.dryRun) changeCommitted()
    return answer
  }

  async close(): Promise<void> {
    await this.agent.close()
  }

  /**
   * Before a dry run's first change: whether the API takes dry runs at all, asked with a read that
   * changes nothing (`GET /account` with `Dry-Run: true`, which orgctl serve answers with the header
   * back). An API that does not would make the change for real: then nothing is sent.
   */
  private async checkDryRun(): Promise<void> {
    const {headers} = await this.call('GET', '/account', undefined, undefined, true)
    if (isDryRunAnswer(headers)) return
    throw new OrgctlError(
      'network_error',
      `The API at ${this.baseUrl} does not support dry runs (it answered GET /account without a Dry-Run: true header): nothing was sent. Run the command without --dry-run, or against orgctl serve.`,
    )
  }

  private async call<T>(method: string, path: string, body?: unknown, range?: string, askDryRun = false): Promise<ApiResponse<T>> {
    const deadline = Date.now() + this.deadlineMs
    const requestId = randomUUID()
    for (let attempt = 0; ; attempt++) {
      const started = Date.now()
      this.trace(`--> ${method} ${path}${range ? ` (Range: ${range})` : ''} [attempt ${attempt + 1}]`)
      let response: Dispatcher.ResponseData
      try {
        response = await request(`${this.origin}${this.basePath}${path}`, {
          method: method as Dispatcher.HttpMethod,
          dispatcher: this.agent,
          headers: {
            accept: 'application/vnd.heroku+json; version=3',
            authorization: `Bearer ${this.options.token}`,
            'user-agent': this.options.userAgent ?? 'orgctl',
            'request-id': requestId,
            ...(body === undefined ? {} : {'content-type': 'application/json'}),
            ...(range ? {range} : {}),
            ...((this.options.dryRun && !READ_METHODS.has(method)) || askDryRun ? {'dry-run': 'true'} : {}),
          },
          body: body === undefined ? undefined : JSON.stringify(body),
          signal: AbortSignal.timeout(Math.max(1, deadline - Date.now())),
        })
      } catch (error) {
        const code = errorCode(error)
        this.trace(`<-- ${method} ${path} failed: ${code} (${Date.now() - started}ms)`)
        const retryable = IDEMPOTENT.has(method) || NOT_SENT.has(code)
        const wait = backoff(attempt)
        if (retryable && attempt < MAX_RETRIES && Date.now() + wait < deadline && code !== 'ABORT_ERR' && code !== 'TimeoutError') {
          await sleep(wait)
          continue
        }
        throw this.networkError(method, path, code, NOT_SENT.has(code))
      }
      let text: string
      try {
        text = await response.body.text()
      } catch (error) {
        // The connection dropped mid-body: a read can be asked again; a write's outcome is unknown.
        const code = errorCode(error)
        const wait = backoff(attempt)
        if (IDEMPOTENT.has(method) && attempt < MAX_RETRIES && Date.now() + wait < deadline && code !== 'TimeoutError') {
          await sleep(wait)
          continue
        }
        throw this.networkError(method, path, code, false)
      }
      this.trace(`<-- ${response.statusCode} ${method} ${path} (${Date.now() - started}ms, ${text.length} bytes)`)
      if (RETRY_STATUSES.has(response.statusCode)) {
        // 429 and 503 (a server closing, or shedding load) come before the request is acted on.
        const safe = IDEMPOTENT.has(method) || response.statusCode === 429 || response.statusCode === 503
        const wait = Math.max(retryAfterMs(header(response.headers, 'retry-after')), backoff(attempt))
        if (safe && attempt < MAX_RETRIES && Date.now() + wait < deadline) {
          await sleep(wait)
          continue
        }
      }
      const parsed = parseBody(text)
      if (response.statusCode >= 200 && response.statusCode < 300) {
        if (this.options.dryRun && !READ_METHODS.has(method) && !isDryRunAnswer(response.headers)) {
          throw new OrgctlError(
            'network_error',
            `The API at ${this.baseUrl} does not support dry runs (its answer to ${method} ${path} has no Dry-Run: true header): the change may have been made. Check before going on.`,
          )
        }
        if (parsed === INVALID) throw this.unexpected(method, path, `HTTP ${response.statusCode} and a body that is not JSON`)
        return {status: response.statusCode, headers: response.headers, body: parsed as T}
      }
      throw this.apiError(response.statusCode, parsed, method, path)
    }
  }

  private trace(line: string): void {
    this.options.trace?.(line)
  }

  private networkError(method: string, path: string, code: string, notSent: boolean): OrgctlError {
    const where = `the orgctl API at ${this.baseUrl}`
    if (code === 'TimeoutError' || code === 'AbortError') {
      const seconds = Math.round(this.deadlineMs / 1000)
      const outcome = IDEMPOTENT.has(method)
        ? 'retry later'
        : 'the change may or may not have been made: check, then rerun (reruns are safe)'
      return new OrgctlError('network_error', `${where} did not answer ${method} ${path} within ${seconds}s: ${outcome}.`)
    }
    if (IDEMPOTENT.has(method) || notSent) {
      return new OrgctlError(
        'network_error',
        `Cannot reach ${where} (${code}): check that the server is running and ORGCTL_API_URL is right, then retry.`,
      )
    }
    return new OrgctlError(
      'network_error',
      `Lost the connection to ${where} (${code}) before it confirmed ${method} ${path}: the change may or may not have been made. Check, then rerun (reruns are safe).`,
    )
  }

  /**
   * An answer not in the Platform API's format (a redirect, a status without an error body, a write
   * not confirmed by its resource): the client could not ask, and a write's outcome is unknown.
   */
  private unexpected(method: string, path: string, what: string): OrgctlError {
    const outcome =
      method === 'GET'
        ? 'retry later, and check that ORGCTL_API_URL points at an orgctl or Platform API server'
        : 'the change may or may not have been made. Check, then rerun (reruns are safe)'
    return new OrgctlError(
      'network_error',
      `The API at ${this.baseUrl} gave an unexpected answer to ${method} ${path} (${what}): ${outcome}.`,
    )
  }

  /** Heroku's error body ({id, message}) as the same typed error the embedded store throws; anything else is unexpected. */
  private apiError(status: number, body: unknown, method: string, path: string): OrgctlError {
    if (status >= 300 && status < 400) return this.unexpected(method, path, `HTTP ${status} (a redirect, which the client does not follow)`)
    const fields = typeof body === 'object' && body !== null && !Array.isArray(body) ? (body as {id?: unknown; message?: unknown}) : {}
    if (!isErrorId(fields.id)) return this.unexpected(method, path, `HTTP ${status} and no Platform API error body`)
    const message =
      typeof fields.message === 'string' && fields.message.trim() !== '' ? fields.message : `${method} ${path} failed with HTTP ${status}.`
    // A remote message is shown to a person: one line (OrgctlError keeps control characters from acting).
    const line = message.split('\n')[0]!.slice(0, 1000)
    if (LOCAL_IDS.has(fields.id)) return new OrgctlError('internal_error', `The API at ${this.baseUrl} failed (${fields.id}): ${line}`)
    // The server's database is down: the server could not be asked, as a 503 from any server (retry later).
    if (fields.id === 'store_unavailable') return new OrgctlError('network_error', `The API at ${this.baseUrl} is unavailable: ${line}`)
    return new OrgctlError(fields.id, line)
  }

  private protocolError(message: string): OrgctlError {
    return new OrgctlError('network_error', `The API at ${this.baseUrl} answered something unexpected: ${message}.`)
  }
}

const INVALID = Symbol('invalid JSON')

function parseBody(text: string): unknown {
  if (text === '') return undefined
  try {
    return JSON.parse(text)
  } catch {
    return INVALID
  }
}

/** Whether an answer says its request was taken as a dry run. */
function isDryRunAnswer(headers: Record<string, string | string[] | undefined>): boolean {
  return header(headers, 'dry-run')?.trim().toLowerCase() === 'true'
}

function header(headers: Record<string, string | string[] | undefined>, name: string): string | undefined {
  const value = headers[name]
  return Array.isArray(value) ? value[0] : value
}

function errorCode(error: unknown): string {
  const err = error as {code?: unknown; name?: string; cause?: {code?: string}}
  // An AbortSignal timeout is a DOMException whose numeric code (23) says less than its name.
  if (err?.name === 'TimeoutError' || err?.name === 'AbortError') return err.name
  return (typeof err?.code === 'string' ? err.code : undefined) ?? err?.cause?.code ?? err?.name ?? 'ERROR'
}

/** Exponential backoff with full jitter: 100 ms, 200 ms, 400 ms ... up to 5 s. */
function backoff(attempt: number): number {
  return Math.round(Math.random() * Math.min(5000, 100 * 2 ** attempt))
}

function retryAfterMs(value: string | undefined): number {
  if (!value) return 0
  const seconds = Number(value)
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000)
  const date = Date.parse(value)
  return Number.isNaN(date) ? 0 : Math.max(0, date - Date.now())
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
