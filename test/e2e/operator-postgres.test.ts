/**
 * The operator's commands run directly on PostgreSQL (no server in between): bootstrapping the first
 * org and token with ORGCTL_DATABASE_URL + ORGCTL_USER, db:migrate, moving a team from the embedded
 * file with db:import and back with db:export (every read command answers the same on each), and a
 * database URL's password, which no output ever shows. Only in the e2e-pg project (it needs the run's
 * PostgreSQL server: test/helpers/postgres.ts).
 */
import {spawn} from 'node:child_process'
import {existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {BIN, PG, type RunResult, runBin, type Server, startDatabaseServer, stopServer} from '../helpers/cli.js'
import {createTestDatabase, PASSWORD_ROLE, pgInfo, type TestDatabase, withClient, withDatabase} from '../helpers/postgres.js'
import {expectError, expectOk, lines, show} from './_util.js'

const BOSS = 'boss@acme.test'
const ORG = 'acme-widgets'
const DEV = 'dev@acme.test'
const OPS = 'ops@acme.test'
const EXT = 'ext@partner.test'
/** PASSWORD_ROLE's password on the throwaway cluster (postgres-setup.ts): shared with other files, so never changed here. */
const SECRET = 'right-password'

type Env = Record<string, string | undefined>
/** PASSWORD_ROLE exists on the run's throwaway cluster only (outside e2e-pg there is no PostgreSQL at all). */
const THROWAWAY = PG && pgInfo().throwaway

describe.runIf(PG)('the operator commands on PostgreSQL', () => {
  let dir: string
  const databases: TestDatabase[] = []
  const servers: Server[] = []

  const env = (extra: Env = {}): Env => ({
    PATH: process.env.PATH,
    HOME: join(dir, 'home'),
    XDG_DATA_HOME: join(dir, 'data'),
    XDG_CONFIG_HOME: join(dir, 'xdg-config'),
    ORGCTL_CONFIG_DIR: join(dir, 'config'),
    ORGCTL_CACHE_DIR: join(tmpdir(), 'orgctl-test-code-cache'),
    NO_COLOR: '1',
    ...extra,
  })
  /** orgctl on the embedded store file, as `user`. */
  const onFile = (file: string, user: string | undefined, ...args: string[]) => runBin(args, env({ORGCTL_STORE: file, ORGCTL_USER: user}))
  /** orgctl directly on the database, as `user`. */
  const onDb = (url: string, user: string | undefined, ...args: string[]) =>
    runBin(args, env({ORGCTL_DATABASE_URL: url, ORGCTL_USER: user}))
  const database = async (options: {migrated?: boolean} = {}) => {
    const db = await createTestDatabase(options)
    databases.push(db)
    return db
  }
  const serve = async (url: string) => {
    const server = await startDatabaseServer(url, env())
    servers.push(server)
    return server
  }
  const overApi = (server: Server, token: string, ...args: string[]) =>
    runBin(args, env({ORGCTL_API_URL: server.url, ORGCTL_API_KEY: token}))

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'orgctl-operator-'))
  })
  afterAll(async () => {
    await Promise.allSettled(servers.map(stopServer))
    await Promise.allSettled(databases.map((db) => db.drop()))
    rmSync(dir, {recursive: true, force: true})
  })

  it('bootstraps the first org and token with ORGCTL_DATABASE_URL + ORGCTL_USER; the token works on orgctl serve there', async () => {
    const {url} = await database()
    expectOk(await onDb(url, BOSS, 'orgs:create', 'acme'))
    const minted = expectOk(await onDb(url, BOSS, 'authorizations:create', '--short'))
    const token = minted.stdout.trim()
    expect(token, show(minted)).toMatch(/^\S+$/)
    const server = await serve(url)
    expect(expectOk(await overApi(server, token, 'whoami')).stdout.trim()).toBe(BOSS)
    const orgs = expectOk(await overApi(server, token, 'orgs', '--json')).json()
    expect(orgs.map((o: any) => [o.name, o.role])).toEqual([['acme', 'admin']])
    expectError(await overApi(server, 'orgctl_not-a-token', 'orgs'), 4, /Invalid credentials/)
  })

  it('db:migrate applies the schema once; a second run says it is up to date', async () => {
    const {url} = await database({migrated: false})
    const first = expectOk(await onDb(url, undefined, 'db:migrate'))
    expect(first.stdout, show(first)).toMatch(/^Applied \S+/m)
    const second = expectOk(await onDb(url, undefined, 'db:migrate'))
    expect(second.stdout, show(second)).toMatch(/^Up to date at version \S+\n$/)
    const json = expectOk(await onDb(url, undefined, 'db:migrate', '--json')).json()
    expect(json.applied).toEqual([])
  })

  // The db:* commands are not in it: they work on the database alone, and name any file as an argument.
  it('ORGCTL_DATABASE_URL together with ORGCTL_STORE is a usage error (exit 2, one line), for reads, changes and serve', async () => {
    const {url} = await database()
    const file = join(dir, 'both.json')
    const both = (...args: string[]) => runBin(args, env({ORGCTL_DATABASE_URL: url, ORGCTL_STORE: file, ORGCTL_USER: BOSS}))
    for (const args of [['orgs'], ['orgs', '--json'], ['orgs:create', 'acme'], ['authorizations:create'], ['serve', '--port', '0']]) {
      const line = expectError(await both(...args), 2, /ORGCTL_STORE/, args.join(' '))
      expect(line).toMatch(/ORGCTL_DATABASE_URL/)
    }
    expectError(await runBin(['serve', '--port', '0', '--database-url', url], env({ORGCTL_STORE: file})), 2, /--database-url/)
    expect(existsSync(file)).toBe(false)
    expect(expectOk(await onDb(url, BOSS, 'orgs', '--json')).json()).toEqual([])
  })

  describe('moving a team: db:import and db:export', () => {
    let file: string
    let fileToken: string
    /** Every read command, as each kind of person, with --json. */
    const READS: [string, string[]][] = [
      [BOSS, ['orgs']],
      [BOSS, ['orgs:info', '--org', ORG]],
      [BOSS, ['orgs:usage', '--org', ORG, '--history']],
      [BOSS, ['orgs:billing', '--org', ORG]],
      [BOSS, ['members', '--org', ORG]],
      [BOSS, ['apps']],
      [BOSS, ['apps', '--org', ORG]],
      [BOSS, ['apps:info', '--app', 'acme-api']],
      [BOSS, ['apps:info', '--app', 'boss-solo']],
      [BOSS, ['access', '--app', 'acme-api']],
      [BOSS, ['ps', '--app', 'acme-api']],
      [BOSS, ['transfers']],
      [BOSS, ['authorizations']],
      [DEV, ['orgs']],
      [DEV, ['apps']],
      [DEV, ['transfers']],
      [DEV, ['authorizations']],
      [DEV, ['access', '--app', 'acme-web']],
      [EXT, ['apps']],
      [EXT, ['apps:info', '--app', 'acme-api']],
      [OPS, ['members', '--org', ORG]],
      // The audit log travels too: the org's, and the events of no org (tokens), directly on each storage.
      [BOSS, ['audit', '--org', ORG]],
      [OPS, ['audit', '--org', ORG, '--action', 'team-member.*']],
      [BOSS, ['audit']],
    ]
    /** The answers of every read, on one storage. */
    const answers = async (run: (user: string, ...args: string[]) => Promise<RunResult>) => {
      const out: string[] = []
      for (const [user, args] of READS) {
        const result = await run(user, ...args, '--json')
        out.push(`${user} ${args.join(' ')} → exit ${result.code}\n${result.stdout}${result.stderr}`)
      }
      return out
    }

    /** Everything in the database (db:export's file, without its revision and layout). */
    const content = async (url: string, name: string) => {
      const out = join(dir, `${name}.json`)
      expectOk(await onDb(url, undefined, 'db:export', out, '--force'))
      const {revision: _revision, layout: _layout, ...rest} = JSON.parse(readFileSync(out, 'utf8'))
      return rest
    }

    beforeAll(async () => {
      file = join(dir, 'team.json')
      const boss = (...args: string[]) => onFile(file, BOSS, ...args)
      expectOk(await boss('orgs:create', ORG))
      expectOk(await boss('members:add', DEV, '--org', ORG))
      expectOk(await boss('members:add', OPS, '--org', ORG, '--role', 'admin'))
      expectOk(await boss('create', 'acme-api', '--org', ORG))
      expectOk(await boss('create', 'acme-web', '--org', ORG))
      expectOk(await boss('create', 'boss-solo'))
      expectOk(await boss('access:add', EXT, '--app', 'acme-api', '--permissions', 'deploy'))
      expectOk(await onFile(file, DEV, 'apps:join', '--app', 'acme-web'))
      expectOk(await boss('ps:scale', 'web=2', 'worker=1:standard-2x', '--app', 'acme-api'))
      expectOk(await boss('apps:lock', '--app', 'acme-web'))
      const sent = expectOk(await boss('apps:transfer', DEV, '--app', 'boss-solo', '--json')).json()
      expect(sent.transfer.state).toBe('pending')
      fileToken = expectOk(await boss('authorizations:create', '--short')).stdout.trim()
      expectOk(await onFile(file, DEV, 'authorizations:create', '--description', 'ci'))
    })

    it('db:import copies the file into an empty database (migrating it first): every read answers the same, the file’s token works', async () => {
      const {url} = await database({migrated: false})
      const fileBefore = readFileSync(file)
      const imported = expectOk(await onDb(url, undefined, 'db:import', file))
      expect(imported.stdout, show(imported)).toMatch(
        /^Imported 1 orgs, 3 memberships, 3 apps, \d+ collaborators, 1 transfers and 2 tokens\n$/,
      )
      expect(readFileSync(file).equals(fileBefore), 'db:import only reads the file').toBe(true)
      expect(await answers((user, ...args) => onDb(url, user, ...args))).toEqual(
        await answers((user, ...args) => onFile(file, user, ...args)),
      )
      const server = await serve(url)
      expect(expectOk(await overApi(server, fileToken, 'whoami')).stdout.trim()).toBe(BOSS)
      expect(expectOk(await overApi(server, fileToken, 'members', '--org', ORG, '--json')).stdout).toBe(
        expectOk(await onFile(file, BOSS, 'members', '--org', ORG, '--json')).stdout,
      )
    })

    it('db:import into a database that holds data: exit 5 naming --replace, nothing changed; with --replace, replaced', async () => {
      const {url} = await database()
      expectOk(await onDb(url, undefined, 'db:import', file))
      const other = join(dir, 'other.json')
      expectOk(await onFile(other, 'other@else.test', 'orgs:create', 'other-org'))
      const before = await content(url, 'before-refusal')
      const fromFile = await answers((user, ...args) => onFile(file, user, ...args))

      for (const again of [file, other]) {
        expectError(await onDb(url, undefined, 'db:import', again), 5, /--replace/, again)
        const refusedJson = await onDb(url, undefined, 'db:import', again, '--json')
        expect(refusedJson.json().id, show(refusedJson)).toBe('conflict')
      }
      expect(await content(url, 'after-refusal')).toEqual(before)
      expect(await answers((user, ...args) => onDb(url, user, ...args))).toEqual(fromFile)

      const replaced = expectOk(await onDb(url, undefined, 'db:import', other, '--replace'))
      expect(replaced.stdout).toMatch(/^Imported 1 orgs, 1 memberships, 0 apps/)
      expect(expectOk(await onDb(url, 'other@else.test', 'orgs', '--json')).stdout).toBe(
        expectOk(await onFile(other, 'other@else.test', 'orgs', '--json')).stdout,
      )
      expect(expectOk(await onDb(url, BOSS, 'orgs', '--json')).json()).toEqual([])
      expectError(await onDb(url, BOSS, 'members', '--org', ORG), 3)
    })

    it('db:export writes the database as a store file that answers the same (file → database → file); an existing file needs --force', async () => {
      const {url} = await database()
      expectOk(await onDb(url, undefined, 'db:import', file))
      const out = join(dir, 'exported.json')
      const exported = expectOk(await onDb(url, undefined, 'db:export', out))
      expect(exported.stdout).toBe(`Exported 1 orgs, 3 apps and 2 tokens to ${out}\n`)
      const fromFile = await answers((user, ...args) => onFile(file, user, ...args))
      expect(await answers((user, ...args) => onFile(out, user, ...args))).toEqual(
        await answers((user, ...args) => onDb(url, user, ...args)),
      )
      expect(await answers((user, ...args) => onFile(out, user, ...args))).toEqual(fromFile)

      const existing = join(dir, 'existing.json')
      writeFileSync(existing, 'precious')
      const refused = await onDb(url, undefined, 'db:export', existing)
      expectError(refused, 2, /--force/)
      expect(readFileSync(existing, 'utf8')).toBe('precious')
      expectOk(await onDb(url, undefined, 'db:export', existing, '--force'))
      expect(await answers((user, ...args) => onFile(existing, user, ...args))).toEqual(fromFile)
    })
    it('db:export of an empty database writes an empty store that the file commands use', async () => {
      const {url} = await database()
      const out = join(dir, 'empty-export.json')
      expect(expectOk(await onDb(url, undefined, 'db:export', out)).stdout).toBe(`Exported 0 orgs, 0 apps and 0 tokens to ${out}\n`)
      expect(expectOk(await onFile(out, BOSS, 'orgs', '--json')).json()).toEqual([])
      expectOk(await onFile(out, BOSS, 'orgs:create', 'fresh-org'))
      expect(expectOk(await onFile(out, BOSS, 'orgs', '--json')).json()).toHaveLength(1)
    })

    it('audit:prune runs directly on the database and records itself; the org keeps only what is newer', async () => {
      const {url} = await database()
      expectOk(await onDb(url, undefined, 'db:import', file))
      const events = expectOk(await onDb(url, BOSS, 'audit', '--org', ORG, '--json')).json()
      const tokens = expectOk(await onDb(url, BOSS, 'audit', '--json')).json()
      const pruned = expectOk(await onDb(url, BOSS, 'audit:prune', '--before', '2999-01-01', '--json')).json()
      expect(pruned).toEqual({before: '2999-01-01T00:00:00.000Z', removed: events.length + tokens.length})
      expect(expectOk(await onDb(url, BOSS, 'audit', '--org', ORG, '--json')).json()).toEqual([])
      expect(
        expectOk(await onDb(url, BOSS, 'audit', '--json'))
          .json()
          .map((e: any) => [e.action, e.actor.email]),
      ).toEqual([['audit.prune', BOSS]])
    })
  })

  describe('a database URL with a password', () => {
    /** Every line, of every stream, of every run: none may show the password (nor its %-encoded form). */
    const expectNoSecret = (result: {stdout: string; stderr: string}, secret: string, label: string) => {
      for (const text of [result.stdout, result.stderr]) {
        expect(text, label).not.toContain(secret)
        expect(text, label).not.toContain(encodeURIComponent(secret))
      }
    }

    it.skipIf(!THROWAWAY)('never shows it, when every command succeeds, nor when one is refused for a privilege', async () => {
      const db = await database()
      await withClient(db.url, async (client) => {
        for (const grant of ['ALL ON ALL TABLES IN SCHEMA public', 'ALL ON ALL SEQUENCES IN SCHEMA public']) {
          await client.query(`GRANT ${grant} TO ${PASSWORD_ROLE}`)
        }
      })
      const url = withDatabase(db.url, db.name, {user: PASSWORD_ROLE, password: SECRET})
      const file = join(dir, 'secret-export.json')
      const runs: [string, RunResult][] = []
      const run = async (label: string, result: Promise<RunResult>) => {
        const done = expectOk(await result, label)
        runs.push([label, done])
        return done
      }
      await run('migrate', onDb(url, undefined, 'db:migrate'))
      await run('migrate --json', onDb(url, undefined, 'db:migrate', '--json'))
      await run('orgs:create', onDb(url, BOSS, 'orgs:create', 'acme'))
      await run('orgs', onDb(url, BOSS, 'orgs', '--json'))
      await run('export', onDb(url, undefined, 'db:export', file))
      await run('export --json', onDb(url, undefined, 'db:export', file, '--force', '--json'))
      // A role granted the tables (not their owner) replaces a database's data.
      await run('import --replace', onDb(url, undefined, 'db:import', file, '--replace'))
      await run('import --replace --json', runBin(['db:import', file, '--replace', '--json', '--database-url', url], env()))
      expect(
        expectOk(await onDb(url, BOSS, 'orgs', '--json'))
          .json()
          .map((o: any) => o.name),
      ).toEqual(['acme'])
      for (const [label, result] of runs) expectNoSecret(result, SECRET, label)
      // The server's own start-up line names the database, without the password.
      const line = await serverStartLine(url, env())
      expect(line).toMatch(new RegExp(`listening on http://127\\.0\\.0\\.1:\\d+ \\(database: .*${db.name}`))
      expect(line).not.toContain(SECRET)

      // Refused: migrating a database it may not create tables in; importing into one that holds data; a usage error.
      const empty = await database({migrated: false})
      const emptyUrl = withDatabase(empty.url, empty.name, {user: PASSWORD_ROLE, password: SECRET})
      const refusals: [string, RunResult, number][] = [
        ['migrate without CREATE', await onDb(emptyUrl, undefined, 'db:migrate'), 7],
        ['import without --replace', await onDb(url, undefined, 'db:import', file), 5],
        ['import of no file', await onDb(url, undefined, 'db:import', join(dir, 'no-such.json')), 2],
        ['export onto a file', await onDb(url, undefined, 'db:export', file), 2],
      ]
      for (const [label, result, code] of refusals) {
        expectError(result, code, undefined, label)
        expectNoSecret(result, SECRET, label)
      }
      expect(refusals[0]![1].stderr).toMatch(new RegExp(`${empty.name}.*privilege`))
    })

    it.skipIf(!THROWAWAY)('never shows it on a refused login: exit 7, one line naming host and database', async () => {
      const db = await database()
      const url = withDatabase(db.url, db.name, {user: PASSWORD_ROLE, password: 'wrong-Secret-42'})
      const file = join(dir, 'refused-login-source.json')
      expectOk(await onFile(file, BOSS, 'orgs:create', 'acme'))
      for (const args of [['orgs'], ['orgs:create', 'acme'], ['db:migrate'], ['db:export', join(dir, 'never.json')], ['db:import', file]]) {
        const result = await onDb(url, BOSS, ...args)
        const line = expectError(result, 7, new RegExp(db.name), args.join(' '))
        expect(line).toMatch(/password|authentication|login/i)
        expectNoSecret(result, 'wrong-Secret-42', args.join(' '))
      }
      expect(existsSync(join(dir, 'never.json'))).toBe(false)
      const served = await runBin(['serve', '--port', '0', '--database-url', url], env())
      expectError(served, 7, new RegExp(db.name), 'serve')
      expectNoSecret(served, 'wrong-Secret-42', 'serve')
    })

    it('never shows it for an unreachable host: exit 7, one line naming host and database', async () => {
      const url = 'postgres://u:secret@127.0.0.1:1/db'
      const file = join(dir, 'unreachable-source.json')
      expectOk(await onFile(file, BOSS, 'orgs:create', 'acme'))
      const cases: [string, Promise<RunResult>][] = [
        ['orgs', onDb(url, BOSS, 'orgs')],
        ['orgs --json', onDb(url, BOSS, 'orgs', '--json')],
        ['orgs:create', onDb(url, BOSS, 'orgs:create', 'acme')],
        ['db:migrate', onDb(url, undefined, 'db:migrate')],
        ['db:import', onDb(url, undefined, 'db:import', file)],
        ['db:export', onDb(url, undefined, 'db:export', join(dir, 'unreachable.json'))],
        ['--database-url', runBin(['db:migrate', '--database-url', url], env())],
        ['serve', runBin(['serve', '--port', '0', '--database-url', url], env())],
        ['DEBUG=1', runBin(['orgs'], env({ORGCTL_DATABASE_URL: url, ORGCTL_USER: BOSS, DEBUG: '1'}))],
      ]
      for (const [label, pending] of cases) {
        const result = await pending
        expectNoSecret(result, 'secret', label)
        if (label === 'DEBUG=1') {
          expect(result.code, show(result, label)).toBe(7)
          continue
        }
        const line = expectError(result, 7, /127\.0\.0\.1:1/, label)
        expect(line, label).toMatch(/\bdb\b/)
        if (label === 'orgs --json') expect(result.json().id).toBe('store_error')
      }
      expect(existsSync(join(dir, 'unreachable.json'))).toBe(false)
    })
  })
})

/** `orgctl serve` on the URL: its first line on stderr, then stopped. */
function serverStartLine(url: string, env: Env): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, 'serve', '--database-url', url, '--port', '0', '--host', '127.0.0.1'], {
      env: env as NodeJS.ProcessEnv,
      stdio: ['ignore', 'ignore', 'pipe'],
    })
    let stderr = ''
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk
      if (stderr.includes('\n')) {
        child.kill('SIGTERM')
        resolve(lines(stderr)[0]!)
      }
    })
    child.on('exit', (code) => reject(new Error(`orgctl serve exited (${code}): ${stderr}`)))
  })
}
