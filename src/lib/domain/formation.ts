/** Dynos: what an app runs, and scaling it within the org's dyno-unit limit. */
import {usageError} from '../errors.js'
import type {Ctx} from './context.js'
import {type App, type FormationEntry, MAX_DYNOS_PER_TYPE} from './types.js'
import {appRate, currentUsage, ensureWithinLimit, recordRate, recordUsage} from './usage.js'
import {distinctScaleChanges, quote, type ScaleChange} from './validation.js'

const DEFAULT_SIZE = 'standard-1x'
const DYNO_TYPE = /^[a-z][a-z0-9_-]{0,29}$/

export function listFormation(ctx: Ctx, name: string): {app: App; formation: FormationEntry[]} {
  const app = ctx.app(name)
  ctx.authorizeApp('ps:list', app)
  return {app, formation: sortedFormation(app)}
}

function sortedFormation(app: App): FormationEntry[] {
  return [...app.formation.values()].sort((a, b) => (a.type < b.type ? -1 : a.type > b.type ? 1 : 0))
}

/** Applies all changes or none: an org app may not go past its org's dyno-unit limit. */
export function scale(ctx: Ctx, name: string, requested: readonly ScaleChange[]): {app: App; formation: FormationEntry[]} {
  const changes = distinctScaleChanges(requested)
  if (changes.length === 0) throw usageError('Nothing to scale: give TYPE=N[:SIZE], e.g. orgctl ps:scale web=2 --app APP.')
  const app = ctx.app(name)
  ctx.authorizeApp('ps:scale', app)
  const next = new Map<string, FormationEntry>()
  for (const [type, entry] of app.formation) next.set(type, {...entry})
  for (const change of changes) {
    if (!DYNO_TYPE.test(change.type)) {
      throw usageError(
        `Invalid dyno type ${quote(change.type)}: use up to 30 lowercase letters, digits, dashes and underscores, starting with a letter.`,
      )
    }
    const current = next.get(change.type)
    const base = current?.quantity ?? 0
    const quantity = change.quantity ?? base + (change.delta ?? 0)
    if (quantity < 0 || quantity > MAX_DYNOS_PER_TYPE) {
      throw usageError(
        `Cannot scale ${change.type} to ${quantity}: it must stay between 0 and ${MAX_DYNOS_PER_TYPE} (${app.name} runs ${base}).`,
      )
    }
    next.set(change.type, {
      id: current?.id ?? ctx.newId(),
      type: change.type,
      quantity,
      size: change.size ?? current?.size ?? DEFAULT_SIZE,
      createdAt: current?.createdAt ?? ctx.at,
      updatedAt: ctx.at,
    })
  }
  const before = appRate(app)
  const previous = app.formation
  app.formation = next
  const after = appRate(app)
  const org = ctx.ownerOrg(app)
  if (org) {
    try {
      ensureWithinLimit(
        org,
        'dyno-units',
        currentUsage(ctx, org)['dyno-units'] - after.dynoUnits + before.dynoUnits,
        after.dynoUnits - before.dynoUnits,
      )
    } catch (error) {
      app.formation = previous
      throw error
    }
    if (after.monthlyCents !== before.monthlyCents || after.dynoUnits !== before.dynoUnits) recordRate(ctx, org, app, after)
    recordUsage(ctx, org)
  }
  app.updatedAt = ctx.at
  return {app, formation: sortedFormation(app)}
}
