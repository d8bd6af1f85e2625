/**
 * What a command is built from, as the GitHub CLI's factory: the environment, the standard
 * streams, the clock, and how the backend is opened. `processFactory()` is the real one; an
 * in-process test hands a command a factory of fakes (captured streams, a chosen TTY state,
 * a temp store, a fixed clock) and runs it without spawning a process.
 */
import type {Backend} from '../backend/backend.js'
import {type Clock, systemClock} from '../domain/context.js'
import {stderr, stdin, stdout, type Output} from '../output/stdio.js'
import type {CliContext} from './context.js'

export interface InputStream {
  readonly isTTY: boolean
  /** All of it as text (`--file -`, `--token-stdin`). */
  read(): Promise<string>
}

export interface Factory {
  env: NodeJS.ProcessEnv
  stdout: Output
  stderr: Output
  stdin: InputStream
  clock: Clock
  /** Opens the backend in place of the one the settings select (tests: a backend of their own). */
  openBackend?: (ctx: CliContext) => Promise<Backend>
}

async function readProcessStdin(): Promise<string> {
  let text = ''
  for await (const chunk of process.stdin) text += chunk
  return text
}

/** The process's own environment, streams and clock. */
export function processFactory(): Factory {
  return {
    env: process.env,
    stdout,
    stderr,
    stdin: {
      get isTTY() {
        return stdin.isTTY
      },
      read: readProcessStdin,
    },
    clock: systemClock,
  }
}
