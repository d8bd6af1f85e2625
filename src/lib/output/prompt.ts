/**
 * Questions for a person (@inquirer). Never asked unless stdin and stderr are
 * terminals: a script gets a usage error naming the flag instead.
 * Ctrl-C at a question is Interrupted (`Aborted.`, exit 130); Ctrl-D or the end of input is a
 * usage error naming the flag that answers it (exit 2).
 */
import {Interrupted} from '../cli/interrupt.js'
import {usageError} from '../errors.js'
import type {UI} from './ui.js'

/**
 * Runs one prompt. On Ctrl-D readline closes and the prompt would wait for ever with nothing left
 * to run (the process then exits 0 with inquirer's "User force closed the prompt" as the last
 * word): an empty event loop while the question is open is taken as the end of input.
 */
async function ask<T>(prompt: (signal: AbortSignal) => Promise<T>, unanswered: string): Promise<T> {
  const ended = new AbortController()
  const onEmptyLoop = () => ended.abort()
  process.on('beforeExit', onEmptyLoop)
  try {
    return await prompt(ended.signal)
  } catch (error) {
    const name = (error as Error | undefined)?.name
    if (name === 'ExitPromptError' && /SIGINT/.test((error as Error).message)) throw new Interrupted('SIGINT')
    if (name === 'ExitPromptError' || name === 'AbortPromptError') throw usageError(`No answer (end of input): ${unanswered}.`)
    throw error
  } finally {
    process.off('beforeExit', onEmptyLoop)
  }
}

/** Asks the person to type a name to confirm something that cannot be undone. */
export async function confirmByName(
  ui: UI,
  name: string,
  given: string | undefined,
  consequence: string,
  flag = '--confirm',
): Promise<void> {
  if (given !== undefined) {
    if (given !== name) throw usageError(`Confirmation ${JSON.stringify(given)} did not match ${name}. Aborted.`)
    return
  }
  // A dry run changes nothing, so there is nothing to confirm (a wrong --confirm is still refused, above).
  if (ui.dryRun) return
  if (!ui.interactive) throw usageError(`${consequence}: re-run with ${flag} ${name}.`)
  ui.warn(consequence)
  const {default: input} = await import('@inquirer/input')
  const typed = await ask(
    (signal) => input({message: `To proceed, type ${name} or re-run this command with ${flag} ${name}`}, {output: process.stderr, signal}),
    `re-run with ${flag} ${name}`,
  )
  if (typed.trim() !== name) throw usageError(`Confirmation did not match ${name}. Aborted.`)
}

/** Lets the person tick items from a list. */
export async function pickMany(ui: UI, message: string, choices: {name: string; value: string}[], flagHint: string): Promise<string[]> {
  if (!ui.interactive) throw usageError(`${message} needs a terminal: ${flagHint}.`)
  const {default: checkbox} = await import('@inquirer/checkbox')
  return ask((signal) => checkbox({message, choices, pageSize: 20}, {output: process.stderr, signal}), flagHint)
}

/** Reads a secret without echo. */
export async function askSecret(ui: UI, message: string, flagHint: string): Promise<string> {
  if (!ui.interactive) throw usageError(`${message} needs a terminal: ${flagHint}.`)
  const {default: password} = await import('@inquirer/password')
  return ask((signal) => password({message, mask: false}, {output: process.stderr, signal}), flagHint)
}

/** Asks the person to type yes before changes are made (a script passes the flag instead). */
export async function confirmYes(ui: UI, question: string, flag: string): Promise<void> {
  if (!ui.interactive) throw usageError(`${question} needs a terminal to answer: re-run with ${flag}.`)
  const {default: input} = await import('@inquirer/input')
  const typed = await ask(
    (signal) => input({message: `${question} Type yes to proceed, or re-run with ${flag}`}, {output: process.stderr, signal}),
    `re-run with ${flag}`,
  )
  if (typed.trim().toLowerCase() !== 'yes')
    throw usageError(`Not confirmed (you typed ${JSON.stringify(typed.trim())}, not yes). Nothing was changed.`)
}
