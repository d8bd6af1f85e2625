/**
 * The Audit tab (admins, by the matrix's audit:list; the domain refuses anyone else with its own
 * message): the org's audit log newest first, as `orgctl audit` and the API's audit-events list it,
 * 100 events a page. Its filters are a GET form (a page of them can be bookmarked and shared), read by
 * the same parser as the CLI's flags and the API's query, so a bad one gets the same words.
 */
import type {FastifyInstance} from 'fastify'

import type * as R from '../../api/resources.js'
import type {AuditFilter} from '../../domain/audit.js'
import {parseAuditFilter, type RawAuditFilter} from '../../domain/audit-filter.js'
import {quote} from '../../domain/validation.js'
import {toOrgctlError, usageError} from '../../errors.js'
import {changeSummary} from '../../output/audit-summary.js'
import {html, type Html} from '../html.js'
import {formError, orgTabLayout} from '../layout.js'
import {sendPage, viewOf} from '../plugin.js'
import {type FormProblem, orgPath, type View} from '../view.js'
import {teamOf} from './access.js'

export const AUDIT_PAGE_SIZE = 100
const FORM = 'audit-filter'

const FIELDS = [
  {name: 'actor', label: 'Actor', mode: 'email', hint: 'boss@acme.test'},
  {name: 'action', label: 'Action', mode: 'text', hint: 'team-member.*'},
  {name: 'app', label: 'App', mode: 'text', hint: 'acme-api'},
  {name: 'since', label: 'Since', mode: 'text', hint: '7d'},
  {name: 'until', label: 'Until', mode: 'text', hint: '2026-11-15'},
] as const satisfies readonly {name: keyof RawAuditFilter; label: string; mode: string; hint: string}[]

type Filters = Partial<Record<(typeof FIELDS)[number]['name'], string>>

/** The filters as typed (an empty field is no filter): what the form shows again and the pager's links keep. */
function typedFilters(query: URLSearchParams): Filters {
  const given: Filters = {}
  for (const {name} of FIELDS) {
    const value = query.get(name)?.trim()
    if (value) given[name] = value
  }
  return given
}

/** Where a page starts: `before` (older pages) or `after` (newer pages) the event of that seq; neither is the newest page. */
type Cursor = {before?: string; after?: string}

/** The Audit tab's address with these filters (an app's page links to its own events). */
export const auditPath = (org: string, filters: Filters & Cursor = {}): string => {
  const query = new URLSearchParams(filters as Record<string, string>).toString()
  return `${orgPath(org, 'audit')}${query ? `?${query}` : ''}`
}

/** The page's cursor as its links say it: a place in the log, before or after which it starts (never both). */
function cursorOf(query: URLSearchParams): {beforeSeq?: number; afterSeq?: number} {
  const before = query.get('before') ?? ''
  const after = query.get('after') ?? ''
  const place = /^\d{1,15}$/
  if ((before !== '' && after !== '') || (before !== '' && !place.test(before)) || (after !== '' && !place.test(after))) {
    throw usageError(`This page's link is malformed (before ${quote(before)}, after ${quote(after)}): start again from the newest events.`)
  }
  return {...(before === '' ? {} : {beforeSeq: Number(before)}), ...(after === '' ? {} : {afterSeq: Number(after)})}
}

const utc = (iso: string) => `${iso.slice(0, 10)} ${iso.slice(11, 19)}`

const eventRow = (event: R.AuditEvent) =>
  html`<tr><td data-label="Time (UTC)"><time datetime="${event.created_at}">${utc(event.created_at)}</time></td><td data-label="Actor">${event.actor.email}</td><td data-label="Action">${event.action}</td><td data-label="Target">${event.target.type} ${event.target.name}</td><td data-label="App">${event.app?.name ?? ''}</td><td data-label="Change">${changeSummary(event)}</td></tr>\n`

/** Text fields all (an email one too): the server's parser, the CLI's, is the one judge of what was typed. */
function filterForm(base: string, given: Filters, problem: FormProblem | undefined) {
  const described = problem ? html` aria-describedby="${FORM}-error"` : ''
  return html`<form class="stack" method="get" action="${base}" role="search" aria-label="Filter the events">
      ${FIELDS.map(
        (field) =>
          html`<label for="audit-${field.name}"
            >${field.label}<input
              id="audit-${field.name}"
              name="${field.name}"
              type="text"
              inputmode="${field.mode}"
              placeholder="${field.hint}"
              value="${given[field.name] ?? ''}"
              ${described}
          /></label>`,
      )}
      <button type="submit">Filter</button>${Object.keys(given).length > 0 ? html` <a href="${base}">Clear</a>` : ''}
    </form>
    <p class="muted">
      Action: one, or a pattern such as team-member.*. Since and until: a date (2026-11-15), a date and time (2026-11-15T09:30Z; UTC unless
      it names an offset), or a time ago (7d, 24h, 30m).
    </p>
    ${formError(problem, FORM)}`
}

export async function auditPage(view: View): Promise<{page: Html; status: number}> {
  const org = view.params.org!
  const base = orgPath(org, 'audit')
  const given = typedFilters(view.query)
  let filter: AuditFilter | undefined
  let cursor: {beforeSeq?: number; afterSeq?: number} = {}
  let problem: FormProblem | undefined
  let status = 200
  try {
    cursor = cursorOf(view.query)
    filter = parseAuditFilter(given, view.clock.now(), 'query')
  } catch (error) {
    const failure = toOrgctlError(error)
    if (failure.httpStatus >= 500) throw error
    problem = {form: FORM, message: failure.message, values: view.query}
    status = failure.httpStatus
  }
  // A page and one more event tells whether there is another page beyond it. With a bad filter the log is
  // still asked (for one event, not shown): who may read it is the domain's to say, before any filter's fault.
  const read = (bounds: {beforeSeq?: number; afterSeq?: number}) =>
    view.backend.auditEventsBySeq(org, filter ? {...filter, ...bounds, limit: AUDIT_PAGE_SIZE + 1} : {limit: 1})
  const [paged, {team, teams}] = await Promise.all([read(cursor), teamOf(view, org)])
  let found = paged
  let newest = cursor.beforeSeq === undefined && cursor.afterSeq === undefined
  // Going back (after): the events right after the cursor, newest first; the extra one, if any, is the newest of
  // them and says a newer page exists. Fewer than a page means this is the newest page: shown as that page is.
  let olderThanCursor = false
  if (!problem && cursor.afterSeq !== undefined) {
    if (found.length > AUDIT_PAGE_SIZE) {
      found = found.slice(1)
      olderThanCursor = true
    } else {
      found = await read({})
      newest = true
    }
  }
  const rows = problem ? [] : found.slice(0, AUDIT_PAGE_SIZE)
  // A page after the cursor has older events: the cursor's own, at least.
  const older = olderThanCursor || found.length > AUDIT_PAGE_SIZE
  const filtered = Object.keys(given).length > 0
  const newerLink = !newest && rows.length > 0 ? auditPath(org, {...given, after: String(rows[0]!.seq)}) : undefined
  const olderLink = older && rows.length > 0 ? auditPath(org, {...given, before: String(rows.at(-1)!.seq)}) : undefined
  const newestLink = newest ? undefined : auditPath(org, given)

  let body: Html
  if (problem) body = html`<p>Fix the filter above, or <a href="${base}">see every event</a>.</p>`
  else if (rows.length === 0) {
    body = !newest
      ? html`<p>No older events. <a href="${auditPath(org, given)}">Back to the newest</a>.</p>`
      : filtered
        ? html`<p>No event matches these filters: widen them (an earlier since, a pattern such as team-member.*), or <a href="${base}">clear them</a>.</p>`
        : html`<p>
              No events yet. Every change to this org's members, apps and app access is recorded here as it is made, whether it is made on these
              pages, with orgctl or through the API: add a member on the <a href="${orgPath(org, 'access')}">Access</a> tab and it appears here.
            </p>`
  } else {
    body = html`<table class="audit">
        <caption class="visually-hidden">
          Audit events of ${org}, newest first
        </caption>
        <thead><tr><th scope="col">Time (UTC)</th><th scope="col">Actor</th><th scope="col">Action</th><th scope="col">Target</th><th scope="col">App</th><th scope="col">Change</th></tr></thead>
        <tbody>
          ${rows.map((row) => eventRow(row.event))}
        </tbody>
      </table>
      ${
        newerLink || olderLink
          ? html`<nav class="pager" aria-label="Pages of events">
              ${newestLink ? html`<a href="${newestLink}">Newest</a>` : ''}${newerLink ? html`<a href="${newerLink}" rel="prev">Newer</a>` : ''}${
                olderLink ? html`<a href="${olderLink}" rel="next">Older</a>` : ''
              }
            </nav>`
          : ''
      }`
  }

  const page = orgTabLayout(view, {
    org,
    tab: 'audit',
    team,
    teams,
    body: html`<section class="card" aria-labelledby="audit-filter-heading">
        <h2 id="audit-filter-heading">Filter</h2>
        ${filterForm(base, given, problem)}
      </section>
      <section class="card" aria-labelledby="audit-events-heading">
        <h2 id="audit-events-heading">Events <span class="muted">(newest first${rows.length > 0 ? `; ${rows.length} on this page` : ''})</span></h2>
        ${body}
      </section>`,
  })
  return {page, status}
}

export function auditRoutes(scope: FastifyInstance): void {
  scope.get('/orgs/:org/audit', async (request, reply) => {
    const {page, status} = await auditPage(viewOf(request))
    return sendPage(reply, page, status)
  })
}
