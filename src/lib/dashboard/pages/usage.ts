/**
 * The Usage tab (admins; the domain refuses others with the matrix's message): each resource against
 * its limit as a meter, and the history of daily peaks (weekly when long) as one small chart per
 * resource. Three charts, not one with three lines: apps, members and dyno units differ by orders
 * of magnitude and each has its own limit, so a shared axis would flatten the small ones; stacked
 * on the same dates they still line up, and no colour is needed to tell the lines apart.
 */
import type {FastifyInstance} from 'fastify'

import type * as R from '../../api/resources.js'
import {lineChart, peaksOf, yScale} from '../chart.js'
import {html} from '../html.js'
import {orgTabLayout} from '../layout.js'
import {sendPage, viewOf} from '../plugin.js'
import type {View} from '../view.js'
import {teamOf} from './access.js'

type Resource = R.TeamUsage['resources'][number]['name']
type Day = NonNullable<R.TeamUsage['history']>[number]

const LABELS: Record<Resource, string> = {apps: 'Apps', members: 'Members', 'dyno-units': 'Dyno units'}
const RESOURCES = Object.keys(LABELS) as Resource[]
const count = new Intl.NumberFormat('en-US')

/** A resource against its limit: amber from three quarters, red from nine tenths (a meter's low and high). */
function meterRow(resource: R.TeamUsage['resources'][number]) {
  const {name, used, limit} = resource
  const id = `meter-${name}`
  const percent = limit === 0 ? '' : ` (${Math.round((100 * used) / limit)}%)`
  const text = `${count.format(used)} of ${count.format(limit)}${percent}`
  return html`<div class="usage-row">
    <label for="${id}">${LABELS[name]}</label>
    <meter id="${id}" min="0" max="${Math.max(limit, 1)}" value="${used}" low="${0.75 * limit}" high="${0.9 * limit}" optimum="0">
      ${text}
    </meter>
    <span class="num">${text}</span>
  </div>`
}

function historySection(org: string, usage: R.TeamUsage) {
  const history = usage.history ?? []
  if (history.length === 0) return html`<p class="muted">No history yet.</p>`
  const {period, rows} = peaksOf<Day>(history, RESOURCES)
  const per = period === 'day' ? 'a day' : 'a week'
  const from = rows[0]!.date
  const to = rows.at(-1)!.date
  const limits = new Map(usage.resources.map((resource) => [resource.name, resource.limit]))
  return html`<p class="muted">
      Peak ${per}, ${from} to ${to}${period === 'week' ? ` (weeks from Monday: ${history.length} recorded days)` : ''}. A day is recorded
      when something in the org changes; the level holds until the next.
    </p>
    ${RESOURCES.map((name) => {
      const values = rows.map((row) => row[name])
      const limit = limits.get(name)
      const chart = lineChart({
        id: `chart-${name}`,
        title: `${LABELS[name]} in ${org}, peak ${per}`,
        description:
          `From ${from} to ${to}: lowest ${Math.min(...values)}, highest ${Math.max(...values)}, latest ${values.at(-1)}` +
          (limit === undefined ? '.' : `; the limit is ${limit}.`),
        points: rows.map((row) => ({date: row.date, value: row[name]})),
        series: `line-${name}`,
        limit,
      })
      return html`<figure class="chart">
        ${chart}
        <figcaption class="legend">
          <span class="key ${name}">${LABELS[name]}, peak ${per}</span>
          ${limit === undefined ? '' : html`<span class="key limit">limit ${count.format(limit)}${yScale(values, limit).showsLimit ? '' : ' (above the scale)'}</span>`}
        </figcaption>
      </figure>`
    })}
    <details>
      <summary>The numbers, as a table</summary>
      <table>
        <caption class="visually-hidden">
          Peak ${per} of each resource in ${org}
        </caption>
        <thead>
          <tr>
            <th>${period === 'day' ? 'Date' : 'Week of'}</th>
            ${RESOURCES.map((name) => html`<th class="num">${LABELS[name]}</th>`)}
          </tr>
        </thead>
        <tbody>
          ${rows.map(
            (row) =>
              html`<tr>
                <td>${row.date}</td>
                ${RESOURCES.map((name) => html`<td class="num" data-label="${LABELS[name]}">${count.format(row[name])}</td>`)}
              </tr>`,
          )}
        </tbody>
      </table>
    </details>`
}

export async function usagePage(view: View) {
  const org = view.params.org!
  const [usage, {team, teams}] = await Promise.all([view.backend.teamUsage(org, true), teamOf(view, org)])
  return orgTabLayout(view, {
    org,
    tab: 'usage',
    team,
    teams,
    body: html`
      <section class="card" aria-labelledby="now-heading">
        <h2 id="now-heading">Now, against the limits</h2>
        ${RESOURCES.map((name) => usage.resources.find((resource) => resource.name === name)).map((resource) => (resource ? meterRow(resource) : ''))}
      </section>
      <section class="card" aria-labelledby="history-heading">
        <h2 id="history-heading">History</h2>
        ${historySection(org, usage)}
      </section>`,
  })
}

export function usageRoutes(scope: FastifyInstance): void {
  scope.get('/orgs/:org/usage', async (request, reply) => sendPage(reply, await usagePage(viewOf(request))))
}
