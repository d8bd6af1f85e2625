/**
 * What a member and a collaborator see in the Dashboard, by the permission matrix: a member sees Access
 * without its controls and no Usage or Billing (their URLs give the matrix's refusal, the CLI's own
 * message); a collaborator's org opens on Apps with only the app shared with them, without create or
 * import, its page with nothing their permissions do not allow; an app not shared with them is not
 * found; and a form posted anyway (with the session's own CSRF token) is refused by the domain.
 */
import type {Page} from 'playwright-core'
import {afterEach, beforeAll, expect, it} from 'vitest'

import {browserSuite, screenshot, useBrowser} from '../helpers/browser.js'
import {useDashboardServer} from '../helpers/dashboard-server.js'
import {ADMIN, DEV, ORG} from '../e2e/_util.js'
import {expectPath, pathOf, signedInTabs} from './_util.js'

const CONTRACTOR = 'contractor@outside.test'
const SHARED = 'shared-app'
const SECRET = 'secret-app'
/** Chromium logs a 4xx document (a refusal) as a console error: the refusals are the point here. */
const REFUSED_DOCUMENT = /Failed to load resource: the server responded with a status of 4\d\d/

// The few DOM globals page.evaluate below uses: tsconfig has no DOM types (src runs in Node).
declare const document: {
  createElement(tag: string): {method: string; action: string; appendChild(child: unknown): void; submit(): void}
  createElement(tag: 'input'): {type: string; name: string; value: string}
  body: {appendChild(child: unknown): void}
  querySelector(selector: string): {value: string} | null
}

browserSuite('Dashboard: what a member and a collaborator see, by the permission matrix', () => {
  const web = useBrowser()
  const dash = useDashboardServer()
  const signed = signedInTabs(web, dash)

  beforeAll(async () => {
    await dash().ok(ADMIN, 'orgs:create', ORG)
    await Promise.all([
      dash().ok(ADMIN, 'apps:create', SHARED, '--org', ORG),
      dash().ok(ADMIN, 'apps:create', SECRET, '--org', ORG),
      dash().ok(ADMIN, 'members:add', DEV, '--org', ORG, '--role', 'member'),
    ])
    await dash().ok(ADMIN, 'access:add', CONTRACTOR, '--app', SHARED, '--permissions', 'deploy')
  })

  afterEach(() => signed.checked())

  /** The CLI's refusal of the same thing, as the user: its one-line message. */
  async function cliRefusal(user: string, ...args: string[]): Promise<string> {
    const result = await dash().box.run(user, [...args, '--json'])
    expect(result.code, result.stderr).not.toBe(0)
    return result.json<{message: string}>().message
  }

  const tabNames = async (page: Page) =>
    (
      await page
        .getByRole('navigation', {name: `Org ${ORG}`})
        .getByRole('link')
        .allInnerTexts()
    ).map((name) => name.trim())
  const region = (page: Page, name: string | RegExp) => page.getByRole('region', {name})
  /** The forms of the page's main part that change something (the header's sign-out is not one of them). */
  const changeForms = (page: Page) => page.getByRole('main').locator('form[method=post]')

  /** Opens a Dashboard URL that the matrix refuses and returns the page's status and its one alert. */
  async function refused(page: Page, path: string): Promise<{status: number | undefined; heading: string; alert: string}> {
    const response = await page.goto(`${dash().url}${path}`)
    return {
      status: response?.status(),
      heading: (await page.getByRole('heading', {level: 1}).innerText()).trim(),
      alert: (await page.getByRole('alert').innerText()).trim(),
    }
  }

  it('a member: Access without add, change or remove; no Usage or Billing tab; their URLs refused with the matrix’s message', async () => {
    const dev = await signed.as(DEV)
    dev.allow(REFUSED_DOCUMENT)
    await dev.page.goto(`${dash().url}/dashboard/orgs/${ORG}`)
    await expectPath(dev.page, `/dashboard/orgs/${ORG}/access`)
    expect(await tabNames(dev.page)).toEqual(['Access', 'Apps'])

    const members = dev.page.getByRole('region', {name: /^Members/})
    for (const email of [ADMIN, DEV]) expect(await members.getByRole('rowheader', {name: new RegExp(`^${email}`)}).isVisible()).toBe(true)
    expect(await region(dev.page, 'Add a member').count()).toBe(0)
    for (const name of ['Add member', 'Change role', /^Remove/])
      expect(await dev.page.getByRole('button', {name}).count(), String(name)).toBe(0)
    expect(await dev.page.getByRole('combobox').count()).toBe(0)
    expect(await changeForms(dev.page).count()).toBe(0)
    // Searching is reading: the member has it.
    expect(await dev.page.getByRole('searchbox', {name: 'Search by email'}).isVisible()).toBe(true)
    await screenshot(dev.page, 'matrix-member-access-desktop')

    for (const [tab, command] of [
      ['usage', 'orgs:usage'],
      ['billing', 'orgs:billing'],
    ] as const) {
      const page = await refused(dev.page, `/dashboard/orgs/${ORG}/${tab}`)
      expect(page).toEqual({status: 403, heading: 'Not permitted', alert: await cliRefusal(DEV, command, '--org', ORG)})
      expect(page.alert).toMatch(/^You cannot see org acme-widgets's (usage|billing): that needs /)
    }
    await screenshot(dev.page, 'matrix-member-usage-refused-desktop')

    // An app's page: a member not on the app may not manage it, and only admins lock or transfer.
    await dev.page.goto(`${dash().url}/dashboard/orgs/${ORG}/apps/${SECRET}`)
    expect(await dev.page.getByRole('heading', {level: 1}).innerText()).toBe(SECRET)
    for (const name of ['Add a collaborator', 'Locking', 'Transfer out']) expect(await region(dev.page, name).count(), name).toBe(0)
    expect(await changeForms(dev.page).count()).toBe(0)
  })

  it('a collaborator: the org opens on Apps, with only the shared app, and no create or import', async () => {
    const contractor = await signed.as(CONTRACTOR)
    contractor.allow(REFUSED_DOCUMENT)
    await contractor.page.getByRole('main').getByRole('link', {name: ORG, exact: true}).click()
    await expectPath(contractor.page, `/dashboard/orgs/${ORG}/apps`)
    expect(await tabNames(contractor.page)).toEqual(['Apps'])

    const apps = region(contractor.page, /^Apps shared with you/)
    expect(await apps.isVisible()).toBe(true)
    expect(await apps.getByRole('link').allInnerTexts()).toEqual([SHARED])
    expect(await contractor.page.getByRole('link', {name: SECRET}).count()).toBe(0)
    for (const name of ['Create an app', 'Import your personal apps']) expect(await region(contractor.page, name).count(), name).toBe(0)
    expect(await changeForms(contractor.page).count()).toBe(0)
    await screenshot(contractor.page, 'matrix-collaborator-apps-desktop')

    // The org's people and its usage are staff's: refused, with the matrix's message.
    for (const [tab, command] of [
      ['access', 'members'],
      ['usage', 'orgs:usage'],
    ] as const) {
      const page = await refused(contractor.page, `/dashboard/orgs/${ORG}/${tab}`)
      expect(page).toEqual({status: 403, heading: 'Not permitted', alert: await cliRefusal(CONTRACTOR, command, '--org', ORG)})
    }
  })

  it('a collaborator with deploy: the app’s page shows its collaborators and nothing to change', async () => {
    const contractor = await signed.as(CONTRACTOR)
    await contractor.page.goto(`${dash().url}/dashboard/orgs/${ORG}/apps`)
    await contractor.page.getByRole('link', {name: SHARED, exact: true}).click()
    await expectPath(contractor.page, `/dashboard/orgs/${ORG}/apps/${SHARED}`)

    const collaborators = region(contractor.page, 'Collaborators (2)')
    const row = collaborators.getByRole('row').filter({hasText: CONTRACTOR})
    expect((await row.getByRole('cell').nth(2).innerText()).trim()).toBe('view, deploy')
    expect(await collaborators.getByRole('row').filter({hasText: ADMIN}).count()).toBe(1)
    for (const name of ['Add a collaborator', 'Locking', 'Transfer out']) expect(await region(contractor.page, name).count(), name).toBe(0)
    expect(await contractor.page.getByRole('checkbox').count()).toBe(0)
    expect(await contractor.page.getByRole('button', {name: /^(Update|Remove|Lock|Transfer)/}).count()).toBe(0)
    expect(await changeForms(contractor.page).count()).toBe(0)
    await screenshot(contractor.page, 'matrix-collaborator-app-desktop')
  })

  it('a collaborator: an app not shared with them is not found, as the CLI says', async () => {
    const contractor = await signed.as(CONTRACTOR)
    contractor.allow(REFUSED_DOCUMENT)
    const page = await refused(contractor.page, `/dashboard/orgs/${ORG}/apps/${SECRET}`)
    expect(page).toEqual({status: 404, heading: 'Not found', alert: await cliRefusal(CONTRACTOR, 'apps:info', SECRET)})
    expect(await contractor.page.getByText(SECRET, {exact: true}).count()).toBe(0)
  })

  it('a form the page does not show, posted anyway with the session’s own CSRF token, is refused by the domain', async () => {
    const contractor = await signed.as(CONTRACTOR)
    contractor.allow(REFUSED_DOCUMENT)
    await contractor.page.goto(`${dash().url}/dashboard/orgs/${ORG}/apps/${SHARED}`)
    // What a crafty user could do from the browser's console: the lock form an admin would see.
    const [response] = await Promise.all([
      contractor.page.waitForResponse((each) => each.url().endsWith(`/apps/${SHARED}/lock`)),
      contractor.page.evaluate(
        ({action}) => {
          const form = document.createElement('form')
          form.method = 'post'
          form.action = action
          for (const [name, value] of [
            ['csrf', document.querySelector('input[name=csrf]')!.value],
            ['locked', 'true'],
          ]) {
            const input = document.createElement('input')
            Object.assign(input, {type: 'hidden', name, value})
            form.appendChild(input)
          }
          document.body.appendChild(form)
          form.submit()
        },
        {action: `/dashboard/orgs/${ORG}/apps/${SHARED}/lock`},
      ),
    ])
    expect(response.status()).toBe(403)
    await expect.poll(() => contractor.page.getByRole('alert').isVisible()).toBe(true)
    expect((await contractor.page.getByRole('alert').innerText()).trim()).toBe(await cliRefusal(CONTRACTOR, 'apps:lock', '--app', SHARED))
    expect(pathOf(contractor.page)).toBe(`/dashboard/orgs/${ORG}/apps/${SHARED}/lock`)
    expect((await dash().ok(ADMIN, 'apps:info', SHARED, '--json')).json<{locked: boolean}>().locked).toBe(false)
  })
})
