/**
 * The Dashboard's Usage, Billing and Transfers pages in-process (fastify inject, memory engine):
 * the meters' numbers, the SVG history (a point a day, a week when long), the matrix's refusals,
 * the billing totals, and the transfers' accept / decline / cancel with their refusals.
 */
import {afterEach, beforeEach, describe, expect, it} from 'vitest'

import {lineChart, peaksOf, yScale} from '../../src/lib/dashboard/chart.js'
import {escapeHtml} from '../../src/lib/dashboard/html.js'
import {createApp} from '../../src/lib/domain/apps.js'
import {Ctx} from '../../src/lib/domain/context.js'
import {scale} from '../../src/lib/domain/formation.js'
import {addMember} from '../../src/lib/domain/members.js'
import {createOrg, orgBilling, orgUsage} from '../../src/lib/domain/orgs.js'
import {transferApp} from '../../src/lib/domain/transfers.js'
import {parseScaleChange} from '../../src/lib/domain/validation.js'
import {toOrgctlError} from '../../src/lib/errors.js'
import {cookieValue, csrfOf, type DashboardFixture, startDashboard} from './_dashboard.js'

const ADMIN = 'admin@acme.test'
const MEMBER = 'member@acme.test'
const ALICE = 'alice@home.test'
const BOB = 'bob@home.test'
const CAROL = 'carol@home.test'
const DAY_MS = 86_400_000

const clockAt = (date: Date) => ({now: () => date})

/** The SVG of one resource's chart. */
const chartOf = (page: string, resource: string): string => {
  const found = new RegExp(`<svg[^>]*aria-labelledby="chart-${resource}-title[\\s\\S]*?</svg>`).exec(page)
  if (!found) throw new Error(`no chart of ${resource}`)
  return found[0]
}
const circles = (svg: string) => svg.match(/<circle /g)?.length ?? 0

describe('the Dashboard: Usage and Billing', () => {
  let fixture: DashboardFixture

  beforeEach(async () => {
    fixture = await startDashboard(
      async (as) => {
        await createOrg(as(ADMIN), 'acme', {apps: 10, members: 4, 'dyno-units': 20})
        await addMember(as(ADMIN), 'acme', MEMBER, 'member')
        await createApp(as(ADMIN), {name: 'acme-api', org: 'acme', region: 'us'})
        await createApp(as(ADMIN), {name: 'acme-web', org: 'acme', region: 'us'})
        await scale(as(ADMIN), 'acme-api', [parseScaleChange('web=2:standard-2x')])
        await scale(as(ADMIN), 'acme-web', [parseScaleChange('web=1:standard-1x')])
      },
      [ADMIN, MEMBER],
    )
  })
  afterEach(() => fixture.close())

  /** An org whose history has one recorded day for each of `days` days, a member more each day (through the domain, dated). */
  async function orgWithDays(name: string, days: number, start = Date.UTC(2025, 0, 1)): Promise<void> {
    await fixture.storage.write((tx) =>
      createOrg(new Ctx(tx, ADMIN, clockAt(new Date(start))), name, {apps: 100, members: 1000, 'dyno-units': 200}),
    )
    for (let day = 1; day < days; day++) {
      await fixture.storage.write((tx) =>
        addMember(new Ctx(tx, ADMIN, clockAt(new Date(start + day * DAY_MS))), name, `user${day}@${name}.test`, 'member'),
      )
    }
  }

  it('shows an admin each resource against its limit as a meter with its numbers, and the history as SVG', async () => {
    const cookies = await fixture.signIn(ADMIN)
    const page = await fixture.browse('GET', '/dashboard/orgs/acme/usage', {cookies})
    expect(page.status).toBe(200)
    expect(page.text).toMatch(/<label for="meter-apps">Apps<\/label>/)
    expect(page.text).toMatch(/<meter id="meter-apps" min="0" max="10" value="2" low="7.5" high="9" optimum="0"/)
    expect(page.text).toMatch(/<meter id="meter-members" min="0" max="4" value="2"/)
    // web=2:standard-2x (4 units) and web=1:standard-1x (1 unit).
    expect(page.text).toMatch(/<meter id="meter-dyno-units" min="0" max="20" value="5"/)
    expect(page.text).toContain('2 of 10 (20%)')
    expect(page.text).toContain('5 of 20 (25%)')
    expect(page.text).toMatch(/<nav class="tabs"[^>]*>[\s\S]*aria-current="page">Usage</)
    const svg = chartOf(page.text, 'apps')
    expect(svg).toMatch(/role="img"/)
    expect(svg).toMatch(/<title id="chart-apps-title">Apps in acme, peak a day<\/title>/)
    expect(svg).toMatch(/<desc id="chart-apps-desc">/)
    expect(svg).not.toMatch(/style=|<script/i)
    // Everything happened today: one recorded day, one point.
    expect(circles(svg)).toBe(1)
    expect(page.text).toMatch(/<details>\s*<summary>The numbers, as a table<\/summary>/)
    expect(page.text).not.toMatch(/<script(?! src="\/dashboard\/assets\/)/)
    expect(page.text).not.toMatch(/\sstyle="/)
  })

  it('draws a point a day for a month, with the limit far above the usage noted off the scale', async () => {
    await orgWithDays('month', 30)
    const cookies = await fixture.signIn(ADMIN)
    const page = await fixture.browse('GET', '/dashboard/orgs/month/usage', {cookies})
    expect(page.status).toBe(200)
    const members = chartOf(page.text, 'members')
    expect(circles(members)).toBe(30)
    expect(members).toContain('2025-01-30: 30')
    // Members go up to 30 against a limit of 1000: the scale fits the data, the limit is said in the legend.
    expect(members).not.toContain('class="limit"')
    expect(page.text).toContain('limit 1,000 (above the scale)')
    expect(page.text).toMatch(
      /<td>2025-01-01<\/td>\s*<td class="num" data-label="Apps">0<\/td>\s*<td class="num" data-label="Members">1<\/td>/,
    )
  })

  it('draws a longer history as weekly peaks: 400 days are 58 weeks, the table the same numbers', async () => {
    await orgWithDays('year', 400)
    const cookies = await fixture.signIn(ADMIN)
    const page = await fixture.browse('GET', '/dashboard/orgs/year/usage', {cookies})
    expect(page.status).toBe(200)
    // 2025-01-01 is a Wednesday: its week starts on Monday 2024-12-30; the 400th day, 2026-02-04, is in the 58th week.
    const members = chartOf(page.text, 'members')
    expect(circles(members)).toBe(58)
    expect(members).toContain('<title id="chart-members-title">Members in year, peak a week</title>')
    expect(members).toContain('2024-12-30: 5')
    expect(members).toContain('2026-02-02: 400')
    expect(page.text.match(/<tr>\s*<td>\d{4}-\d\d-\d\d<\/td>/g)).toHaveLength(58)
    expect(page.text).toContain('Week of')
    const history = (await fixture.storage.read((tx) => orgUsage(new Ctx(tx, ADMIN), 'year'))).history
    expect(history).toHaveLength(400)
  })

  it('refuses a member Usage and Billing with the matrix message, and shows them no such tab', async () => {
    const cookies = await fixture.signIn(MEMBER)
    const refusal = (read: (ctx: Ctx, org: string) => Promise<unknown>) =>
      fixture.storage
        .read(async (tx) => void (await read(new Ctx(tx, MEMBER), 'acme')))
        .then(
          () => '',
          (error: unknown) => toOrgctlError(error).message,
        )
    for (const [tab, read] of [
      ['usage', orgUsage],
      ['billing', orgBilling],
    ] as const) {
      const expected = await refusal(read)
      expect(expected).toMatch(/^You cannot/)
      const page = await fixture.browse('GET', `/dashboard/orgs/acme/${tab}`, {cookies})
      expect(page.status).toBe(403)
      expect(page.text).toContain(`<p class="error" role="alert">${escapeHtml(expected)}</p>`)
      expect(page.text).not.toContain('<meter')
      expect(page.text).not.toContain('Monthly rate')
    }
    const access = await fixture.browse('GET', '/dashboard/orgs/acme/access', {cookies})
    expect(access.text).not.toContain('href="/dashboard/orgs/acme/usage"')
    expect(access.text).not.toContain('href="/dashboard/orgs/acme/billing"')
  })

  it("shows an admin the month's estimate per app, in dollars as orgs:billing prints them, with the totals", async () => {
    const cookies = await fixture.signIn(ADMIN)
    const page = await fixture.browse('GET', '/dashboard/orgs/acme/billing', {cookies})
    expect(page.status).toBe(200)
    const row = (app: string) => new RegExp(`<td>${app}</td>([\\s\\S]*?)</tr>`).exec(page.text)![1]!
    const cells = (html: string) => [...html.matchAll(/<td class="num" data-label="[^"]+">([^<]*)<\/td>/g)].map((each) => each[1]!)
    const api = cells(row('acme-api'))
    const web = cells(row('acme-web'))
    expect(api.slice(0, 2)).toEqual(['4', '$100.00'])
    expect(web.slice(0, 2)).toEqual(['1', '$25.00'])
    const total = cells(/<tr class="total">([\s\S]*?)<\/tr>/.exec(page.text)![1]!)
    expect(total.slice(0, 2)).toEqual(['5', '$125.00'])
    const dollars = (text: string) => Math.round(Number(text.replace('$', '')) * 100)
    for (const column of [2, 3]) {
      expect(total[column]).toMatch(/^\$\d+\.\d\d$/)
      expect(dollars(total[column]!)).toBe(dollars(api[column]!) + dollars(web[column]!))
    }
    expect(page.text).toMatch(/From (\d{4}-\d\d)-01 to \1-(28|29|30|31):/)
    // Projected to the month's end at today's scale: at least what has run so far.
    expect(dollars(total[3]!)).toBeGreaterThanOrEqual(dollars(total[2]!))
  })
})

describe('the chart', () => {
  it('escapes its text and has no script: a title with markup renders as text', () => {
    const svg = lineChart({
      id: 'x',
      title: '<script>alert(1)</script>',
      description: 'a "quoted" & <b>bold</b> desc',
      points: [{date: '2026-01-01', value: 3}],
      series: 'line-apps',
      limit: 5,
    }).value
    expect(svg).not.toContain('<script')
    expect(svg).toContain('&lt;script&gt;alert(1)&lt;/script&gt;')
    expect(svg).toContain('a &quot;quoted&quot; &amp; &lt;b&gt;bold&lt;/b&gt; desc')
    // One day: one point, in the middle, no line; the limit near enough to draw.
    expect(circles(svg)).toBe(1)
    expect(svg).not.toContain('<path')
    expect(svg).toContain('class="limit"')
  })

  it('renders 1 day and 400 days, steps between recorded days, and scales to the data', () => {
    const days = Array.from({length: 400}, (_, index) => ({
      date: new Date(Date.UTC(2025, 0, 1) + index * DAY_MS).toISOString().slice(0, 10),
      apps: index % 7,
      members: 1,
      'dyno-units': 0,
    }))
    const weekly = peaksOf(days, ['apps', 'members', 'dyno-units'])
    expect(weekly.period).toBe('week')
    expect(weekly.rows).toHaveLength(58)
    expect(weekly.rows[1]).toEqual({date: '2025-01-06', apps: 6, members: 1, 'dyno-units': 0})
    expect(peaksOf(days.slice(0, 93), ['apps']).period).toBe('day')
    expect(peaksOf(days.slice(0, 94), ['apps']).period).toBe('week')
    const svg = lineChart({
      id: 'y',
      title: 'year',
      description: 'year',
      points: weekly.rows.map((row) => ({date: row.date, value: row.apps})),
      series: 'line-apps',
      limit: 100,
    }).value
    expect(circles(svg)).toBe(58)
    expect(svg).toMatch(/<path d="M[\d.]+ [\d.]+ H/)
    expect(svg).not.toContain('class="limit"')
    expect(svg.match(/<text [^>]*text-anchor="(start|middle|end)"[^>]*>\d+ [A-Z][a-z]{2}/g)!.length).toBeLessThanOrEqual(6)
    expect(yScale([0, 3], 1000)).toEqual({top: 4, step: 1, showsLimit: false})
    expect(yScale([0, 1], 10)).toEqual({top: 10, step: 5, showsLimit: true})
    expect(yScale([0, 14], 60)).toEqual({top: 60, step: 20, showsLimit: true})
    expect(yScale([0, 30], 40)).toEqual({top: 40, step: 10, showsLimit: true})
    expect(yScale([0], 0)).toEqual({top: 4, step: 1, showsLimit: false})
    expect(yScale([12_345])).toMatchObject({top: 15_000, step: 5000})
  })
})

describe('the Dashboard: Transfers', () => {
  let fixture: DashboardFixture

  beforeEach(async () => {
    fixture = await startDashboard(
      async (as) => {
        await createApp(as(ALICE), {name: 'alice-app', region: 'us'})
        await createApp(as(ALICE), {name: 'alice-two', region: 'us'})
        await createApp(as(BOB), {name: 'bob-app', region: 'us'})
        await transferApp(as(ALICE), 'alice-app', BOB)
        await transferApp(as(ALICE), 'alice-two', BOB)
        await transferApp(as(BOB), 'bob-app', ALICE)
      },
      [ALICE, BOB, CAROL],
    )
  })
  afterEach(() => fixture.close())

  const transferOf = async (app: string) =>
    (await fixture.storage.read((tx) => tx.transfers.involving(ALICE))).find((transfer) => transfer.app === app)
  const ownerOf = async (app: string) => (await fixture.storage.read((tx) => tx.apps.byName(app)))!.owner

  it('lists pending transfers to the user with accept and decline, and from them with cancel', async () => {
    const page = await fixture.browse('GET', '/dashboard/transfers', {cookies: await fixture.signIn(BOB)})
    expect(page.status).toBe(200)
    const id = (await transferOf('alice-app'))!.id
    const incoming = /<h2 id="incoming-heading">[\s\S]*?<\/section>/.exec(page.text)![0]
    expect(incoming).toContain('<td>alice-app</td>')
    expect(incoming).toContain(`action="/dashboard/transfers/${id}/accept"`)
    expect(incoming).toContain(`action="/dashboard/transfers/${id}/decline"`)
    expect(incoming).not.toContain('/cancel"')
    const outgoing = /<h2 id="outgoing-heading">[\s\S]*?<\/section>/.exec(page.text)![0]
    expect(outgoing).toContain('<td>bob-app</td>')
    expect(outgoing).toContain(`action="/dashboard/transfers/${(await transferOf('bob-app'))!.id}/cancel"`)
    expect(outgoing).toMatch(/data-confirm="Cancel the transfer of bob-app to alice@home.test\?"/)
    expect(page.text.match(/name="csrf"/g)!.length).toBeGreaterThanOrEqual(4)
  })

  it('accepts, declines and cancels, each changing storage, with a notice', async () => {
    const bob = await fixture.signIn(BOB)
    const alice = await fixture.signIn(ALICE)
    const accepted = await fixture.submit(
      bob,
      '/dashboard/transfers',
      `/dashboard/transfers/${(await transferOf('alice-app'))!.id}/accept`,
      {},
    )
    expect(accepted.status).toBe(303)
    expect(accepted.headers.location).toBe('/dashboard/transfers')
    // The notice's cookie is its text after the session's HMAC of it (test/server/dashboard-review.test.ts).
    expect(decodeURIComponent(cookieValue(accepted, 'orgctl_notice')!)).toMatch(/^[\w-]+\.You now own alice-app, from alice@home\.test\.$/)
    expect(await ownerOf('alice-app')).toEqual({kind: 'user', email: BOB})
    expect((await transferOf('alice-app'))!.state).toBe('accepted')

    const declined = await fixture.submit(
      alice,
      '/dashboard/transfers',
      `/dashboard/transfers/${(await transferOf('bob-app'))!.id}/decline`,
      {},
    )
    expect(declined.status).toBe(303)
    expect(await ownerOf('bob-app')).toEqual({kind: 'user', email: BOB})
    expect((await transferOf('bob-app'))!.state).toBe('declined')

    const two = (await transferOf('alice-two'))!.id
    const cancelled = await fixture.submit(alice, '/dashboard/transfers', `/dashboard/transfers/${two}/cancel`, {})
    expect(cancelled.status).toBe(303)
    expect(await fixture.storage.read((tx) => tx.transfers.byId(two))).toBeUndefined()
    expect(await ownerOf('alice-two')).toEqual({kind: 'user', email: ALICE})

    const after = await fixture.browse('GET', '/dashboard/transfers', {cookies: alice})
    const answered = /<h2 id="past-heading">[\s\S]*?<\/section>/.exec(after.text)![0]
    expect(answered).toMatch(/alice-app, from alice@home.test to bob@home.test:\s*<span class="badge">accepted<\/span>/)
    expect(answered).toMatch(/bob-app[\s\S]*declined/)
    expect(after.text).not.toContain('action="/dashboard/transfers/')
  })

  it('refuses the wrong user, beside the transfer when it is theirs to see, changing nothing', async () => {
    const alice = await fixture.signIn(ALICE)
    const bob = await fixture.signIn(BOB)
    const carol = await fixture.signIn(CAROL)
    const id = (await transferOf('alice-app'))!.id

    // The sender cannot accept: refused beside the transfer, on the page again.
    const byOwner = await fixture.submit(alice, '/dashboard/transfers', `/dashboard/transfers/${id}/accept`, {})
    expect(byOwner.status).toBe(403)
    const row = new RegExp(`<tr>\\s*<td>alice-app</td>[\\s\\S]*?</tr>\\s*<tr class="refusal">[\\s\\S]*?</tr>`).exec(byOwner.text)![0]
    expect(row).toContain(
      `<p class="error" role="alert" id="accept-transfer-error">Only bob@home.test, the recipient, can answer transfer ${id}`,
    )

    // The recipient cannot cancel.
    const byRecipient = await fixture.submit(bob, '/dashboard/transfers', `/dashboard/transfers/${id}/cancel`, {})
    expect(byRecipient.status).toBe(403)
    expect(byRecipient.text).toMatch(/id="cancel-transfer-error">Only alice@home.test, who sent transfer/)

    // Someone else does not even learn it exists; a forged id with markup is shown as text.
    for (const verb of ['accept', 'decline', 'cancel']) {
      const byStranger = await fixture.submit(carol, '/dashboard/transfers', `/dashboard/transfers/${id}/${verb}`, {})
      expect(byStranger.status).toBe(404)
      expect(byStranger.text).toMatch(new RegExp(`id="${verb}-transfer-error">Couldn&#39;t find transfer`))
    }
    const forged = await fixture.submit(
      carol,
      '/dashboard/transfers',
      `/dashboard/transfers/${encodeURIComponent('<script>x</script>')}/accept`,
      {},
    )
    expect(forged.status).toBe(404)
    expect(forged.text).not.toContain('<script>x')
    expect(forged.text).toContain('&lt;script&gt;x&lt;/script&gt;')

    expect((await transferOf('alice-app'))!.state).toBe('pending')
    expect(await ownerOf('alice-app')).toEqual({kind: 'user', email: ALICE})
  })

  it('refuses a form without the CSRF token', async () => {
    const bob = await fixture.signIn(BOB)
    const id = (await transferOf('alice-app'))!.id
    const answer = await fixture.browse('POST', `/dashboard/transfers/${id}/accept`, {cookies: bob, form: {csrf: 'forged'}})
    expect(answer.status).toBe(403)
    expect(await ownerOf('alice-app')).toEqual({kind: 'user', email: ALICE})
    expect(csrfOf(answer.text)).toBeDefined()
  })
})
