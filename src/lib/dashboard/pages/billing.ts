/**
 * The Billing tab (admins; the domain refuses others with the matrix's message): this month's
 * estimated charges per app, as orgs:billing prints them, with the totals.
 */
import type {FastifyInstance} from 'fastify'

import {usd} from '../../output/money.js'
import {html} from '../html.js'
import {orgTabLayout} from '../layout.js'
import {sendPage, viewOf} from '../plugin.js'
import type {View} from '../view.js'
import {teamOf} from './access.js'

/** The period's last day (its end is the next month's first instant). */
const lastDay = (end: string) => new Date(Date.parse(end) - 1).toISOString().slice(0, 10)

export async function billingPage(view: View) {
  const org = view.params.org!
  const [billing, {team, teams}] = await Promise.all([view.backend.teamBilling(org), teamOf(view, org)])
  const units = billing.apps.reduce((sum, app) => sum + app.dyno_units, 0)
  const rate = billing.apps.reduce((sum, app) => sum + app.monthly_rate, 0)
  return orgTabLayout(view, {
    org,
    tab: 'billing',
    team,
    teams,
    body: html`
      <section class="card" aria-labelledby="estimate-heading">
        <h2 id="estimate-heading">Estimated charges in ${billing.month}</h2>
        <p class="muted">
          From ${billing.period_start.slice(0, 10)} to ${lastDay(billing.period_end)}: each app's dyno charges, prorated by the second over
          the time it ran in the org, to date and projected to the month's end at today's scale.
        </p>
        ${
          billing.apps.length === 0
            ? html`<p>No charges this month: no app in the org has run dynos.</p>`
            : html`<table>
                <thead>
                  <tr>
                    <th>App</th>
                    <th class="num">Dyno units</th>
                    <th class="num">Monthly rate</th>
                    <th class="num">To date</th>
                    <th class="num">Projected</th>
                  </tr>
                </thead>
                <tbody>
                  ${billing.apps.map(
                    (app) =>
                      html`<tr>
                        <td>${app.app_name}</td>
                        <td class="num" data-label="Dyno units">${app.dyno_units}</td>
                        <td class="num" data-label="Monthly rate">${usd(app.monthly_rate)}</td>
                        <td class="num" data-label="To date">${usd(app.to_date)}</td>
                        <td class="num" data-label="Projected">${usd(app.projected)}</td>
                      </tr>`,
                  )}
                </tbody>
                <tfoot>
                  <tr class="total">
                    <th scope="row">Total</th>
                    <td class="num" data-label="Dyno units">${units}</td>
                    <td class="num" data-label="Monthly rate">${usd(rate)}</td>
                    <td class="num" data-label="To date">${usd(billing.total_to_date)}</td>
                    <td class="num" data-label="Projected">${usd(billing.total_projected)}</td>
                  </tr>
                </tfoot>
              </table>`
        }
      </section>`,
  })
}

export function billingRoutes(scope: FastifyInstance): void {
  scope.get('/orgs/:org/billing', async (request, reply) => sendPage(reply, await billingPage(viewOf(request))))
}
