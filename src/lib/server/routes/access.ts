/** Access checks and an org's whole access state (extensions: access:check, access:who-can, access as code). */
import {ROUTES} from '../../api/routes.js'
import {parseEmail, parsePermission} from '../../domain/validation.js'
import type {RouteContext} from '../server.js'

export function accessRoutes({on, sendList}: RouteContext): void {
  on(ROUTES.accessCheck, {}, (request) => {
    const {app, user, permission} = request.params
    return request.backend.checkAccess(app, parseEmail(user), parsePermission(permission))
  })

  on(ROUTES.accessHolders, {}, async (request, reply) => {
    const {app, permission} = request.params
    return sendList(request, reply, await request.backend.accessHolders(app, parsePermission(permission)), {email: (h) => h.email})
  })

  on(ROUTES.teamAccess, {}, (request) => request.backend.teamAccess(request.params.team))
}
