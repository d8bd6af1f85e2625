/**
 * Typed errors. Each kind has a stable id in the Heroku Platform API vocabulary,
 * an exit code for the CLI and an HTTP status for the server: this file is the
 * one place that maps them.
 */
import {printable} from './text.js'

export type ErrorId =
  | 'invalid_params'
  | 'bad_request'
  | 'payload_too_large'
  | 'not_found'
  | 'forbidden'
  | 'unauthorized'
  | 'conflict'
  | 'limit_reached'
  | 'store_error'
  | 'store_unavailable'
  | 'partial_failure'
  | 'rate_limit'
  | 'network_error'
  | 'internal_error'
  | 'output_error'

interface ErrorKind {
  exitCode: number
  httpStatus: number
  summary: string
}

/** The exit-code table, documented in the README. */
export const ERROR_KINDS: Record<ErrorId, ErrorKind> = {
  invalid_params: {exitCode: 2, httpStatus: 422, summary: 'usage: a bad flag, argument or value'},
  bad_request: {exitCode: 2, httpStatus: 400, summary: 'a request the server could not parse (malformed JSON)'},
  payload_too_large: {exitCode: 2, httpStatus: 413, summary: 'a request body over the size limit'},
  not_found: {exitCode: 3, httpStatus: 404, summary: 'no such org, app, member or transfer (or not visible to you)'},
  forbidden: {exitCode: 4, httpStatus: 403, summary: 'not permitted for your role or app permissions'},
  unauthorized: {exitCode: 4, httpStatus: 401, summary: 'no acting user or a bad token'},
  conflict: {exitCode: 5, httpStatus: 409, summary: 'conflicts with the current state (name taken, last admin, ...)'},
  limit_reached: {exitCode: 6, httpStatus: 422, summary: 'an org resource limit would be exceeded'},
  store_error: {exitCode: 7, httpStatus: 500, summary: 'the store cannot be read or written'},
  // Nothing was sent to the database (it is down, or the pool is exhausted): safe for anyone to retry.
  store_unavailable: {exitCode: 7, httpStatus: 503, summary: 'the database cannot be reached right now: nothing was changed; retry'},
  partial_failure: {exitCode: 1, httpStatus: 500, summary: 'a bulk operation failed for some items'},
  // Could not ask (as opposed to not allowed, or failed): a script may retry these later.
  network_error: {exitCode: 9, httpStatus: 502, summary: 'the API could not be reached, or answered something unexpected'},
  rate_limit: {exitCode: 10, httpStatus: 429, summary: 'the API rate limit was reached: retry later'},
  internal_error: {exitCode: 1, httpStatus: 500, summary: 'an unexpected failure'},
  output_error: {exitCode: 11, httpStatus: 500, summary: 'the output could not be written (a change, if any, was made)'},
}

/**
 * Exit codes that are answers, not errors (listed in the README's table with the errors' codes).
 * `access:check` exits 1 for "not allowed", so there an error whose own code is 1 (internal_error,
 * partial_failure) exits `checkFailed` instead: a CI gate never mistakes a failure to ask for a no.
 */
export const ANSWER_EXIT_CODES = {
  /** access:check: the user does not hold the permission. */
  notAllowed: 1,
  /** plan: there are changes to make (0: nothing to do); 8 is "pending", as the GitHub CLI uses it. */
  pending: 8,
  /** access:check: an unexpected failure (internal_error, partial_failure), whose code is 1 elsewhere. */
  checkFailed: 12,
} as const

/** An error a person can act on: one line saying what is wrong and what to do. */
export class OrgctlError extends Error {
  readonly id: ErrorId
  /** Extra fields for the JSON body, such as each item's result of a bulk operation. */
  readonly details?: Record<string, unknown>

  constructor(id: ErrorId, message: string, details?: Record<string, unknown>) {
    // Messages quote names from outside: nothing in them may act on a terminal.
    super(printable(message))
    this.id = id
    this.name = 'OrgctlError'
    this.details = details
  }

  get exitCode(): number {
    return ERROR_KINDS[this.id].exitCode
  }

  get httpStatus(): number {
    return ERROR_KINDS[this.id].httpStatus
  }

  /** Heroku's error body. */
  toJSON(): {id: ErrorId; message: string} & Record<string, unknown> {
    return {id: this.id, message: this.message, ...this.details}
  }
}

export const usageError = (message: string): OrgctlError => new OrgctlError('invalid_params', message)
export const notFound = (message: string): OrgctlError => new OrgctlError('not_found', message)
export const forbidden = (message: string): OrgctlError => new OrgctlError('forbidden', message)
export const conflict = (message: string): OrgctlError => new OrgctlError('conflict', message)
export const limitReached = (message: string): OrgctlError => new OrgctlError('limit_reached', message)
export const storeError = (message: string): OrgctlError => new OrgctlError('store_error', message)
/** The database could not be reached before anything was sent to it: nothing changed, safe to retry. */
export const storeUnavailable = (message: string): OrgctlError => new OrgctlError('store_unavailable', message)
const COMMIT_UNKNOWN = Symbol('commit outcome unknown')

/** The connection to the database was lost during COMMIT: the change may or may not have been made. Never retried. */
export function commitUnknown(message: string): OrgctlError {
  return Object.assign(storeError(message), {[COMMIT_UNKNOWN]: true})
}

export function isCommitUnknown(error: OrgctlError): boolean {
  return (error as unknown as Record<symbol, unknown>)[COMMIT_UNKNOWN] === true
}

export const unauthorized = (message: string): OrgctlError => new OrgctlError('unauthorized', message)

export function isErrorId(value: unknown): value is ErrorId {
  return typeof value === 'string' && Object.hasOwn(ERROR_KINDS, value)
}

/** Turns anything thrown into an OrgctlError, keeping unexpected ones as internal errors. */
export function toOrgctlError(error: unknown): OrgctlError {
  if (error instanceof OrgctlError) return error
  const message = error instanceof Error ? error.message : String(error)
  return new OrgctlError('internal_error', message)
}
