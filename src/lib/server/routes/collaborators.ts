/**
 * Collaborators, on both Heroku paths (/apps/... and /teams/apps/...). A member
 * adding or deleting themselves is joining or leaving, as Heroku's API says it.
 */
import type {FastifyInstance} from 'fastify'

import {notFound} from '../../errors.js'
import {parseEmail, parsePermissions} from '../../domain/validation.js'
import {appEmailParams, appParams, collaboratorBody, permissionsBody} from '../schemas.js'
import type {RouteContext} from '../server.js'

type AppParams = {app: string}
type AppEmailParams = {app: string; email: string}

export function collaboratorRoutes(app: FastifyInstance, {sendList}: RouteContext): void {
  for (const prefix of ['/apps', '/teams/apps']) {
    app.get(`${prefix}/:app/collaborators`, {schema: {params: appParams}}, async (request, reply) =>
      sendList(request, reply, await request.backend.listAccess((request.params as AppParams).app), {email: (c) => c.user.email}),
    )

    app.post(`${prefix}/:app/collaborators`, {schema: {params: appParams, body: collaboratorBody}}, async (request, reply) => {
      const {app: name} = request.params as AppParams
      const body = request.body as {user: string; permissions?: string[]}
      const email = parseEmail(body.user)
      reply.code(201)
      if (email === request.actor) return request.backend.joinApp(name)
      return request.backend.addAccess(name, email, body.permissions === undefined ? undefined : parsePermissions(body.permissions))
    })

    app.get(`${prefix}/:app/collaborators/:email`, {schema: {params: appEmailParams}}, async (request) => {
      const {app: name, email} = request.params as AppEmailParams
      const wanted = parseEmail(email)
      const found = (await request.backend.listAccess(name)).find((collaborator) => collaborator.user.email === wanted)
      if (!found) throw notFound(`${wanted} has no access to ${name}.`)
      return found
    })

    app.delete(`${prefix}/:app/collaborators/:email`, {schema: {params: appEmailParams}}, (request) => {
      const {app: name, email} = request.params as AppEmailParams
      return request.backend.removeAccess(name, parseEmail(email))
    })
  }

  app.patch('/teams/apps/:app/collaborators/:email', {schema: {params: appEmailParams, body: permissionsBody}}, (request) => {
    const {app: name, email} = request.params as AppEmailParams
    return request.backend.updateAccess(name, parseEmail(email), parsePermissions((request.body as {permissions: string[]}).permissions))
  })
}
