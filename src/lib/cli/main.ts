/**
 * The CLI's entry: oclif's run, with its failures outside any command (an unknown command, help
 * for one that does not exist) said as every other error is: one `Error:` line, the exit code of
 * its kind, and {id, message} on stdout under --json. oclif's own handler printed ` ›   Error:`.
 */
import {Errors, flush, Interfaces, run} from '@oclif/core'

import {OrgctlError, toOrgctlError, usageError} from '../errors.js'
import {OutputError, stderr, stdout} from '../output/stdio.js'

/** Runs orgctl with the process's arguments. */
export async function main(loadOptions: Interfaces.LoadOptions): Promise<void> {
  const argv = process.argv.slice(2)
  try {
    await run(argv, loadOptions)
    await flush()
  } catch (thrown) {
    // A command's own errors were reported by the command already: only its exit code is left.
    if (thrown instanceof Errors.ExitError) return Errors.handle(thrown)
    // stdout failed (after the command, e.g. its --json result): its one line is on stderr already.
    if (thrown instanceof OutputError) {
      process.exitCode = thrown.exitCode
      return
    }
    const exit = (thrown as {oclif?: {exit?: number}}).oclif?.exit
    const error =
      thrown instanceof OrgctlError
        ? thrown
        : isNotFound(thrown)
          ? usageError(notFoundMessage(thrown))
          : exit === 2
            ? // A usage error of a command that is not ours (help's own flags: `help --json`).
              usageError(`${firstLine(thrown).replace(/[.:]*$/, '')}. Usage: orgctl help [COMMAND] (help takes no other flags).`)
            : toOrgctlError(new Error(String((thrown as Error)?.message ?? thrown).split('\n')[0]))
    if (argv.includes('--json')) stdout.quietly(() => stdout.write(`${JSON.stringify(error.toJSON())}\n`))
    stderr.write(`Error: ${error.message}\n`)
    if (process.env.DEBUG) stderr.write(`${(thrown as Error).stack ?? thrown}\n`)
    process.exitCode = error instanceof OrgctlError && error.id !== 'internal_error' ? error.exitCode : (exit ?? error.exitCode)
  }
}

const firstLine = (thrown: unknown): string => String((thrown as Error)?.message ?? thrown).split('\n')[0]!

/** oclif's `command X not found` (help for an unknown command, and the like). */
function isNotFound(thrown: unknown): boolean {
  return /^command \S+ not found\.?$/i.test((thrown as Error | undefined)?.message ?? '')
}

function notFoundMessage(thrown: unknown): string {
  const id = /^command (\S+) not found\.?$/i.exec((thrown as Error).message)?.[1] ?? ''
  return `${id} is not an orgctl command. Run orgctl help for a list of commands.`
}
