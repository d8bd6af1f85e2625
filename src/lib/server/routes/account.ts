/** The caller's own account, tokens, and the permission vocabulary. */
import type {FastifyInstance} from 'fastify'

import {APP_PERMISSIONS, PERMISSION_DESCRIPTIONS} from '../../domain/types.js'
import {authorizationBody, idParams} from '../schemas.js'
import {type RouteContext, tokenFrom} from '../server.js'

export function accountRoutes(app: FastifyInstance, {sendList}: RouteContext): void {
  app.get('/account', (request) => request.backend.account())

  app.get('/account/rate-limits', (_request, reply) => ({remaining: Number(reply.getHeader('RateLimit-Remaining') ?? 0)}))

  app.post('/oauth/authorizations', {schema: {body: authorizationBody}}, async (request, reply) => {
    const body = (request.body ?? {}) as {description?: string}
    reply.code(201)
    return request.backend.createAuthorization(body.description ?? 'orgctl API')
  })

  app.get('/oauth/authorizations', async (request, reply) =>
    sendList(request, reply, await request.backend.listAuthorizations(), {created_at: (a) => `${a.created_at} ${a.id}`, id: (a) => a.id}),
  )

  // `~` (an extension) is the token this request came with: how `orgctl logout` revokes its own.
  app.delete('/oauth/authorizations/:id', {schema: {params: idParams}}, (request) => {
    const {id} = request.params as {id: string}
    return id === '~' ? request.backend.revokeToken(tokenFrom(request.headers.authorization)!) : request.backend.revokeAuthorization(id)
  })

  app.get('/teams/permissions', () => APP_PERMISSIONS.map((name) => ({name, description: PERMISSION_DESCRIPTIONS[name]})))
}
