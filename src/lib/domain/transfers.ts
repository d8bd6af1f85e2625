/**
 * Moving apps: into an org (by their owner, a member of it), out of an org (by an
 * admin), and between personal accounts (a pending transfer the recipient answers).
 */
import {conflict, forbidden, notFound, usageError} from '../errors.js'
import {grant} from './apps.js'
import {PERSONAL_PERMISSIONS} from './access.js'
import {type Ctx, orgStanding} from './context.js'
import {byCreation} from './order.js'
import {authorize, isAllowed, type Standing} from './permissions.js'
import {APP_PERMISSIONS, type App, type CancelledTransfer, type Org, type Transfer} from './types.js'
import {appRate, currentUsage, ensureWithinLimit, memberEmails, recordRate, recordUsage} from './usage.js'
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
export function transferApp(ctx: Ctx, appName: string, recipient: string, options: TransferOptions = {}): TransferOutcome {
  const app = ctx.app(appName)
  // Anything with an @ is meant as a user: a bad address gets the email's error, not the org name's.
  if (looksLikeEmail(recipient.trim()) || recipient.includes('@')) {
    if (options.locked) throw usageError('--locked applies only when transferring to an org: a personal app cannot be locked.')
    return transferToUser(ctx, app, parseEmail(recipient))
  }
  parseOrgName(recipient)
  return transferToOrg(ctx, app, ctx.org(recipient), options)
}

function transferToOrg(ctx: Ctx, app: App, target: Org, options: TransferOptions): TransferOutcome {
  const targetSubject = {standing: orgStanding(ctx, target, ctx.actor), permissions: [], target: `org ${target.name}`}
  const lockWanted = Boolean(options.locked)
  if (lockWanted && targetSubject.standing !== 'admin') {
    throw forbidden(`You cannot lock apps in org ${target.name}: that needs an admin. Transfer without --locked, or ask an admin.`)
  }
  if (app.owner.kind === 'org' && app.owner.name === target.name) {
    // Already there: a rerun of a bulk transfer lands here and changes nothing (but honours --locked).
    if (lockWanted && !app.locked) {
      app.locked = true
      app.updatedAt = ctx.at
    }
    return {app, moved: false}
  }
  ctx.authorizeApp('apps:transfer-out', app)
  authorize('apps:transfer-in', targetSubject)

  const previousOwner = app.owner.kind === 'user' ? app.owner.email : undefined
  const usage = currentUsage(ctx, target)
  const members = memberEmails(ctx, target)
  const newcomers = new Set([...app.collaborators.keys(), ...(previousOwner ? [previousOwner] : [])].filter((email) => !members.has(email)))
  ensureWithinLimit(target, 'apps', usage.apps, 1)
  ensureWithinLimit(target, 'members', usage.members, newcomers.size)
  ensureWithinLimit(target, 'dyno-units', usage['dyno-units'], appRate(app).dynoUnits)

  const source = ctx.ownerOrg(app)
  cancelPendingTransfers(ctx, app)
  app.owner = {kind: 'org', name: target.name}
  app.locked = lockWanted
  app.updatedAt = ctx.at
  // Existing collaborators keep their access; the former owner stays on as a full collaborator.
  if (previousOwner) grant(ctx, app, previousOwner, APP_PERMISSIONS)
  if (source) {
    recordRate(ctx, source, app, {dynoUnits: 0, monthlyCents: 0})
    recordUsage(ctx, source)
  }
  recordRate(ctx, target, app)
  recordUsage(ctx, target)
  return {app, moved: true}
}

function transferToUser(ctx: Ctx, app: App, email: string): TransferOutcome {
  if (app.owner.kind === 'user' && app.owner.email === email) return {app, moved: false}
  ctx.authorizeApp('apps:transfer-out', app)
  const source = ctx.ownerOrg(app)
  if (source) {
    // Leaving an org is immediate, and takes every collaborator off the app.
    ctx.user(email)
    app.owner = {kind: 'user', email}
    app.locked = false
    app.collaborators.clear()
    app.updatedAt = ctx.at
    recordRate(ctx, source, app, {dynoUnits: 0, monthlyCents: 0})
    recordUsage(ctx, source)
    return {app, moved: true}
  }
  const from = (app.owner as {email: string}).email
  for (const transfer of ctx.state.transfers.values()) {
    if (transfer.appId !== app.id || transfer.state !== 'pending') continue
    if (transfer.to === email) return {app, transfer, moved: false}
    throw conflict(
      `${app.name} already has a pending transfer to ${transfer.to}: cancel it first with orgctl transfers:cancel ${transfer.id}.`,
    )
  }
  ctx.user(email)
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
  ctx.state.transfers.set(transfer.id, transfer)
  return {app, transfer, moved: false}
}

function cancelPendingTransfers(ctx: Ctx, app: App): void {
  for (const [id, transfer] of ctx.state.transfers) {
    if (transfer.appId === app.id && transfer.state === 'pending') ctx.state.transfers.delete(id)
  }
}

/** Transfers sent by or addressed to the actor, oldest first (the API's created_at order). */
export function listTransfers(ctx: Ctx): Transfer[] {
  return [...ctx.state.transfers.values()]
    .filter((transfer) => transfer.from === ctx.actor || transfer.to === ctx.actor)
    .sort((a, b) => byCreation(a, b))
}

function findTransfer(ctx: Ctx, id: string): Transfer {
  const transfer = ctx.state.transfers.get(id)
  if (!transfer || (transfer.from !== ctx.actor && transfer.to !== ctx.actor)) {
    throw notFound(`Couldn't find transfer ${quote(id)}: list yours with orgctl transfers.`)
  }
  return transfer
}

/** The recipient accepts or declines; answering the same way again changes nothing. */
export function respondToTransfer(ctx: Ctx, id: string, answer: 'accepted' | 'declined'): Transfer {
  const transfer = findTransfer(ctx, id)
  if (transfer.to !== ctx.actor)
    throw forbidden(`Only ${transfer.to}, the recipient, can answer transfer ${id}; you can cancel it with orgctl transfers:cancel ${id}.`)
  if (transfer.state === answer) return transfer
  if (transfer.state !== 'pending') throw conflict(`Transfer ${id} was already ${transfer.state}.`)
  if (answer === 'accepted') {
    const app = ctx.findApp(transfer.app)
    if (!app || app.id !== transfer.appId || app.owner.kind !== 'user' || app.owner.email !== transfer.from) {
      throw conflict(`Transfer ${id} can no longer be accepted: ${transfer.app} has changed hands since.`)
    }
    app.owner = {kind: 'user', email: transfer.to}
    app.collaborators.delete(transfer.to)
    grant(ctx, app, transfer.from, PERSONAL_PERMISSIONS)
  }
  transfer.state = answer
  transfer.updatedAt = ctx.at
  return transfer
}

/** The sender withdraws a pending transfer: it is gone from the store, and reported cancelled. */
export function cancelTransfer(ctx: Ctx, id: string): CancelledTransfer {
  const transfer = findTransfer(ctx, id)
  if (transfer.from !== ctx.actor) throw forbidden(`Only ${transfer.from}, who sent transfer ${id}, can cancel it; you can decline it.`)
  if (transfer.state !== 'pending') throw conflict(`Transfer ${id} was already ${transfer.state}.`)
  ctx.state.transfers.delete(id)
  return {...transfer, state: 'cancelled', updatedAt: ctx.at}
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
