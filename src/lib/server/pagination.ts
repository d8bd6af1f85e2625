/**
 * Heroku's list pagination: the client sends `Range: <field> [[]start]..[end][; max=N][, order=asc|desc]`,
 * the server answers a page and, when more remains, 206 with `Next-Range` for the next request.
 */
import {OrgctlError} from '../errors.js'

export const DEFAULT_PAGE = 200
export const MAX_PAGE = 1000

export interface RangeRequest {
  field: string
  start?: string
  exclusive: boolean
  end?: string
  max: number
  order: 'asc' | 'desc'
}

const badRange = (message: string) => new OrgctlError('bad_request', message)

export function parseRange(header: string | undefined, fields: readonly string[]): RangeRequest {
  const fallback: RangeRequest = {field: fields[0]!, exclusive: false, max: DEFAULT_PAGE, order: 'asc'}
  if (header === undefined || header.trim() === '') return fallback
  const [rangePart = '', ...options] = header.split(/[;,]/)
  const match = /^\s*([a-z_]+)\s*(.*)$/.exec(rangePart)
  const dots = match?.[2]?.indexOf('..') ?? -1
  if (!match || dots < 0)
    throw badRange(`Invalid Range header ${JSON.stringify(header)}: use "<field> [start]..[end]; max=N", e.g. "${fields[0]} ..; max=200".`)
  const field = match[1]!
  let start = match[2]!.slice(0, dots).trim()
  const end = match[2]!.slice(dots + 2).trim()
  const exclusive = start.startsWith(']')
  if (exclusive) start = start.slice(1).trim()
  if (!fields.includes(field)) throw badRange(`Cannot range on ${JSON.stringify(field)}: this list ranges on ${fields.join(', ')}.`)
  const range: RangeRequest = {...fallback, field, exclusive, start: start || undefined, end: end || undefined}
  const seen = new Set<string>()
  for (const option of options.map((part) => part.trim()).filter(Boolean)) {
    const [key = '', value = '', ...extra] = option.split('=').map((part) => part.trim())
    if (seen.has(key)) throw badRange(`Invalid Range header ${JSON.stringify(header)}: ${key} is given twice; give it once.`)
    seen.add(key)
    // One rule for every value: outside 1 to 1,000 is an error, never clamped.
    if (key === 'max' && extra.length === 0) {
      if (!/^\d+$/.test(value) || Number(value) < 1 || Number(value) > MAX_PAGE) {
        throw badRange(`Invalid Range max ${JSON.stringify(value)}: give a whole number from 1 to ${MAX_PAGE}.`)
      }
      range.max = Number(value)
    } else if (key === 'order' && extra.length === 0 && (value === 'asc' || value === 'desc')) range.order = value
    else throw badRange(`Invalid Range option ${JSON.stringify(option)}: use max=N (1 to ${MAX_PAGE}) or order=asc|desc.`)
  }
  return range
}

export interface Page<T> {
  items: T[]
  nextRange?: string
}

/** One page of items sorted by the range field. */
export function paginate<T>(items: readonly T[], range: RangeRequest, key: (item: T, field: string) => string): Page<T> {
  const sign = range.order === 'asc' ? 1 : -1
  const keyed = items.map((item) => ({item, k: key(item, range.field)}))
  keyed.sort((a, b) => (a.k < b.k ? -sign : a.k > b.k ? sign : 0))
  const after = (k: string, bound: string) => (range.order === 'asc' ? k > bound : k < bound)
  const within = keyed.filter(({k}) => {
    if (range.start !== undefined && !(after(k, range.start) || (!range.exclusive && k === range.start))) return false
    if (range.end !== undefined && after(k, range.end)) return false
    return true
  })
  const page = within.slice(0, range.max)
  if (within.length <= range.max) return {items: page.map(({item}) => item)}
  const last = page.at(-1)!.k
  const order = range.order === 'desc' ? ', order=desc' : ''
  return {items: page.map(({item}) => item), nextRange: `${range.field} ]${last}..${range.end ?? ''}; max=${range.max}${order}`}
}
