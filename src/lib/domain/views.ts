/**
 * What the presenters (src/lib/api/present.ts) are given: a record with everything its answer
 * shows that lives elsewhere (an owner org's id, a user's id), looked up in the transaction once
 * for a whole list. Presenters never see storage.
 */
import type {Ctx} from './context.js'
import type {App, Org, Token, Transfer, CancelledTransfer} from './types.js'

export interface UserRef {
  email: string
  /** Undefined when they have no user record (the presenter derives a stable id). */
  id?: string
}

export interface AppView {
  app: App
  /** The owner org's id and name, for an org app. */
  team?: {id: string; name: string}
  /** The owner, for a personal app. */
  owner?: UserRef
  /** Whether the actor is a collaborator on it. */
  joined: boolean
}

export async function appViews(ctx: Ctx, apps: readonly App[]): Promise<AppView[]> {
  if (apps.length === 0) return []
  const joined = new Set((await ctx.tx.apps.sharedWith(ctx.actor)).map((app) => app.name))
  const orgs = new Map<string, Org | undefined>()
  for (const app of apps) {
    if (app.owner.kind === 'org' && !orgs.has(app.owner.name)) orgs.set(app.owner.name, await ctx.tx.orgs.byName(app.owner.name))
  }
  const owners = await userRefs(
    ctx,
    apps.flatMap((app) => (app.owner.kind === 'user' ? [app.owner.email] : [])),
  )
  return apps.map((app) => {
    const org = app.owner.kind === 'org' ? orgs.get(app.owner.name) : undefined
    return {
      app,
      joined: joined.has(app.name),
      ...(app.owner.kind === 'org' ? {team: {id: org?.id ?? '', name: app.owner.name}} : {owner: owners.get(app.owner.email)!}),
    }
  })
}

export async function appView(ctx: Ctx, app: App): Promise<AppView> {
  return (await appViews(ctx, [app]))[0]!
}

/** Each email with its user id, if it has a user record. */
export async function userRefs(ctx: Ctx, emails: readonly string[]): Promise<Map<string, UserRef>> {
  const ids = await ctx.tx.users.idsByEmail([...new Set(emails)])
  return new Map(emails.map((email) => [email, {email, id: ids.get(email)}]))
}

export interface TransferView {
  transfer: Transfer | CancelledTransfer
  owner: UserRef
  recipient: UserRef
}

export async function transferViews(ctx: Ctx, transfers: readonly (Transfer | CancelledTransfer)[]): Promise<TransferView[]> {
  const refs = await userRefs(
    ctx,
    transfers.flatMap((transfer) => [transfer.from, transfer.to]),
  )
  return transfers.map((transfer) => ({transfer, owner: refs.get(transfer.from)!, recipient: refs.get(transfer.to)!}))
}

export async function transferView(ctx: Ctx, transfer: Transfer | CancelledTransfer): Promise<TransferView> {
  return (await transferViews(ctx, [transfer]))[0]!
}

export interface AuthorizationView {
  record: Token
  user: UserRef
  /** The token itself: only when it is minted. */
  token?: string
}
