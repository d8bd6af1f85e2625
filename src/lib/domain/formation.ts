/** Dynos: what an app runs, and scaling it within the org's dyno-unit limit. */
import {usageError} from '../errors.js'
import {byKey} from './order.js'
import {touch, lockedApp} from './apps.js'
import {recordAppEvent} from './audit.js'
import type {Ctx, WriteCtx} from './context.js'
import {type App, type FormationEntry, MAX_DYNOS_PER_TYPE} from './types.js'
import {appRate, currentUsage, ensureWithinLimit, recordRate, recordUsage} from './usage.js'
import {distinctScaleChanges, quote, type ScaleChange} from './validation.js'

const DEFAULT_SIZE = 'standard-1x'
const DYNO_TYPE = /^[a-z][a-z0-9_-]{0,29}$/

export async function listFormation(ctx: Ctx, name: string): Promise<{app: App; formation: FormationEntry[]}> {
  const app = await ctx.app(name)
  await ctx.authorizeApp('ps:list', app)
  return {app, formation: await ctx.tx.formation.of(app.name)}
}

/** Applies all changes or none: an org app may not go past its org's dyno-unit limit. */
export async function scale(
  ctx: WriteCtx,
  name: string,
  requested: readonly ScaleChange[],
): Promise<{app: App; formation: FormationEntry[]}> {
  const changes = distinctScaleChanges(requested)
  if (changes.length === 0) throw usageError('Nothing to scale: give TYPE=N[:SIZE], e.g. orgctl ps:scale web=2 --app APP.')
  const app = await lockedApp(ctx, name)
  await ctx.authorizeApp('ps:scale', app)
  const formation = await ctx.tx.formation.of(app.name)
  const next = new Map<string, FormationEntry>(formation.map((entry) => [entry.type, {...entry}]))
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
  const before = appRate(formation)
  const after = appRate(next.values())
  const org = await ctx.ownerOrg(app)
  if (org) {
    await ensureWithinLimit(ctx, org, 'dyno-units', (await currentUsage(ctx, org.name))['dyno-units'], after.dynoUnits - before.dynoUnits)
  }
  const entries = [...next.values()].sort(byKey((entry) => entry.type))
  await ctx.tx.formation.replace(app.name, entries)
  await touch(ctx, app)
  if (org) {
    if (after.monthlyCents !== before.monthlyCents || after.dynoUnits !== before.dynoUnits) await recordRate(ctx, org, app.name, after)
    await recordUsage(ctx, org)
  }
  const was = dynos(formation)
  const now = dynos(entries)
  if (JSON.stringify(was) !== JSON.stringify(now)) {
    await recordAppEvent(ctx, app, {action: 'formation.update', target: {type: 'formation', name: app.name}, org, before: was, after: now})
  }
  return {app, formation: entries}
}

/** A formation as its event shows it: type, quantity and size, by type. */
function dynos(entries: readonly FormationEntry[]): {type: string; quantity: number; size: string}[] {
  return [...entries].sort(byKey((entry) => entry.type)).map(({type, quantity, size}) => ({type, quantity, size}))
}
