/** Pending transfers between personal accounts. */
import type {FastifyInstance} from 'fastify'

import {notFound} from '../../errors.js'
import {idParams, transferBody, transferStateBody} from '../schemas.js'
import type {RouteContext} from '../server.js'

type IdParams = {id: string}

export function transferRoutes(app: FastifyInstance, {sendList}: RouteContext): void {
  app.get('/account/app-transfers', async (request, reply) =>
    sendList(request, reply, await request.backend.listTransfers(), {created_at: (t) => `${t.created_at} ${t.id}`, id: (t) => t.id}),
  )

  app.post('/account/app-transfers', {schema: {body: transferBody}}, async (request, reply) => {
    const body = request.body as {app: string; recipient: string}
    const result = await request.backend.transferApp(body.app, body.recipient, {})
    reply.code(201)
    return result.transfer ?? result.app
  })

  app.get('/account/app-transfers/:id', {schema: {params: idParams}}, async (request) => {
    const {id} = request.params as IdParams
    const found = (await request.backend.listTransfers()).find((transfer) => transfer.id === id || transfer.app.name === id)
    if (!found) throw notFound(`Couldn't find transfer ${id}.`)
    return found
  })

  app.patch('/account/app-transfers/:id', {schema: {params: idParams, body: transferStateBody}}, (request) =>
    request.backend.answerTransfer((request.params as IdParams).id, (request.body as {state: 'accepted' | 'declined'}).state),
  )

  app.delete('/account/app-transfers/:id', {schema: {params: idParams}}, (request) =>
    request.backend.cancelTransfer((request.params as IdParams).id),
  )
}
