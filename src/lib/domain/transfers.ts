/**
 * Moving apps: into an org (by their owner, a member of it), out of an org (by an
 * admin), and between personal accounts (a pending transfer the recipient answers).
 */
import {conflict, forbidden, notFound, usageError} from '../errors.js'
import {grant, lockedApp, recordLockEvent, touch} from './apps.js'
import {appFacts, recordAppEvent, recordEvent} from './audit.js'
import {PERSONAL_PERMISSIONS} from './access.js'
import {type Ctx, ensureUser, orgStanding, type WriteCtx} from './context.js'
import {authorize, isAllowed, type Standing} from './permissions.js'
import {APP_PERMISSIONS, type App, type CancelledTransfer, type Org, type Transfer} from './types.js'
import {currentUsage, ensureWithinLimit, NO_RATE, rateOf, recordRate, recordUsage} from './usage.js'
import {looksLikeEmail, parseEmail, parseOrgName, quote} from './validation.js'

export interface TransferOutcome {
  app: App
  /** Set when the move awaits the recipient (personal to personal). */
  transfer?: Transfer
  /** False when the app already was where it was sent. */
  moved: boolean
}

export interface TransferOptions {
  /** Lock the app in its new org. */
  locked?: boolean
}

/** Sends an app to an org (by name) or a user (by email). */
export async function transferApp(
  ctx: WriteCtx,
  appName: string,
  recipient: string,
  options: TransferOptions = {},
): Promise<TransferOutcome> {
  await ctx.app(appName)
  // Anything with an @ is meant as a user: a bad address gets the email's error, not the org name's.
  if (looksLikeEmail(recipient.trim()) || recipient.includes('@')) {
    if (options.locked) throw usageError('--locked applies only when transferring to an org: a personal app cannot be locked.')
    const email = parseEmail(recipient)
    return transferToUser(ctx, await lockedApp(ctx, appName), email)
  }
  parseOrgName(recipient)
  const app = await lockedApp(ctx, appName, [recipient])
  return transferToOrg(ctx, app, await ctx.org(recipient), options)
}

async function transferToOrg(ctx: WriteCtx, app: App, target: Org, options: TransferOptions): Promise<TransferOutcome> {
  const targetSubject = {standing: await orgStanding(ctx, target.name, ctx.actor), permissions: [], target: `org ${target.name}`}
  const lockWanted = Boolean(options.locked)
  if (lockWanted && targetSubject.standing !== 'admin') {
    throw forbidden(`You cannot lock apps in org ${target.name}: that needs an admin. Transfer without --locked, or ask an admin.`)
  }
  if (app.owner.kind === 'org' && app.owner.name === target.name) {
    // Already there: a rerun of a bulk transfer lands here and changes nothing (but honours --locked).
    if (lockWanted && !app.locked) {
      app.locked = true
      await touch(ctx, app)
      await recordLockEvent(ctx, app)
    }
    return {app, moved: false}
  }
  await ctx.authorizeApp('apps:transfer-out', app)
  authorize('apps:transfer-in', targetSubject)

  const previousOwner = app.owner.kind === 'user' ? app.owner.email : undefined
  const usage = await currentUsage(ctx, target.name)
  const rate = await rateOf(ctx, app.name)
  const comers = [
    ...new Set([
      ...(await ctx.tx.collaborators.list(app.name)).map((collaborator) => collaborator.email),
      ...(previousOwner ? [previousOwner] : []),
    ]),
  ]
  const already = await ctx.tx.members.inList(target.name, comers)
  const newcomers = comers.filter((email) => !already.has(email)).length
  await ensureWithinLimit(ctx, target, 'apps', usage.apps, 1)
  await ensureWithinLimit(ctx, target, 'members', usage.members, newcomers)
  await ensureWithinLimit(ctx, target, 'dyno-units', usage['dyno-units'], rate.dynoUnits)

  const source = await ctx.ownerOrg(app)
  const before = appFacts(app)
  await cancelPendingTransfer(ctx, app)
  app.owner = {kind: 'org', name: target.name}
  app.locked = lockWanted
  await touch(ctx, app)
  // Existing collaborators keep their access; the former owner stays on as a full collaborator.
  if (previousOwner) await grant(ctx, app, previousOwner, APP_PERMISSIONS)
  if (source) {
    await recordRate(ctx, source, app.name, NO_RATE)
    await recordUsage(ctx, source)
  }
  await recordRate(ctx, target, app.name, rate)
  await recordUsage(ctx, target)
  await recordTransfer(ctx, app, before, [source, target])
  return {app, moved: true}
}

async function transferToUser(ctx: WriteCtx, app: App, email: string): Promise<TransferOutcome> {
  if (app.owner.kind === 'user' && app.owner.email === email) return {app, moved: false}
  await ctx.authorizeApp('apps:transfer-out', app)
  const source = await ctx.ownerOrg(app)
  if (source) {
    // Leaving an org is immediate, and takes every collaborator off the app.
    await ensureUser(ctx, email)
    const before = {...appFacts(app), collaborators: (await ctx.tx.collaborators.list(app.name)).map((c) => c.email)}
    await ctx.tx.collaborators.removeAll(app.name)
    app.owner = {kind: 'user', email}
    app.locked = false
    await touch(ctx, app)
    await recordRate(ctx, source, app.name, NO_RATE)
    await recordUsage(ctx, source)
    await recordTransfer(ctx, app, before, [source])
    return {app, moved: true}
  }
  const from = (app.owner as {email: string}).email
  const pending = await ctx.tx.transfers.pendingFor(app.id)
  if (pending) {
    if (pending.to === email) return {app, transfer: pending, moved: false}
    throw conflict(
      `${app.name} already has a pending transfer to ${pending.to}: cancel it first with orgctl transfers:cancel ${pending.id}.`,
    )
  }
  await ensureUser(ctx, email)
  const transfer: Transfer = {
    id: ctx.newId(),
    app: app.name,
    appId: app.id,
    from,
    to: email,
    state: 'pending',
    createdAt: ctx.at,
    updatedAt: ctx.at,
  }
  await ctx.tx.transfers.insert(transfer)
  await recordTransferEvent(ctx, 'app-transfer.create', transfer, undefined)
  return {app, transfer, moved: false}
}

/** app.transfer, in the history of each org it left or joined. */
async function recordTransfer(ctx: WriteCtx, app: App, before: object, orgs: readonly (Org | undefined)[]): Promise<void> {
  for (const org of orgs) {
    if (org)
      await recordAppEvent(ctx, app, {action: 'app.transfer', target: {type: 'app', name: app.name}, org, before, after: appFacts(app)})
  }
}

/** A personal transfer's event (of no org: both ends are people). */
function recordTransferEvent(
  ctx: WriteCtx,
  action: 'app-transfer.create' | 'app-transfer.accept' | 'app-transfer.decline' | 'app-transfer.cancel',
  transfer: Transfer | CancelledTransfer,
  before: Transfer | undefined,
): Promise<void> {
  const facts = (t: Transfer | CancelledTransfer) => ({id: t.id, app: t.app, from: t.from, to: t.to, state: t.state})
  return recordEvent(ctx, {
    action,
    target: {type: 'app-transfer', name: transfer.id},
    app: {id: transfer.appId, name: transfer.app},
    before: before && facts(before),
    after: facts(transfer),
  })
}

async function cancelPendingTransfer(ctx: WriteCtx, app: App): Promise<void> {
  const pending = await ctx.tx.transfers.pendingFor(app.id)
  if (pending) await ctx.tx.transfers.remove(pending.id)
}

/** Transfers sent by or addressed to the actor, oldest first (the API's created_at order). */
export function listTransfers(ctx: Ctx): Promise<Transfer[]> {
  return ctx.tx.transfers.involving(ctx.actor)
}

async function findTransfer(ctx: Ctx, id: string): Promise<Transfer> {
  const transfer = await ctx.tx.transfers.byId(id)
  if (!transfer || (transfer.from !== ctx.actor && transfer.to !== ctx.actor)) {
    throw notFound(`Couldn't find transfer ${quote(id)}: list yours with orgctl transfers.`)
  }
  return transfer
}

/** The recipient accepts or declines; answering the same way again changes nothing. */
export async function respondToTransfer(ctx: WriteCtx, id: string, answer: 'accepted' | 'declined'): Promise<Transfer> {
  const first = await findTransfer(ctx, id)
  await ctx.tx.lockApp(first.app)
  const transfer = await findTransfer(ctx, id)
  if (transfer.to !== ctx.actor)
    throw forbidden(`Only ${transfer.to}, the recipient, can answer transfer ${id}; you can cancel it with orgctl transfers:cancel ${id}.`)
  if (transfer.state === answer) return transfer
  if (transfer.state !== 'pending') throw conflict(`Transfer ${id} was already ${transfer.state}.`)
  const before = {...transfer}
  if (answer === 'accepted') {
    const app = await ctx.tx.apps.byName(transfer.app)
    if (!app || app.id !== transfer.appId || app.owner.kind !== 'user' || app.owner.email !== transfer.from) {
      throw conflict(`Transfer ${id} can no longer be accepted: ${transfer.app} has changed hands since.`)
    }
    app.owner = {kind: 'user', email: transfer.to}
    await ctx.tx.collaborators.remove(app.name, transfer.to)
    // grant writes the app back: its new owner and updatedAt with it.
    await grant(ctx, app, transfer.from, PERSONAL_PERMISSIONS)
  }
  transfer.state = answer
  transfer.updatedAt = ctx.at
  await ctx.tx.transfers.update(transfer)
  await recordTransferEvent(ctx, answer === 'accepted' ? 'app-transfer.accept' : 'app-transfer.decline', transfer, before)
  return transfer
}

/** The sender withdraws a pending transfer: it is gone from the store, and reported cancelled. */
export async function cancelTransfer(ctx: WriteCtx, id: string): Promise<CancelledTransfer> {
  const first = await findTransfer(ctx, id)
  await ctx.tx.lockApp(first.app)
  const transfer = await findTransfer(ctx, id)
  if (transfer.from !== ctx.actor) throw forbidden(`Only ${transfer.from}, who sent transfer ${id}, can cancel it; you can decline it.`)
  if (transfer.state !== 'pending') throw conflict(`Transfer ${id} was already ${transfer.state}.`)
  await ctx.tx.transfers.remove(id)
  const cancelled: CancelledTransfer = {...transfer, state: 'cancelled', updatedAt: ctx.at}
  await recordTransferEvent(ctx, 'app-transfer.cancel', cancelled, transfer)
  return cancelled
}

/** What a client knows of an app it might move: who owns it, and how the actor stands on it. */
export interface MovableApp {
  owner: {kind: 'org'; name: string} | {kind: 'user'; email: string}
  standing: Standing
}

/** Where an app would go: an org (with the actor's standing in it) or a user. */
export type TransferRecipient = {kind: 'org'; name: string; standing: Standing} | {kind: 'user'; email: string}

/**
 * Whether the actor could move the app to the recipient: it is not there already, the actor may move
 * it out (the owner of a personal app, an admin of its org), and into an org only as one of its staff.
 * The same matrix rules transferApp enforces; limits are checked when it moves.
 */
export function canMoveTo(app: MovableApp, recipient: TransferRecipient): boolean {
  if (recipient.kind === 'org' && app.owner.kind === 'org' && app.owner.name === recipient.name) return false
  if (recipient.kind === 'user' && app.owner.kind === 'user' && app.owner.email === recipient.email) return false
  if (!isAllowed('apps:transfer-out', {standing: app.standing, permissions: [], target: ''})) return false
  return recipient.kind === 'user' || isAllowed('apps:transfer-in', {standing: recipient.standing, permissions: [], target: ''})
}
