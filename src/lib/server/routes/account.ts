/** The caller's own account, tokens, and the permission vocabulary. */
import type {FastifyInstance} from 'fastify'

import {APP_PERMISSIONS, PERMISSION_DESCRIPTIONS} from '../../domain/types.js'
import {authorizationBody} from '../schemas.js'
import type {RouteContext} from '../server.js'

export function accountRoutes(app: FastifyInstance, _context: RouteContext): void {
  app.get('/account', (request) => request.backend.account())

  app.get('/account/rate-limits', (_request, reply) => ({remaining: Number(reply.getHeader('RateLimit-Remaining') ?? 0)}))

  app.post('/oauth/authorizations', {schema: {body: authorizationBody}}, async (request, reply) => {
    const body = (request.body ?? {}) as {description?: string}
    reply.code(201)
    return request.backend.createAuthorization(body.description ?? 'orgctl API')
  })

  app.get('/teams/permissions', () => APP_PERMISSIONS.map((name) => ({name, description: PERMISSION_DESCRIPTIONS[name]})))
}
