/**
 * Dashboard sign-ins: a browser signs in with an email and an API token of that email, or with a
 * one-time link minted by `orgctl dashboard` for the user behind the CLI. Either way it gets a
 * session: a random secret in a cookie, stored only as its hash, ending when it expires or its user
 * signs out (on the server: the record is removed, so a copied cookie stops working too).
 *
 * The secrets are 256 random bits (base64url), so they cannot be guessed; the per-session CSRF token
 * is derived from the secret (an HMAC), so it is stored nowhere and is worthless without the cookie.
 */
import {crypto} from '../builtins.js'

import {unauthorized} from '../errors.js'
import {recordEvent} from './audit.js'
import {Ctx, ensureUser, type WriteCtx} from './context.js'
import {hashToken, verifyTokenHash} from './tokens.js'
import type {DashboardSession} from './types.js'

/** How long a session lasts from sign-in (a working day), and a one-time link from its minting. */
export const SESSION_HOURS = 12
export const LINK_MINUTES = 2

const SIGN_IN_REFUSED = 'Wrong email or API token: mint a token with orgctl authorizations:create, signed in as that email.'
const LINK_REFUSED = 'This sign-in link was used already or has expired: run orgctl dashboard again for a new one.'

const newSecret = () => crypto().randomBytes(32).toString('base64url')
const later = (ctx: Ctx, ms: number) => new Date(ctx.clock.now().getTime() + ms).toISOString()

export interface NewSession {
  /** The cookie's value: given to the browser once, never stored. */
  secret: string
  session: DashboardSession
}

/** The CSRF token of a session: derived from its secret, so a page can embed it and a form post prove it. */
export function csrfToken(secret: string): string {
  return crypto().createHmac('sha256', secret).update('orgctl dashboard csrf').digest('base64url')
}

/** Whether a form's CSRF token is the session's (in constant time). */
export function csrfMatches(secret: string, given: unknown): boolean {
  if (typeof given !== 'string') return false
  const expected = Buffer.from(csrfToken(secret))
  const actual = Buffer.from(given)
  return actual.length === expected.length && crypto().timingSafeEqual(actual, expected)
}

/** The same unit of work, acting as this user (whom the caller has just proven). */
const actingAs = (ctx: WriteCtx, email: string): WriteCtx => new Ctx(ctx.tx, email, ctx.clock, {requestId: ctx.requestId})

async function startSession(ctx: WriteCtx, email: string, method: 'token' | 'link'): Promise<NewSession> {
  // Each sign-in sweeps the expired ones away: no timer, and nothing grows without bound.
  await ctx.tx.sessions.prune(ctx.at)
  const secret = newSecret()
  const session: DashboardSession = {
    hash: hashToken(secret),
    kind: 'session',
    email,
    createdAt: ctx.at,
    expiresAt: later(ctx, SESSION_HOURS * 3_600_000),
  }
  await ctx.tx.sessions.insert(session)
  await recordEvent(actingAs(ctx, email), {action: 'dashboard.sign-in', target: {type: 'session', name: email}, after: {method}})
  return {secret, session}
}

/**
 * Signs in with an email and one of its API tokens. A wrong email and a wrong token get the same
 * answer (nothing tells which accounts exist). `ctx.actor` is ignored: nobody is signed in yet.
 */
export async function signIn(ctx: WriteCtx, email: string, token: string): Promise<NewSession> {
  const owner = token === '' ? undefined : await verifyTokenHash(ctx.tx, hashToken(token.trim()))
  if (owner === undefined || owner.toLowerCase() !== email.trim().toLowerCase()) throw unauthorized(SIGN_IN_REFUSED)
  return startSession(ctx, owner, 'token')
}

/** Mints a one-time sign-in link for the actor: the code goes in the link once, only its hash is kept. */
export async function createSignInLink(ctx: WriteCtx): Promise<{code: string; expiresAt: string}> {
  await ensureUser(ctx, ctx.actor)
  await ctx.tx.sessions.prune(ctx.at)
  const code = newSecret()
  const expiresAt = later(ctx, LINK_MINUTES * 60_000)
  await ctx.tx.sessions.insert({hash: hashToken(code), kind: 'link', email: ctx.actor, createdAt: ctx.at, expiresAt})
  return {code, expiresAt}
}

/** Where a one-time link's code is used: the Dashboard's path, with the code in the query (which no log keeps). */
export const signInLinkPath = (code: string) => `/dashboard/sign-in/link?code=${encodeURIComponent(code)}`

/** Uses a one-time link: it is removed whether it works or not (of two uses at once, one wins), then a session starts. */
export async function useSignInLink(ctx: WriteCtx, code: string): Promise<NewSession> {
  const hash = hashToken(code)
  const link = await ctx.tx.sessions.byHash(hash)
  if (!link || link.kind !== 'link' || !(await ctx.tx.sessions.remove(hash)) || link.expiresAt <= ctx.at) throw unauthorized(LINK_REFUSED)
  return startSession(ctx, link.email, 'link')
}

/** The email signed in with this cookie secret, or undefined (unknown, expired, or a link's code). */
export async function sessionEmail(ctx: Ctx, secret: string): Promise<string | undefined> {
  const session = await ctx.tx.sessions.byHash(hashToken(secret))
  if (!session || session.kind !== 'session' || session.expiresAt <= ctx.at) return undefined
  return session.email
}

/** Signs out: the session is removed, so its cookie no longer works anywhere. */
export async function signOut(ctx: WriteCtx, secret: string): Promise<void> {
  const hash = hashToken(secret)
  const session = await ctx.tx.sessions.byHash(hash)
  if (!session || session.kind !== 'session' || !(await ctx.tx.sessions.remove(hash))) return
  await recordEvent(actingAs(ctx, session.email), {action: 'dashboard.sign-out', target: {type: 'session', name: session.email}})
}
