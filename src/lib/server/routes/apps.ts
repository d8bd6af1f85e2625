/** Apps (personal and team apps), locking and transfer by PATCH, and dyno formation. */
import type {FastifyInstance} from 'fastify'

import type {LocalBackend} from '../../backend/local-backend.js'
import {usageError} from '../../errors.js'
import {parseAppName, parseDynoSize, parseRegion, type ScaleChange} from '../../domain/validation.js'
import {appParams, createAppBody, formationBody, patchAppBody, patchTeamAppBody} from '../schemas.js'
import type {RouteContext} from '../server.js'

type AppParams = {app: string}

interface CreateAppBody {
  name?: string
  region?: string
  team?: string
  personal?: boolean
  locked?: boolean
}

export function appRoutes(app: FastifyInstance, {sendList}: RouteContext): void {
  app.get('/apps', async (request, reply) =>
    sendList(request, reply, await request.backend.listApps(), {name: (a) => a.name, id: (a) => a.id, updated_at: (a) => a.updated_at}),
  )

  const create = async (body: CreateAppBody, backend: LocalBackend) => {
    if (body.locked) throw usageError('Create the app first, then lock it with PATCH /teams/apps/{app} {"locked": true}.')
    return backend.createApp({
      name: body.name === undefined ? undefined : parseAppName(body.name),
      team: body.personal ? undefined : body.team,
      region: parseRegion(body.region ?? 'us'),
    })
  }

  app.post('/apps', {schema: {body: createAppBody}}, async (request, reply) => {
    reply.code(201)
    return create({...(request.body as CreateAppBody), team: undefined}, request.backend)
  })

  app.post('/teams/apps', {schema: {body: createAppBody}}, async (request, reply) => {
    reply.code(201)
    return create((request.body ?? {}) as CreateAppBody, request.backend)
  })

  for (const prefix of ['/apps', '/teams/apps']) {
    app.get(`${prefix}/:app`, {schema: {params: appParams}}, (request) => request.backend.getApp((request.params as AppParams).app))
    app.delete(`${prefix}/:app`, {schema: {params: appParams}}, (request) => request.backend.destroyApp((request.params as AppParams).app))
  }

  app.patch('/apps/:app', {schema: {params: appParams, body: patchAppBody}}, async (request) => {
    const {app: name} = request.params as AppParams
    const body = (request.body ?? {}) as {name?: string; maintenance?: boolean}
    if (body.name !== undefined && body.name !== name) throw usageError('Renaming apps is not supported by orgctl.')
    if (body.maintenance) throw usageError('Maintenance mode is not supported by orgctl.')
    return request.backend.getApp(name)
  })

  // Heroku overloads this PATCH: {locked} locks or unlocks; {owner} transfers (to a team name or a user's email).
  // Extension: {owner, locked: true} transfers and locks in one change.
  app.patch('/teams/apps/:app', {schema: {params: appParams, body: patchTeamAppBody}}, async (request) => {
    const {app: name} = request.params as AppParams
    const body = request.body as {owner?: string; locked?: boolean}
    if (body.owner === undefined) return request.backend.setLocked(name, body.locked!)
    const result = await request.backend.transferApp(name, body.owner, {locked: body.locked})
    return result.transfer ?? result.app
  })

  app.get('/apps/:app/formation', {schema: {params: appParams}}, (request) =>
    request.backend.listFormation((request.params as AppParams).app),
  )

  app.patch('/apps/:app/formation', {schema: {params: appParams, body: formationBody}}, (request) => {
    const {updates} = request.body as {updates: {type: string; quantity?: number | string; size?: string}[]}
    const changes = updates.map((update): ScaleChange => {
      const change: ScaleChange = {type: update.type.toLowerCase()}
      if (typeof update.quantity === 'number') change.quantity = update.quantity
      else if (typeof update.quantity === 'string') {
        if (/^[+-]/.test(update.quantity)) change.delta = Number(update.quantity)
        else change.quantity = Number(update.quantity)
      }
      if (update.size !== undefined) change.size = parseDynoSize(update.size)
      return change
    })
    return request.backend.scale((request.params as AppParams).app, changes)
  })
}
