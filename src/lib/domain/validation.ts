/** Validation of everything that comes from outside: flags, arguments, HTTP bodies. */
import {usageError} from '../errors.js'
import {
  APP_PERMISSIONS,
  type AppPermission,
  DYNO_SIZES,
  type DynoSize,
  LIMIT_NAMES,
  type LimitName,
  type Limits,
  MAX_DYNOS_PER_TYPE,
  ORG_ROLES,
  type OrgRole,
  REGIONS,
  type Region,
} from './types.js'

// A practical address check (the one Heroku's CLI uses to tell users from teams):
// local part, @, dotted domain with a 2+ letter TLD. No spaces or control characters.
const EMAIL = /^[a-z0-9.!#$%&'*+/=?^_`{|}~-]+@[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*\.[a-z]{2,}$/i
const APP_NAME = /^[a-z][a-z0-9-]{1,28}[a-z0-9]$/
const ORG_NAME = /^[a-z][a-z0-9-]{1,28}[a-z0-9]$/
const MAX_EMAIL_LENGTH = 254
/** RFC 5321: a local part (before the @) has at most 64 octets. */
const MAX_LOCAL_PART_LENGTH = 64
const NON_ASCII = /[^\x20-\x7e]/

/**
 * Lower-cases ASCII letters only. String#toLowerCase folds look-alikes into ASCII (U+212A KELVIN SIGN
 * becomes k), so two different inputs would name the same user or role.
 */
export function asciiLower(value: string): string {
  return value.replace(/[A-Z]/g, (letter) => letter.toLowerCase())
}

/** Shows a value inside an error message without letting control characters through. */
export function quote(value: string): string {
  const shown = value.length > 60 ? `${value.slice(0, 57)}...` : value
  return JSON.stringify(shown)
}

export function looksLikeEmail(value: string): boolean {
  if (value.length > MAX_EMAIL_LENGTH || NON_ASCII.test(value) || !EMAIL.test(value)) return false
  const local = value.slice(0, value.lastIndexOf('@'))
  if (local.length > MAX_LOCAL_PART_LENGTH) return false
  // Dots may not start or end the local part, or come in pairs (RFC 5321); ".." also delimits Range headers.
  return !local.startsWith('.') && !local.endsWith('.') && !local.includes('..')
}

/** Heroku reports an org app's owner as `<org>@herokumanager.com`: no user may have such an address. */
export const TEAM_OWNER_DOMAIN = '@herokumanager.com'

/**
 * Emails are compared case-insensitively (ASCII case only), so they are stored lower-case.
 * The one check for every edge: flags, --file lines, HTTP bodies and the store on load.
 */
export function parseEmail(value: string): string {
  const email = asciiLower(value.trim())
  if (NON_ASCII.test(email)) {
    throw usageError(`Invalid email ${quote(value)}: use an ASCII address (letters a-z, digits, . _ + -), such as dev@example.com.`)
  }
  const at = email.lastIndexOf('@')
  if (at > MAX_LOCAL_PART_LENGTH) {
    throw usageError(`Invalid email ${quote(value)}: the part before the @ may have at most ${MAX_LOCAL_PART_LENGTH} characters.`)
  }
  if (!looksLikeEmail(email)) {
    throw usageError(`Invalid email ${quote(value)}: give an address such as dev@example.com.`)
  }
  if (email.endsWith(TEAM_OWNER_DOMAIN)) {
    throw usageError(`${quote(value)} is the address orgctl reports as the owner of an org's apps, not a user: give a person's email.`)
  }
  return email
}

export function isAppName(value: string): boolean {
  return APP_NAME.test(value)
}

export function parseAppName(value: string): string {
  if (!isAppName(value)) {
    throw usageError(
      `Invalid app name ${quote(value)}: use 3 to 30 lowercase letters, digits and dashes, starting with a letter and not ending with a dash.`,
    )
  }
  return value
}

export function parseOrgName(value: string): string {
  if (!ORG_NAME.test(value)) {
    throw usageError(
      `Invalid org name ${quote(value)}: use 3 to 30 lowercase letters, digits and dashes, starting with a letter and not ending with a dash.`,
    )
  }
  return value
}

const ROLE_ALIASES: Record<string, OrgRole> = {
  admin: 'admin',
  owner: 'admin',
  member: 'member',
  viewer: 'member',
  collaborator: 'collaborator',
}

/** Accepts Heroku's whole role vocabulary: owner is stored as admin, viewer as member. */
export function parseRole(value: string): OrgRole {
  const key = asciiLower(value.trim())
  if (!Object.hasOwn(ROLE_ALIASES, key)) {
    throw usageError(`Unknown role ${quote(value)}: use one of ${ORG_ROLES.join(', ')}.`)
  }
  return ROLE_ALIASES[key]!
}

/** Parses `deploy,operate` into a sorted set that always includes view. */
export function parsePermissions(value: string | readonly string[]): AppPermission[] {
  const names = (typeof value === 'string' ? value.split(',') : value).map((name) => asciiLower(String(name).trim())).filter(Boolean)
  const unknown = names.filter((name) => !(APP_PERMISSIONS as readonly string[]).includes(name))
  if (unknown.length > 0) {
    throw usageError(`Unknown permission ${quote(unknown[0]!)}: use a comma-separated list of ${APP_PERMISSIONS.join(', ')}.`)
  }
  return normalizePermissions(names as AppPermission[])
}

/** Sorted in the matrix order, de-duplicated, view always present. */
export function normalizePermissions(permissions: readonly AppPermission[]): AppPermission[] {
  const set = new Set<AppPermission>(['view', ...permissions])
  return APP_PERMISSIONS.filter((permission) => set.has(permission))
}

export function parseRegion(value: string): Region {
  const region = asciiLower(value.trim())
  if (!(REGIONS as readonly string[]).includes(region)) {
    throw usageError(`Unknown region ${quote(value)}: use one of ${REGIONS.join(', ')}.`)
  }
  return region as Region
}

export const DEFAULT_LIMITS: Limits = {apps: 100, members: 50, 'dyno-units': 200}
const MAX_LIMIT = 1_000_000

/** Parses `--limit apps=10 --limit members=5` over the defaults. */
export function parseLimits(specs: readonly string[]): Limits {
  return {...DEFAULT_LIMITS, ...parseLimitChanges(specs)}
}

/** Parses `NAME=N` specs into the limits they name (`flag`: how the command takes them, for the message). */
export function parseLimitChanges(specs: readonly string[], flag = '--limit'): Partial<Limits> {
  const limits: Partial<Limits> = {}
  const given = new Map<LimitName, string>()
  for (const spec of specs) {
    const match = /^([a-z-]+)=(\d{1,7})$/.exec(spec.trim())
    const name = match?.[1]?.replace(/_/g, '-')
    if (!match || !name || !(LIMIT_NAMES as readonly string[]).includes(name)) {
      throw usageError(`Invalid limit ${quote(spec)}: use NAME=N with NAME one of ${LIMIT_NAMES.join(', ')}, e.g. ${flag} apps=10.`)
    }
    const value = Number(match[2])
    if (value > MAX_LIMIT) throw usageError(`Limit ${quote(spec)} is too large: the most is ${MAX_LIMIT}.`)
    const shown = `${name}=${value}`
    const earlier = given.get(name as LimitName)
    if (earlier !== undefined && earlier !== shown) {
      throw usageError(`The limit ${name} is given twice, as ${earlier} and as ${shown}: give it once.`)
    }
    given.set(name as LimitName, shown)
    limits[name as LimitName] = value
  }
  return limits
}

export function parseDynoSize(value: string): DynoSize {
  const size = asciiLower(value.trim())
  if (!Object.hasOwn(DYNO_SIZES, size)) {
    throw usageError(`Unknown dyno size ${quote(value)}: use one of ${Object.keys(DYNO_SIZES).join(', ')}.`)
  }
  return size as DynoSize
}

/** One `ps:scale` change: `web=2`, `web+1`, `worker-1`, `web=2:standard-2x`, `web=standard-2x`. */
export interface ScaleChange {
  type: string
  quantity?: number
  delta?: number
  size?: DynoSize
}

export function parseScaleChange(spec: string): ScaleChange {
  // The type is matched lazily, so "web-1" is web minus one, not a type named "web-1". A quantity is
  // any run of digits (with a sign after "="), so an out-of-range one is reported as such, not as a size.
  const match = /^([a-z][a-z0-9_-]{0,29}?)(?:([=+-])(-?\d+))?(?:(?::|=(?=[a-z]))([a-z0-9-]+))?$/i.exec(spec.trim())
  if (!match || (match[2] === undefined && match[4] === undefined) || (match[2] !== '=' && match[3]?.startsWith('-'))) {
    throw usageError(`Invalid scale ${quote(spec)}: use TYPE=N[:SIZE] or TYPE+N / TYPE-N, e.g. web=2:standard-2x.`)
  }
  const [, type, op, amount, size] = match
  const change: ScaleChange = {type: asciiLower(type!)}
  if (op !== undefined) {
    const n = Number(amount)
    if (op === '=') {
      if (n < 0 || n > MAX_DYNOS_PER_TYPE) {
        throw usageError(`Invalid scale ${quote(spec)}: the quantity must be between 0 and ${MAX_DYNOS_PER_TYPE} dynos of one type.`)
      }
      change.quantity = n
    } else {
      if (n > MAX_DYNOS_PER_TYPE)
        throw usageError(`Invalid scale ${quote(spec)}: the quantity may change by at most ${MAX_DYNOS_PER_TYPE}.`)
      change.delta = op === '+' ? n : -n
    }
  }
  if (size !== undefined) change.size = parseDynoSize(size)
  return change
}

/** A change as it is typed: `web=2:standard-2x`, `web+1`, `web:standard-2x`. */
export function describeScaleChange(change: ScaleChange): string {
  const amount =
    change.quantity !== undefined
      ? `=${change.quantity}`
      : change.delta !== undefined
        ? `${change.delta < 0 ? '-' : '+'}${Math.abs(change.delta)}`
        : ''
  return `${change.type}${amount}${change.size === undefined ? '' : `${amount ? ':' : '='}${change.size}`}`
}

/**
 * Each dyno type once: the same change twice is kept once, two different ones (or a relative one
 * repeated, whose sum nobody meant to type) are refused, naming both.
 */
export function distinctScaleChanges(changes: readonly ScaleChange[]): ScaleChange[] {
  const byType = new Map<string, ScaleChange>()
  for (const change of changes) {
    const earlier = byType.get(change.type)
    if (!earlier) {
      byType.set(change.type, change)
      continue
    }
    const [a, b] = [describeScaleChange(earlier), describeScaleChange(change)]
    if (a !== b || earlier.delta !== undefined) {
      throw usageError(
        `The dyno type ${change.type} is given twice, as ${a} and as ${b}: give each type once, e.g. ${change.type}=2:standard-2x.`,
      )
    }
  }
  return [...byType.values()]
}

/** `ps:scale` arguments: each parsed, each type once. */
export function parseScaleChanges(specs: readonly string[]): ScaleChange[] {
  return distinctScaleChanges(specs.map((spec) => parseScaleChange(spec)))
}

/** A transfer's recipient: a user's email (anything with an @) or an org name, checked as such. */
export function parseRecipient(value: string): string {
  return value.includes('@') ? parseEmail(value) : parseOrgName(value.trim())
}

/** One value that may come from two places (an argument and a flag): both given must agree. */
export function sameValue(
  what: string,
  first: {value: string | undefined; as: string},
  second: {value: string | undefined; as: string},
): string | undefined {
  if (first.value !== undefined && second.value !== undefined && first.value !== second.value) {
    throw usageError(
      `The ${what} is given twice, ${quote(first.value)} as ${first.as} and ${quote(second.value)} as ${second.as}: give it once.`,
    )
  }
  return first.value ?? second.value
}

/** A keyed entry from a list someone typed (an email and its role), with where it came from. */
export interface KeyedEntry {
  key: string
  value: string
  /** `argument`, `team.csv line 3`. */
  source: string
}

/** Each key once: repeats with the same value are kept once, with another value refused, naming both. */
export function uniqueEntries<T extends KeyedEntry>(entries: readonly T[], what: string): T[] {
  const byKey = new Map<string, T>()
  for (const entry of entries) {
    const earlier = byKey.get(entry.key)
    if (!earlier) byKey.set(entry.key, entry)
    else if (earlier.value !== entry.value) {
      throw usageError(
        `The ${what} ${entry.key} is given twice, as ${earlier.value} (${earlier.source}) and as ${entry.value} (${entry.source}): give it once.`,
      )
    }
  }
  return [...byKey.values()]
}

/** One app permission (`access:check`, `access:who-can`): view, deploy, operate or manage. */
export function parsePermission(value: string): AppPermission {
  const name = asciiLower(value.trim())
  if (!(APP_PERMISSIONS as readonly string[]).includes(name)) {
    throw usageError(`Unknown permission ${quote(value)}: use one of ${APP_PERMISSIONS.join(', ')}.`)
  }
  return name as AppPermission
}
