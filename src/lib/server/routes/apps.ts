/** Apps (personal and team apps), locking and transfer by PATCH, dyno formation, and the dynos it runs. */
import {createHash} from 'node:crypto'

import type * as R from '../../api/resources.js'
import {ROUTES} from '../../api/routes.js'
import type {LocalBackend} from '../../backend/local-backend.js'
import {notFound, usageError} from '../../errors.js'
import {asciiLower, parseAppName, parseDynoSize, parseRegion, type ScaleChange} from '../../domain/validation.js'
import {accountEmail, isUuid, orgName} from '../lookup.js'
import {createAppBody, createTeamAppBody, formationBody, formationUpdateBody, patchAppBody, patchTeamAppBody} from '../schemas.js'
import type {RouteContext} from '../server.js'

interface CreateAppBody {
  name?: string
  region?: string
  team?: string
  personal?: boolean
  locked?: boolean
  space?: string | null
  internal_routing?: boolean | null
  kernel?: string | null
}

interface FormationUpdate {
  type: string
  quantity?: number | string
  size?: string
}

/** Heroku's dyno resource: orgctl runs nothing, so each process of the formation is reported up. */
export interface Dyno {
  id: string
  name: string
  type: string
  size: string
  state: 'up'
  command: string
  app: R.Ref
  attach_url: null
  release: null
  created_at: string
  updated_at: string
}

/** A stable UUID-shaped id for a dyno (the store keeps none): the same for the same process of the same formation. */
function dynoId(formationId: string, index: number): string {
  const hex = createHash('sha256').update(`dyno:${formationId}:${index}`).digest('hex')
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`
}

/** One dyno per process the formation runs: web.1, web.2, worker.1, ... */
export function dynosOf(formation: readonly R.Formation[]): Dyno[] {
  return formation.flatMap((entry) =>
    Array.from({length: entry.quantity}, (_, i): Dyno => ({
      id: dynoId(entry.id, i + 1),
      name: `${entry.type}.${i + 1}`,
      type: entry.type,
      size: entry.size,
      state: 'up',
      command: entry.command,
      app: entry.app,
      attach_url: null,
      release: null,
      created_at: entry.updated_at,
      updated_at: entry.updated_at,
    })),
  )
}

function scaleChange(update: FormationUpdate): ScaleChange {
  const change: ScaleChange = {type: asciiLower(update.type)}
  if (typeof update.quantity === 'number') change.quantity = update.quantity
  else if (typeof update.quantity === 'string') {
    if (/^[+-]/.test(update.quantity)) change.delta = Number(update.quantity)
    else change.quantity = Number(update.quantity)
  }
  if (update.size !== undefined) change.size = parseDynoSize(update.size)
  return change
}

export function appRoutes({on, sendList}: RouteContext): void {
  const appFields = {name: (a: R.App) => a.name, id: (a: R.App) => a.id, updated_at: (a: R.App) => a.updated_at}

  on(ROUTES.listApps, {}, async (request, reply) => sendList(request, reply, await request.backend.listApps(), appFields))

  // Heroku's "owned and collaborated" list: the caller's own (~, their email or their id).
  on(ROUTES.userApps, {}, async (request, reply) => {
    if (asciiLower(request.params.user) !== request.actor) {
      // Not the resolved email: an id must not tell its owner's address.
      throw notFound("Couldn't find that user: only your own apps can be listed (GET /users/~/apps).")
    }
    return sendList(request, reply, await request.backend.listApps(), appFields)
  })

  const create = async (body: CreateAppBody, backend: LocalBackend, team: string | undefined) => {
    if (body.locked) throw usageError('Create the app first, then lock it with PATCH /teams/apps/{app} {"locked": true}.')
    if (body.space !== undefined && body.space !== null) throw usageError('Private Spaces are not supported by orgctl: leave out "space".')
    if (body.internal_routing)
      throw usageError('Internal routing is not supported by orgctl (it has no Private Spaces): leave out "internal_routing".')
    if (body.kernel !== undefined && body.kernel !== null)
      throw usageError('Choosing a kernel is not supported by orgctl: leave out "kernel".')
    return backend.createApp({
      name: body.name === undefined ? undefined : parseAppName(body.name),
      team,
      region: parseRegion(body.region ?? 'us'),
    })
  }

  on(ROUTES.createApp, {body: createAppBody}, async (request, reply) => {
    reply.code(201)
    return create(request.body as CreateAppBody, request.backend, undefined)
  })

  on(ROUTES.createTeamApp, {body: createTeamAppBody}, async (request, reply) => {
    const body = request.body as CreateAppBody
    reply.code(201)
    const team = body.personal || body.team === undefined ? undefined : await orgName(request.storage, request.actor, body.team)
    return create(body, request.backend, team)
  })

  for (const route of [ROUTES.getApp, ROUTES.getTeamApp]) on(route, {}, (request) => request.backend.getApp(request.params.app))
  for (const route of [ROUTES.destroyApp, ROUTES.destroyTeamApp]) on(route, {}, (request) => request.backend.destroyApp(request.params.app))

  on(ROUTES.updateApp, {body: patchAppBody}, async (request) => {
    const {app: name} = request.params
    const body = request.body as {name?: string; maintenance?: boolean}
    const app = await request.backend.getApp(name)
    if (body.name !== undefined && body.name !== app.name) throw usageError('Renaming apps is not supported by orgctl.')
    if (body.maintenance) throw usageError('Maintenance mode is not supported by orgctl.')
    return app
  })

  // Heroku overloads this PATCH: {locked} locks or unlocks; {owner} transfers (to a team name or id,
  // or a user's email, id or ~). Extension: {owner, locked: true} transfers and locks in one change.
  on(ROUTES.updateTeamApp, {body: patchTeamAppBody}, async (request) => {
    const {app: name} = request.params
    const body = request.body as {owner?: string; locked?: boolean}
    if (body.owner === undefined) return request.backend.setLocked(name, body.locked!)
    const {storage, actor} = request
    const team = await orgName(storage, actor, body.owner)
    const owner = team !== body.owner || !(isUuid(body.owner) || body.owner === '~') ? team : await accountEmail(storage, actor, body.owner)
    const result = await request.backend.transferApp(name, owner, {locked: body.locked})
    return result.transfer ?? result.app
  })

  // Heroku's CLI reads these for apps:info: orgctl keeps no add-ons.
  on(ROUTES.listAddons, {}, async (request, reply) => {
    await request.backend.getApp(request.params.app)
    return sendList(request, reply, [] as {id: string; name: string}[], {id: (a) => a.id, name: (a) => a.name})
  })

  // ... and these for ps: the processes of the formation, with its permission (ps:list).
  on(ROUTES.listDynos, {}, async (request) => dynosOf(await request.backend.listFormation(request.params.app)))

  on(ROUTES.getDyno, {}, async (request) => {
    const {app, dyno} = request.params
    const found = dynosOf(await request.backend.listFormation(app)).find((entry) => entry.name === dyno || entry.id === dyno)
    if (!found) throw notFound(`Couldn't find dyno ${dyno} of app ${app}: list them with GET /apps/${app}/dynos.`)
    return found
  })

  on(ROUTES.listFormation, {}, (request) => request.backend.listFormation(request.params.app))

  on(ROUTES.getFormation, {}, async (request) => {
    const {app, formation: type} = request.params
    const found = (await request.backend.listFormation(app)).find((entry) => entry.type === type)
    if (!found) throw notFound(`App ${app} has no ${type} processes: scale them with orgctl ps:scale ${type}=1 --app ${app}.`)
    return found
  })

  on(ROUTES.batchUpdateFormation, {body: formationBody}, (request) => {
    const {updates} = request.body as {updates: FormationUpdate[]}
    return request.backend.scale(request.params.app, updates.map(scaleChange))
  })

  // One type: the same rules as the batch update, answering that type's formation.
  on(ROUTES.updateFormation, {body: formationUpdateBody}, async (request) => {
    const {app, formation: type} = request.params
    const formation = await request.backend.scale(app, [scaleChange({...(request.body as Omit<FormationUpdate, 'type'>), type})])
    return formation.find((entry) => entry.type === asciiLower(type))!
  })
}
