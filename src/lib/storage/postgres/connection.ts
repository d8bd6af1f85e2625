/**
 * Where the PostgreSQL database is, and a pool of connections to it.
 *
 * A database URL (ORGCTL_DATABASE_URL or --database-url) is parsed and checked here once; what the
 * rest of orgctl sees is a `DatabaseTarget`: its host, port, database and user for messages, and a
 * redacted form of the URL for logs. The password is never part of any message or log: only the
 * pool's own configuration holds it. Connection failures become one `store_error` line naming the
 * host and database and saying what to check (exit 7 on the CLI).
 *
 * This module loads `pg`: import it only with `await import()` from the paths that use PostgreSQL, so that
 * commands that never touch it never load it (the bundle keeps `pg` external, required on first use).
 */
import pg, {type Pool, type PoolClient, type PoolConfig} from 'pg'

import {commitUnknown, OrgctlError, storeError, storeUnavailable, usageError} from '../../errors.js'

export interface DatabaseTarget {
  /** The URL as given (with its password): for the pool only, never for a message. */
  readonly url: string
  /** The URL with any password replaced by `***`: safe for messages and logs. */
  readonly redacted: string
  /** A TCP host name or address, or the directory of a Unix socket. */
  readonly host: string
  readonly port: number
  readonly database: string
  readonly user: string | undefined
  /** Where the URL came from, for messages: `ORGCTL_DATABASE_URL` or `--database-url`. */
  readonly source: string
  /** The password's text, kept only to scrub it out of driver messages. */
  readonly secrets: readonly string[]
}

export interface PoolOptions {
  /** Longest a statement may run, ms: a stuck query cannot hold a lock for ever. Default 10 s (the HTTP client waits 30 s in all, retries included). */
  statementTimeoutMs?: number
  /** Longest to wait for a connection, ms (connecting, or a free connection of the pool). Default 5 s. */
  connectTimeoutMs?: number
  /** Longest a transaction may sit idle, ms. Default 60 s. */
  idleInTransactionTimeoutMs?: number
  /** Connections at most. Default 10. */
  max?: number
  /** Called with each error of an idle connection (the pool replaces it), already redacted. */
  onIdleError?: (error: OrgctlError) => void
}

const PROTOCOLS = new Set(['postgres:', 'postgresql:'])
const DEFAULT_PORT = 5432

/** `postgresql://user@/db?host=/dir` (no host before the path) is valid for libpq but not for `new URL()`. */
function withHost(raw: string): string {
  return raw.replace(/^(postgres(?:ql)?:\/\/)([^/?#@]*@)?(?=[/?#]|$)/i, (_, scheme: string, auth: string | undefined) => {
    return `${scheme}${auth ?? ''}localhost`
  })
}

function isPasswordParam(name: string): boolean {
  return name.toLowerCase().includes('password')
}

function decode(text: string): string {
  try {
    return decodeURIComponent(text)
  } catch {
    return text
  }
}

/**
 * The URL with its password (in the authority, or any `password` parameter) shown as `***`. Built from
 * the parsed URL, so an unencoded `@` or `:` in a password cannot leak part of it; a text that is not a
 * URL at all is not shown (it may be a password pasted in the wrong place).
 */
export function redactDatabaseUrl(raw: string): string {
  let url: URL
  try {
    url = new URL(withHost(raw.trim()))
  } catch {
    return '(not shown: not a URL)'
  }
  const auth = url.username || url.password ? `${url.username}${url.password ? ':***' : ''}@` : ''
  const search = url.search.replace(/([?&])([^=&#]*password[^=&#]*)=[^&#]*/gi, '$1$2=***')
  return `${url.protocol}//${auth}${url.host}${url.pathname}${search}${url.hash}`
}

/**
 * Parses and checks a database URL: `postgres://` or `postgresql://`, a host (or `?host=/socket/dir`),
 * a database name in the path. Anything else is a usage error that shows the URL redacted.
 */
export function parseDatabaseUrl(raw: string, source = 'ORGCTL_DATABASE_URL'): DatabaseTarget {
  const given = raw.trim()
  const redacted = redactDatabaseUrl(given)
  const fix = `set ${source} to a URL such as postgres://user:password@db.example.com:5432/orgctl`
  if (given === '') throw usageError(`${source} is empty: ${fix}.`)
  const normalized = withHost(given)
  let url: URL
  try {
    url = new URL(normalized)
  } catch {
    throw usageError(`${source} is not a valid URL (not shown here: it may hold a password): ${fix}.`)
  }
  if (!PROTOCOLS.has(url.protocol)) {
    throw usageError(`${source} (${redacted}) is not a PostgreSQL URL (it starts with ${url.protocol}//): ${fix}.`)
  }
  const hostParam = url.searchParams.get('host')
  const host = hostParam || decode(url.hostname).replace(/^\[|\]$/g, '')
  if (!host) throw usageError(`${source} (${redacted}) names no host: ${fix}.`)
  const portText = url.searchParams.get('port') || url.port
  const port = portText ? Number(portText) : DEFAULT_PORT
  if (!Number.isInteger(port) || port < 1 || port > 65_535) {
    throw usageError(`${source} (${redacted}) has a bad port ${JSON.stringify(portText)}: use 1-65535.`)
  }
  const user = url.username ? decode(url.username) : url.searchParams.get('user') || undefined
  const path = decode(url.pathname.replace(/^\//, ''))
  const database = path || url.searchParams.get('dbname') || user
  if (!database) throw usageError(`${source} (${redacted}) names no database: add it as the path, for example .../orgctl.`)
  if (database.includes('/')) throw usageError(`${source} (${redacted}) has a bad database name ${JSON.stringify(database)}.`)
  const secrets = [url.password, ...[...url.searchParams].filter(([name]) => isPasswordParam(name)).map(([, value]) => value)]
    .flatMap((secret) => (secret ? [secret, decode(secret)] : []))
    .filter((secret, i, all) => all.indexOf(secret) === i)
  return {url: normalized, redacted, host, port, database, user, source, secrets}
}

/** Where the database is, for one line: `db.example.com:5432` or `socket /run/postgresql (port 5432)`. */
export function describeHost(target: DatabaseTarget): string {
  if (target.host.startsWith('/')) return `socket ${target.host} (port ${target.port})`
  return `${target.host.includes(':') ? `[${target.host}]` : target.host}:${target.port}`
}

/** A driver or server message with every secret of the target taken out. */
export function scrub(text: string, target: DatabaseTarget): string {
  let out = text
  for (const secret of target.secrets) out = out.split(secret).join('***')
  return out
}

const UNREACHABLE = new Set(['ECONNREFUSED', 'ENOENT', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNRESET', 'EPIPE', 'EACCES'])
const UNKNOWN_HOST = new Set(['ENOTFOUND', 'EAI_AGAIN', 'EAI_NONAME'])

/**
 * Where a failure happened, which decides what it means for a change:
 * - `start`: opening the pool or migrating (a command or server starting): `store_error`, as any start-up failure;
 * - `connect`: getting a connection for a unit of work (refused, timed out, starting up, too many
 *   connections, login refused): nothing reached the database, so always `store_unavailable`;
 * - `transaction`: inside a unit of work before COMMIT was sent: the transaction rolled back, so a
 *   connection failure (cannot connect, starting up, too many connections, connection lost) is
 *   `store_unavailable` (HTTP 503: nothing changed, safe to retry);
 * - `commit`: the connection was lost while COMMIT was under way: nobody can say whether it committed,
 *   a `store_error` that says so (never retried blindly: minting two tokens is the failure to avoid).
 */
export type DatabasePhase = 'start' | 'connect' | 'transaction' | 'commit'

/** The server's codes that mean "not now": starting up or shutting down, terminated, too many connections. */
const NOT_NOW = new Set(['57P01', '57P02', '57P03', '53300', '53400'])

/** Whether an error means the connection to the database failed or was lost (as opposed to a statement failing). */
export function isConnectionFailure(error: unknown): boolean {
  if (error instanceof OrgctlError) return false
  const {code, message} = (error ?? {}) as {code?: string; message?: string}
  if (code && (UNREACHABLE.has(code) || UNKNOWN_HOST.has(code) || NOT_NOW.has(code) || code.startsWith('08'))) return true
  return /Connection terminated|timeout expired|connection timeout|timeout exceeded|not queryable|Connection ended|ended unexpectedly/i.test(
    String(message ?? ''),
  )
}

/**
 * One line for a failure to connect or to run a statement, naming the host and database and never the
 * password. Already an OrgctlError: returned as is. See DatabasePhase for what `phase` changes.
 */
export function databaseError(error: unknown, target: DatabaseTarget, phase: DatabasePhase = 'start'): OrgctlError {
  if (error instanceof OrgctlError) return error
  const base = describeFailure(error, target)
  // A statement cancelled by the timeout (a stuck change holding the lock it waited on): rolled back, safe to retry.
  if (phase === 'transaction' && (error as {code?: string}).code === '57014') {
    return storeUnavailable(`${base.message.replace(/\.$/, '')}; nothing was changed.`)
  }
  if (phase === 'start' || (phase !== 'connect' && !isConnectionFailure(error))) return base
  if (phase === 'commit') {
    const where = `PostgreSQL at ${describeHost(target)} database ${target.database}`
    return commitUnknown(
      `${where}: the database connection was lost while committing: the change may or may not have been saved; check before retrying it.`,
    )
  }
  return storeUnavailable(`${base.message.replace(/\.$/, '')}; nothing was changed: retry when the database is back.`)
}

function describeFailure(error: unknown, target: DatabaseTarget): OrgctlError {
  const {code, message} = error as {code?: string; message?: string}
  const where = `PostgreSQL at ${describeHost(target)} database ${target.database}`
  const check = `check ${target.source}`
  const detail = scrub(String(message ?? error), target)
    .split('\n')[0]!
    .trim()
    .replace(/\.$/, '')
  const who = target.user === undefined ? 'the default user' : `user ${target.user}`
  if (code && UNREACHABLE.has(code)) {
    return storeError(`Cannot reach ${where} (${code}): ${check} and that the server is running.`)
  }
  if (code && UNKNOWN_HOST.has(code)) {
    return storeError(`Cannot reach ${where}: host ${target.host} is unknown (${code}): ${check}.`)
  }
  if (/timeout expired|connection timeout|timeout exceeded/i.test(detail)) {
    return storeError(`Cannot reach ${where}: no answer in time (connection timeout): ${check} and that the server is running.`)
  }
  switch (code) {
    case '28P01':
    case '28000': {
      return storeError(`${where} refused the login of ${who} (${detail}): ${check} (user and password).`)
    }
    case '3D000': {
      return storeError(`${where} does not exist: create it (createdb ${target.database}) or ${check}.`)
    }
    case '57P03': {
      return storeError(`${where} is starting up or shutting down: retry in a moment.`)
    }
    case '53300': {
      return storeError(`${where} has too many connections (${detail}): retry later, or raise max_connections.`)
    }
    case '57014': {
      return storeError(`${where}: a statement ran over the statement timeout and was cancelled: retry, or look for a stuck query.`)
    }
    case '42501': {
      return storeError(`${where}: ${who} lacks a privilege (${detail}): grant it, or ${check}.`)
    }
  }
  if (/ssl|tls|certificate/i.test(detail)) return storeError(`Cannot talk to ${where} over SSL/TLS (${detail}): ${check} (sslmode).`)
  if (/Connection terminated/i.test(detail)) return storeError(`${where} closed the connection (${detail}): retry in a moment.`)
  return storeError(`${where}: ${detail}${code ? ` (${code})` : ''}.`)
}

/**
 * A pool for the target, checked by one round trip: a database that cannot be reached, a refused login
 * or a missing database is a `store_error` here, before any work starts. Close it with `pool.end()`.
 */
export async function openPool(target: DatabaseTarget, options: PoolOptions = {}): Promise<Pool> {
  const config: PoolConfig = {
    connectionString: target.url,
    max: options.max ?? 10,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 5000,
    statement_timeout: options.statementTimeoutMs ?? 10_000,
    idle_in_transaction_session_timeout: options.idleInTransactionTimeoutMs ?? 60_000,
    application_name: 'orgctl',
  }
  const pool = new pg.Pool(config)
  // An idle connection that breaks emits 'error' on the pool; unheard, it would end the process.
  pool.on('error', (error) => options.onIdleError?.(databaseError(error, target)))
  try {
    ;(await checkout(pool)).release()
  } catch (error) {
    await pool.end().catch(() => undefined)
    throw databaseError(error, target)
  }
  return pool
}

/** A connection taken from the pool, heard from the moment it is taken until it is given back. */
export interface Checkout {
  readonly client: PoolClient
  /** The error the connection broke with, if it did: it is destroyed on release, not pooled again. */
  readonly broken: Error | undefined
  /** Marks the connection broken (a failed ROLLBACK, say), so release destroys it. */
  breaks(error: Error): void
  release(): void
}

/**
 * Takes a connection from the pool. The pool listens for errors only on idle connections, and a
 * connection killed just before it was handed out fails its first write (EPIPE) with no one to hear
 * it: unheard, 'error' ends the process. So the listener goes on here, before the first statement.
 */
export async function checkout(pool: Pool): Promise<Checkout> {
  const client = await pool.connect()
  let broken: Error | undefined
  const onError = (error: Error) => (broken ??= error)
  client.on('error', onError)
  return {
    client,
    get broken() {
      return broken
    },
    breaks: (error) => (broken ??= error),
    release() {
      client.off('error', onError)
      client.release(broken)
    },
  }
}
