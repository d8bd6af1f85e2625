/**
 * Runs the built CLI (bin/run.js) as a user would, against a temp store and
 * config: never the real home directory.
 *
 * With ORGCTL_TEST_BACKEND=http the same tests go through a real `orgctl serve`
 * (started on an ephemeral loopback port for each store) and the HTTP backend:
 * each user gets an API token minted into the store, and the CLI is pointed at
 * the server with ORGCTL_API_URL and ORGCTL_API_KEY.
 *
 * With ORGCTL_TEST_BACKEND=postgres the CLI goes over HTTP the same way, to
 * `orgctl serve --database-url` on a PostgreSQL database of the sandbox's own
 * (test/helpers/postgres.ts; dropped at cleanup), tokens minted into it in-process.
 * The store path then names the database: `syncStore(path)` writes the database
 * out to that path as a store file (what the tests read and compare), and a run on
 * another store path (a private copy) imports that file into a slot database,
 * serves it, and writes the result back to the file.
 */
import {type ChildProcess, spawn} from 'node:child_process'
import {copyFileSync, existsSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join, resolve} from 'node:path'

import {createAuthorization, hashToken} from '../../src/lib/domain/tokens.js'
import {JsonStore} from '../../src/lib/storage/json/json-store.js'
import type {PostgresStorage} from '../../src/lib/storage/postgres/pg-storage.js'
import type {TestDatabase} from './postgres.js'
import {txCtx} from './tx-ctx.js'

export const BIN = resolve(import.meta.dirname, '../../bin/run.js')
const CHOSEN = process.env.ORGCTL_TEST_BACKEND
export const BACKEND: 'local' | 'http' | 'postgres' = CHOSEN === 'http' || CHOSEN === 'postgres' ? CHOSEN : 'local'
/** The CLI goes through a real `orgctl serve` (on the store file, or on PostgreSQL). */
export const HTTP = BACKEND !== 'local'
/** That server serves a PostgreSQL database: tests about the JSON file itself skip. */
export const PG = BACKEND === 'postgres'
const CODE_CACHE = join(tmpdir(), 'orgctl-test-code-cache')

export interface RunResult {
  code: number
  stdout: string
  stderr: string
  /** stdout parsed as JSON (throws if it is not exactly one JSON document). */
  json<T = any>(): T
}

type Env = Record<string, string | undefined>

export interface Sandbox {
  dir: string
  /** The store file; in postgres mode the path the sandbox's database is written out to (syncStore). */
  store: string
  configDir: string
  /** Runs orgctl as `user` (ORGCTL_USER, or that user's API token). */
  run(user: string | undefined, args: string[], options?: {env?: Env; input?: string}): Promise<RunResult>
  /** A runner bound to one user. */
  as(user: string): (...args: string[]) => Promise<RunResult>
  /** A new `orgctl serve` on the sandbox's store (its database in postgres mode), for the caller to stop. */
  serve(env: Env): Promise<Server>
  /** An API token for the user, minted into the sandbox's store (its database in postgres mode). */
  mint(user: string, description: string): Promise<string>
  /** Runs orgctl directly on the sandbox's storage (its file, or its database in postgres mode), never over the API: the operators:* commands. */
  onStorage(args: string[], env?: Env): Promise<RunResult>
  /** Stops its servers and removes its files (and drops its databases: wait for that). */
  cleanup(): Promise<void>
}

export function runBin(args: string[], env: Env, input?: string): Promise<RunResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {env: env as NodeJS.ProcessEnv, stdio: ['pipe', 'pipe', 'pipe']})
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk))
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
    child.on('error', reject)
    child.on('close', (code) => resolvePromise({code: code ?? -1, stdout, stderr, json: () => JSON.parse(stdout)}))
    child.stdin.end(input ?? '')
  })
}

/** A running `orgctl serve` for one store or database. */
export interface Server {
  url: string
  child: ChildProcess
}

/** Every server a test started and has not stopped: killed when the test process ends, whatever happens. */
const running = new Set<ChildProcess>()
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL')
})

/** orgctl serve refuses a store that does not exist: a test's server starts on an empty one. */
const EMPTY_STORE = JSON.stringify({schemaVersion: 3, users: [], orgs: [], histories: [], apps: [], transfers: [], tokens: []})

function spawnServer(args: string[], env: Env): Promise<Server> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [BIN, 'serve', ...args, '--port', '0', '--host', '127.0.0.1'], {
      env: env as NodeJS.ProcessEnv,
      stdio: ['ignore', 'ignore', 'pipe'],
    })
    running.add(child)
    child.once('exit', () => running.delete(child))
    let stderr = ''
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk
      const match = /listening on (http:\/\/\S+)/.exec(stderr)
      if (match) resolvePromise({url: match[1]!, child})
    })
    child.on('exit', (code) => reject(new Error(`orgctl serve exited (${code}) before listening: ${stderr}`)))
  })
}

/** `orgctl serve` on the store file (created empty when missing), with any further flags of serve. */
export function startServer(store: string, env: Env, args: string[] = []): Promise<Server> {
  if (!existsSync(store)) writeFileSync(store, EMPTY_STORE, {mode: 0o600})
  return spawnServer(args, {...env, ORGCTL_STORE: store})
}

/** `orgctl serve --database-url`: serve refuses ORGCTL_STORE beside a database, so it is left out. */
export function startDatabaseServer(url: string, env: Env): Promise<Server> {
  const {ORGCTL_STORE: _store, ...rest} = env
  return spawnServer(['--database-url', url], rest)
}

export function stopServer(server: Server): Promise<void> {
  return new Promise((resolvePromise) => {
    if (server.child.exitCode !== null) return resolvePromise()
    server.child.once('exit', () => resolvePromise())
    server.child.kill('SIGTERM')
  })
}

const tokens = new Map<string, string>()

/** A token for the user that is valid in this store file (minted into it when missing). */
async function tokenFor(store: string, user: string): Promise<string> {
  const key = `${store}\n${user}`
  const cached = tokens.get(key)
  if (cached && existsSync(store) && readFileSync(store, 'utf8').includes(hashToken(cached))) return cached
  try {
    const token = await mintInFile(store, user, 'e2e')
    tokens.set(key, token)
    return token
  } catch {
    // A store that cannot be written (corrupt, on purpose): the server will say so for any token.
    return 'orgctl_no-token-for-a-broken-store'
  }
}

const mintInFile = (store: string, user: string, description: string) =>
  new JsonStore(store).update(async (state) => (await createAuthorization(txCtx(state, user), description)).token)

/** Replaces a file by a copy of another through a rename, as a commit would (a new inode). */
function replaceFile(from: string, to: string): void {
  copyFileSync(from, `${to}.incoming`)
  renameSync(`${to}.incoming`, to)
}

/** What a server serves, in either mode: a store file, or a database. */
interface Place {
  /** Its one long-lived server, started on first use. */
  server(): Promise<Server>
  /** A token valid in it for the user. */
  token(user: string): Promise<string>
  /** Its data replaced by that store file's (none: empty). */
  load(from: string): Promise<void>
  /** Its data written out to that store file. */
  save(to: string): Promise<void>
  stop(): Promise<void>
}

class FilePlace implements Place {
  private started?: Promise<Server>
  constructor(
    readonly store: string,
    private readonly env: () => Env,
  ) {}

  server = () => (this.started ??= startServer(this.store, this.env()))
  token = (user: string) => tokenFor(this.store, user)
  async load(from: string): Promise<void> {
    if (existsSync(from)) replaceFile(from, this.store)
    else rmSync(this.store, {force: true})
  }

  async save(to: string): Promise<void> {
    if (existsSync(this.store)) replaceFile(this.store, to)
  }

  async stop(): Promise<void> {
    await this.started?.then(stopServer, () => undefined)
  }
}

/** A database of the sandbox's own, created on first use; its storage opened in-process for tokens and copies. */
class DatabasePlace implements Place {
  private opened?: Promise<{db: TestDatabase; storage: PostgresStorage}>
  private started?: Promise<Server>
  private readonly tokens = new Map<string, string>()
  constructor(private readonly env: () => Env) {}

  private open() {
    return (this.opened ??= (async () => {
      const {createTestDatabase} = await import('./postgres.js')
      const {PostgresStorage} = await import('../../src/lib/storage/postgres/pg-storage.js')
      const db = await createTestDatabase()
      try {
        return {db, storage: await PostgresStorage.open(db.url, {maxConnections: 2})}
      } catch (error) {
        await db.drop().catch(() => undefined)
        throw error
      }
    })())
  }

  async url(): Promise<string> {
    return (await this.open()).db.url
  }

  async server(): Promise<Server> {
    const url = await this.url()
    return (this.started ??= startDatabaseServer(url, this.env()))
  }

  async mint(user: string, description: string): Promise<string> {
    const {storage} = await this.open()
    const {LocalBackend} = await import('../../src/lib/backend/local-backend.js')
    return (await new LocalBackend(storage, user).createAuthorization(description)).access_token!.token
  }

  async token(user: string): Promise<string> {
    const {storage} = await this.open()
    const cached = this.tokens.get(user)
    if (cached && (await storage.read((tx) => tx.tokens.byHash(hashToken(cached))))) return cached
    const token = await this.mint(user, 'e2e')
    this.tokens.set(user, token)
    return token
  }

  /** importState with replace: versions above the replaced data's, so the running server's cache never answers stale. */
  async load(from: string): Promise<void> {
    const {storage} = await this.open()
    const {readStoreFile} = await import('../../src/lib/storage/copy.js')
    const {emptyState} = await import('../../src/lib/storage/memory/state.js')
    await storage.importState(existsSync(from) ? await readStoreFile(from) : emptyState(), {replace: true})
  }

  /** Nothing when the database was never used (as a store file that was never written). */
  async save(to: string): Promise<void> {
    if (!this.opened) return
    const {storage} = await this.open()
    const {writeStoreFile} = await import('../../src/lib/storage/copy.js')
    await writeStoreFile(to, await storage.exportState(), {force: true})
  }

  async stop(): Promise<void> {
    await this.started?.then(stopServer, () => undefined)
    const opened = await this.opened?.catch(() => undefined)
    if (!opened) return
    await opened.storage.close().catch(() => undefined)
    await opened.db.drop()
  }
}

/**
 * Servers for runs on private store copies: each slot is a long-lived server on a
 * place of its own; a run loads its copy into a free slot, runs, and saves it back.
 */
class Slots {
  private readonly free: number[] = []
  private readonly waiting: ((slot: number) => void)[] = []
  private readonly places = new Map<number, Place>()

  constructor(
    private readonly make: (slot: number) => Place,
    count: number,
  ) {
    for (let i = 0; i < count; i++) this.free.push(i)
  }

  async run<T>(copy: string, work: (place: Place) => Promise<T>): Promise<T> {
    const slot = this.free.shift() ?? (await new Promise<number>((resolveSlot) => this.waiting.push(resolveSlot)))
    try {
      let place = this.places.get(slot)
      if (!place) {
        place = this.make(slot)
        this.places.set(slot, place)
      }
      await place.load(copy)
      const result = await work(place)
      await place.save(copy)
      return result
    } finally {
      const next = this.waiting.shift()
      if (next) next(slot)
      else this.free.push(slot)
    }
  }

  stop(): Promise<unknown> {
    return Promise.allSettled([...this.places.values()].map((place) => place.stop()))
  }
}

/** The sandbox databases by store path, for syncStore. */
const databases = new Map<string, DatabasePlace>()

/**
 * In postgres mode, writes the sandbox database behind this store path out to the path (a store
 * file, as db:export writes it), so it can be read and compared as the file is; elsewhere nothing.
 */
export async function syncStore(path: string): Promise<void> {
  await databases.get(path)?.save(path)
}

/** A fresh store and config directory under the system temp folder. */
export function sandbox(): Sandbox {
  const dir = mkdtempSync(join(tmpdir(), 'orgctl-test-'))
  const store = join(dir, 'store.json')
  const configDir = join(dir, 'config')
  const baseEnv = (): Env => ({
    PATH: process.env.PATH,
    HOME: join(dir, 'home'),
    XDG_DATA_HOME: join(dir, 'data'),
    XDG_CONFIG_HOME: join(dir, 'xdg-config'),
    ORGCTL_STORE: store,
    ORGCTL_CONFIG_DIR: configDir,
    // One V8 code cache for every test run, outside any sandbox's home.
    ORGCTL_CACHE_DIR: CODE_CACHE,
    NO_COLOR: '1',
  })
  const database = PG ? new DatabasePlace(baseEnv) : undefined
  if (database) databases.set(store, database)
  const main: Place = database ?? new FilePlace(store, baseEnv)
  const slots = new Slots((slot) => (PG ? new DatabasePlace(baseEnv) : new FilePlace(join(dir, `slot-${slot}.json`), baseEnv)), 4)

  const runHttp = async (user: string | undefined, args: string[], env: Env, input?: string): Promise<RunResult> => {
    const target = env.ORGCTL_STORE ?? store
    const runAt = async (place: Place) => {
      const auth = user ? {ORGCTL_API_KEY: await place.token(user)} : {}
      const served = place instanceof FilePlace ? place.store : target
      return runBin(args, {...baseEnv(), ...env, ORGCTL_STORE: served, ORGCTL_API_URL: (await place.server()).url, ...auth}, input)
    }
    if (target === store) return runAt(main)
    return slots.run(target, runAt)
  }

  const box: Sandbox = {
    dir,
    store,
    configDir,
    run: (user, args, options = {}) =>
      HTTP
        ? runHttp(user, args, options.env ?? {}, options.input)
        : runBin(args, {...baseEnv(), ...(user ? {ORGCTL_USER: user} : {}), ...options.env}, options.input),
    as:
      (user) =>
      (...args) =>
        box.run(user, args),
    serve: async (env) => (database ? startDatabaseServer(await database.url(), env) : startServer(store, env)),
    mint: (user, description) => (database ? database.mint(user, description) : mintInFile(store, user, description)),
    onStorage: async (args, env = {}) =>
      runBin(
        args,
        database ? {...baseEnv(), ORGCTL_STORE: undefined, ORGCTL_DATABASE_URL: await database.url(), ...env} : {...baseEnv(), ...env},
      ),
    cleanup: () => {
      const stopped = Promise.allSettled([main.stop(), slots.stop()])
      rmSync(dir, {recursive: true, force: true})
      databases.delete(store)
      return stopped.then(() => undefined)
    },
  }
  return box
}
