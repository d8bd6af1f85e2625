/**
 * oclif's command_not_found hook: a mistyped command gets one line naming the closest command
 * (or alias), exit 2. @oclif/plugin-not-found prints a warning and an error (exit 127) and, at a
 * terminal, asks whether to run its guess, so it is not used.
 */
import type {Hook} from '@oclif/core'
import {closest, distance} from 'fastest-levenshtein'

import {usageError} from '../errors.js'

const hook: Hook.CommandNotFound = async function (options) {
  const {config, id} = options
  const visible = config.commands.filter((command) => !command.hidden)
  const ids = [...new Set(visible.flatMap((command) => [command.id, ...(command.aliases ?? [])]))]
  const typed = id.replaceAll(' ', ':')
  const best = ids.length > 0 ? closest(typed, ids) : undefined
  const near = best !== undefined && distance(typed, best) <= Math.max(2, Math.floor(best.length / 3))
  const suggestion = near ? ` Did you mean ${best}?` : ''
  throw usageError(`${typed} is not an ${config.bin} command.${suggestion} Run ${config.bin} help for a list of commands.`)
}

export default hook
