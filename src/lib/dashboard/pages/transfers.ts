/**
 * Transfers: the pending app transfers addressed to the user (accept, decline) and sent by them
 * (cancel), then the answered ones, briefly. Only personal apps move this way (a move into or out
 * of an org happens at once), so an org has no pending transfers of its own to show. Who may answer
 * or cancel is the domain's rule; a refusal is shown beside the transfer it was about.
 */
import type {FastifyInstance} from 'fastify'

import type * as R from '../../api/resources.js'
import {html, type Html} from '../html.js'
import {csrfField, formError, layout} from '../layout.js'
import {formRoute, sendPage, viewOf} from '../plugin.js'
import {type FormProblem, seg, type View} from '../view.js'

const FORMS = ['accept-transfer', 'decline-transfer', 'cancel-transfer'] as const
/** The answered transfers shown, newest first. */
export const PAST_SHOWN = 20

const pathOf = (transfer: Pick<R.AppTransfer, 'id'>, verb: string) => `/dashboard/transfers/${seg(transfer.id)}/${verb}`
const errorsOf = (problem: FormProblem | undefined) => FORMS.map((form) => formError(problem, form))

function actionForm(view: View, transfer: R.AppTransfer, verb: 'accept' | 'decline' | 'cancel', confirm?: string): Html {
  const label = {accept: 'Accept', decline: 'Decline', cancel: 'Cancel transfer'}[verb]
  return html`<form class="inline" method="post" action="${pathOf(transfer, verb)}" ${confirm ? html`data-confirm="${confirm}"` : ''}>
    ${csrfField(view)}<button class="${verb === 'accept' ? '' : verb === 'decline' ? 'secondary' : 'danger'}" type="submit">
      ${label}<span class="visually-hidden"> ${transfer.app.name}</span>
    </button>
  </form>`
}

function pendingTable(view: View, problem: FormProblem | undefined, transfers: R.AppTransfer[], incoming: boolean): Html {
  return html`<table>
    <thead>
      <tr>
        <th>App</th>
        <th>${incoming ? 'From' : 'To'}</th>
        <th>Sent</th>
        <th>${incoming ? 'Answer' : 'Action'}</th>
      </tr>
    </thead>
    <tbody>
      ${transfers.map((transfer) => {
        const refused = view.params.transfer === transfer.id && problem !== undefined
        return html`<tr>
            <td>${transfer.app.name}</td>
            <td data-label="${incoming ? 'From' : 'To'}">${incoming ? transfer.owner.email : transfer.recipient.email}</td>
            <td data-label="Sent">${transfer.created_at.slice(0, 10)}</td>
            <td>
              ${
                incoming
                  ? html`${actionForm(view, transfer, 'accept')}
                    ${actionForm(view, transfer, 'decline', `Decline ${transfer.app.name} from ${transfer.owner.email}? It stays theirs.`)}`
                  : actionForm(view, transfer, 'cancel', `Cancel the transfer of ${transfer.app.name} to ${transfer.recipient.email}?`)
              }
            </td>
          </tr>
          ${
            refused
              ? html`<tr class="refusal">
                  <td colspan="4">${errorsOf(problem)}</td>
                </tr>`
              : ''
          }`
      })}
    </tbody>
  </table>`
}

export async function transfersPage(view: View, problem?: FormProblem) {
  const [transfers, teams] = await Promise.all([view.backend.listTransfers(), view.backend.listTeams()])
  const pending = transfers.filter((transfer) => transfer.state === 'pending')
  const incoming = pending.filter((transfer) => transfer.recipient.email === view.email)
  const outgoing = pending.filter((transfer) => transfer.owner.email === view.email && transfer.recipient.email !== view.email)
  const past = transfers
    .filter((transfer) => transfer.state !== 'pending')
    .sort((a, b) => b.updated_at.localeCompare(a.updated_at))
    .slice(0, PAST_SHOWN)
  // A refusal about a transfer not listed here (someone else's, or answered meanwhile) is shown at the top.
  const listed = pending.some((transfer) => transfer.id === view.params.transfer)
  return layout(view, {
    title: 'Transfers',
    tab: 'transfers',
    teams,
    body: html`<h1>Transfers</h1>
      ${listed ? '' : errorsOf(problem)}
      <section class="card" aria-labelledby="incoming-heading">
        <h2 id="incoming-heading">Sent to you</h2>
        ${
          incoming.length === 0
            ? html`<p class="muted">No app is waiting for you to accept it.</p>`
            : pendingTable(view, problem, incoming, true)
        }
      </section>
      <section class="card" aria-labelledby="outgoing-heading">
        <h2 id="outgoing-heading">Sent by you, waiting for an answer</h2>
        ${
          outgoing.length === 0
            ? html`<p class="muted">None. Send a personal app to someone with <code>orgctl apps:transfer EMAIL --app APP</code>.</p>`
            : pendingTable(view, problem, outgoing, false)
        }
      </section>
      ${
        past.length === 0
          ? ''
          : html`<section class="card" aria-labelledby="past-heading">
              <h2 id="past-heading">Answered</h2>
              <ul class="plain">
                ${past.map(
                  (transfer) =>
                    html`<li>
                      ${transfer.app.name}, from ${transfer.owner.email} to ${transfer.recipient.email}:
                      <span class="badge">${transfer.state}</span> <span class="muted">${transfer.updated_at.slice(0, 10)}</span>
                    </li>`,
                )}
              </ul>
            </section>`
      }`,
  })
}

export function transfersRoutes(scope: FastifyInstance): void {
  scope.get('/transfers', async (request, reply) => sendPage(reply, await transfersPage(viewOf(request))))
  const to = '/dashboard/transfers'
  formRoute(scope, '/transfers/:transfer/accept', 'accept-transfer', transfersPage, async (view) => {
    const transfer = await view.backend.answerTransfer(view.params.transfer!, 'accepted')
    return {to, notice: `You now own ${transfer.app.name}, from ${transfer.owner.email}.`}
  })
  formRoute(scope, '/transfers/:transfer/decline', 'decline-transfer', transfersPage, async (view) => {
    const transfer = await view.backend.answerTransfer(view.params.transfer!, 'declined')
    return {to, notice: `Declined ${transfer.app.name} from ${transfer.owner.email}: it stays theirs.`}
  })
  formRoute(scope, '/transfers/:transfer/cancel', 'cancel-transfer', transfersPage, async (view) => {
    const transfer = await view.backend.cancelTransfer(view.params.transfer!)
    return {to, notice: `Cancelled the transfer of ${transfer.app.name} to ${transfer.recipient.email}.`}
  })
}
