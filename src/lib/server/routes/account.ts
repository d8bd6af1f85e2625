/** The caller's own account, tokens, and the permission vocabulary. */
import {ROUTES} from '../../api/routes.js'
import {APP_PERMISSIONS, PERMISSION_DESCRIPTIONS} from '../../domain/types.js'
import {notFound} from '../../errors.js'
import {authorizationBody} from '../schemas.js'
import {type RouteContext, tokenFrom} from '../server.js'

export function accountRoutes({on, sendList}: RouteContext): void {
  on(ROUTES.account, {}, (request) => request.backend.account())

  on(ROUTES.rateLimits, {}, (_request, reply) => ({remaining: Number(reply.getHeader('RateLimit-Remaining') ?? 0)}))

  on(ROUTES.createAuthorization, {body: authorizationBody}, async (request, reply) => {
    const body = request.body as {description?: string}
    reply.code(201)
    return request.backend.createAuthorization(body.description ?? 'orgctl API')
  })

  // The code is in the answer's body only: never in a URL this server logs (its log keeps no query string either).
  on(ROUTES.createDashboardLink, {}, async (request, reply) => {
    reply.code(201)
    return request.backend.createDashboardLink()
  })

  on(ROUTES.listAuthorizations, {}, async (request, reply) =>
    sendList(request, reply, await request.backend.listAuthorizations(), {created_at: (a) => `${a.created_at} ${a.id}`, id: (a) => a.id}),
  )

  on(ROUTES.getAuthorization, {}, async (request) => {
    const {authorization: id} = request.params
    const found = (await request.backend.listAuthorizations()).find((authorization) => authorization.id === id)
    if (!found) throw notFound(`Couldn't find authorization ${id}: list yours with orgctl authorizations.`)
    return found
  })

  // `~` (an extension) is the token this request came with: how `orgctl logout` revokes its own.
  on(ROUTES.revokeAuthorization, {}, (request) => {
    const {authorization: id} = request.params
    return id === '~' ? request.backend.revokeToken(tokenFrom(request.headers.authorization)!) : request.backend.revokeAuthorization(id)
  })

  on(ROUTES.permissions, {}, () => APP_PERMISSIONS.map((name) => ({name, description: PERMISSION_DESCRIPTIONS[name]})))
}
