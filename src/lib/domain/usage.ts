/** Resource usage against an org's limits, its daily history, and the billing estimate. */
import {limitReached} from '../errors.js'
import type {Ctx} from './context.js'
import {type App, DYNO_SIZES, type LimitName, type Org, type LedgerEntry, type OrgAppsSummary, type OrgHistory} from './types.js'

export type Usage = Record<LimitName, number>

/** Dyno units and monthly price of an app's formation. */
export function appRate(app: App): {dynoUnits: number; monthlyCents: number} {
  let dynoUnits = 0
  let monthlyCents = 0
  for (const entry of app.formation.values()) {
    dynoUnits += entry.quantity * DYNO_SIZES[entry.size].units
    monthlyCents += entry.quantity * DYNO_SIZES[entry.size].monthlyCents
  }
  return {dynoUnits, monthlyCents}
}

/** Sums up one org's apps. */
export function summarizeApps(apps: Iterable<App>): OrgAppsSummary {
  const summary: WorkingSummary = {apps: 0, dynoUnits: 0, collaborators: new Set<string>(), since: new Map()}
  for (const app of apps) addToSummary(summary, app)
  return summary
}

/** Sums up the apps of every org, by org name, in one pass. */
export function summarizeOrgApps(apps: Iterable<App>): Map<string, OrgAppsSummary> {
  const summaries = new Map<string, WorkingSummary>()
  for (const app of apps) {
    if (app.owner.kind !== 'org') continue
    let summary = summaries.get(app.owner.name)
    if (!summary) summaries.set(app.owner.name, (summary = {apps: 0, dynoUnits: 0, collaborators: new Set(), since: new Map()}))
    addToSummary(summary, app)
  }
  return summaries
}

interface WorkingSummary {
  apps: number
  dynoUnits: number
  collaborators: Set<string>
  since: Map<string, string>
}

function addToSummary(summary: WorkingSummary, app: App): void {
  summary.apps++
  summary.dynoUnits += appRate(app).dynoUnits
  for (const [email, collaborator] of app.collaborators) {
    summary.collaborators.add(email)
    const earlier = summary.since.get(email)
    if (earlier === undefined || collaborator.createdAt < earlier) summary.since.set(email, collaborator.createdAt)
  }
}

/**
 * When each person an org app is shared with was first given access: from the kept summary if it
 * carries it, else counted from the apps (read only when the member list has such people).
 */
export function collaboratorSince(ctx: Ctx, org: Org): ReadonlyMap<string, string> {
  return ctx.orgAppsSummary(org).since ?? summarizeApps(ctx.orgApps(org)).since ?? new Map()
}

/** Everyone in the member list: memberships plus people an org app is shared with. */
export function memberEmails(ctx: Ctx, org: Org): Set<string> {
  const emails = new Set(org.members.keys())
  for (const email of ctx.orgAppsSummary(org).collaborators) emails.add(email)
  return emails
}

export function currentUsage(ctx: Ctx, org: Org): Usage {
  const {apps, dynoUnits} = ctx.orgAppsSummary(org)
  return {apps, members: memberEmails(ctx, org).size, 'dyno-units': dynoUnits}
}

const LIMIT_HINTS: Record<LimitName, string> = {
  apps: 'destroy or transfer out an app, or ask for a higher apps limit',
  members: 'remove a member, or ask for a higher members limit',
  'dyno-units': 'scale something down, or ask for a higher dyno-units limit',
}

/** Refuses a change that would take a resource past the org's limit. */
export function ensureWithinLimit(org: Org, name: LimitName, used: number, adding: number): void {
  const limit = org.limits[name]
  if (adding > 0 && used + adding > limit) {
    throw limitReached(`${org.name} would have ${used + adding} ${name} but its limit is ${limit} (now ${used}): ${LIMIT_HINTS[name]}.`)
  }
}

/** Records today's peak usage; called after every change that touches an org. */
export function recordUsage(ctx: Ctx, org: Org): void {
  const usage = currentUsage(ctx, org)
  const date = ctx.at.slice(0, 10)
  const {usageHistory} = ctx.history(org)
  const last = usageHistory.at(-1)
  if (last?.date === date) {
    last.apps = Math.max(last.apps, usage.apps)
    last.members = Math.max(last.members, usage.members)
    last.dynoUnits = Math.max(last.dynoUnits, usage['dyno-units'])
  } else {
    usageHistory.push({date, apps: usage.apps, members: usage.members, dynoUnits: usage['dyno-units']})
    if (usageHistory.length > MAX_HISTORY_DAYS) usageHistory.splice(0, usageHistory.length - MAX_HISTORY_DAYS)
  }
  org.updatedAt = ctx.at
}

const MAX_HISTORY_DAYS = 400

/** Notes an app's new dyno rate in its org's ledger (zero when it leaves the org). */
export function recordRate(ctx: Ctx, org: Org, app: App, rate = appRate(app)): void {
  const history = ctx.history(org)
  history.ledger.push({at: ctx.at, app: app.name, dynoUnits: rate.dynoUnits, monthlyCents: rate.monthlyCents})
  compactLedger(history, ctx.clock.now())
}

/** Keeps this month and last, plus the last entry of each app before that. */
function compactLedger(history: OrgHistory, now: Date): void {
  const cutoff = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1)).toISOString()
  if (!history.ledger[0] || history.ledger[0].at >= cutoff) return
  const carried = new Map<string, LedgerEntry>()
  const kept: LedgerEntry[] = []
  for (const entry of history.ledger) {
    if (entry.at < cutoff) carried.set(entry.app, {...entry, at: cutoff})
    else kept.push(entry)
  }
  history.ledger = [...[...carried.values()].filter((entry) => entry.monthlyCents > 0), ...kept]
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
export function estimateBilling({ledger}: OrgHistory, now: Date): Billing {
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
  apps.sort((a, b) => a.app.localeCompare(b.app))
  return {
    month: new Date(start).toISOString().slice(0, 7),
    periodStart: new Date(start).toISOString(),
    periodEnd: new Date(end).toISOString(),
    apps,
    toDateCents: apps.reduce((sum, app) => sum + app.toDateCents, 0),
    projectedCents: apps.reduce((sum, app) => sum + app.projectedCents, 0),
  }
}
