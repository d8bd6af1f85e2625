/**
 * The Access tab: the org's members with their roles (paged, 100 a page, searchable by email); its
 * admins add people, change roles and remove people here. Refusals (the last admin, the member
 * limit, not permitted) are the domain's own messages, shown beside the form that was refused.
 */
import type {FastifyInstance} from 'fastify'

import type * as R from '../../api/resources.js'
import {ORG_ROLES, type OrgRole} from '../../domain/types.js'
import {parseEmail, parseRole} from '../../domain/validation.js'
import {OrgctlError} from '../../errors.js'
import {html} from '../html.js'
import {csrfField, formError, orgTabLayout, typed} from '../layout.js'
import {formRoute, sendPage, viewOf} from '../plugin.js'
import {type FormProblem, mayInOrg, orgPath, type View} from '../view.js'

export const PAGE_SIZE = 100

/** The user's standing in the org, from their own org list (the org's not-found is the domain's, from the page's own call). */
export async function teamOf(view: View, org: string): Promise<{team: R.Team | undefined; teams: R.Team[]}> {
  const teams = await view.backend.listTeams()
  return {team: teams.find((each) => each.name === org), teams}
}

/** The role chosen: the form's `role`, or in the members table the select of the row posted (`role:EMAIL`). */
const roleOf = (fields: URLSearchParams): OrgRole => parseRole(fields.get('role') ?? fields.get(`role:${fields.get('email') ?? ''}`) ?? '')

/** The email given, checked as the CLI and the API check it (the domain takes valid emails only). */
function emailOf(fields: URLSearchParams): string {
  const email = fields.get('email')?.trim() ?? ''
  if (email === '') throw new OrgctlError('invalid_params', 'Give the email of the person.')
  return parseEmail(email)
}

const roleOptions = (selected: string) => ORG_ROLES.map((role) => html`<option${role === selected ? html` selected` : ''}>${role}</option>`)

export async function accessPage(view: View, problem?: FormProblem) {
  const org = view.params.org!
  const [members, {team, teams}] = await Promise.all([view.backend.listMembers(org), teamOf(view, org)])
  const manage = team !== undefined && mayInOrg(team, 'members:set')
  const search = (view.query.get('q') ?? '').trim()
  const found = search === '' ? members : members.filter((member) => member.email.toLowerCase().includes(search.toLowerCase()))
  const pages = Math.max(1, Math.ceil(found.length / PAGE_SIZE))
  const pageNumber = Math.min(pages, Math.max(1, Number.parseInt(view.query.get('page') ?? '1', 10) || 1))
  const shown = found.slice((pageNumber - 1) * PAGE_SIZE, pageNumber * PAGE_SIZE)
  const base = orgPath(org, 'access')
  const pageLink = (number: number) => `${base}?${new URLSearchParams({...(search ? {q: search} : {}), page: String(number)})}`
  const admins = members.filter((member) => member.role === 'admin').length

  return orgTabLayout(view, {
    org,
    tab: 'access',
    team,
    teams,
    body: html`
      ${
        manage
          ? html`<section class="card" aria-labelledby="add-heading">
              <h2 id="add-heading">Add a member</h2>
              <form class="stack" method="post" action="${base}/add">
                ${csrfField(view)}
                <label for="add-email"
                  >Email<input
                    id="add-email"
                    name="email"
                    type="email"
                    required
                    value="${typed(problem, 'add-member', 'email')}"
                    ${problem?.form === 'add-member' ? html` aria-describedby="add-member-error"` : ''}
                /></label>
                <label for="add-role"
                  >Role<select id="add-role" name="role">
                    ${roleOptions(typed(problem, 'add-member', 'role') || 'member')}
                  </select></label
                >
                <button type="submit">Add member</button>
              </form>
              ${formError(problem, 'add-member')}
            </section>`
          : ''
      }
      <section class="card" aria-labelledby="members-heading">
        <h2 id="members-heading">Members <span class="muted">(${members.length}; ${admins} admin${admins === 1 ? '' : 's'})</span></h2>
        <form class="inline" method="get" action="${base}" role="search">
          <label for="q">Search by email</label><input id="q" name="q" type="search" value="${search}" />
          <button class="secondary" type="submit">Search</button>${search ? html` <a href="${base}">Clear</a>` : ''}
        </form>
        ${formError(problem, 'change-role')}${formError(problem, 'remove-member')}
        ${
          shown.length === 0
            ? html`<p class="muted">${search ? html`No member's email contains “${search}”.` : 'No members.'}</p>`
            : membersTable(view, base, shown, manage)
        }
        ${
          pages > 1
            ? html`<nav class="pager" aria-label="Pages of members">
                ${pageNumber > 1 ? html`<a href="${pageLink(pageNumber - 1)}" rel="prev">Previous</a>` : ''}<span
                  >Page ${pageNumber} of ${pages} (${found.length} shown by this search)</span
                >${pageNumber < pages ? html`<a href="${pageLink(pageNumber + 1)}" rel="next">Next</a>` : ''}
              </nav>`
            : ''
        }
      </section>`,
  })
}

/**
 * The members shown, as a table. An admin's is one form (a page holds 100 members, so each row is
 * kept small): each row's role select, "Change role" posting the form with that row's email, and
 * "Remove" posting it to the remove action. The email is each row's header, for screen readers.
 */
function membersTable(view: View, base: string, members: readonly R.TeamMember[], manage: boolean) {
  const rows = members.map((member, index) => {
    const you = member.email === view.email ? html` <span class="muted">(you)</span>` : ''
    const id = `r${index}`
    // The row's email describes its buttons: tabbing from button to button, a screen reader says whose they are.
    const cells = html`<th scope="row"${manage ? html` id="${id}e"` : ''}>${member.email}${you}</th><td><span class="badge ${member.role ?? ''}">${member.role}</span></td>`
    if (!manage) return html`<tr>${cells}</tr>\n`
    return html`<tr>${cells}<td><label class="visually-hidden" for="${id}">Role of ${member.email}</label><select id="${id}" name="role:${member.email}">${roleOptions(member.role ?? 'member')}</select> <button class="secondary" name="email" value="${member.email}" aria-describedby="${id}e">Change role</button> <button class="danger" name="email" value="${member.email}" aria-describedby="${id}e" formaction="${base}/remove" data-confirm="Remove this member, with all their access to the org's apps?">Remove</button></td></tr>\n`
  })
  const table = html`<table><thead><tr><th scope="col">Email</th><th scope="col">Role</th>${manage ? html`<th scope="col">Change</th>` : ''}</tr></thead><tbody>\n${rows}</tbody></table>`
  return manage ? html`<form method="post" action="${base}/role">${csrfField(view)}${table}</form>` : table
}

export function accessRoutes(scope: FastifyInstance): void {
  scope.get('/orgs/:org/access', async (request, reply) => sendPage(reply, await accessPage(viewOf(request))))
  const back = (view: View) => orgPath(view.params.org!, 'access')
  formRoute(scope, '/orgs/:org/access/add', 'add-member', accessPage, async (view, fields) => {
    const member = await view.backend.addMember(view.params.org!, emailOf(fields), roleOf(fields))
    return {to: back(view), notice: `Added ${member.email} to ${view.params.org} as ${member.role}.`}
  })
  formRoute(scope, '/orgs/:org/access/role', 'change-role', accessPage, async (view, fields) => {
    const member = await view.backend.setMember(view.params.org!, emailOf(fields), roleOf(fields))
    return {to: back(view), notice: `${member.email} is now ${member.role === 'admin' ? 'an' : 'a'} ${member.role} of ${view.params.org}.`}
  })
  formRoute(scope, '/orgs/:org/access/remove', 'remove-member', accessPage, async (view, fields) => {
    const member = await view.backend.removeMember(view.params.org!, emailOf(fields))
    return {
      to: back(view),
      notice:
        member.role === null
          ? `${member.email} was not a member of ${view.params.org}.`
          : `Removed ${member.email} from ${view.params.org}.`,
    }
  })
}
