/**
 * Runs the built CLI (bin/run.js) as a user would, against a temp store and
 * config: never the real home directory.
 *
 * With ORGCTL_TEST_BACKEND=http the same tests go through a real `orgctl serve`
 * (started on an ephemeral loopback port for each store) and the HTTP backend:
 * each user gets an API token minted into the store, and the CLI is pointed at
 * the server with ORGCTL_API_URL and ORGCTL_API_KEY.
 */
import {type ChildProcess, spawn} from 'node:child_process'
import {copyFileSync, existsSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join, resolve} from 'node:path'

import {createAuthorization, hashToken} from '../../src/lib/domain/tokens.js'
import {JsonStore} from '../../src/lib/storage/json/json-store.js'
import {txCtx} from './tx-ctx.js'

export const BIN = resolve(import.meta.dirname, '../../bin/run.js')
export const BACKEND: 'local' | 'http' = process.env.ORGCTL_TEST_BACKEND === 'http' ? 'http' : 'local'
export const HTTP = BACKEND === 'http'
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
  store: string
  configDir: string
  /** Runs orgctl as `user` (ORGCTL_USER, or that user's API token). */
  run(user: string | undefined, args: string[], options?: {env?: Env; input?: string}): Promise<RunResult>
  /** A runner bound to one user. */
  as(user: string): (...args: string[]) => Promise<RunResult>
  cleanup(): void
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

/** A running `orgctl serve` for one store. */
interface Server {
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

export function startServer(store: string, env: Env): Promise<Server> {
  if (!existsSync(store)) writeFileSync(store, EMPTY_STORE, {mode: 0o600})
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [BIN, 'serve', '--port', '0', '--host', '127.0.0.1'], {
      env: {...env, ORGCTL_STORE: store} as NodeJS.ProcessEnv,
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
    const token = await new JsonStore(store).update(async (state) => (await createAuthorization(txCtx(state, user), 'e2e')).token)
    tokens.set(key, token)
    return token
  } catch {
    // A store that cannot be written (corrupt, on purpose): the server will say so for any token.
    return 'orgctl_no-token-for-a-broken-store'
  }
}

/** Replaces a file by a copy of another through a rename, as a commit would (a new inode). */
function replaceFile(from: string, to: string): void {
  copyFileSync(from, `${to}.incoming`)
  renameSync(`${to}.incoming`, to)
}

/**
 * Servers for runs on private store copies: each slot is a long-lived server on a
 * store file of its own; a run moves its copy into a free slot, runs, and moves it back.
 */
class Slots {
  private readonly free: number[] = []
  private readonly waiting: ((slot: number) => void)[] = []
  private readonly servers = new Map<number, Promise<Server>>()

  constructor(
    private readonly dir: string,
    private readonly env: () => Env,
    count: number,
  ) {
    for (let i = 0; i < count; i++) this.free.push(i)
  }

  async run<T>(copy: string, work: (server: Server, store: string) => Promise<T>): Promise<T> {
    const slot = this.free.shift() ?? (await new Promise<number>((resolveSlot) => this.waiting.push(resolveSlot)))
    const store = join(this.dir, `slot-${slot}.json`)
    try {
      if (existsSync(copy)) replaceFile(copy, store)
      else rmSync(store, {force: true})
      let server = this.servers.get(slot)
      if (!server) {
        server = startServer(store, this.env())
        this.servers.set(slot, server)
      }
      const result = await work(await server, store)
      if (existsSync(store)) replaceFile(store, copy)
      return result
    } finally {
      const next = this.waiting.shift()
      if (next) next(slot)
      else this.free.push(slot)
    }
  }

  stop(): void {
    for (const server of this.servers.values()) void server.then(stopServer, () => undefined)
  }
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
  let server: Promise<Server> | undefined
  const slots = new Slots(dir, baseEnv, 4)

  const runHttp = async (user: string | undefined, args: string[], env: Env, input?: string): Promise<RunResult> => {
    const target = env.ORGCTL_STORE ?? store
    const runAt = async (url: string, served: string) => {
      const auth = user ? {ORGCTL_API_KEY: await tokenFor(served, user)} : {}
      return runBin(args, {...baseEnv(), ...env, ORGCTL_STORE: served, ORGCTL_API_URL: url, ...auth}, input)
    }
    if (target === store) return runAt((await (server ??= startServer(store, baseEnv()))).url, store)
    return slots.run(target, (slotServer, served) => runAt(slotServer.url, served))
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
    cleanup: () => {
      if (server) void server.then(stopServer, () => undefined)
      slots.stop()
      rmSync(dir, {recursive: true, force: true})
    },
  }
  return box
}
