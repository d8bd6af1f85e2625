/**
 * oclif's parse errors, said on one line that names the argument or flag and ends with the
 * command's usage. oclif's own messages run over several lines (a list of the missing arguments,
 * "See more help with --help"), and their first line alone said `Missing 1 required arg:`.
 */
import {stripVTControlCharacters} from 'node:util'

import {closest, distance} from 'fastest-levenshtein'

/** What a parse error is about, as oclif's parser errors carry it (they are not exported as classes). */
interface ParseFailure {
  message?: string
  /** RequiredArgsError: the arg definitions; UnexpectedArgsError: the extra strings. */
  args?: unknown[]
  /** NonExistentFlagsError: the unknown flags as typed. */
  flags?: string[]
  parse?: unknown
  oclif?: {exit?: number}
}

interface ArgSpec {
  name?: string
  description?: string
  required?: boolean
  options?: readonly string[]
}

interface FlagSpec {
  name?: string
  char?: string
  type?: string
  helpValue?: string | string[]
  multiple?: boolean
  required?: boolean
  hidden?: boolean
  options?: readonly string[]
  min?: number
  max?: number
}

/** The parts of a command class a usage line is made from. */
export interface CommandShape {
  id?: string
  args?: Record<string, ArgSpec>
  flags?: Record<string, FlagSpec>
  baseFlags?: Record<string, FlagSpec>
  enableJsonFlag?: boolean
  strict?: boolean
}

/** Is this one of oclif's parse (usage) errors? */
export function isParseFailure(thrown: unknown): thrown is ParseFailure {
  if (!thrown || typeof thrown !== 'object') return false
  const failure = thrown as ParseFailure
  return 'parse' in failure || failure.oclif?.exit === 2 || /^Parsing --|^Flag --|^Unexpected flag /.test(failure.message ?? '')
}

function allFlags(command: CommandShape): [string, FlagSpec][] {
  const flags: [string, FlagSpec][] = Object.entries({...command.baseFlags, ...command.flags})
  if (command.enableJsonFlag && !flags.some(([name]) => name === 'json')) flags.push(['json', {type: 'boolean'}])
  return flags.filter(([, flag]) => !flag.hidden)
}

const argName = (name: string) => name.toUpperCase()

/**
 * `--json=x`: oclif does not take a value for a boolean flag, and reads the whole token as an
 * argument instead (`members:remove --json=dev@acme.test` removed dev@acme.test). Refused here,
 * before the command runs: the error for the first boolean flag given a value, if any.
 */
export function booleanWithValue(argv: readonly string[], command: CommandShape): string | undefined {
  const booleans = new Map<string, string>()
  for (const [name, flag] of allFlags(command)) {
    if (flag.type !== 'boolean') continue
    booleans.set(`--${name}`, name)
    if (flag.char) booleans.set(`-${flag.char}`, name)
  }
  for (const token of argv) {
    if (token === '--') break
    const match = /^(--?[^=\s]+)=(.*)$/s.exec(token)
    const name = match && booleans.get(match[1]!)
    if (name) return `--${name} takes no value (given ${JSON.stringify(match[2])}): give ${match[1]} alone.`
  }
  return undefined
}

function flagValue(name: string, flag: FlagSpec): string {
  const help = Array.isArray(flag.helpValue) ? flag.helpValue.join('|') : flag.helpValue
  return help ?? (flag.options ? flag.options.join('|') : argName(name))
}

function flagUsage(name: string, flag: FlagSpec): string {
  const label = flag.char ? `-${flag.char}` : `--${name}`
  const usage = flag.type === 'option' ? `${label} ${flagValue(name, flag)}${flag.multiple ? '...' : ''}` : label
  return flag.required ? usage : `[${usage}]`
}

/** `orgctl orgs:create NAME [-l NAME=N...] [--json]`: arguments, then required flags, then the rest. */
export function usageLine(bin: string, command: CommandShape): string {
  const args = Object.entries(command.args ?? {})
  const parts = args.map(([name, arg], i) => {
    const rest = command.strict === false && i === args.length - 1 ? '...' : ''
    return arg.required ? `${argName(name)}${rest}` : `[${argName(name)}${rest}]`
  })
  const flags = allFlags(command)
  parts.push(...flags.filter(([, flag]) => flag.required).map(([name, flag]) => flagUsage(name, flag)))
  parts.push(...flags.filter(([, flag]) => !flag.required).map(([name, flag]) => flagUsage(name, flag)))
  return [bin, command.id, ...parts].filter(Boolean).join(' ')
}

const listed = (items: string[]) =>
  items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`

const sentence = (text: string) => {
  const trimmed = text.trim().replace(/[.:]+$/, '')
  return `${trimmed.charAt(0).toUpperCase()}${trimmed.slice(1)}.`
}

/** `--orgg` → ` Did you mean --org?` when a flag is close enough to be a typo. */
function flagSuggestion(typed: string, command: CommandShape): string {
  const name = typed.replace(/^-+/, '').split('=')[0]!
  const names = allFlags(command).map(([flag]) => flag)
  if (name === '' || names.length === 0) return ''
  const best = closest(name, names)
  const edits = distance(name, best)
  return edits < name.length && edits <= Math.max(2, Math.floor(best.length / 3)) ? ` Did you mean --${best}?` : ''
}

/** How an integer flag's bounds read: `an integer from 0 to 65535`. */
function integerWanted(flag: FlagSpec | undefined): string {
  const {min, max} = flag ?? {}
  if (min !== undefined && max !== undefined) return `an integer from ${min} to ${max}`
  if (min !== undefined) return `an integer of at least ${min}`
  if (max !== undefined) return `an integer of at most ${max}`
  return 'an integer'
}

/** The one-line description of a parse failure, without the usage. */
function describe(failure: ParseFailure, command: CommandShape): string {
  const message = stripVTControlCharacters(String(failure.message ?? 'Invalid usage')).replace(/\nSee more help with --help\s*$/, '')
  const flags = Object.fromEntries(allFlags(command))

  if (/^Missing \d+ required arg/.test(message) && Array.isArray(failure.args)) {
    const missing = (failure.args as ArgSpec[]).filter((arg) => arg.name)
    const names = missing.map((arg) => argName(arg.name!))
    const what = missing.length === 1 && missing[0]!.description ? `, ${missing[0]!.description}` : ''
    return `Missing argument${names.length === 1 ? '' : 's'} ${listed(names)}${what}.`
  }
  if (/^Unexpected argument/.test(message) && Array.isArray(failure.args)) {
    const extra = (failure.args as unknown[]).map(String)
    const takes = Object.keys(command.args ?? {}).map(argName)
    const expected = takes.length === 0 ? 'no arguments' : `only ${listed(takes)}`
    return `Unexpected argument${extra.length === 1 ? '' : 's'} ${listed(extra)}: orgctl ${command.id} takes ${expected}.`
  }
  if (/^Nonexistent flag/.test(message) && Array.isArray(failure.flags)) {
    return `Unknown flag${failure.flags.length === 1 ? '' : 's'} ${listed(failure.flags)}.${flagSuggestion(failure.flags[0]!, command)}`
  }
  let match = /^Parsing --([\w-]+) \n\t([\s\S]*)$/.exec(message)
  if (match) {
    const [, name, inner] = match as unknown as [string, string, string]
    const received = /received: ([\s\S]*)$/.exec(inner)?.[1]
    if (/^Expected an integer/.test(inner)) {
      return `Invalid value ${JSON.stringify(received ?? '')} for --${name}: give ${integerWanted(flags[name])}.`
    }
    return `Invalid value for --${name}: ${sentence(inner.split('\n')[0]!)}`
  }
  match = /^Flag --([\w-]+) expects a value/.exec(message)
  if (match) {
    const flag = flags[match[1]!]
    return `Flag --${match[1]} needs a value${flag ? ` (--${match[1]} ${flagValue(match[1]!, flag)})` : ''}.`
  }
  match = /^Flag --([\w-]+) can only be specified once/.exec(message)
  if (match) return `Flag --${match[1]} was given more than once: give it once.`
  match = /^Expected --([\w-]+)=([\s\S]*) to be one of: ([\s\S]*)$/.exec(message)
  if (match) return `Invalid value ${JSON.stringify(match[2])} for --${match[1]}: give one of ${match[3]!.trim()}.`
  match = /^The following errors? occurred:\n([\s\S]*)$/.exec(message)
  if (match) {
    const reasons = match[1]!
      .split('\n')
      .map((line) => line.trim().replace(/^Missing required flag ([\w-]+)$/, 'Missing required flag --$1'))
      .filter(Boolean)
    return reasons.map(sentence).join(' ')
  }
  return sentence(message.split('\n')[0]!)
}

/** A parse failure on one line: what is wrong, naming the argument or flag, then the usage. */
export function describeParseFailure(failure: ParseFailure, command: CommandShape, bin: string): string {
  return `${describe(failure, command)} Usage: ${usageLine(bin, command)}`
}
