/**
 * The Dashboard's Audit tab in-process (fastify inject, memory engine): an admin reads the org's log
 * newest first with the right actors, after changes made through the Dashboard's own forms and through
 * the backend; members and collaborators get no tab and the domain's refusal; the GET form's filters
 * and their bad input (the CLI's and the API's own messages); paging that keeps the filters; escaping;
 * the empty states; and the one-line summaries of what each event changed.
 */
import {afterEach, beforeEach, describe, expect, it} from 'vitest'

import type * as R from '../../src/lib/api/resources.js'
import {LocalBackend} from '../../src/lib/backend/local-backend.js'
import {changeSummary} from '../../src/lib/output/audit-summary.js'
import {addAccess} from '../../src/lib/domain/access.js'
import {createApp} from '../../src/lib/domain/apps.js'
import {Ctx} from '../../src/lib/domain/context.js'
import {addMember} from '../../src/lib/domain/members.js'
import {createOrg} from '../../src/lib/domain/orgs.js'
import {toOrgctlError} from '../../src/lib/errors.js'
import {type DashboardFixture, startDashboard} from './_dashboard.js'

const ADMIN = 'admin@acme.test'
const MEMBER = 'member@acme.test'
const DEV = 'dev@acme.test'
const CONTRACTOR = 'contractor@outside.test'
const ORG = 'acme'
const AUDIT = `/dashboard/orgs/${ORG}/audit`
const ACCESS = `/dashboard/orgs/${ORG}/access`
const API = `/dashboard/orgs/${ORG}/apps/acme-api`
const LIMITS = {apps: 10, members: 1000, 'dyno-units': 20}
/** The seed's day: long before the test runs, so `since=7d` leaves it out. */
const SEEDED = new Date('2025-03-01T10:00:00.000Z')

interface Row {
  time: string
  datetime: string
  actor: string
  action: string
  target: string
  app: string
  change: string
}

const unescape = (text: string) =>
  text
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&')
const cellText = (cell: string) => unescape(cell.replace(/<[^>]+>/g, '').trim())

/** The events table's rows, as a reader sees each cell. */
function rowsOf(page: string): Row[] {
  const body = /<tbody>([\s\S]*?)<\/tbody>/.exec(page)?.[1] ?? ''
  return [...body.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map((row) => {
    const cells = [...row[1]!.matchAll(/<td[^>]*>([\s\S]*?)<\/td>/g)].map((cell) => cell[1]!)
    return {
      time: cellText(cells[0]!),
      datetime: /datetime="([^"]+)"/.exec(cells[0]!)![1]!,
      actor: cellText(cells[1]!),
      action: cellText(cells[2]!),
      target: cellText(cells[3]!),
      app: cellText(cells[4]!),
      change: cellText(cells[5]!),
    }
  })
}

const alertOf = (page: string) => unescape(/<p class="error" role="alert" id="audit-filter-error">([\s\S]*?)<\/p>/.exec(page)?.[1] ?? '')
const tabsOf = (page: string) =>
  [...(/<nav class="tabs"[^>]*>([\s\S]*?)<\/nav>/.exec(page)?.[1] ?? '').matchAll(/>([^<]+)<\/a>/g)].map((m) => m[1])
const linkOf = (page: string, rel: 'next' | 'prev') => {
  const href = new RegExp(`<a href="([^"]+)" rel="${rel}"`).exec(page)?.[1]
  return href === undefined ? undefined : unescape(href)
}

describe('the Dashboard: Audit tab', () => {
  let fixture: DashboardFixture
  let admin: string

  beforeEach(async () => {
    fixture = await startDashboard(
      async (as) => {
        const at = (email: string) => new Ctx(as(email).tx, email, {now: () => SEEDED})
        await createOrg(at(ADMIN), ORG, LIMITS)
        await addMember(at(ADMIN), ORG, MEMBER, 'member')
        await createApp(at(ADMIN), {name: 'acme-api', org: ORG, region: 'us'})
        await createApp(at(ADMIN), {name: 'acme-web', org: ORG, region: 'us'})
        await addAccess(at(ADMIN), 'acme-api', CONTRACTOR, ['deploy'])
      },
      [ADMIN, MEMBER, CONTRACTOR],
    )
    admin = await fixture.signIn(ADMIN)
  })
  afterEach(() => fixture.close())

  const backendOf = (email: string) => new LocalBackend(fixture.storage, email)
  const audit = (query = '', email = admin) => fixture.browse('GET', `${AUDIT}${query}`, {cookies: email})

  it('shows an admin the changes made through its own forms and through the backend, newest first, with the right actors', async () => {
    expect((await fixture.submit(admin, ACCESS, `${ACCESS}/add`, {email: DEV, role: 'member'})).status).toBe(303)
    expect((await fixture.submit(admin, ACCESS, `${ACCESS}/role`, {email: DEV, [`role:${DEV}`]: 'admin'})).status).toBe(303)
    expect((await fixture.submit(admin, API, `${API}/lock`, {locked: 'true'})).status).toBe(303)
    // The new admin, through the backend (what the CLI on the store and the API run).
    await backendOf(DEV).removeMember(ORG, MEMBER)
    await backendOf(DEV).updateAccess('acme-api', CONTRACTOR, ['view', 'deploy', 'operate'])

    const page = await audit()
    expect(page.status).toBe(200)
    expect(tabsOf(page.text)).toEqual(['Access', 'Apps', 'Usage', 'Billing', 'Audit'])
    expect(page.text).toContain('aria-current="page">Audit<')
    expect(page.text).toContain('<h1>Audit <span class="muted">· acme</span></h1>')
    const rows = rowsOf(page.text)
    expect(rows.map((row) => [row.action, row.actor, row.target, row.app, row.change])).toEqual([
      ['collaborator.update', DEV, `collaborator ${CONTRACTOR}`, 'acme-api', 'permissions view, deploy → view, deploy, operate'],
      ['team-member.destroy', DEV, `team-member ${MEMBER}`, '', 'was: role member, apps none'],
      ['app.lock', ADMIN, 'app acme-api', 'acme-api', 'locked false → true'],
      ['team-member.update', ADMIN, `team-member ${DEV}`, '', 'role member → admin'],
      ['team-member.create', ADMIN, `team-member ${DEV}`, '', 'role member'],
      ['collaborator.create', ADMIN, `collaborator ${CONTRACTOR}`, 'acme-api', 'permissions view, deploy'],
      ['app.create', ADMIN, 'app acme-web', 'acme-web', 'owner acme, region us, locked false'],
      ['app.create', ADMIN, 'app acme-api', 'acme-api', 'owner acme, region us, locked false'],
      ['team-member.create', ADMIN, `team-member ${MEMBER}`, '', 'role member'],
      ['team.create', ADMIN, 'team acme', '', `admin ${ADMIN}, limits.apps 10, limits.members 1000, limits.dyno-units 20`],
    ])
    // The same events as `orgctl audit` lists, in its order; each time in UTC, machine-readable in <time>.
    const cli = await backendOf(ADMIN).listAuditEvents(ORG, {limit: 100})
    expect(rows.map((row) => row.datetime)).toEqual(cli.map((event) => event.created_at))
    expect(rows.at(-1)!.time).toBe('2025-03-01 10:00:00')
    expect(page.text).toContain('Time (UTC)')
    expect(page.text).not.toContain('Older<')
  })

  it('gives members and collaborators no Audit tab and refuses the URL with the domain’s message, bad filter or not', async () => {
    const expected = await backendOf(MEMBER)
      .listAuditEvents(ORG, {limit: 1})
      .then(
        () => 'allowed',
        (error) => toOrgctlError(error).message,
      )
    expect(expected).toMatch(/admin/)
    for (const email of [MEMBER, CONTRACTOR]) {
      const cookies = await fixture.signIn(email)
      const home = await fixture.browse('GET', email === MEMBER ? ACCESS : `/dashboard/orgs/${ORG}/apps`, {cookies})
      expect(tabsOf(home.text), email).not.toContain('Audit')
      const app = await fixture.browse('GET', API, {cookies})
      expect(app.status, email).toBe(200)
      expect(app.text, email).not.toContain('Audit log of')
      for (const query of ['', '?since=yesterday']) {
        const page = await audit(query, cookies)
        expect(page.status, `${email} ${query}`).toBe(403)
        const message = unescape(/<p class="error" role="alert">([\s\S]*?)<\/p>/.exec(page.text)![1]!)
        if (email === MEMBER) expect(message).toBe(expected)
        else expect(message).toMatch(/admin/)
        expect(page.text).not.toContain('<tbody>')
      }
    }
  })

  it('answers an org that is not there (or not yours) with the domain’s not-found, as orgctl audit does', async () => {
    const expected = await backendOf(ADMIN)
      .listAuditEvents('nope', {limit: 1})
      .then(
        () => 'found',
        (error) => toOrgctlError(error).message,
      )
    const page = await fixture.browse('GET', '/dashboard/orgs/nope/audit?action=app.*', {cookies: admin})
    expect(page.status).toBe(404)
    expect(unescape(/<p class="error" role="alert">([\s\S]*?)<\/p>/.exec(page.text)![1]!)).toBe(expected)
  })

  it('filters by actor, action pattern, app, since and until, with the filters shown again in the form', async () => {
    await fixture.submit(admin, ACCESS, `${ACCESS}/add`, {email: DEV, role: 'admin'})
    await backendOf(DEV).setLocked('acme-web', true)

    const byActor = rowsOf((await audit(`?actor=${DEV}`)).text)
    expect(byActor.map((row) => row.action)).toEqual(['app.lock'])
    const byAction = await audit('?action=team-member.*')
    expect(rowsOf(byAction.text).map((row) => row.target)).toEqual([`team-member ${DEV}`, `team-member ${MEMBER}`])
    expect(byAction.text).toMatch(/id="audit-action"[^>]*value="team-member\.\*"/)
    expect(byAction.text).toContain(`<a href="${AUDIT}">Clear</a>`)
    const byApp = rowsOf((await audit('?app=acme-api')).text)
    expect(byApp.map((row) => row.action)).toEqual(['collaborator.create', 'app.create'])
    // Today's changes only (the seed is long past); and the seed's day only.
    expect(rowsOf((await audit('?since=7d')).text).map((row) => row.action)).toEqual(['app.lock', 'team-member.create'])
    expect(rowsOf((await audit('?since=2025-03-01&until=2025-03-02')).text)).toHaveLength(5)
    expect(rowsOf((await audit('?until=2025-03-01T10:00Z')).text)).toHaveLength(0)
    // Empty fields are no filter (a GET form sends them all); values are trimmed as the CLI trims them.
    expect(rowsOf((await audit('?actor=&action=&app=&since=&until=')).text)).toHaveLength(7)
    expect(rowsOf((await audit(`?actor=${encodeURIComponent(`  ${DEV.toUpperCase()} `)}`)).text)).toHaveLength(1)

    // An app's page links to its own events (admins).
    const app = await fixture.browse('GET', API, {cookies: admin})
    expect(app.text).toContain(`<a href="${AUDIT}?app=acme-api">Audit log of acme-api</a>`)
  })

  it('shows a bad filter beside the form with the same words as the API, refilled, with no events', async () => {
    const token = fixture.tokens[ADMIN]!
    for (const query of [
      'since=yesterday',
      'until=2026-02-30',
      'action=team%20member',
      'actor=not-an-email',
      'app=Bad_App',
      'since=2025-03-02&until=2025-03-01',
    ]) {
      const page = await audit(`?${query}`)
      expect(page.status, query).toBe(422)
      const api = await fixture.server.inject({
        method: 'GET',
        url: `/teams/${ORG}/audit-events?${query}`,
        headers: {accept: 'application/vnd.heroku+json; version=3', authorization: `Bearer ${token}`},
      })
      expect(api.statusCode, query).toBe(422)
      expect(alertOf(page.text), query).toBe(JSON.parse(api.body).message)
      expect(page.text).toMatch(/aria-describedby="audit-filter-error"/)
      expect(page.text).not.toContain('<tbody>')
      expect(page.text).toContain('Fix the filter above')
    }
    const refilled = await audit('?since=yesterday&actor=admin%40acme.test')
    expect(refilled.text).toMatch(/id="audit-since"[^>]*value="yesterday"/)
    expect(refilled.text).toMatch(/id="audit-actor"[^>]*value="admin@acme\.test"/)
    // The pager's own parameters, tampered with.
    for (const query of ['before=abc', 'after=-1', 'before=9&after=1', `before=${'9'.repeat(16)}`]) {
      const page = await audit(`?${query}`)
      expect(page.status, query).toBe(422)
      expect(alertOf(page.text), query).toMatch(/^This page's link is malformed .*: start again from the newest events\.$/)
    }
  })

  it('pages 100 events at a time, newest first, Older and Newer keeping the filters, every event once', async () => {
    await fixture.storage.write(async (tx) => {
      for (let index = 0; index < 240; index++) await addMember(new Ctx(tx, ADMIN), ORG, `user${index}@acme.test`, 'member')
    })
    const all = await backendOf(ADMIN).listAuditEvents(ORG, {limit: 1000, action: 'team-member.*'})
    expect(all).toHaveLength(241)

    const seen: Row[] = []
    const pages: string[] = []
    let url: string | undefined = `${AUDIT}?action=team-member.*`
    while (url) {
      const page = await fixture.browse('GET', url, {cookies: admin})
      expect(page.status).toBe(200)
      pages.push(page.text)
      seen.push(...rowsOf(page.text))
      // The newest page links to no Newest; every other page does.
      expect(page.text.includes('>Newest</a>')).toBe(pages.length > 1)
      url = linkOf(page.text, 'next')
      if (url) expect(new URL(url, 'http://x').searchParams.get('action')).toBe('team-member.*')
    }
    expect(pages.map((page) => rowsOf(page).length)).toEqual([100, 100, 41])
    expect(seen.map((row) => row.target)).toEqual(all.map((event) => `${event.target.type} ${event.target.name}`))
    expect(linkOf(pages[0]!, 'prev')).toBeUndefined()

    // Newer from the last page is the middle one again, and from there the first.
    const middle = await fixture.browse('GET', linkOf(pages[2]!, 'prev')!, {cookies: admin})
    expect(middle.text).toBe(pages[1])
    // Newer from the second page has fewer than a page after it: it is the newest page, shown as that page is.
    const first = await fixture.browse('GET', linkOf(pages[1]!, 'prev')!, {cookies: admin})
    expect(first.text).toBe(pages[0])
    // The links carry one place in the log, never a trail: as short on the last page as on the second.
    for (const page of pages) for (const rel of ['prev', 'next'] as const) expect(linkOf(page, rel)?.length ?? 0).toBeLessThan(120)
    // A page past the end says so and links back to the newest.
    const past = await audit(`?action=team-member.*&before=1`)
    expect(past.text).toContain('No older events.')
  })

  it('escapes markup in every name an event holds', async () => {
    const evil = '<script>alert(1)</script>'
    await fixture.storage.write(async (tx) => {
      const org = (await tx.orgs.byName(ORG))!
      await tx.audit.append({
        id: 'evil-event',
        createdAt: new Date().toISOString(),
        action: 'team-member.create',
        actor: {email: `${evil}@x.test`},
        target: {type: '<b>type</b>', name: `${evil}@x.test`},
        org: {id: org.id, name: ORG},
        app: {id: 'evil-app', name: `<img src=x onerror=alert(2)>`},
        data: {before: null, after: {role: `<i>admin</i>`, note: '"quoted" & \'single\''}},
      })
    })
    const page = await audit()
    expect(page.status).toBe(200)
    expect(page.text).not.toContain('<script>alert')
    expect(page.text).not.toContain('<img src=x')
    expect(page.text).not.toContain('<i>admin')
    expect(page.text).toContain('&lt;script&gt;alert(1)&lt;/script&gt;@x.test')
    const row = rowsOf(page.text)[0]!
    expect(row.actor).toBe(`${evil}@x.test`)
    expect(row.target).toBe(`<b>type</b> ${evil}@x.test`)
    expect(row.app).toBe('<img src=x onerror=alert(2)>')
    expect(row.change).toBe(`role <i>admin</i>, note "quoted" & 'single'`)
    // A typed filter is echoed escaped, in the field and in the message.
    const typed = await audit(`?action=${encodeURIComponent('"><script>x</script>')}`)
    expect(typed.text).not.toContain('<script>x')
    expect(typed.text).toContain('value="&quot;&gt;&lt;script&gt;x&lt;/script&gt;"')
  })

  it('says what to do when nothing is there: no match, or no events yet', async () => {
    const none = await audit('?action=app.destroy')
    expect(none.text).toContain('No event matches these filters')
    expect(none.text).not.toContain('<tbody>')
    // Pruned to nothing (no operator is named: whoever holds the storage may).
    await new LocalBackend(fixture.storage, ADMIN, {now: () => new Date(Date.now() + 60_000)}).pruneAuditEvents(
      new Date(Date.now() + 30_000).toISOString(),
    )
    const empty = await audit()
    expect(empty.status).toBe(200)
    expect(empty.text).toContain('No events yet.')
    expect(empty.text).toContain(`<a href="${ACCESS}">Access</a>`)
  })
})

describe('changeSummary: an event’s change in a line', () => {
  const event = (before: unknown, after: unknown, name = 'x@acme.test') =>
    changeSummary({target: {type: 'team-member', name}, data: {before, after}} as Pick<R.AuditEvent, 'data' | 'target'>)

  it('says what was created, what changed (only that), and what was removed', () => {
    expect(event(null, {email: 'x@acme.test', role: 'member'})).toBe('role member')
    expect(event({email: 'x@acme.test', role: 'member'}, {email: 'x@acme.test', role: 'admin'})).toBe('role member → admin')
    expect(event({email: 'x@acme.test', role: 'admin', apps: ['a', 'b']}, null)).toBe('was: role admin, apps a, b')
    expect(event({name: 'old'}, {name: 'new'}, 'new')).toBe('name old → new')
    expect(event({limits: {apps: 10, members: 5}}, {limits: {apps: 20, members: 5}})).toBe('limits.apps 10 → 20')
    expect(event([{type: 'web', quantity: 1, size: 'standard-1x'}], [{type: 'web', quantity: 2, size: 'standard-2x'}])).toBe(
      'web=1:standard-1x → web=2:standard-2x',
    )
    expect(event([], [{type: 'worker', quantity: 1, size: 'standard-1x'}])).toBe('none → worker=1:standard-1x')
    expect(event(null, null)).toBe('')
    expect(event({email: 'x@acme.test'}, null)).toBe('')
  })

  it('is short: a long change is cut with an ellipsis', () => {
    const long = event(null, {apps: Array.from({length: 100}, (_, index) => `app-${index}`)})
    expect(long.length).toBe(160)
    expect(long.endsWith('…')).toBe(true)
  })

  it('is whole when asked for no cut (orgctl audit piped), and never splits a surrogate pair', () => {
    const apps = Array.from({length: 100}, (_, index) => `app-${index}`)
    const data = {before: null, after: {apps}} as R.AuditEvent['data']
    const target = {type: 'team-member', name: 'x@acme.test'}
    expect(changeSummary({target, data}, Number.POSITIVE_INFINITY)).toBe(`apps ${apps.join(', ')}`)
    const emoji = changeSummary({target, data: {before: null, after: {note: '😀'.repeat(20)}} as R.AuditEvent['data']}, 10)
    expect([...emoji]).toHaveLength(10)
    expect(emoji).toBe(`note ${'😀'.repeat(4)}…`)
  })
})
