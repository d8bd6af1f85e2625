/**
 * Shared helpers for the reliability (stress) suite; not a test file itself.
 *
 * Everything runs in throwaway directories under the system temp folder with HOME,
 * XDG_*, ORGCTL_STORE, ORGCTL_CONFIG_DIR and ORGCTL_CACHE_DIR pointed inside them:
 * never the real home. Servers listen on 127.0.0.1 only. Every wait is bounded.
 *
 * Sizes: each test has a bounded default size (the whole folder fits in ~90 s on two
 * cores) multiplied by ORGCTL_STRESS (default 1) for longer runs.
 */
import {type ChildProcess, spawn} from 'node:child_process'
import {appendFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join, resolve} from 'node:path'

import type {WriteCtx} from '../../src/lib/domain/context.js'
import {createAuthorization} from '../../src/lib/domain/tokens.js'
import {decodeState, type Sections} from '../../src/lib/storage/json/codec.js'
import {JsonStore} from '../../src/lib/storage/json/json-store.js'
import type {State} from '../../src/lib/storage/memory/state.js'
import {txCtx} from '../helpers/tx-ctx.js'

export const ROOT = resolve(import.meta.dirname, '../..')
export const BIN = join(ROOT, 'bin/run.js')

/** The scale factor for a longer run (`ORGCTL_STRESS=3`). */
export const SCALE = (() => {
  const value = Number(process.env.ORGCTL_STRESS ?? 1)
  return Number.isFinite(value) && value > 0 ? value : 1
})()

/** A default size times the scale factor, at least `min`. */
export const scaled = (n: number, min = 1): number => Math.max(min, Math.round(n * SCALE))

export type Env = Record<string, string | undefined>

const CODE_CACHE = join(tmpdir(), 'orgctl-stress-code-cache')

export interface Box {
  dir: string
  store: string
  configDir: string
  /** A clean environment for the CLI on this box's store (no ORGCTL_USER unless given). */
  env(extra?: Env): Env
  cleanup(): void
}

export function box(label = 'stress'): Box {
  const dir = mkdtempSync(join(tmpdir(), `orgctl-${label}-`))
  const store = join(dir, 'store.json')
  const configDir = join(dir, 'config')
  return {
    dir,
    store,
    configDir,
    env: (extra = {}) => ({
      PATH: process.env.PATH,
      HOME: join(dir, 'home'),
      XDG_DATA_HOME: join(dir, 'data'),
      XDG_CONFIG_HOME: join(dir, 'xdg-config'),
      XDG_CACHE_HOME: join(dir, 'xdg-cache'),
      ORGCTL_STORE: store,
      ORGCTL_CONFIG_DIR: configDir,
      ORGCTL_CACHE_DIR: CODE_CACHE,
      NO_COLOR: '1',
      ...extra,
    }),
    cleanup: () => rmSync(dir, {recursive: true, force: true}),
  }
}

export interface RunResult {
  code: number
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
  ms: number
  timedOut: boolean
}

/** A CLI process, killable at will. */
export function spawnCli(args: string[], env: Env, input?: string): {child: ChildProcess; done: Promise<RunResult>} {
  const started = Date.now()
  const child = spawn(process.execPath, [BIN, ...args], {env: env as NodeJS.ProcessEnv, stdio: ['pipe', 'pipe', 'pipe']})
  let stdout = ''
  let stderr = ''
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk))
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
  child.stdin!.on('error', () => undefined)
  child.stdin!.end(input ?? '')
  const done = new Promise<RunResult>((resolvePromise, reject) => {
    child.on('error', reject)
    child.on('close', (code, signal) =>
      resolvePromise({code: code ?? -1, signal, stdout, stderr, ms: Date.now() - started, timedOut: false}),
    )
  })
  return {child, done}
}

/** Runs the CLI to the end, SIGKILLing it after `timeoutMs` (then timedOut is true). */
export async function run(args: string[], env: Env, options: {input?: string; timeoutMs?: number} = {}): Promise<RunResult> {
  const {child, done} = spawnCli(args, env, options.input)
  let timedOut = false
  const timer = setTimeout(() => {
    timedOut = true
    child.kill('SIGKILL')
  }, options.timeoutMs ?? 60_000)
  try {
    return {...(await done), timedOut}
  } finally {
    clearTimeout(timer)
  }
}

/** A readable account of a run, for assertion messages. */
export function show(result: RunResult, label = ''): string {
  return `${label}\nexit ${result.code}${result.signal ? ` (${result.signal})` : ''} in ${result.ms}ms${result.timedOut ? ' TIMED OUT' : ''}\n--- stdout\n${result.stdout.slice(0, 2000)}\n--- stderr\n${result.stderr.slice(0, 2000)}`
}

/** An error as the README promises it: stderr is exactly one `Error: ` line, no stack trace. */
export function isOneLineError(result: RunResult): boolean {
  const lines = result.stderr.split('\n').filter((line) => line !== '')
  return lines.length === 1 && lines[0]!.startsWith('Error: ') && !/^\s+at /m.test(result.stderr)
}

export interface Served {
  url: string
  port: number
  child: ChildProcess
  /** Everything the server wrote to stderr so far. */
  log(): string
  stop(): Promise<void>
  kill(): Promise<void>
}

/** `orgctl serve` on an ephemeral loopback port. */
export function startServe(store: string, env: Env, extraArgs: string[] = []): Promise<Served> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [BIN, 'serve', '--port', '0', '--host', '127.0.0.1', ...extraArgs], {
      env: {...env, ORGCTL_STORE: store} as NodeJS.ProcessEnv,
      stdio: ['ignore', 'ignore', 'pipe'],
    })
    let stderr = ''
    const exited = new Promise<void>((done) => child.once('exit', () => done()))
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`orgctl serve did not start within 20s: ${stderr}`))
    }, 20_000)
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk
      const match = /listening on (http:\/\/\S+)/.exec(stderr)
      if (match && timer) {
        clearTimeout(timer)
        const url = match[1]!
        resolvePromise({
          url,
          port: Number(new URL(url).port),
          child,
          log: () => stderr,
          stop: async () => {
            if (child.exitCode !== null || child.signalCode !== null) return
            child.kill('SIGTERM')
            const hard = setTimeout(() => child.kill('SIGKILL'), 10_000)
            await exited
            clearTimeout(hard)
          },
          kill: async () => {
            if (child.exitCode !== null || child.signalCode !== null) return
            child.kill('SIGKILL')
            await exited
          },
        })
      }
    })
    child.once('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`orgctl serve exited (${code}) before listening: ${stderr}`))
    })
  })
}

/** Changes the store in-process, as `email` (fast set-up: no CLI process). */
export function seed<T>(store: string, change: (state: State, as: (email: string) => WriteCtx) => Promise<T>): Promise<T> {
  return new JsonStore(store).update((state) => change(state, (email) => txCtx(state, email)))
}

/** A fresh API token for `email`, minted into the store. */
export function mintToken(store: string, email: string, description = 'stress'): Promise<string> {
  return seed(store, async (_state, as) => (await createAuthorization(as(email), description)).token)
}

/** The store as the product reads it (a fresh JsonStore, no cache): throws if it cannot be loaded. */
export function loadStore(store: string): Promise<State> {
  return new JsonStore(store).read()
}

/** The store decoded straight from the file bytes. */
export function decodeFile(store: string): Sections {
  return decodeState(JSON.parse(readFileSync(store, 'utf8')))
}

export {pool} from '../e2e/_util.js'

export const sleep = (ms: number): Promise<void> => new Promise((done) => setTimeout(done, ms))

/** A deterministic pseudo-random source (mulberry32), so a failing run can be repeated with its seed. */
export function rng(seedValue: number): () => number {
  let a = seedValue >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296
  }
}

export const SEED = Number(process.env.ORGCTL_STRESS_SEED ?? Date.now() % 1_000_000)

const REPORT = process.env.ORGCTL_STRESS_REPORT ?? join(tmpdir(), 'orgctl-stress-report.jsonl')

/** Prints the one summary line of a test and records its figures (for docs/reliability.md). */
export function report(area: string, line: string, figures: Record<string, number | string> = {}): void {
  console.log(`[stress] ${area}: ${line}`)
  try {
    mkdirSync(join(REPORT, '..'), {recursive: true})
    appendFileSync(REPORT, `${JSON.stringify({area, line, figures, scale: SCALE, seed: SEED, at: new Date().toISOString()})}\n`)
  } catch {
    // The report file is a convenience: the assertion is what counts.
  }
}

export function fileExists(path: string): boolean {
  return existsSync(path)
}
