/**
 * One short line of what an audit event changed, read off its data: `role member → admin` for a
 * change, `role member` for something created, `was: role admin, apps acme-api` for something
 * removed. The whole record is `orgctl audit --json`'s; this is for reading down a table (the
 * `change` column of `orgctl audit`, and the Dashboard's Audit tab).
 */
import type * as R from '../api/resources.js'

export const SUMMARY_MAX = 160

type Dyno = {type: string; quantity: number; size: string}
const isDyno = (value: unknown): value is Dyno =>
  typeof value === 'object' && value !== null && 'type' in value && 'quantity' in value && 'size' in value

/** A value as words: lists joined, a formation's dynos as `orgctl ps:scale` writes them (web=2:standard-2x). */
function text(value: unknown): string {
  if (value === null || value === undefined) return 'none'
  if (Array.isArray(value))
    return value.length === 0
      ? 'none'
      : value.map((each) => (isDyno(each) ? `${each.type}=${each.quantity}:${each.size}` : text(each))).join(', ')
  if (typeof value === 'object') return JSON.stringify(value)
  return String(value)
}

/** An event's before or after as `key path → value` (nested objects by dotted path: `limits.apps`); a bare value has the key ''. */
function facts(value: unknown, prefix = '', into = new Map<string, string>()): Map<string, string> {
  if (value === null || value === undefined) return into
  if (typeof value !== 'object' || Array.isArray(value)) return into.set(prefix, text(value))
  for (const [key, each] of Object.entries(value)) facts(each, prefix ? `${prefix}.${key}` : key, into)
  return into
}

const said = (key: string, value: string) => (key === '' ? value : `${key} ${value}`)

export function changeSummary(event: Pick<R.AuditEvent, 'data' | 'target'>, max = SUMMARY_MAX): string {
  const before = facts(event.data.before)
  const after = facts(event.data.after)
  // The target's own name is in its column: not said again.
  const shown = (map: Map<string, string>) =>
    [...map].filter(([key, value]) => !((key === 'email' || key === 'name') && value === event.target.name))
  let line: string
  if (before.size === 0)
    line = shown(after)
      .map(([key, value]) => said(key, value))
      .join(', ')
  else if (after.size === 0) {
    const was = shown(before).map(([key, value]) => said(key, value))
    line = was.length === 0 ? '' : `was: ${was.join(', ')}`
  } else {
    const keys = [...new Set([...before.keys(), ...after.keys()])]
    line = keys
      .filter((key) => before.get(key) !== after.get(key))
      .map((key) => said(key, `${before.get(key) ?? 'none'} → ${after.get(key) ?? 'none'}`))
      .join(', ')
  }
  // Cut by code point, so a surrogate pair is never split.
  const points = [...line]
  return points.length > max ? `${points.slice(0, max - 1).join('')}…` : line
}
