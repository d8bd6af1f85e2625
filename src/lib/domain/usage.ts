/** Resource usage against an org's limits, its daily history, and the billing estimate. */
import {limitReached} from '../errors.js'
import type {Ctx, WriteCtx} from './context.js'
import {byKey} from './order.js'
import {DYNO_SIZES, type FormationEntry, type LedgerEntry, type LimitName, type Org} from './types.js'

export type Usage = Record<LimitName, number>

export interface Rate {
  dynoUnits: number
  monthlyCents: number
}

/** Dyno units and monthly price of a formation (its quantities and sizes). */
export function appRate(formation: Iterable<Pick<FormationEntry, 'quantity' | 'size'>>): Rate {
  let dynoUnits = 0
  let monthlyCents = 0
  for (const entry of formation) {
    dynoUnits += entry.quantity * DYNO_SIZES[entry.size].units
    monthlyCents += entry.quantity * DYNO_SIZES[entry.size].monthlyCents
  }
  return {dynoUnits, monthlyCents}
}

/** An app's current rate, from its formation. */
export async function rateOf(ctx: Ctx, app: string): Promise<Rate> {
  return appRate(await ctx.tx.formation.of(app))
}

export const NO_RATE: Rate = {dynoUnits: 0, monthlyCents: 0}

export async function currentUsage(ctx: Ctx, org: string): Promise<Usage> {
  const {apps, members, dynoUnits} = await ctx.tx.apps.figures(org)
  return {apps, members, 'dyno-units': dynoUnits}
}

const LIMIT_HINTS: Record<LimitName, string> = {
  apps: 'destroy or transfer out an app',
  members: 'remove a member',
  'dyno-units': 'scale something down',
}

/**
 * Refuses a change that would take a resource past the org's limit, saying who can raise it: an
 * operator once one is named, else the org's admins (asked only when refusing: the common path reads nothing more).
 */
export async function ensureWithinLimit(ctx: Ctx, org: Org, name: LimitName, used: number, adding: number): Promise<void> {
  const limit = org.limits[name]
  if (adding > 0 && used + adding > limit) {
    const raise = `orgctl orgs:limits --org ${org.name} --set ${name}=${used + adding}`
    const who =
      (await ctx.tx.operators.list()).length > 0
        ? `or ask an operator to raise it (${raise})`
        : `or an admin of ${org.name} can raise it (${raise})`
    throw limitReached(
      `${org.name} would have ${used + adding} ${name} but its limit is ${limit} (now ${used}): ${LIMIT_HINTS[name]}, ${who}.`,
    )
  }
}

const MAX_HISTORY_DAYS = 400

/** Records today's peak usage; called after every change that touches an org. */
export async function recordUsage(ctx: WriteCtx, org: Org): Promise<void> {
  const usage = await currentUsage(ctx, org.name)
  const date = ctx.at.slice(0, 10)
  const last = await ctx.tx.history.lastDay(org.name)
  const same = last?.date === date ? last : undefined
  await ctx.tx.history.putDay(
    org.name,
    {
      date,
      apps: Math.max(same?.apps ?? 0, usage.apps),
      members: Math.max(same?.members ?? 0, usage.members),
      dynoUnits: Math.max(same?.dynoUnits ?? 0, usage['dyno-units']),
    },
    MAX_HISTORY_DAYS,
  )
  org.updatedAt = ctx.at
  await ctx.tx.orgs.update(org)
}

/** Notes an app's new dyno rate in its org's ledger (zero when it leaves the org). */
export async function recordRate(ctx: WriteCtx, org: Org, app: string, rate: Rate): Promise<void> {
  await ctx.tx.history.appendLedger(org.name, {at: ctx.at, app, dynoUnits: rate.dynoUnits, monthlyCents: rate.monthlyCents})
  const cutoff = ledgerCutoff(ctx.clock.now())
  const oldest = await ctx.tx.history.oldestLedgerAt(org.name)
  if (oldest !== undefined && oldest < cutoff) {
    await ctx.tx.history.replaceLedger(org.name, compactLedger(await ctx.tx.history.ledger(org.name), cutoff))
  }
}

/** The start of last month: the ledger keeps this month and last in full. */
function ledgerCutoff(now: Date): string {
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1)).toISOString()
}

/** Keeps entries since the cutoff, plus the last entry of each app before it (moved to the cutoff), if still charging. */
export function compactLedger(ledger: readonly LedgerEntry[], cutoff: string): LedgerEntry[] {
  const carried = new Map<string, LedgerEntry>()
  const kept: LedgerEntry[] = []
  for (const entry of ledger) {
    if (entry.at < cutoff) carried.set(entry.app, {...entry, at: cutoff})
    else kept.push(entry)
  }
  return [...[...carried.values()].filter((entry) => entry.monthlyCents > 0), ...kept]
}

export interface AppCharges {
  app: string
  dynoUnits: number
  monthlyCents: number
  toDateCents: number
  projectedCents: number
}

export interface Billing {
  month: string
  periodStart: string
  periodEnd: string
  apps: AppCharges[]
  toDateCents: number
  projectedCents: number
}

/**
 * Estimates this month's charges: each app's dyno rate, prorated by the second
 * over the time it ran in the org (to date), and projected to the month's end.
 */
export function estimateBilling(ledger: readonly LedgerEntry[], now: Date): Billing {
  const start = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1)
  const end = Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1)
  const monthMs = end - start
  const nowMs = Math.min(Math.max(now.getTime(), start), end)
  const byApp = new Map<string, {segments: {from: number; cents: number; units: number}[]}>()
  for (const entry of ledger) {
    const at = Date.parse(entry.at)
    const record = byApp.get(entry.app) ?? {segments: []}
    record.segments.push({from: at, cents: entry.monthlyCents, units: entry.dynoUnits})
    byApp.set(entry.app, record)
  }
  const apps: AppCharges[] = []
  for (const [app, {segments}] of byApp) {
    let toDate = 0
    for (const [i, segment] of segments.entries()) {
      const from = Math.max(segment.from, start)
      const to = Math.min(segments[i + 1]?.from ?? nowMs, nowMs)
      if (to > from) toDate += (segment.cents * (to - from)) / monthMs
    }
    const last = segments.at(-1)!
    const projected = toDate + (last.cents * (end - nowMs)) / monthMs
    if (toDate === 0 && last.cents === 0) continue
    apps.push({
      app,
      dynoUnits: last.units,
      monthlyCents: last.cents,
      toDateCents: Math.round(toDate),
      projectedCents: Math.round(projected),
    })
  }
  apps.sort(byKey((charges) => charges.app))
  return {
    month: new Date(start).toISOString().slice(0, 7),
    periodStart: new Date(start).toISOString(),
    periodEnd: new Date(end).toISOString(),
    apps,
    toDateCents: apps.reduce((sum, app) => sum + app.toDateCents, 0),
    projectedCents: apps.reduce((sum, app) => sum + app.projectedCents, 0),
  }
}
