/** API tokens: minted for the acting user, stored only as a hash, checked in constant time. */
import {createHash, randomBytes, timingSafeEqual} from 'node:crypto'

import {notFound} from '../errors.js'
import type {Ctx} from './context.js'
import {byCreation} from './order.js'
import type {State, Token} from './types.js'

const PREFIX = 'orgctl_'

export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex')
}

/** Mints a token; the plain value is returned once and never stored. */
export function createAuthorization(ctx: Ctx, description: string): {token: string; record: Token} {
  ctx.user(ctx.actor)
  const token = PREFIX + randomBytes(24).toString('base64url')
  const record: Token = {id: ctx.newId(), email: ctx.actor, hash: hashToken(token), description, createdAt: ctx.at}
  ctx.state.tokens.set(record.id, record)
  return {token, record}
}

/** The email a token belongs to, or undefined. */
export function verifyToken(state: State, token: string): string | undefined {
  const digest = Buffer.from(hashToken(token), 'hex')
  let email: string | undefined
  // Every record is compared, in constant time, so timing tells nothing about near misses.
  for (const record of state.tokens.values()) {
    if (timingSafeEqual(digest, Buffer.from(record.hash, 'hex'))) email = record.email
  }
  return email
}

/** The actor's tokens (their hashes stay inside). */
export function listAuthorizations(ctx: Ctx): Token[] {
  return [...ctx.state.tokens.values()].filter((token) => token.email === ctx.actor).sort(byCreation)
}

/** Revokes one of the actor's tokens, by id or by the token itself. */
export function revokeAuthorization(ctx: Ctx, match: {id: string} | {token: string}): Token {
  const hash = 'token' in match ? hashToken(match.token) : undefined
  for (const record of ctx.state.tokens.values()) {
    if (record.email !== ctx.actor) continue
    if (('id' in match && record.id === match.id) || record.hash === hash) {
      ctx.state.tokens.delete(record.id)
      return record
    }
  }
  throw notFound(`Couldn't find that authorization among yours: list them with orgctl authorizations.`)
}
