/**
 * The organization guide walked end to end through the Dashboard's pages, in a real browser against a
 * real `orgctl serve`, as a user does it (labels, roles, button names, the keyboard where natural), each
 * step's effect checked through the CLI on the same store: an admin adds a member and an admin, shares an
 * app with a collaborator with deploy; a member creates an app and imports two personal apps; the admin
 * locks one, transfers one out, answers a transfer, and looks at Usage and Billing. Every page visited is
 * screenshotted at desktop and phone widths; with ORGCTL_UPDATE_DOCS_SCREENSHOTS=1 the Access and Usage
 * ones are copied into docs/.
 */
import {copyFileSync} from 'node:fs'
import {join, resolve} from 'node:path'

import type {Page} from 'playwright-core'
import {afterEach, beforeAll, expect, it} from 'vitest'

import {LocalBackend} from '../../src/lib/backend/local-backend.js'
import type {Clock} from '../../src/lib/domain/context.js'
import {DEFAULT_LIMITS} from '../../src/lib/domain/validation.js'
import {JsonStorage} from '../../src/lib/storage/json/json-storage.js'
import {browserSuite, screenshot, SCREENSHOTS, type Tab, useBrowser} from '../helpers/browser.js'
import {useDashboardServer} from '../helpers/dashboard-server.js'
import {ADMIN, DEV, ORG} from '../e2e/_util.js'
import {expectPath, fitsWidth, isFocused, signedInTabs, signIn} from './_util.js'

const LAB = 'acme-labs'
const OPS = 'ops@acme.test'
const CONTRACTOR = 'contractor@outside.test'
const TEAM = ['alice', 'bob', 'carol', 'dana', 'erin', 'frank'].map((name) => `${name}@acme.test`)
const LIMITS = {apps: 12, members: 15, 'dyno-units': 30}
const DAY = 86_400_000
const UPDATE_DOCS = process.env.ORGCTL_UPDATE_DOCS_SCREENSHOTS === '1'
const DOCS = resolve(import.meta.dirname, '../../docs')
/** Chromium logs a 4xx document (a refused form) as a console error: allowed where the refusal is the point. */
const REFUSED_DOCUMENT = /Failed to load resource: the server responded with a status of 4\d\d/

/**
 * Two weeks of the org's past, made through the domain on the store file with the clock set back (the CLI
 * runs on today's clock, and a day of usage history is recorded only when something changes that day):
 * people join, apps are created and scaled, so the Usage tab has a history to draw.
 */
async function seedPast(store: string): Promise<void> {
  const storage = new JsonStorage(store)
  const as = (user: string, daysAgo: number) => {
    const at = new Date(Date.now() - daysAgo * DAY)
    at.setUTCHours(10, 0, 0, 0)
    let tick = 0
    const clock: Clock = {now: () => new Date(at.getTime() + tick++)}
    // Not closed: closing a LocalBackend closes its storage, which the later days still use.
    return new LocalBackend(storage, user, clock)
  }
  const web = (quantity: number, size: 'standard-1x' | 'standard-2x' = 'standard-1x') => [{type: 'web', quantity, size}]
  try {
    await as(ADMIN, 14).createTeam(ORG, LIMITS)
    await as(ADMIN, 14).createTeam(LAB, DEFAULT_LIMITS)
    await as(ADMIN, 14).createApp({name: 'acme-api', team: ORG, region: 'us'})
    await as(ADMIN, 13).scale('acme-api', web(2))
    await as(ADMIN, 12).addMember(ORG, TEAM[0]!, 'member')
    await as(ADMIN, 12).addMember(ORG, TEAM[1]!, 'member')
    await as(ADMIN, 11).createApp({name: 'acme-web', team: ORG, region: 'eu'})
    await as(ADMIN, 11).scale('acme-web', web(2))
    await as(ADMIN, 10).addMember(ORG, TEAM[2]!, 'admin')
    await as(ADMIN, 9).createApp({name: 'acme-worker', team: ORG, region: 'us'})
    await as(ADMIN, 9).scale('acme-worker', [{type: 'worker', quantity: 1, size: 'standard-2x'}])
    await as(ADMIN, 8).addMember(ORG, TEAM[3]!, 'member')
    await as(ADMIN, 7).scale('acme-web', web(4))
    await as(ADMIN, 6).addMember(ORG, TEAM[4]!, 'member')
    await as(ADMIN, 6).createApp({name: 'acme-cron', team: ORG, region: 'us'})
    await as(ADMIN, 5).scale('acme-api', web(3))
    await as(ADMIN, 4).scale('acme-web', web(2))
    await as(ADMIN, 3).addMember(ORG, TEAM[5]!, 'member')
    await as(ADMIN, 2).scale('acme-worker', [{type: 'worker', quantity: 2, size: 'standard-2x'}])
    await as(ADMIN, 1).scale('acme-cron', web(1))
  } finally {
    await storage.close()
  }
}

browserSuite('Dashboard: the organization guide, walked through the pages', () => {
  const web = useBrowser()
  const dash = useDashboardServer()
  const signed = signedInTabs(web, dash)
  let walked = false
  const as = signed.as

  beforeAll(async () => {
    await seedPast(dash().box.store)
    // Today, through the CLI: a scale makes today's level.
    await dash().ok(ADMIN, 'ps:scale', 'web=3', '--app', 'acme-web')
  })

  afterEach(() => signed.checked())

  const json = async <T>(user: string, ...args: string[]) => (await dash().ok(user, ...args, '--json')).json<T>()

  /** The page shown now, at desktop width (as it is) and at phone width (the same URL in a phone of the same user). */
  async function shoot(
    tab: Tab,
    user: string,
    name: string,
    page: (phone: Page) => Promise<unknown> = (phone) => phone.goto(tab.page.url()),
  ) {
    await screenshot(tab.page, `${name}-desktop`)
    const phone = await as(user, 'phone')
    await page(phone.page)
    expect(await fitsWidth(phone.page), `${name} fits a phone's width`).toBe(true)
    await screenshot(phone.page, `${name}-phone`)
  }

  const tabs = (page: Page, org = ORG) => page.getByRole('navigation', {name: `Org ${org}`})
  const notice = (page: Page) => page.getByRole('status')
  const expectNotice = async (page: Page, text: string) => expect.poll(async () => (await notice(page).innerText()).trim()).toBe(text)

  it('signs the admin in and adds a member and an admin on the Access tab', async () => {
    const admin = await signed.anonymous('desktop')
    await admin.page.goto(`${dash().url}/dashboard/sign-in`)
    await screenshot(admin.page, 'sign-in-desktop')
    const phone = await signed.anonymous('phone')
    await phone.page.goto(`${dash().url}/dashboard/sign-in`)
    expect(await fitsWidth(phone.page), 'sign-in fits a phone').toBe(true)
    await screenshot(phone.page, 'sign-in-phone')
    await signIn(admin.page, dash(), ADMIN)
    await signed.remember(ADMIN, admin)
    await shoot(admin, ADMIN, 'home')

    await admin.page.getByRole('main').getByRole('link', {name: ORG, exact: true}).click()
    await expectPath(admin.page, `/dashboard/orgs/${ORG}/access`)
    const addForm = admin.page.getByRole('region', {name: 'Add a member'})
    await admin.page.getByLabel('Email', {exact: true}).fill(DEV)
    await addForm.getByLabel('Role').selectOption('member')
    await admin.page.getByRole('button', {name: 'Add member'}).click()
    await expectNotice(admin.page, `Added ${DEV} to ${ORG} as member.`)

    // The second one with the keyboard: type the email, Tab to the role, pick it, Enter sends the form.
    await admin.page.getByLabel('Email', {exact: true}).fill(OPS)
    await admin.page.keyboard.press('Tab')
    expect(await isFocused(addForm.getByLabel('Role'))).toBe(true)
    await addForm.getByLabel('Role').selectOption('admin')
    await admin.page.getByLabel('Email', {exact: true}).press('Enter')
    await expectNotice(admin.page, `Added ${OPS} to ${ORG} as admin.`)

    const rows = admin.page.getByRole('row')
    await expect.poll(() => rows.filter({hasText: OPS}).count()).toBe(1)
    const roleShown = async (email: string) => (await rows.filter({hasText: email}).getByRole('cell').first().innerText()).trim()
    expect(await roleShown(DEV)).toBe('member')
    expect(await roleShown(OPS)).toBe('admin')
    expect(await admin.page.getByLabel(`Role of ${OPS}`).inputValue()).toBe('admin')

    const members = await json<{email: string; role: string}[]>(ADMIN, 'members', '--org', ORG)
    expect(members.map(({email, role}) => ({email, role}))).toEqual(
      expect.arrayContaining([
        {email: DEV, role: 'member'},
        {email: OPS, role: 'admin'},
      ]),
    )
    expect(members).toHaveLength(2 + 1 + TEAM.length)
    await shoot(admin, ADMIN, 'access')
  })

  it('shares an app with a collaborator with deploy, on the app’s page', async () => {
    const admin = await as(ADMIN)
    await admin.page.goto(`${dash().url}/dashboard/orgs/${ORG}`)
    await tabs(admin.page).getByRole('link', {name: 'Apps', exact: true}).click()
    await expectPath(admin.page, `/dashboard/orgs/${ORG}/apps`)
    await shoot(admin, ADMIN, 'apps')

    await admin.page.getByRole('link', {name: 'acme-api', exact: true}).click()
    await expectPath(admin.page, `/dashboard/orgs/${ORG}/apps/acme-api`)
    await admin.page.getByLabel('Email', {exact: true}).fill(CONTRACTOR)
    const deploy = admin.page.getByRole('checkbox', {name: 'deploy for the new collaborator'})
    // View is always held: ticked, and not to be unticked.
    const view = admin.page.getByRole('checkbox', {name: 'view for the new collaborator'})
    expect(await view.isChecked()).toBe(true)
    expect(await view.isDisabled()).toBe(true)
    await deploy.focus()
    await admin.page.keyboard.press('Space')
    expect(await deploy.isChecked()).toBe(true)
    await admin.page.getByRole('button', {name: 'Add collaborator'}).click()
    await expectNotice(admin.page, `Gave ${CONTRACTOR} view, deploy on acme-api.`)
    const row = admin.page.getByRole('row').filter({hasText: CONTRACTOR})
    expect(await row.getByRole('checkbox', {name: `deploy for ${CONTRACTOR}`}).isChecked()).toBe(true)
    expect(await row.getByRole('checkbox', {name: `operate for ${CONTRACTOR}`}).isChecked()).toBe(false)

    const access = await json<{user: {email: string}; role: string; permissions: {name: string}[]}[]>(ADMIN, 'access', '--app', 'acme-api')
    const shared = access.find((each) => each.user.email === CONTRACTOR)
    expect(shared?.role).toBe('collaborator')
    expect(shared?.permissions.map((permission) => permission.name)).toEqual(['view', 'deploy'])
    await shoot(admin, ADMIN, 'app')
  })

  it('a member creates an app on the Apps tab and imports two personal apps from the checklist', async () => {
    await Promise.all(['dev-tools', 'dev-notes'].map((name) => dash().ok(DEV, 'apps:create', name)))
    const dev = await as(DEV)
    await dev.page.goto(`${dash().url}/dashboard`)
    await dev.page.getByRole('main').getByRole('link', {name: ORG, exact: true}).click()
    await tabs(dev.page).getByRole('link', {name: 'Apps', exact: true}).click()
    await expectPath(dev.page, `/dashboard/orgs/${ORG}/apps`)

    await dev.page.getByLabel('Name (optional)').fill('dev-sandbox')
    await dev.page.getByRole('button', {name: 'Create app'}).click()
    await expectPath(dev.page, `/dashboard/orgs/${ORG}/apps/dev-sandbox`)
    await expectNotice(dev.page, `Created app dev-sandbox in org ${ORG}.`)
    await dev.page.getByRole('link', {name: `← Apps of ${ORG}`}).click()

    const checklist = dev.page.getByRole('group', {name: `Apps to move into ${ORG}`})
    expect(await checklist.getByRole('checkbox').count()).toBeGreaterThanOrEqual(2)
    for (const name of ['dev-tools', 'dev-notes']) {
      const box = checklist.getByRole('checkbox', {name: new RegExp(`^${name}\\b`)})
      await box.focus()
      await dev.page.keyboard.press('Space')
      expect(await box.isChecked()).toBe(true)
    }
    const [result] = await Promise.all([
      dev.page.waitForResponse((response) => response.url().endsWith('/apps/import') && response.request().method() === 'POST'),
      dev.page.getByRole('button', {name: `Import into ${ORG}`}).click(),
    ])
    const results = dev.page.getByRole('region', {name: `Import into ${ORG}`})
    await expect.poll(async () => (await results.getByRole('status').innerText()).replace(/\s+/g, ' ').trim()).toBe('2 of 2 apps moved.')
    for (const name of ['dev-tools', 'dev-notes']) {
      expect(await results.getByRole('listitem').filter({hasText: name}).innerText()).toBe(`${name}: moved into ${ORG}`)
    }

    const apps = await json<{name: string; team: {name: string} | null}[]>(DEV, 'apps', '--org', ORG)
    expect(apps.map((app) => app.name)).toEqual(expect.arrayContaining(['dev-sandbox', 'dev-tools', 'dev-notes']))
    expect((await json<{team: unknown}[]>(DEV, 'apps')).filter((app) => app.team === null)).toEqual([])
    // The result page answers a POST: the phone is shown the same document the server sent.
    const body = await result.text()
    const headers = await result.allHeaders()
    await shoot(dev, DEV, 'import-result', async (phone) => {
      await phone.route(result.url(), (route) => route.fulfill({status: 200, headers, body}))
      await phone.goto(result.url())
    })
  })

  it('the admin locks one imported app, and transfers the other out to another org they administer', async () => {
    const admin = await as(ADMIN)
    admin.allow(REFUSED_DOCUMENT)
    await admin.page.goto(`${dash().url}/dashboard/orgs/${ORG}/apps`)
    await admin.page.getByRole('link', {name: 'dev-tools', exact: true}).click()
    await admin.page.getByRole('button', {name: 'Lock dev-tools'}).click()
    await expectNotice(admin.page, 'dev-tools is locked.')
    expect(await admin.page.getByRole('heading', {level: 1}).innerText()).toMatch(/^dev-tools\s+locked$/)
    expect(await admin.page.getByRole('button', {name: 'Unlock dev-tools'}).isVisible()).toBe(true)
    expect((await json<{locked: boolean}>(ADMIN, 'apps:info', 'dev-tools')).locked).toBe(true)

    await admin.page.goto(`${dash().url}/dashboard/orgs/${ORG}/apps`)
    expect(await admin.page.getByRole('row').filter({hasText: 'dev-tools'}).getByText('locked').isVisible()).toBe(true)
    await admin.page.getByRole('link', {name: 'dev-notes', exact: true}).click()
    const dialogs: string[] = []
    admin.page.on('dialog', (dialog) => {
      dialogs.push(dialog.message())
      void dialog.accept()
    })
    // A wrong confirmation is refused beside the form, and nothing moves.
    await admin.page.getByLabel('Org name or user email').fill(LAB)
    await admin.page.getByLabel("Type the app's name to confirm").fill('dev-note')
    await admin.page.getByRole('button', {name: 'Transfer dev-notes'}).click()
    const refusal = admin.page.locator('#transfer-app-error')
    await expect.poll(() => refusal.isVisible()).toBe(true)
    expect(await refusal.innerText()).toBe(
      'Confirmation "dev-note" did not match dev-notes: type the app\'s name to transfer it. Nothing was changed.',
    )
    expect((await json<{team: {name: string}}>(ADMIN, 'apps:info', 'dev-notes')).team.name).toBe(ORG)

    await admin.page.getByLabel("Type the app's name to confirm").fill('dev-notes')
    await admin.page.getByRole('button', {name: 'Transfer dev-notes'}).click()
    await expectPath(admin.page, `/dashboard/orgs/${ORG}/apps`)
    await expectNotice(admin.page, `Transferred dev-notes to ${LAB}.`)
    expect(dialogs).toEqual([
      `Transfer dev-notes out of ${ORG}? This cannot be undone from here.`,
      `Transfer dev-notes out of ${ORG}? This cannot be undone from here.`,
    ])
    expect(await admin.page.getByRole('link', {name: 'dev-notes', exact: true}).count()).toBe(0)
    const lab = await json<{name: string}[]>(ADMIN, 'apps', '--org', LAB)
    expect(lab.map((app) => app.name)).toEqual(['dev-notes'])
  })

  it('the admin answers a transfer sent to them on the Transfers page', async () => {
    await dash().ok(DEV, 'apps:create', 'dev-gift')
    await dash().ok(DEV, 'apps:transfer', ADMIN, '--app', 'dev-gift')
    const admin = await as(ADMIN)
    await admin.page.goto(`${dash().url}/dashboard`)
    await admin.page.getByRole('banner').getByRole('link', {name: 'Transfers', exact: true}).click()
    await expectPath(admin.page, '/dashboard/transfers')
    const row = admin.page.getByRole('region', {name: 'Sent to you'}).getByRole('row').filter({hasText: 'dev-gift'})
    expect(await row.getByText(DEV).isVisible()).toBe(true)
    await shoot(admin, ADMIN, 'transfers')
    await row.getByRole('button', {name: 'Accept dev-gift'}).click()
    await expectNotice(admin.page, `You now own dev-gift, from ${DEV}.`)
    const gift = await json<{owner: {email: string}; team: unknown}>(ADMIN, 'apps:info', 'dev-gift')
    expect(gift.owner.email).toBe(ADMIN)
    expect(gift.team).toBeNull()
  })

  it('the admin looks at Usage (a bar per resource against its limit, a chart of the history) and Billing', async () => {
    const admin = await as(ADMIN)
    await admin.page.goto(`${dash().url}/dashboard/orgs/${ORG}/access`)
    await tabs(admin.page).getByRole('link', {name: 'Usage', exact: true}).click()
    await expectPath(admin.page, `/dashboard/orgs/${ORG}/usage`)

    const usage = await json<{resources: {name: string; used: number; limit: number}[]; history: {date: string}[]}>(
      ADMIN,
      'orgs:usage',
      '--org',
      ORG,
      '--history',
    )
    expect(usage.history.length).toBeGreaterThanOrEqual(10)
    const meters = admin.page.locator('meter')
    expect(await meters.count()).toBe(3)
    for (const resource of usage.resources) {
      const meter = admin.page.locator(`meter#meter-${resource.name}`)
      expect(await meter.isVisible()).toBe(true)
      expect(Number(await meter.getAttribute('value')), resource.name).toBe(resource.used)
      expect(Number(await meter.getAttribute('max')), resource.name).toBe(resource.limit)
    }
    const charts = admin.page.locator('svg[role=img]')
    expect(await charts.count()).toBe(3)
    for (const chart of await charts.all()) expect(await chart.isVisible()).toBe(true)
    expect(await admin.page.getByRole('img', {name: `Apps in ${ORG}, peak a day`}).isVisible()).toBe(true)
    await shoot(admin, ADMIN, 'usage')

    await tabs(admin.page).getByRole('link', {name: 'Billing', exact: true}).click()
    await expectPath(admin.page, `/dashboard/orgs/${ORG}/billing`)
    const billing = await json<{apps: {app_name: string}[]}>(ADMIN, 'orgs:billing', '--org', ORG)
    for (const app of billing.apps) expect(await admin.page.getByRole('cell', {name: app.app_name, exact: true}).isVisible()).toBe(true)
    expect(billing.apps.map((app) => app.app_name)).toEqual(expect.arrayContaining(['acme-api', 'acme-web', 'acme-worker']))
    await shoot(admin, ADMIN, 'billing')
  })

  it('the admin reads the walk on the Audit tab: the same events as orgctl audit, filtered by the form and from an app’s page', async () => {
    const admin = await as(ADMIN)
    await admin.page.goto(`${dash().url}/dashboard/orgs/${ORG}/access`)
    await tabs(admin.page).getByRole('link', {name: 'Audit', exact: true}).click()
    await expectPath(admin.page, `/dashboard/orgs/${ORG}/audit`)
    const rows = admin.page.getByRole('table').locator('tbody tr')
    /** Each row as [time, actor, action, target, app, change]. */
    const shown = async () =>
      Promise.all((await rows.all()).map(async (row) => (await row.getByRole('cell').allInnerTexts()).map((cell) => cell.trim())))
    const cli = await json<{created_at: string; actor: {email: string}; action: string; app: {name: string} | null}[]>(
      ADMIN,
      'audit',
      '--org',
      ORG,
    )
    const table = await shown()
    expect(table.map(([, actor, action]) => [actor, action])).toEqual(cli.map((event) => [event.actor.email, event.action]))
    expect(await rows.first().locator('time').getAttribute('datetime')).toBe(cli[0]!.created_at)
    expect(table).toContainEqual([
      expect.any(String),
      ADMIN,
      'collaborator.create',
      `collaborator ${CONTRACTOR}`,
      'acme-api',
      'permissions view, deploy',
    ])
    expect(table).toContainEqual([
      expect.any(String),
      DEV,
      'app.create',
      'app dev-sandbox',
      'dev-sandbox',
      `owner ${ORG}, region us, locked false`,
    ])
    await shoot(admin, ADMIN, 'audit')

    await admin.page.getByLabel('Action', {exact: true}).fill('team-member.*')
    await admin.page.getByRole('button', {name: 'Filter'}).click()
    await expectPath(admin.page, `/dashboard/orgs/${ORG}/audit`)
    expect(new URL(admin.page.url()).searchParams.get('action')).toBe('team-member.*')
    const members = await shown()
    expect(members.length).toBeGreaterThanOrEqual(2)
    expect(members.every(([, , action]) => action?.startsWith('team-member.'))).toBe(true)
    expect(members).toContainEqual([expect.any(String), ADMIN, 'team-member.create', `team-member ${OPS}`, '', 'role admin'])

    await admin.page.goto(`${dash().url}/dashboard/orgs/${ORG}/apps/dev-tools`)
    await admin.page.getByRole('link', {name: 'Audit log of dev-tools'}).click()
    expect(await admin.page.getByLabel('App', {exact: true}).inputValue()).toBe('dev-tools')
    const app = await shown()
    expect(app.every(([, , , , name]) => name === 'dev-tools')).toBe(true)
    expect(app[0]!.slice(1)).toEqual([ADMIN, 'app.lock', 'app dev-tools', 'dev-tools', 'locked false → true'])
    walked = true
  })

  it.skipIf(!UPDATE_DOCS)('copies the Access and Usage screenshots into docs/ (ORGCTL_UPDATE_DOCS_SCREENSHOTS=1)', () => {
    // Only pictures of a walk that passed to its end.
    expect(walked, 'the walk failed: docs/ keeps its screenshots').toBe(true)
    copyFileSync(join(SCREENSHOTS, 'access-desktop.png'), join(DOCS, 'dashboard-access.png'))
    copyFileSync(join(SCREENSHOTS, 'usage-desktop.png'), join(DOCS, 'dashboard-usage.png'))
  })
})
