/**
 * An org app's page: its collaborators with their permissions as checkboxes (view always held),
 * adding, updating and removing them; locking; and transferring it out to a user or another org,
 * with the app's name typed again to confirm, as the CLI asks. The domain decides every rule.
 */
import type {FastifyInstance} from 'fastify'

import type * as R from '../../api/resources.js'
import {APP_PERMISSIONS, type AppPermission, PERMISSION_DESCRIPTIONS} from '../../domain/types.js'
import {appRate} from '../../domain/usage.js'
import {parseDynoSize, parseEmail, parsePermissions, parseRecipient} from '../../domain/validation.js'
import {notFound, usageError} from '../../errors.js'
import {transferStatus} from '../../workflows/transfer.js'
import {html} from '../html.js'
import {csrfField, formError, layout, typed} from '../layout.js'
import {formRoute, sendPage, viewOf} from '../plugin.js'
import {appPath, type FormProblem, mayInOrg, orgPath, type View} from '../view.js'
import {teamOf} from './access.js'
import {auditPath} from './audit.js'

/** An app's dyno units, by the domain's sizes (the same sum its org's usage and limit count). */
export const dynoUnits = (formation: readonly R.Formation[]): number =>
  appRate(formation.map((entry) => ({quantity: entry.quantity, size: parseDynoSize(entry.size)}))).dynoUnits

/** The permissions a form ticked (view always: it is sent as a hidden field, and the domain adds it anyway). */
const permissionsOf = (fields: URLSearchParams): AppPermission[] => parsePermissions(fields.getAll('permission'))

function emailOf(fields: URLSearchParams): string {
  const email = fields.get('email')?.trim() ?? ''
  if (email === '') throw usageError('Give the email of the person.')
  return parseEmail(email)
}

/** The page's app, when it is one of this org's (another org's or a personal app has no page here). */
async function orgApp(view: View): Promise<R.App> {
  const {org, app: name} = view.params as {org: string; app: string}
  const app = await view.backend.getApp(name)
  if (app.team?.name !== org) {
    throw notFound(`${app.name} is not an app of org ${org}: ${app.team ? `it is in org ${app.team.name}` : 'it is a personal app'}.`)
  }
  return app
}

/** Checkboxes for a permission set: view checked and disabled (always held) with a hidden field carrying it. */
function permissionBoxes(prefix: string, held: ReadonlySet<string>, who: string) {
  return html`<input type="hidden" name="permission" value="view" />${APP_PERMISSIONS.map(
    (permission) =>
      html`<label for="${prefix}-${permission}" title="${PERMISSION_DESCRIPTIONS[permission]}"
          ><input
            id="${prefix}-${permission}"
            type="checkbox"
            ${permission === 'view' ? html` checked disabled` : html` name="permission" value="${permission}"`}
            ${permission !== 'view' && held.has(permission) ? html` checked` : ''}
          />${permission}<span class="visually-hidden"> for ${who}</span></label
        >`,
  )}`
}

export async function appPage(view: View, problem?: FormProblem) {
  const org = view.params.org!
  const app = await orgApp(view)
  const [access, formation, {team, teams}, manage] = await Promise.all([
    view.backend.listAccess(app.name),
    view.backend.listFormation(app.name),
    teamOf(view, org),
    view.backend.checkAccess(app.name, view.email, 'manage').then((check) => check.allowed),
  ])
  const lock = team !== undefined && mayInOrg(team, 'apps:lock')
  const transfer = team !== undefined && mayInOrg(team, 'apps:transfer-out')
  const audit = team !== undefined && mayInOrg(team, 'audit:list')
  const base = appPath(org, app.name)
  const others = teams.filter((each) => each.name !== org)
  const adding = problem?.form === 'add-collaborator' ? new Set(problem.values.getAll('permission')) : new Set(['view'])

  return layout(view, {
    title: `${app.name} · ${org}`,
    team,
    teams,
    tab: 'apps',
    body: html`<p><a href="${orgPath(org, 'apps')}">← Apps of ${org}</a></p>
      <h1>${app.name} ${app.locked ? html`<span class="badge locked">locked</span>` : ''}</h1>
      <p class="muted">
        Region ${app.region.name} · ${dynoUnits(formation)} dyno units${audit ? html` · <a href="${auditPath(org, {app: app.name})}">Audit log of ${app.name}</a>` : ''}
      </p>
      <section class="card" aria-labelledby="collaborators-heading">
        <h2 id="collaborators-heading">Collaborators <span class="muted">(${access.length})</span></h2>
        ${formError(problem, 'update-access')}${formError(problem, 'remove-access')}
        <table>
          <thead>
            <tr>
              <th>Email</th>
              <th>Role</th>
              <th>Permissions</th>
              ${manage ? html`<th>Remove</th>` : ''}
            </tr>
          </thead>
          <tbody>
            ${access.map((row) => collaboratorRow(view, base, row, manage))}
          </tbody>
        </table>
      </section>
      ${
        manage
          ? html`<section class="card" aria-labelledby="add-collaborator-heading">
              <h2 id="add-collaborator-heading">Add a collaborator</h2>
              <form class="stack" method="post" action="${base}/access/add">
                ${csrfField(view)}
                <label for="add-collaborator-email"
                  >Email<input
                    id="add-collaborator-email"
                    name="email"
                    type="email"
                    required
                    value="${typed(problem, 'add-collaborator', 'email')}"
                    ${problem?.form === 'add-collaborator' ? html` aria-describedby="add-collaborator-error"` : ''}
                /></label>
                <fieldset>
                  <legend>Permissions</legend>
                  ${permissionBoxes('add', adding, 'the new collaborator')}
                </fieldset>
                <button type="submit">Add collaborator</button>
              </form>
              ${formError(problem, 'add-collaborator')}
            </section>`
          : ''
      }
      ${
        lock
          ? html`<section class="card" aria-labelledby="lock-heading">
              <h2 id="lock-heading">Locking</h2>
              <p>
                ${
                  app.locked
                    ? 'Locked: members cannot join it; only admins change who has access.'
                    : "Unlocked: the org's members may join it."
                }
              </p>
              <form class="inline" method="post" action="${base}/lock">
                ${csrfField(view)}<input type="hidden" name="locked" value="${app.locked ? 'false' : 'true'}" />
                <button class="secondary" type="submit">${app.locked ? 'Unlock' : 'Lock'} ${app.name}</button>
              </form>
              ${formError(problem, 'lock-app')}
            </section>`
          : ''
      }
      ${
        transfer
          ? html`<section class="card" aria-labelledby="transfer-heading">
              <h2 id="transfer-heading">Transfer out</h2>
              <p class="muted">
                To another org you belong to, or to a user's email. Moving it to a user takes it out of ${org} at once and removes all its
                collaborators.
              </p>
              <form
                class="stack"
                method="post"
                action="${base}/transfer"
                data-confirm="Transfer ${app.name} out of ${org}? This cannot be undone from here."
              >
                ${csrfField(view)}
                <label for="transfer-recipient"
                  >Org name or user email<input
                    id="transfer-recipient"
                    name="recipient"
                    type="text"
                    required
                    list="transfer-orgs"
                    autocomplete="off"
                    value="${typed(problem, 'transfer-app', 'recipient')}"
                /></label>
                <datalist id="transfer-orgs">${others.map((each) => html`<option value="${each.name}"></option>`)}</datalist>
                <label for="transfer-confirm"
                  >Type the app's name to confirm<input
                    id="transfer-confirm"
                    name="confirm"
                    type="text"
                    required
                    autocomplete="off"
                    ${problem?.form === 'transfer-app' ? html` aria-describedby="transfer-app-error"` : ''}
                /></label>
                <label for="transfer-locked"
                  ><input id="transfer-locked" type="checkbox" name="locked" value="true" /> Lock it in the org it moves to</label
                >
                <button class="danger" type="submit">Transfer ${app.name}</button>
              </form>
              ${formError(problem, 'transfer-app')}
            </section>`
          : ''
      }`,
  })
}

function collaboratorRow(view: View, base: string, row: R.Collaborator, manage: boolean) {
  const email = row.user.email
  const held = new Set(row.permissions.map((permission) => permission.name))
  // An admin (or a personal app's owner) holds every permission by their standing: nothing to tick.
  const editable = manage && row.role !== 'admin' && row.role !== 'owner'
  return html`<tr>
    <td>${email}${email === view.email ? html` <span class="muted">(you)</span>` : ''}</td>
    <td><span class="badge ${row.role ?? ''}">${row.role}</span></td>
    <td>
      ${
        editable
          ? html`<form class="inline" method="post" action="${base}/access/update">
              ${csrfField(view)}<input type="hidden" name="email" value="${email}" />
              <fieldset>
                <legend class="visually-hidden">Permissions of ${email}</legend>
                ${permissionBoxes(`perm-${row.id}`, held, email)}
              </fieldset>
              <button class="secondary" type="submit">Update<span class="visually-hidden"> ${email}</span></button>
            </form>`
          : row.permissions.map((permission) => permission.name).join(', ')
      }
    </td>
    ${
      manage
        ? html`<td>
            ${
              editable
                ? html`<form
                    class="inline"
                    method="post"
                    action="${base}/access/remove"
                    data-confirm="Remove ${email}'s access to ${row.app.name}?"
                  >
                    ${csrfField(view)}<input type="hidden" name="email" value="${email}" /><button class="danger" type="submit">
                      Remove<span class="visually-hidden"> ${email}</span>
                    </button>
                  </form>`
                : ''
            }
          </td>`
        : ''
    }
  </tr>`
}

export function appRoutes(scope: FastifyInstance): void {
  scope.get('/orgs/:org/apps/:app', async (request, reply) => sendPage(reply, await appPage(viewOf(request))))
  const back = (view: View) => appPath(view.params.org!, view.params.app!)
  formRoute(scope, '/orgs/:org/apps/:app/access/add', 'add-collaborator', appPage, async (view, fields) => {
    const app = await orgApp(view)
    const added = await view.backend.addAccess(app.name, emailOf(fields), permissionsOf(fields))
    return {to: back(view), notice: `Gave ${added.user.email} ${names(added)} on ${app.name}.`}
  })
  formRoute(scope, '/orgs/:org/apps/:app/access/update', 'update-access', appPage, async (view, fields) => {
    const app = await orgApp(view)
    const updated = await view.backend.updateAccess(app.name, emailOf(fields), permissionsOf(fields))
    return {to: back(view), notice: `${updated.user.email} now holds ${names(updated)} on ${app.name}.`}
  })
  formRoute(scope, '/orgs/:org/apps/:app/access/remove', 'remove-access', appPage, async (view, fields) => {
    const app = await orgApp(view)
    const removed = await view.backend.removeAccess(app.name, emailOf(fields))
    return {
      to: back(view),
      notice:
        removed.role === null ? `${removed.user.email} had no access to ${app.name}.` : `Removed ${removed.user.email} from ${app.name}.`,
    }
  })
  formRoute(scope, '/orgs/:org/apps/:app/lock', 'lock-app', appPage, async (view, fields) => {
    const app = await view.backend.setLocked((await orgApp(view)).name, fields.get('locked') === 'true')
    return {to: back(view), notice: `${app.name} is ${app.locked ? 'locked' : 'unlocked'}.`}
  })
  formRoute(scope, '/orgs/:org/apps/:app/transfer', 'transfer-app', appPage, async (view, fields) => {
    const app = await orgApp(view)
    // The CLI's confirmation of intent (not a rule): the app's name typed again.
    const confirm = fields.get('confirm')?.trim() ?? ''
    if (confirm !== app.name) {
      throw usageError(
        `${confirm === '' ? 'No confirmation' : `Confirmation ${JSON.stringify(confirm)}`} did not match ${app.name}: type the app's name to transfer it. Nothing was changed.`,
      )
    }
    const recipient = parseRecipient(fields.get('recipient') ?? '')
    const result = await view.backend.transferApp(app.name, recipient, {locked: fields.get('locked') === 'true'})
    const status = transferStatus(result)
    const notice =
      status === 'pending'
        ? `The transfer of ${app.name} to ${recipient} is pending until they accept it.`
        : status === 'unchanged'
          ? `${app.name} is already owned by ${recipient}.`
          : `Transferred ${app.name} to ${recipient}.`
    // Once moved it is no longer this org's: back to the org's apps (a pending transfer leaves it here).
    return {to: status === 'pending' ? back(view) : orgPath(view.params.org!, 'apps'), notice}
  })
}

const names = (collaborator: R.Collaborator) => collaborator.permissions.map((permission) => permission.name).join(', ')
