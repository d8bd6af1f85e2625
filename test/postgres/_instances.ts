/**
 * Real `orgctl serve` processes on a PostgreSQL database, for the multi-instance and fault tests: the
 * built binary, a sandboxed env (never the home directory; no ORGCTL_STORE, which a database URL
 * refuses), the listening URL read from stderr; and a small fetch client for their API.
 */
import {type ChildProcess, spawn} from 'node:child_process'

import {LocalBackend} from '../../src/lib/backend/local-backend.js'
import {DEFAULT_LIMITS} from '../../src/lib/domain/validation.js'
import type {Limits} from '../../src/lib/domain/types.js'
import {PostgresStorage} from '../../src/lib/storage/postgres/pg-storage.js'
import {BIN} from '../helpers/cli.js'
import {cliEnv} from './_env.js'

export interface Instance {
  url: string
  child: ChildProcess
  /** All stderr so far. */
  stderr(): string
  /** Resolves with the exit code (or the signal's name) when the process ends. */
  exited: Promise<number | string>
}

const running = new Set<ChildProcess>()
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL')
})

/** The env a CLI run on the database (or serve) gets: sandboxed, no ORGCTL_STORE. */
export function dbEnv(extra: Record<string, string | undefined> = {}): Record<string, string | undefined> {
  return {...cliEnv(), ORGCTL_STORE: undefined, ...extra}
}

/** Spawns `orgctl serve --database-url URL --port 0 --host 127.0.0.1 ...args`; resolves once it listens. */
export function serve(databaseUrl: string, args: string[] = [], env: Record<string, string | undefined> = {}): Promise<Instance> {
  const child = spawn(process.execPath, [BIN, 'serve', '--database-url', databaseUrl, '--port', '0', '--host', '127.0.0.1', ...args], {
    env: dbEnv(env) as NodeJS.ProcessEnv,
    stdio: ['ignore', 'ignore', 'pipe'],
  })
  running.add(child)
  let stderr = ''
  const exited = new Promise<number | string>((resolve) =>
    child.once('exit', (code, signal) => {
      running.delete(child)
      resolve(code ?? signal ?? -1)
    }),
  )
  return new Promise((resolve, reject) => {
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
      const before = stderr
      stderr += chunk
      const match = /listening on (http:\/\/\S+)/.exec(stderr)
      if (match && !/listening on/.test(before)) resolve({url: match[1]!, child, stderr: () => stderr, exited})
    })
    void exited.then((code) => reject(new Error(`orgctl serve exited (${code}) before listening: ${stderr}`)))
  })
}

/** Stops an instance with SIGTERM (or another signal) and waits for its exit. */
export async function stop(instance: Instance, signal: NodeJS.Signals = 'SIGTERM'): Promise<number | string> {
  if (instance.child.exitCode === null && instance.child.signalCode === null) instance.child.kill(signal)
  return instance.exited
}

export interface Reply {
  status: number
  headers: Headers
  body: any
}

/** One API call with a token; never throws on an HTTP status (a network failure is status 0). */
export async function api(base: string, token: string, method: string, path: string, body?: unknown): Promise<Reply> {
  try {
    const response = await fetch(`${base}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        accept: 'application/vnd.heroku+json; version=3',
        ...(body === undefined ? {} : {'content-type': 'application/json'}),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    })
    const text = await response.text()
    let parsed: unknown = text
    try {
      parsed = JSON.parse(text)
    } catch {
      // Kept as text.
    }
    return {status: response.status, headers: response.headers, body: parsed}
  } catch (error) {
    return {status: 0, headers: new Headers(), body: String((error as Error).cause ?? error)}
  }
}

/** Runs `work` over `items` with at most `width` at once. */
export async function pooled<T, R>(items: readonly T[], width: number, work: (item: T, i: number) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length)
  let next = 0
  await Promise.all(
    Array.from({length: Math.min(width, items.length)}, async () => {
      while (next < items.length) {
        const i = next++
        results[i] = await work(items[i]!, i)
      }
    }),
  )
  return results
}

/** Seeding in-process, on the same database the servers serve (the domain through LocalBackend). */
export class Seeder {
  private constructor(readonly storage: PostgresStorage) {}

  static async open(url: string): Promise<Seeder> {
    return new Seeder(await PostgresStorage.open(url, {max: 2}))
  }

  as(user: string): LocalBackend {
    return new LocalBackend(this.storage, user)
  }

  async org(owner: string, name: string, limits: Partial<Limits> = {}): Promise<void> {
    await this.as(owner).createTeam(name, {...DEFAULT_LIMITS, ...limits})
  }

  async token(user: string): Promise<string> {
    return (await this.as(user).createAuthorization('multi-instance test')).access_token!.token
  }

  close(): Promise<void> {
    return this.storage.close()
  }
}

/** The emails on a member list answer. */
export const emails = (reply: Reply): string[] => (reply.body as {email: string}[]).map((member) => member.email)
