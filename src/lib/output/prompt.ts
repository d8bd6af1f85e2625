/**
 * Questions for a person (@inquirer). Never asked unless stdin and stderr are
 * terminals: a script gets a usage error naming the flag instead.
 */
import {usageError} from '../errors.js'
import type {UI} from './ui.js'

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
  if (!ui.interactive) throw usageError(`${consequence}: re-run with ${flag} ${name}.`)
  ui.warn(consequence)
  const {default: input} = await import('@inquirer/input')
  const typed = await input({message: `To proceed, type ${name} or re-run this command with ${flag} ${name}`}, {output: process.stderr})
  if (typed.trim() !== name) throw usageError(`Confirmation did not match ${name}. Aborted.`)
}

/** Lets the person tick items from a list. */
export async function pickMany(ui: UI, message: string, choices: {name: string; value: string}[], flagHint: string): Promise<string[]> {
  if (!ui.interactive) throw usageError(`${message} needs a terminal: ${flagHint}.`)
  const {default: checkbox} = await import('@inquirer/checkbox')
  return checkbox({message, choices, pageSize: 20}, {output: process.stderr})
}

/** Reads a secret without echo. */
export async function askSecret(ui: UI, message: string, flagHint: string): Promise<string> {
  if (!ui.interactive) throw usageError(`${message} needs a terminal: ${flagHint}.`)
  const {default: password} = await import('@inquirer/password')
  return password({message, mask: false}, {output: process.stderr})
}
