/** The audit log's filters as given (flags, or query parameters), checked and turned into a query. */
import {usageError} from '../errors.js'
import type {AuditFilter} from './audit.js'
import {parseAppName, parseEmail, quote} from './validation.js'

export const DEFAULT_AUDIT_LIMIT = 100
export const MAX_AUDIT_LIMIT = 1000

export interface RawAuditFilter {
  app?: string
  actor?: string
  action?: string
  since?: string
  until?: string
  limit?: string | number
}

const DATE = /^\d{4}-\d{2}-\d{2}$/
const DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})?$/i
const AGO = /^(\d{1,6})([dhm])$/
const UNIT_MS = {d: 86_400_000, h: 3_600_000, m: 60_000} as const
const ACTION = /^[a-z*][a-z0-9.*-]{0,63}$/

/**
 * A time as ISO: a date (midnight UTC), a date and time (UTC unless it names an offset), or a time
 * ago (`7d`, `24h`, `30m`) from now. `name` is how the input is called in messages (`--since`).
 */
export function parseAuditTime(value: string, now: Date, name: string): string {
  const text = value.trim()
  const ago = AGO.exec(text)
  if (ago) return new Date(now.getTime() - Number(ago[1]) * UNIT_MS[ago[2] as keyof typeof UNIT_MS]).toISOString()
  let parsed: Date | undefined
  if (DATE.test(text)) {
    parsed = realDay(text)
  } else if (DATETIME.test(text) && realDay(text.slice(0, 10))) {
    const zoned = /(Z|[+-]\d{2}:\d{2})$/i.test(text) ? text : `${text}Z`
    parsed = new Date(zoned)
    if (Number.isNaN(parsed.getTime())) parsed = undefined
  }
  if (!parsed) {
    throw usageError(
      `Invalid ${name} ${quote(value)}: give a date (2026-11-15), a date and time (2026-11-15T09:30:00Z), or a time ago (7d, 24h, 30m).`,
    )
  }
  return parsed.toISOString()
}

/** Midnight UTC of a YYYY-MM-DD that is a real day (2026-02-30 is not: Date would roll it over to March). */
function realDay(text: string): Date | undefined {
  const day = new Date(`${text}T00:00:00.000Z`)
  return Number.isNaN(day.getTime()) || day.toISOString().slice(0, 10) !== text ? undefined : day
}

/** The filters checked: one line naming what is wrong, for each bad one. `flag` names inputs as flags (`--since`) or not. */
export function parseAuditFilter(raw: RawAuditFilter, now: Date, style: 'flag' | 'query' = 'flag'): AuditFilter {
  const name = (key: string) => (style === 'flag' ? `--${key}` : `${key}`)
  const filter: AuditFilter = {limit: DEFAULT_AUDIT_LIMIT}
  if (raw.limit !== undefined) {
    const text = String(raw.limit).trim()
    if (!/^\d{1,7}$/.test(text) || Number(text) < 1 || Number(text) > MAX_AUDIT_LIMIT) {
      throw usageError(`Invalid ${name('limit')} ${quote(String(raw.limit))}: give a whole number from 1 to ${MAX_AUDIT_LIMIT}.`)
    }
    filter.limit = Number(text)
  }
  if (raw.app !== undefined) filter.app = parseAppName(raw.app)
  if (raw.actor !== undefined) filter.actor = parseEmail(raw.actor)
  if (raw.action !== undefined) {
    const action = raw.action.trim().toLowerCase()
    if (!ACTION.test(action)) {
      throw usageError(
        `Invalid ${name('action')} ${quote(raw.action)}: give an action such as team-member.create, or a pattern such as team-member.* (letters, digits, ., - and *).`,
      )
    }
    filter.action = action
  }
  if (raw.since !== undefined) filter.since = parseAuditTime(raw.since, now, name('since'))
  if (raw.until !== undefined) filter.until = parseAuditTime(raw.until, now, name('until'))
  if (filter.since !== undefined && filter.until !== undefined && filter.since >= filter.until) {
    throw usageError(
      `${name('since')} (${filter.since}) must be before ${name('until')} (${filter.until}): swap them, or widen the window.`,
    )
  }
  return filter
}
