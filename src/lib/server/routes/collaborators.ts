/**
 * Collaborators, on both Heroku paths (/apps/... and /teams/apps/...). A member
 * adding or deleting themselves is joining or leaving, as Heroku's API says it.
 */
import {ROUTES} from '../../api/routes.js'
import {notFound} from '../../errors.js'
import {parseEmail, parsePermissions} from '../../domain/validation.js'
import {accountEmail} from '../lookup.js'
import {collaboratorBody, permissionsBody} from '../schemas.js'
import type {RouteContext} from '../server.js'

export function collaboratorRoutes({on, sendList}: RouteContext): void {
  const paths = [
    {list: ROUTES.listCollaborators, add: ROUTES.addCollaborator, get: ROUTES.getCollaborator, remove: ROUTES.removeCollaborator},
    {
      list: ROUTES.listTeamCollaborators,
      add: ROUTES.addTeamCollaborator,
      get: ROUTES.getTeamCollaborator,
      remove: ROUTES.removeTeamCollaborator,
    },
  ]
  for (const route of paths) {
    on(route.list, {}, async (request, reply) =>
      sendList(request, reply, await request.backend.listAccess(request.params.app), {email: (c) => c.user.email}),
    )

    on(route.add, {body: collaboratorBody}, async (request, reply) => {
      const {app: name} = request.params
      const body = request.body as {user: string; permissions?: string[]}
      const email = parseEmail(await accountEmail(request.storage, request.actor, body.user))
      reply.code(201)
      if (email === request.actor) return request.backend.joinApp(name)
      return request.backend.addAccess(name, email, body.permissions === undefined ? undefined : parsePermissions(body.permissions))
    })

    on(route.get, {}, async (request) => {
      const {app: name, collaborator} = request.params
      const wanted = parseEmail(collaborator)
      const found = (await request.backend.listAccess(name)).find((entry) => entry.user.email === wanted)
      if (!found) throw notFound(`${wanted} has no access to ${name}.`)
      return found
    })

    on(route.remove, {}, (request) => {
      const {app: name, collaborator} = request.params
      return request.backend.removeAccess(name, parseEmail(collaborator))
    })
  }

  on(ROUTES.updateTeamCollaborator, {body: permissionsBody}, (request) => {
    const {app: name, collaborator} = request.params
    return request.backend.updateAccess(
      name,
      parseEmail(collaborator),
      parsePermissions((request.body as {permissions: string[]}).permissions),
    )
  })
}
