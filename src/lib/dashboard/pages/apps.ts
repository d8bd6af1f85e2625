/**
 * The Apps tab: the org's apps (a collaborator: only those shared with them) with locked badges and
 * dyno units; creating an app; and Import, the user's personal apps as a checklist moved into the org
 * in one go (the bulk transfer the CLI uses, carrying on past a failure) with a result per app.
 */
import type {FastifyInstance} from 'fastify'

import type * as R from '../../api/resources.js'
import {REGIONS} from '../../domain/types.js'
import {parseAppName, parseRegion} from '../../domain/validation.js'
import {usageError} from '../../errors.js'
import {uniqueItems, type ItemResult} from '../../workflows/bulk.js'
import {transferEach, transferStatus} from '../../workflows/transfer.js'
import {html, type Html} from '../html.js'
import {csrfField, formError, orgTabLayout, typed} from '../layout.js'
import {formRoute, sendPage, viewOf} from '../plugin.js'
import {appPath, type FormProblem, mayInOrg, orgPath, type View} from '../view.js'
import {teamOf} from './access.js'
import {appRoutes, dynoUnits} from './app.js'

/** The org's apps as this user may see them: all of them for its staff; a collaborator, those shared with them. */
async function orgApps(view: View, org: string, team: R.Team | undefined): Promise<R.App[]> {
  if (team === undefined || mayInOrg(team, 'apps:list')) return view.backend.listApps(org)
  return (await view.backend.listApps()).filter((app) => app.team?.name === org)
}

const regionOptions = (selected: string) =>
  REGIONS.map((region) => html`<option value="${region}" ${region === selected ? html` selected` : ''}>${region}</option>`)

export const appsPage = (view: View, problem?: FormProblem) => appsPageWith(view, problem)

async function appsPageWith(view: View, problem?: FormProblem, imported?: readonly ItemResult<R.TransferResult>[]): Promise<Html> {
  const org = view.params.org!
  const {team, teams} = await teamOf(view, org)
  const [apps, yours] = await Promise.all([orgApps(view, org, team), view.backend.listApps()])
  const units = await Promise.all(apps.map(async (app) => dynoUnits(await view.backend.listFormation(app.name))))
  const create = team !== undefined && mayInOrg(team, 'apps:create')
  const importable = team !== undefined && mayInOrg(team, 'apps:transfer-in')
  const personal = yours.filter((app) => app.team === null && app.owner.email === view.email)
  const base = orgPath(org, 'apps')

  return orgTabLayout(view, {
    org,
    tab: 'apps',
    team,
    teams,
    body: html`
      ${imported ? importResults(org, imported) : ''}
      <section class="card" aria-labelledby="apps-heading">
        <h2 id="apps-heading">
          ${team && !mayInOrg(team, 'apps:list') ? 'Apps shared with you' : 'Apps'} <span class="muted">(${apps.length})</span>
        </h2>
        ${
          apps.length === 0
            ? html`<p class="muted">No apps${team && !mayInOrg(team, 'apps:list') ? ' of this org are shared with you' : ' yet'}.</p>`
            : html`<table>
                <thead>
                  <tr>
                    <th>Name</th>
                    <th class="optional">Owner</th>
                    <th>Region</th>
                    <th>Locked</th>
                    <th class="num">Dyno units</th>
                  </tr>
                </thead>
                <tbody>
                  ${apps.map(
                    (app, index) =>
                      html`<tr>
                        <td><a href="${appPath(org, app.name)}">${app.name}</a></td>
                        <td class="optional">${app.team?.name ?? app.owner.email}</td>
                        <td data-label="Region">${app.region.name}</td>
                        <td data-label="Locked">${app.locked ? html`<span class="badge locked">locked</span>` : html`<span class="muted">no</span>`}</td>
                        <td class="num" data-label="Dyno units">${units[index]}</td>
                      </tr>`,
                  )}
                </tbody>
              </table>`
        }
      </section>
      ${create ? createForm(view, base, problem) : ''} ${importable ? importForm(view, org, base, personal, problem) : ''}`,
  })
}

function createForm(view: View, base: string, problem?: FormProblem) {
  return html`<section class="card" aria-labelledby="create-heading">
    <h2 id="create-heading">Create an app</h2>
    <form class="stack" method="post" action="${base}/create">
      ${csrfField(view)}
      <label for="create-name"
        >Name (optional)<input
          id="create-name"
          name="name"
          type="text"
          autocomplete="off"
          aria-describedby="create-name-help${problem?.form === 'create-app' ? ' create-app-error' : ''}"
          value="${typed(problem, 'create-app', 'name')}"
      /></label>
      <label for="create-region"
        >Region<select id="create-region" name="region">
          ${regionOptions(typed(problem, 'create-app', 'region') || 'us')}
        </select></label
      >
      <button type="submit">Create app</button>
    </form>
    <p id="create-name-help" class="muted">3 to 30 lowercase letters, digits and dashes; left empty, a name is generated.</p>
    ${formError(problem, 'create-app')}
  </section>`
}

function importForm(view: View, org: string, base: string, personal: readonly R.App[], problem?: FormProblem) {
  const ticked = problem?.form === 'import-apps' ? new Set(problem.values.getAll('app')) : new Set<string>()
  return html`<section class="card" aria-labelledby="import-heading">
    <h2 id="import-heading">Import your personal apps</h2>
    ${
      personal.length === 0
        ? html`<p class="muted">You have no personal apps to move into ${org}.</p>`
        : html`<form method="post" action="${base}/import">
            ${csrfField(view)}
            <fieldset>
              <legend>Apps to move into ${org}</legend>
              <div data-js-only hidden>
                <label><input type="checkbox" data-check-all="app" /> Select all</label>
              </div>
              <ul class="plain">
                ${personal.map(
                  (app, index) =>
                    html`<li>
                      <label for="import-${index}"
                        ><input
                          id="import-${index}"
                          type="checkbox"
                          name="app"
                          value="${app.name}"
                          ${ticked.has(app.name) ? html` checked` : ''}
                        />
                        ${app.name} <span class="muted">(${app.region.name})</span></label
                      >
                    </li>`,
                )}
              </ul>
            </fieldset>
            <p><button type="submit">Import into ${org}</button></p>
          </form>`
    }
    ${formError(problem, 'import-apps')}
  </section>`
}

function importResults(org: string, results: readonly ItemResult<R.TransferResult>[]) {
  const failed = results.filter((result) => !result.ok).length
  return html`<section class="card" aria-labelledby="import-results-heading">
    <h2 id="import-results-heading">Import into ${org}</h2>
    <p role="status">
      ${results.length - failed} of ${results.length} app${results.length === 1 ? '' : 's'}
      moved${failed > 0 ? html`; ${failed} failed` : ''}.
    </p>
    <ul class="results plain">
      ${results.map((result) =>
        result.ok
          ? html`<li class="ok">
              ${result.item}: ${transferStatus(result.value) === 'unchanged' ? `already in ${org}` : `moved into ${org}`}
            </li>`
          : html`<li class="failed">${result.item}: failed: ${result.error.message}</li>`,
      )}
    </ul>
    ${failed > 0 ? html`<p class="muted">Fix the cause and import the rest again: what moved is already in ${org}.</p>` : ''}
  </section>`
}

/** The Apps tab's routes, and each app's page's. */
export function appsRoutes(scope: FastifyInstance): void {
  scope.get('/orgs/:org/apps', async (request, reply) => sendPage(reply, await appsPage(viewOf(request))))
  formRoute(scope, '/orgs/:org/apps/create', 'create-app', appsPage, async (view, fields) => {
    const org = view.params.org!
    const name = fields.get('name')?.trim() ?? ''
    const app = await view.backend.createApp({
      name: name === '' ? undefined : name,
      team: org,
      region: parseRegion(fields.get('region') ?? 'us'),
    })
    return {to: appPath(org, app.name), notice: `Created app ${app.name} in org ${org}.`}
  })
  formRoute(scope, '/orgs/:org/apps/import', 'import-apps', appsPage, async (view, fields) => {
    // Each name checked as apps:transfer checks its --app (a bad one refuses the form, nothing moved).
    const apps = uniqueItems(
      fields
        .getAll('app')
        .map((app) => app.trim())
        .filter(Boolean)
        .map((app) => parseAppName(app)),
    )
    if (apps.length === 0) throw usageError('Tick the apps to import, then send the form again.')
    const results = await transferEach(view.backend, apps, view.params.org!, false)
    return appsPageWith(view, undefined, results)
  })
  appRoutes(scope)
}
