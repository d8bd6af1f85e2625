/**
 * Shared helpers for the end-to-end suite (not a test file itself).
 * Everything goes through sandbox(): never the real home directory.
 */
import {copyFileSync, existsSync, readFileSync} from 'node:fs'
import {join} from 'node:path'

import pLimit from 'p-limit'
import {expect} from 'vitest'

import {HTTP, type RunResult, type Sandbox, syncStore} from '../helpers/cli.js'

export const ORG = 'acme-widgets'
export const ADMIN = 'admin@acme.test'
export const DEV = 'dev@acme.test'

/**
 * The store file's bytes, or undefined when it does not exist yet. Through the
 * server, tokens are minted into the store for each user, so there the users and
 * tokens (and the revision and section layout their minting changes) are left out of the comparison.
 * On PostgreSQL, the sandbox database's whole content written out as a store file (syncStore).
 */
export async function storeBytes(path: string): Promise<Buffer | undefined> {
  await syncStore(path)
  if (!existsSync(path)) return undefined
  const bytes = readFileSync(path)
  if (!HTTP) return bytes
  const {users: _users, tokens: _tokens, revision: _revision, layout: _layout, ...rest} = JSON.parse(bytes.toString('utf8'))
  return Buffer.from(JSON.stringify(rest))
}

/** Without an acting user, what the error tells to set. */
export const NO_USER = HTTP ? /ORGCTL_API_KEY/ : /ORGCTL_USER/

/** Runs tasks with at most `limit` in flight, keeping the order of results. */
export function pool<T>(tasks: readonly (() => Promise<T>)[], limit = 4): Promise<T[]> {
  const run = pLimit(Math.max(1, limit))
  return Promise.all(tasks.map((task) => run(task)))
}

/** A readable description of a run, for assertion messages. */
export function show(result: RunResult, label = ''): string {
  return `${label}\nexit ${result.code}\n--- stdout\n${result.stdout}\n--- stderr\n${result.stderr}`
}

export function expectOk(result: RunResult, label = ''): RunResult {
  expect(result.code, show(result, label)).toBe(0)
  return result
}

/** Lines of stderr, without the trailing empty one. */
export function lines(text: string): string[] {
  return text.split('\n').filter((line, i, all) => !(line === '' && i === all.length - 1))
}

/** An error as a user sees it: the exit code, stderr exactly one `Error: ` line, no stack trace. */
export function expectError(result: RunResult, code: number, message?: RegExp | string, label = ''): string {
  const context = show(result, label)
  expect(result.code, context).toBe(code)
  const all = lines(result.stderr)
  const errors = all.filter((line) => line.startsWith('Error: '))
  expect(errors, context).toHaveLength(1)
  expect(all, context).toEqual(errors)
  expect(result.stderr, context).not.toMatch(/^\s+at /m)
  if (message !== undefined) expect(errors[0], context).toMatch(message)
  return errors[0]!
}

/** Under --json an error is exactly one document {id, message} on stdout. */
export function expectJsonError(result: RunResult, code: number, id: string): {id: string; message: string} {
  expectError(result, code)
  const body = result.json<{id: string; message: string}>()
  expect(body.id, show(result)).toBe(id)
  expect(typeof body.message).toBe('string')
  return body
}

/** Runs the command and asserts the store file (on PostgreSQL: the database's content) did not change at all. */
export async function expectUnchanged(box: Sandbox, run: () => Promise<RunResult>): Promise<RunResult> {
  const before = await storeBytes(box.store)
  const result = await run()
  const after = await storeBytes(box.store)
  expect(after?.equals(before ?? Buffer.alloc(0)) ?? before === undefined, show(result, 'store changed')).toBe(true)
  return result
}

let copies = 0

/**
 * Runs one command as `user` on a private copy of `base` (a store file), so cells
 * that change things do not disturb each other. Returns the run and whether the
 * copy changed. On PostgreSQL the copy is loaded into a database of its own (db:import's
 * importState), served there, and written back to the file after the run.
 */
export async function runOnCopy(
  box: Sandbox,
  base: string,
  user: string | undefined,
  args: string[],
  env: Record<string, string | undefined> = {},
): Promise<{result: RunResult; changed: boolean; store: string}> {
  const store = join(box.dir, `copy-${process.pid}-${copies++}.json`)
  copyFileSync(base, store)
  const before = (await storeBytes(store))!
  const result = await box.run(user, args, {env: {ORGCTL_STORE: store, ...env}})
  const after = await storeBytes(store)
  return {result, changed: !after || !after.equals(before), store}
}

/** The parsed store file (for looking at what a command left behind); on PostgreSQL, the database written out. */
export async function readStore(path: string): Promise<any> {
  await syncStore(path)
  return JSON.parse(readFileSync(path, 'utf8'))
}

/** A copy of the sandbox's store at `to` (a store file in every mode), for runOnCopy. */
export async function copyStore(box: Sandbox, to: string): Promise<void> {
  await syncStore(box.store)
  copyFileSync(box.store, to)
}
