/** API tokens: minted for the acting user, stored only as a hash, checked in constant time. */
import {crypto} from '../builtins.js'

import {notFound} from '../errors.js'
import type {Ctx} from './context.js'
import {byCreation} from './order.js'
import type {State, Token} from './types.js'

const PREFIX = 'orgctl_'

export function hashToken(token: string): string {
  return crypto().createHash('sha256').update(token, 'utf8').digest('hex')
}

/** Mints a token; the plain value is returned once and never stored. */
export function createAuthorization(ctx: Ctx, description: string): {token: string; record: Token} {
  ctx.user(ctx.actor)
  const token = PREFIX + crypto().randomBytes(24).toString('base64url')
  const record: Token = {id: ctx.newId(), email: ctx.actor, hash: hashToken(token), description, createdAt: ctx.at}
  ctx.state.tokens.set(record.id, record)
  return {token, record}
}

/** Token records by hash, per state (a state is immutable once committed, so the index stays right). */
const indexes = new WeakMap<State, Map<string, Token>>()

/** The email a token belongs to, or undefined. */
export function verifyToken(state: State, token: string): string | undefined {
  return verifyTokenHash(state, hashToken(token))
}

/** The same, for a token already hashed (a server hashes each request's token once). */
export function verifyTokenHash(state: State, hash: string): string | undefined {
  let index = indexes.get(state)
  if (!index) {
    index = new Map([...state.tokens.values()].map((record) => [record.hash, record]))
    indexes.set(state, index)
  }
  const record = index.get(hash)
  // The lookup is by a hash the caller cannot steer; the final comparison is constant-time all the same.
  return record && crypto().timingSafeEqual(Buffer.from(record.hash, 'hex'), Buffer.from(hash, 'hex')) ? record.email : undefined
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
