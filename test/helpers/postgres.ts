/**
 * A PostgreSQL database for tests.
 *
 * Which one, decided once per test run by the 'postgres' project's globalSetup (postgres-setup.ts):
 *  1. ORGCTL_TEST_DATABASE_URL, if set: a server of your own (the user needs CREATEDB);
 *  2. else a throwaway cluster from the machine's PostgreSQL server binaries (ORGCTL_TEST_PG_BIN, else
 *     the newest /usr/lib/postgresql/N/bin, else initdb on PATH): initdb into a temp folder, listening
 *     on a private Unix socket in it only (no TCP port to collide on), run as the `postgres` user when
 *     the tests run as root (initdb and postgres refuse root), stopped when the run ends whatever
 *     happens (the globalSetup's teardown, an exit handler, and a watchdog process for a runner killed
 *     outright);
 *  3. else the PostgreSQL suites are skipped, with ONE loud line saying why. Under CI=true or
 *     ORGCTL_TEST_PG=require a skip fails the run instead. ORGCTL_TEST_PG=off skips on purpose.
 *
 * Each test file gets a database of its own, created from a migrated template in ~25 ms
 * (`createTestDatabase()`), or an empty one (`{migrated: false}`) for the migration tests.
 */
import {spawn, spawnSync, type SpawnSyncOptions} from 'node:child_process'
import {chownSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import pg from 'pg'
import {inject} from 'vitest'

/** What the globalSetup hands to every test file (vitest `provide`/`inject`). */
export interface PgInfo {
  /** A URL to the server's maintenance database (for CREATE/DROP DATABASE); undefined when skipped. */
  url?: string
  /** The migrated template database each test file's database is copied from. */
  template?: string
  /** Why the suites are skipped, when they are. */
  skipReason?: string
  /** The throwaway cluster of this run (its auth rules are known: see PASSWORD_ROLE). */
  throwaway: boolean
}

declare module 'vitest' {
  export interface ProvidedContext {
    orgctlPg: PgInfo
  }
}

/** On the throwaway cluster, this role logs in with a password (scram) only: for the auth-failure tests. */
export const PASSWORD_ROLE = 'orgctl_password_user'

/** The test run's database server, or why there is none. */
export function pgInfo(): PgInfo {
  return inject('orgctlPg')
}

/** A URL with another database (and optionally other credentials) on the same server. */
export function withDatabase(url: string, database: string, auth?: {user: string; password?: string}): string {
  const parsed = new URL(url)
  parsed.pathname = `/${encodeURIComponent(database)}`
  if (auth) {
    parsed.username = encodeURIComponent(auth.user)
    parsed.password = auth.password === undefined ? '' : encodeURIComponent(auth.password)
  }
  return parsed.toString()
}

/** Runs statements on one connection, closed whatever happens. */
export async function withClient<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({connectionString: url, connectionTimeoutMillis: 10_000})
  await client.connect()
  try {
    return await fn(client)
  } finally {
    await client.end().catch(() => undefined)
  }
}

const quoteIdent = (name: string) => `"${name.replaceAll('"', '""')}"`

let counter = 0

export interface TestDatabase {
  name: string
  url: string
  drop(): Promise<void>
}

/** A database of this test file's own: a copy of the migrated template, or empty (`migrated: false`). */
export async function createTestDatabase(options: {migrated?: boolean} = {}): Promise<TestDatabase> {
  const info = pgInfo()
  if (!info.url || !info.template) throw new Error(`no PostgreSQL for tests: ${info.skipReason}`)
  const admin = info.url
  const name = `orgctl_t_${process.pid}_${++counter}_${Math.random().toString(36).slice(2, 8)}`
  const template = options.migrated === false ? 'template0' : info.template
  await withClient(admin, (client) => client.query(`CREATE DATABASE ${quoteIdent(name)} TEMPLATE ${quoteIdent(template)}`))
  return {
    name,
    url: withDatabase(admin, name),
    drop: () =>
      withClient(admin, (client) => client.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`)).then(() => undefined),
  }
}

// ---- Finding and running a throwaway cluster (used by the globalSetup, in vitest's main process) ----

/** The directory of PostgreSQL's server binaries, or undefined. */
export function findPgBin(env: NodeJS.ProcessEnv = process.env): {bin?: string; looked: string} {
  const has = (dir: string) => ['initdb', 'pg_ctl', 'postgres'].every((tool) => existsSync(join(dir, tool)))
  if (env.ORGCTL_TEST_PG_BIN) {
    return {bin: has(env.ORGCTL_TEST_PG_BIN) ? env.ORGCTL_TEST_PG_BIN : undefined, looked: `ORGCTL_TEST_PG_BIN=${env.ORGCTL_TEST_PG_BIN}`}
  }
  const root = '/usr/lib/postgresql'
  const versions = existsSync(root)
    ? readdirSync(root)
        .filter((name) => /^\d+(\.\d+)?$/.test(name))
        .sort((a, b) => Number(b) - Number(a))
    : []
  for (const version of versions) if (has(join(root, version, 'bin'))) return {bin: join(root, version, 'bin'), looked: ''}
  for (const dir of (env.PATH ?? '').split(':').filter(Boolean)) if (has(dir)) return {bin: dir, looked: ''}
  return {looked: `${root}/*/bin and PATH`}
}

export interface Cluster {
  /** The maintenance database's URL, over the private socket. */
  url: string
  dir: string
  stop(): void
}

function runAs(): {uid: number; gid: number} | undefined {
  if (process.getuid?.() !== 0) return undefined
  const id = (flag: string) => spawnSync('id', [flag, 'postgres'], {encoding: 'utf8'})
  const uid = Number(id('-u').stdout.trim())
  const gid = Number(id('-g').stdout.trim())
  if (!Number.isInteger(uid) || !Number.isInteger(gid) || uid === 0) {
    throw new Error('the tests run as root and there is no `postgres` user to run initdb and postgres as')
  }
  return {uid, gid}
}

function check(tool: string, args: string[], options: SpawnSyncOptions): void {
  const result = spawnSync(tool, args, {encoding: 'utf8', timeout: 60_000, ...options})
  if (result.status !== 0) {
    const output = `${result.stderr ?? ''}${result.stdout ?? ''}`.trim().split('\n').slice(-3).join(' | ')
    throw new Error(`${tool.split('/').pop()} failed (${result.error?.message ?? `exit ${result.status}`}): ${output}`)
  }
}

/**
 * The watchdog, started before initdb: when the runner dies without stopping the cluster (SIGKILL, an
 * OOM kill), it stops the server, waits for any initdb or pg_ctl the runner had started to end (a
 * process whose command line names the folder: read from /proc), then removes the folder. Else it ends
 * when the folder is gone (the runner's own teardown).
 */
const WATCHDOG = `
const [parent, pgCtl, data, dir, uid, gid] = process.argv.slice(1)
const {spawnSync} = require('node:child_process'), {existsSync, readdirSync, readFileSync, rmSync} = require('node:fs')
const ids = uid === '' ? {} : {uid: Number(uid), gid: Number(gid)}
const others = () => {
  try {
    return readdirSync('/proc').filter((pid) => /^[0-9]+$/.test(pid) && Number(pid) !== process.pid).some((pid) => {
      try { return readFileSync('/proc/' + pid + '/cmdline', 'latin1').includes(dir) } catch { return false }
    })
  } catch { return false }
}
let orphaned = false, rounds = 0
setInterval(() => {
  if (!orphaned) {
    if (!existsSync(dir)) process.exit(0)
    try { process.kill(Number(parent), 0); return } catch { orphaned = true }
  }
  if (existsSync(data + '/postmaster.pid')) spawnSync(pgCtl, ['stop', '-D', data, '-m', 'immediate', '-w', '-t', '10'], {cwd: '/', stdio: 'ignore', ...ids})
  if (others() && ++rounds < 120) return
  rmSync(dir, {recursive: true, force: true})
  process.exit(0)
}, 1000)
`

/** initdb, start, and a URL: about a second. */
export function startCluster(bin: string): Cluster {
  const ids = runAs()
  const dir = mkdtempSync(join(tmpdir(), 'orgctl-pg-'))
  const data = join(dir, 'data')
  const options: SpawnSyncOptions = {cwd: dir, env: {PATH: process.env.PATH, LC_ALL: 'C', TZ: 'UTC'}, ...ids}
  const pgCtl = join(bin, 'pg_ctl')
  const stop = () => {
    if (existsSync(join(data, 'postmaster.pid'))) {
      spawnSync(pgCtl, ['stop', '-D', data, '-m', 'immediate', '-w', '-t', '10'], {...options, stdio: 'ignore'})
    }
    rmSync(dir, {recursive: true, force: true})
  }
  const watchdog = spawn(
    process.execPath,
    ['-e', WATCHDOG, String(process.pid), pgCtl, data, dir, String(ids?.uid ?? ''), String(ids?.gid ?? '')],
    {detached: true, stdio: 'ignore', cwd: '/'},
  )
  watchdog.unref()
  process.once('exit', stop)
  try {
    if (ids) chownSync(dir, ids.uid, ids.gid)
    check(join(bin, 'initdb'), ['-D', data, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--locale=C', '--no-sync'], options)
    // A role that logs in with a password only: the rest trust the local socket (nothing else listens).
    writeFileSync(join(data, 'pg_hba.conf'), `local all ${PASSWORD_ROLE} scram-sha-256\nlocal all all trust\n`)
    if (ids) chownSync(join(data, 'pg_hba.conf'), ids.uid, ids.gid)
    const serverOptions = [
      `-k ${dir}`,
      "-c listen_addresses=''",
      '-c fsync=off',
      '-c synchronous_commit=off',
      '-c full_page_writes=off',
      '-c max_connections=200',
    ].join(' ')
    check(pgCtl, ['start', '-D', data, '-l', join(dir, 'server.log'), '-w', '-t', '30', '-o', serverOptions], options)
    return {url: `postgresql://postgres@localhost/postgres?host=${dir}`, dir, stop}
  } catch (error) {
    stop()
    throw error
  }
}
