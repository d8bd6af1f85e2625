/** Pending transfers between personal accounts (each taken by its id, or its app's name or id). */
import {ROUTES} from '../../api/routes.js'
import {notFound} from '../../errors.js'
import {accountEmail, appName} from '../lookup.js'
import {transferBody, transferStateBody} from '../schemas.js'
import type {RouteContext} from '../server.js'

export function transferRoutes({on, sendList}: RouteContext): void {
  on(ROUTES.listTransfers, {}, async (request, reply) =>
    sendList(request, reply, await request.backend.listTransfers(), {created_at: (t) => `${t.created_at} ${t.id}`, id: (t) => t.id}),
  )

  on(ROUTES.createTransfer, {body: transferBody}, async (request, reply) => {
    const body = request.body as {app: string; recipient: string}
    const {storage, actor} = request
    const [app, recipient] = await Promise.all([appName(storage, actor, body.app), accountEmail(storage, actor, body.recipient)])
    const result = await request.backend.transferApp(app, recipient, {})
    reply.code(201)
    return result.transfer ?? result.app
  })

  on(ROUTES.getTransfer, {}, async (request) => {
    const {transfer: id} = request.params
    const found = (await request.backend.listTransfers()).find((transfer) => transfer.id === id)
    if (!found) throw notFound(`Couldn't find transfer ${id}.`)
    return found
  })

  on(ROUTES.updateTransfer, {body: transferStateBody}, (request) =>
    request.backend.answerTransfer(request.params.transfer, (request.body as {state: 'accepted' | 'declined'}).state),
  )

  on(ROUTES.deleteTransfer, {}, (request) => request.backend.cancelTransfer(request.params.transfer))
}
