/**
 * A real `orgctl serve` (the built bin/run.js, on an ephemeral loopback port) for the browser tests, on a
 * sandbox's store: the test seeds it and checks each step's effect with the CLI on the same store
 * (sandbox().run, the embedded backend), and the browser talks to the server. Everything in temp folders.
 */
import {join} from 'node:path'

import {afterAll, beforeAll} from 'vitest'

import {type RunResult, type Sandbox, sandbox, type Server, startServer, stopServer} from './cli.js'
import {expectOk} from '../e2e/_util.js'

export interface DashboardServer {
  /** `http://127.0.0.1:PORT`, as serve printed it. */
  url: string
  server: Server
  /** The store and the CLI on it: box.as(user)('members', '--org', ORG, '--json'). */
  box: Sandbox
  /** Runs the CLI as the user on the same store and asserts it succeeded (for seeding). */
  ok(user: string, ...args: string[]): Promise<RunResult>
  /** A fresh API token of the user (`authorizations:create --short`), to sign in with. */
  token(user: string, description?: string): Promise<string>
  stop(): Promise<void>
}

/** Starts serve on a new sandbox (extra flags of serve in `args`: --rate-limit, --verbose). */
export async function startDashboardServer(args: string[] = []): Promise<DashboardServer> {
  const box = sandbox()
  // The server's own home, config and cache: never the real ones, and not the CLI runs' either.
  const env = {
    PATH: process.env.PATH,
    HOME: join(box.dir, 'server-home'),
    XDG_CONFIG_HOME: join(box.dir, 'server-home', '.config'),
    XDG_DATA_HOME: join(box.dir, 'server-home', '.local', 'share'),
    ORGCTL_CONFIG_DIR: join(box.dir, 'server-config'),
    ORGCTL_CACHE_DIR: join(box.dir, 'server-cache'),
    NO_COLOR: '1',
  }
  let server: Server
  try {
    server = await startServer(box.store, env, args)
  } catch (error) {
    await box.cleanup()
    throw error
  }
  const ok = async (user: string, ...cli: string[]) => expectOk(await box.run(user, cli), `orgctl ${cli.join(' ')} (as ${user})`)
  return {
    url: server.url,
    server,
    box,
    ok,
    token: async (user, description = 'browser test') =>
      (await ok(user, 'authorizations:create', '--short', '--description', description)).stdout.trim(),
    stop: async () => {
      try {
        await stopServer(server)
      } finally {
        await box.cleanup()
      }
    },
  }
}

/** One server for the describe block it is called in; the getter is valid from beforeAll on. */
export function useDashboardServer(args: string[] = []): () => DashboardServer {
  let started: DashboardServer | undefined
  beforeAll(async () => {
    started = await startDashboardServer(args)
  })
  afterAll(async () => {
    await started?.stop()
  })
  return () => {
    if (!started) throw new Error('the server is not started yet (use it from a test or a later beforeAll)')
    return started
  }
}
