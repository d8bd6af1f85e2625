/** API tokens: minted for the acting user, stored only as a hash, checked in constant time. */
import {crypto} from '../builtins.js'

import {notFound} from '../errors.js'
import type {ReadTx} from '../storage/storage.js'
import {recordEvent} from './audit.js'
import {type Ctx, ensureUser, type WriteCtx} from './context.js'
import type {Token} from './types.js'

const PREFIX = 'orgctl_'

export function hashToken(token: string): string {
  return crypto().createHash('sha256').update(token, 'utf8').digest('hex')
}

/** Mints a token; the plain value is returned once and never stored. */
export async function createAuthorization(ctx: WriteCtx, description: string): Promise<{token: string; record: Token}> {
  await ensureUser(ctx, ctx.actor)
  const token = PREFIX + crypto().randomBytes(24).toString('base64url')
  const record: Token = {id: ctx.newId(), email: ctx.actor, hash: hashToken(token), description, createdAt: ctx.at}
  await ctx.tx.tokens.insert(record)
  // Its id and description only: never the token, nor its hash.
  await recordEvent(ctx, {
    action: 'authorization.create',
    target: {type: 'authorization', name: record.id},
    after: {id: record.id, description},
  })
  return {token, record}
}

/** The email a token belongs to (already hashed: a server hashes each request's token once), or undefined. */
export async function verifyTokenHash(tx: ReadTx, hash: string): Promise<string | undefined> {
  const record = await tx.tokens.byHash(hash)
  // The lookup is by a hash the caller cannot steer; the final comparison is constant-time all the same.
  return record && crypto().timingSafeEqual(Buffer.from(record.hash, 'hex'), Buffer.from(hash, 'hex')) ? record.email : undefined
}

/** The actor's tokens (their hashes stay inside). */
export function listAuthorizations(ctx: Ctx): Promise<Token[]> {
  return ctx.tx.tokens.of(ctx.actor)
}

/** Revokes one of the actor's tokens, by id or by the token itself. */
export async function revokeAuthorization(ctx: WriteCtx, match: {id: string} | {token: string}): Promise<Token> {
  const hash = 'token' in match ? hashToken(match.token) : undefined
  for (const record of await ctx.tx.tokens.of(ctx.actor)) {
    if (('id' in match && record.id === match.id) || record.hash === hash) {
      await ctx.tx.tokens.remove(record.id)
      // A Dashboard session may have been signed in with this token: its user signs in again.
      await ctx.tx.sessions.removeOf(record.email)
      await recordEvent(ctx, {
        action: 'authorization.destroy',
        target: {type: 'authorization', name: record.id},
        before: {id: record.id, description: record.description},
      })
      return record
    }
  }
  throw notFound(`Couldn't find that authorization among yours: list them with orgctl authorizations.`)
}
