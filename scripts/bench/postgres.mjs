// A throwaway PostgreSQL cluster for the bench, started as test/helpers/postgres.ts starts the tests'
// one (reimplemented here: that file is TypeScript and imports vitest): initdb into a temp folder, run as
// the `postgres` user when the bench runs as root (initdb and postgres refuse root), listening on a
// private Unix socket in that folder only (listen_addresses=''), stopped and removed at the end
// whatever happens (stop(), an exit handler, and a detached watchdog for a bench killed outright).
//
// Unlike the tests' cluster, durability is left ON (fsync, synchronous_commit, full_page_writes at
// their defaults): the bench's figures are for commits that survive a crash. SETTINGS lists what is set.
import {spawn, spawnSync} from 'node:child_process'
import {chownSync, existsSync, mkdtempSync, readdirSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

/** What the cluster runs with beyond initdb's defaults (shown in docs/benchmarks.md). */
export const SETTINGS = {listen_addresses: "''", max_connections: '200'}

/** The newest /usr/lib/postgresql/N/bin with initdb, pg_ctl, postgres and pgbench (ORGCTL_TEST_PG_BIN first), or undefined. */
export function findPgBin(env = process.env) {
  const has = (dir) => ['initdb', 'pg_ctl', 'postgres', 'pgbench'].every((tool) => existsSync(join(dir, tool)))
  if (env.ORGCTL_TEST_PG_BIN) return has(env.ORGCTL_TEST_PG_BIN) ? env.ORGCTL_TEST_PG_BIN : undefined
  const root = '/usr/lib/postgresql'
  const versions = existsSync(root)
    ? readdirSync(root)
        .filter((name) => /^\d+(\.\d+)?$/.test(name))
        .sort((a, b) => Number(b) - Number(a))
    : []
  for (const version of versions) if (has(join(root, version, 'bin'))) return join(root, version, 'bin')
  return undefined
}

function runAs() {
  if (process.getuid?.() !== 0) return undefined
  const id = (flag) => spawnSync('id', [flag, 'postgres'], {encoding: 'utf8'})
  const uid = Number(id('-u').stdout.trim())
  const gid = Number(id('-g').stdout.trim())
  if (!Number.isInteger(uid) || !Number.isInteger(gid) || uid === 0) {
    throw new Error('the bench runs as root and there is no `postgres` user to run initdb and postgres as')
  }
  return {uid, gid}
}

function check(tool, args, options) {
  const result = spawnSync(tool, args, {encoding: 'utf8', timeout: 120_000, ...options})
  if (result.status !== 0) {
    const output = `${result.stderr ?? ''}${result.stdout ?? ''}`.trim().split('\n').slice(-3).join(' | ')
    throw new Error(`${tool.split('/').pop()} failed (${result.error?.message ?? `exit ${result.status}`}): ${output}`)
  }
  return result.stdout
}

// Stops the server and removes the folder once the bench is gone (checked every second); ends on its own
// when the folder is removed by the bench's own stop().
const WATCHDOG = `
const [parent, pgCtl, data, dir, uid, gid] = process.argv.slice(1)
const {spawnSync} = require('node:child_process'), {existsSync, rmSync} = require('node:fs')
const ids = uid === '' ? {} : {uid: Number(uid), gid: Number(gid)}
setInterval(() => {
  if (!existsSync(dir)) process.exit(0)
  try { process.kill(Number(parent), 0); return } catch {}
  if (existsSync(data + '/postmaster.pid')) spawnSync(pgCtl, ['stop', '-D', data, '-m', 'immediate', '-w', '-t', '10'], {cwd: '/', stdio: 'ignore', ...ids})
  rmSync(dir, {recursive: true, force: true})
  process.exit(0)
}, 1000)
`

/**
 * initdb and start (a few seconds). Returns {url, dir, bin, settings(), pgbench(args), stop()}: `url` is the
 * maintenance database over the private socket; `pgbench` runs pgbench as the server's user on it.
 */
export function startCluster(bin) {
  const ids = runAs()
  const dir = mkdtempSync(join(tmpdir(), 'orgctl-bench-pg-'))
  const data = join(dir, 'data')
  const options = {cwd: dir, env: {PATH: process.env.PATH, LC_ALL: 'C', TZ: 'UTC'}, ...ids}
  const pgCtl = join(bin, 'pg_ctl')
  let stopped = false
  const stop = () => {
    if (stopped) return
    stopped = true
    if (existsSync(join(data, 'postmaster.pid'))) {
      spawnSync(pgCtl, ['stop', '-D', data, '-m', 'fast', '-w', '-t', '30'], {...options, stdio: 'ignore'})
    }
    rmSync(dir, {recursive: true, force: true})
  }
  const watchdog = spawn(
    process.execPath,
    ['-e', WATCHDOG, String(process.pid), pgCtl, data, dir, String(ids?.uid ?? ''), String(ids?.gid ?? '')],
    {
      detached: true,
      stdio: 'ignore',
      cwd: '/',
    },
  )
  watchdog.unref()
  process.once('exit', stop)
  try {
    if (ids) chownSync(dir, ids.uid, ids.gid)
    // --no-sync: only initdb's own flush of the template files; the server runs with fsync on.
    check(join(bin, 'initdb'), ['-D', data, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--locale=C', '--no-sync'], options)
    const serverOptions = [`-k ${dir}`, ...Object.entries(SETTINGS).map(([key, value]) => `-c ${key}=${value}`)].join(' ')
    check(pgCtl, ['start', '-D', data, '-l', join(dir, 'server.log'), '-w', '-t', '60', '-o', serverOptions], options)
  } catch (error) {
    stop()
    throw error
  }
  const psql = (sql, database = 'postgres') =>
    check(
      join(bin, 'psql'),
      ['-h', dir, '-U', 'postgres', '-d', database, '-X', '-A', '-t', '-v', 'ON_ERROR_STOP=1', '-c', sql],
      options,
    ).trim()
  return {
    url: `postgresql://postgres@localhost/postgres?host=${dir}`,
    urlOf: (database) => `postgresql://postgres@localhost/${database}?host=${dir}`,
    dir,
    bin,
    psql,
    /** The settings that matter for these figures, as the server reports them. */
    settings: () =>
      Object.fromEntries(
        psql(
          "SELECT name || '=' || setting || coalesce(unit, '') FROM pg_settings WHERE name IN ('fsync', 'synchronous_commit', 'full_page_writes', 'wal_sync_method', 'shared_buffers', 'max_connections', 'checkpoint_timeout', 'max_wal_size', 'listen_addresses') ORDER BY name",
        )
          .split('\n')
          .map((line) => line.split('=')),
      ),
    /** pgbench ARGS on a database of the cluster (as the server's user); its stdout. */
    pgbench: (args, database) =>
      check(join(bin, 'pgbench'), ['-h', dir, '-U', 'postgres', ...args, database], {...options, timeout: 600_000}),
    stop,
  }
}
