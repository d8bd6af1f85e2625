/**
 * Runs one command in this process, as the GitHub CLI's tests do with a factory of fakes: the
 * command gets captured streams with the TTY state a test picks, an environment pointing at a
 * temp store and config (never the real home), a clock, and optionally a backend of the test's
 * own. The result is what a user would see: stdout, stderr and the exit code.
 */
import {existsSync, mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join, resolve} from 'node:path'
import {pathToFileURL} from 'node:url'

import {Config} from '@oclif/core'

import type {Backend} from '../../src/lib/backend/backend.js'
import type {OrgctlCommand} from '../../src/lib/cli/base-command.js'
import type {CliContext} from '../../src/lib/cli/context.js'
import type {Factory} from '../../src/lib/cli/factory.js'
import type {Clock} from '../../src/lib/domain/context.js'

const ROOT = resolve(import.meta.dirname, '../..')
let config: Promise<Config> | undefined

export interface CommandRun {
  code: number
  stdout: string
  stderr: string
  /** stdout parsed as one JSON document. */
  json<T = any>(): T
}

export interface Fakes {
  /** Environment variables on top of a temp store, config and cache. */
  env?: Record<string, string | undefined>
  tty?: {stdout?: boolean; stderr?: boolean; stdin?: boolean}
  /** What is piped to the command. */
  stdin?: string
  clock?: Clock
  backend?: (ctx: CliContext) => Promise<Backend>
}

/** A temp folder holding a command's store, config and code cache. */
export interface CommandSandbox {
  dir: string
  env: {ORGCTL_STORE: string; ORGCTL_CONFIG_DIR: string; ORGCTL_CACHE_DIR: string}
  cleanup(): void
}

export function commandSandbox(): CommandSandbox {
  const dir = mkdtempSync(join(tmpdir(), 'orgctl-cmd-'))
  return {
    dir,
    env: {ORGCTL_STORE: join(dir, 'store.json'), ORGCTL_CONFIG_DIR: join(dir, 'config'), ORGCTL_CACHE_DIR: join(dir, 'cache')},
    cleanup: () => rmSync(dir, {recursive: true, force: true}),
  }
}

async function commandClass(id: string): Promise<typeof OrgctlCommand> {
  const base = join(ROOT, 'src/commands', ...id.split(':'))
  const file = existsSync(`${base}.ts`) ? `${base}.ts` : join(base, 'index.ts')
  return (await import(/* @vite-ignore */ pathToFileURL(file).href)).default
}

function capture(isTTY: boolean) {
  let text = ''
  return {
    stream: {
      isTTY,
      write(chunk: string) {
        text += chunk
      },
      quietly: (work: () => void) => work(),
    },
    text: () => text,
  }
}

/** Runs `id` with `argv` in-process; the sandbox's env (if given) comes first, then `fakes.env`. */
export async function runCommand(id: string, argv: string[], fakes: Fakes = {}, sandbox?: CommandSandbox): Promise<CommandRun> {
  config ??= Config.load({root: ROOT})
  const Command = (await commandClass(id)) as unknown as new (argv: string[], config: Config) => OrgctlCommand
  const stdout = capture(fakes.tty?.stdout ?? false)
  const stderr = capture(fakes.tty?.stderr ?? false)
  const env: NodeJS.ProcessEnv = {...sandbox?.env}
  for (const [key, value] of Object.entries(fakes.env ?? {})) {
    if (value === undefined) delete env[key]
    else env[key] = value
  }
  const factory: Factory = {
    env,
    stdout: stdout.stream,
    stderr: stderr.stream,
    stdin: {isTTY: fakes.tty?.stdin ?? false, read: async () => fakes.stdin ?? ''},
    clock: fakes.clock ?? {now: () => new Date()},
    ...(fakes.backend ? {openBackend: fakes.backend} : {}),
  }
  const command = new Command(argv, await config)
  command.factory = factory
  command.id = id
  let code = 0
  try {
    await (command as unknown as {_run(): Promise<unknown>})._run()
  } catch (error) {
    const exit = (error as {oclif?: {exit?: number}}).oclif?.exit
    if (exit === undefined) throw error
    code = exit
  }
  return {code, stdout: stdout.text(), stderr: stderr.text(), json: () => JSON.parse(stdout.text())}
}

/**
 * A backend that answers only what a test gives it: any other call fails the test, so a
 * command that asks for more than it should is caught.
 */
export function fakeBackend(methods: Partial<Backend>): Backend {
  const base = {kind: 'local', location: 'fake', close: async () => undefined}
  return new Proxy({...base, ...methods} as Backend, {
    get(target, key) {
      if (key in target) return target[key as keyof Backend]
      if (typeof key === 'symbol' || key === 'then') return undefined
      return () => Promise.reject(new Error(`unexpected backend call: ${String(key)}`))
    },
  })
}
