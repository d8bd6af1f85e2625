/**
 * Runs the built CLI (bin/run.js) as a user would, against a temp store and
 * config: never the real home directory.
 */
import {spawn} from 'node:child_process'
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join, resolve} from 'node:path'

export const BIN = resolve(import.meta.dirname, '../../bin/run.js')

export interface RunResult {
  code: number
  stdout: string
  stderr: string
  /** stdout parsed as JSON (throws if it is not exactly one JSON document). */
  json<T = any>(): T
}

export interface Sandbox {
  dir: string
  store: string
  configDir: string
  /** Runs orgctl as `user` (ORGCTL_USER). */
  run(user: string | undefined, args: string[], options?: {env?: Record<string, string | undefined>; input?: string}): Promise<RunResult>
  /** A runner bound to one user. */
  as(user: string): (...args: string[]) => Promise<RunResult>
  cleanup(): void
}

export function runBin(args: string[], env: Record<string, string | undefined>, input?: string): Promise<RunResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {env: env as NodeJS.ProcessEnv, stdio: ['pipe', 'pipe', 'pipe']})
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk))
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
    child.on('error', reject)
    child.on('close', (code) =>
      resolvePromise({
        code: code ?? -1,
        stdout,
        stderr,
        json: () => JSON.parse(stdout),
      }),
    )
    child.stdin.end(input ?? '')
  })
}

/** A fresh store and config directory under the system temp folder. */
export function sandbox(): Sandbox {
  const dir = mkdtempSync(join(tmpdir(), 'orgctl-test-'))
  const store = join(dir, 'store.json')
  const configDir = join(dir, 'config')
  const baseEnv = (): Record<string, string | undefined> => ({
    PATH: process.env.PATH,
    HOME: join(dir, 'home'),
    XDG_DATA_HOME: join(dir, 'data'),
    XDG_CONFIG_HOME: join(dir, 'xdg-config'),
    ORGCTL_STORE: store,
    ORGCTL_CONFIG_DIR: configDir,
    NO_COLOR: '1',
  })
  const box: Sandbox = {
    dir,
    store,
    configDir,
    run: (user, args, options = {}) => runBin(args, {...baseEnv(), ...(user ? {ORGCTL_USER: user} : {}), ...options.env}, options.input),
    as: (user) => (...args) => box.run(user, args),
    cleanup: () => rmSync(dir, {recursive: true, force: true}),
  }
  return box
}
