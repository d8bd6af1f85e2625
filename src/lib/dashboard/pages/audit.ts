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

/** The Audit tab's address with these filters (an app's page links to its own events). */
export const auditPath = (org: string, filters: Filters & {from?: string; trail?: string} = {}): string => {
  const query = new URLSearchParams(filters as Record<string, string>).toString()
  return `${orgPath(org, 'audit')}${query ? `?${query}` : ''}`
}

/**
 * Where the page starts, as the pager's links say it: `from`, the place in the log of the last event
 * of the page before (this page is what was appended before it), and `trail`, the `from`s of the
 * pages before that, so "Newer" goes back one page. Here as a stack, newest page first: [] is page 1.
 */
function placesOf(query: URLSearchParams): number[] {
  const from = query.get('from') ?? ''
  const trail = query.get('trail') ?? ''
  const places = [...(trail === '' ? [] : trail.split(',')), ...(from === '' ? [] : [from])]
  if ((from === '' && trail !== '') || !places.every((place) => /^\d{1,15}$/.test(place))) {
    throw usageError(`This page's link is malformed (from ${quote(from)}, trail ${quote(trail)}): start again from the newest events.`)
  }
  return places.map(Number)
}

const pageQuery = (places: readonly number[]): {from?: string; trail?: string} => ({
  ...(places.length > 0 ? {from: String(places.at(-1))} : {}),
  ...(places.length > 1 ? {trail: places.slice(0, -1).join(',')} : {}),
})

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
  let places: number[] = []
  let problem: FormProblem | undefined
  let status = 200
  try {
    places = placesOf(view.query)
    filter = parseAuditFilter(given, view.clock.now(), 'query')
  } catch (error) {
    const failure = toOrgctlError(error)
    if (failure.httpStatus >= 500) throw error
    problem = {form: FORM, message: failure.message, values: view.query}
    status = failure.httpStatus
  }
  // A page more than shown tells whether there is an older page. With a bad filter the log is still
  // asked (for one event, not shown): who may read it is the domain's to say, before any filter's fault.
  const query: AuditFilter = filter
    ? {...filter, limit: AUDIT_PAGE_SIZE + 1, ...(places.length > 0 ? {beforeSeq: places.at(-1)} : {})}
    : {limit: 1}
  const [found, {team, teams}] = await Promise.all([view.backend.auditEventsBySeq(org, query), teamOf(view, org)])
  const rows = problem ? [] : found.slice(0, AUDIT_PAGE_SIZE)
  const pageNumber = places.length + 1
  const filtered = Object.keys(given).length > 0
  const newerLink = places.length > 0 ? auditPath(org, {...given, ...pageQuery(places.slice(0, -1))}) : undefined
  const olderLink =
    rows.length > 0 && found.length > AUDIT_PAGE_SIZE ? auditPath(org, {...given, ...pageQuery([...places, rows.at(-1)!.seq])}) : undefined

  let body: Html
  if (problem) body = html`<p>Fix the filter above, or <a href="${base}">see every event</a>.</p>`
  else if (rows.length === 0) {
    body =
      pageNumber > 1
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
              ${newerLink ? html`<a href="${newerLink}" rel="prev">Newer</a>` : ''}<span>Page ${pageNumber}</span>${
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
