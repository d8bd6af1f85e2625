/**
 * Signing in to the Dashboard and out again, in a real browser against a real `orgctl serve`: the redirects
 * of a signed-out browser, the form (labelled, keyboard-usable, on a phone too), a wrong token refused in an
 * alert, the right one landing on the user's orgs, the headers and the session cookie, and a sign-out that
 * ends the session on the server (its cookie replayed elsewhere is refused).
 */
import {beforeAll, expect, it} from 'vitest'

import {browserSuite, screenshot, type Tab, useBrowser} from '../helpers/browser.js'
import {useDashboardServer} from '../helpers/dashboard-server.js'
import {ADMIN, ORG} from '../e2e/_util.js'
import {
  collectDocuments,
  expectPath,
  expectSecureHeaders,
  fitsWidth,
  isFocused,
  pathOf,
  scriptCookies,
  SESSION_COOKIE,
  signIn,
  submitSignIn,
} from './_util.js'

const LAB = 'acme-labs'
const OUTSIDER = 'owner@elsewhere.test'
const ELSEWHERE = 'elsewhere-inc'
const BROWSER_ACCEPT = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8'
/** Chromium logs a 4xx document (a refused sign-in) as a console error: allowed where a refusal is the point. */
const REFUSED_DOCUMENT = /Failed to load resource: the server responded with a status of 4\d\d/

browserSuite('Dashboard: sign in and out', () => {
  const web = useBrowser()
  const dash = useDashboardServer()

  beforeAll(async () => {
    await dash().ok(ADMIN, 'orgs:create', ORG)
    await dash().ok(ADMIN, 'orgs:create', LAB)
    await dash().ok(OUTSIDER, 'orgs:create', ELSEWHERE)
  })

  /** Where a request without following redirects is sent (a path), with its status. */
  async function redirectOf(tab: Tab, path: string): Promise<{status: number; location: string | undefined}> {
    const response = await tab.context.request.get(`${dash().url}${path}`, {headers: {Accept: BROWSER_ACCEPT}, maxRedirects: 0})
    const location = response.headers().location
    return {status: response.status(), location: location === undefined ? undefined : new URL(location, dash().url).pathname}
  }

  it('sends a browser from / to /dashboard, and a signed-out one on to the sign-in page', async () => {
    const tab = await web.open('desktop')
    expect(await redirectOf(tab, '/')).toEqual({status: 303, location: '/dashboard'})
    expect(await redirectOf(tab, '/dashboard')).toEqual({status: 303, location: '/dashboard/sign-in'})
    await tab.page.goto(`${dash().url}/`)
    await expectPath(tab.page, '/dashboard/sign-in')
  })

  it('shows a sign-in form with labelled Email and API token fields, with secure headers, on a desktop and a phone', async () => {
    for (const size of ['desktop', 'phone'] as const) {
      const tab = await web.open(size)
      const response = await tab.page.goto(`${dash().url}/dashboard/sign-in`)
      expect(response?.status()).toBe(200)
      await expectSecureHeaders(response!)
      await expect.poll(() => tab.page.getByLabel('Email', {exact: true}).isVisible()).toBe(true)
      expect(await tab.page.getByLabel('API token', {exact: true}).isVisible()).toBe(true)
      expect(await tab.page.getByRole('button', {name: 'Sign in', exact: true}).isVisible()).toBe(true)
      // The token is a secret: a password field, in a form that posts it (never in a URL).
      expect(await tab.page.getByLabel('API token', {exact: true}).getAttribute('type')).toBe('password')
      expect((await tab.page.locator('form', {has: tab.page.getByLabel('API token')}).getAttribute('method'))?.toLowerCase()).toBe('post')
      // Readable on a phone: nothing wider than the screen.
      expect(await fitsWidth(tab.page)).toBe(true)
      await screenshot(tab.page, `sign-in-${size}`)
    }
  })

  it('refuses a wrong token, or another user’s, with an alert and stays on the sign-in page', async () => {
    const tab = await web.open('desktop')
    tab.allow(REFUSED_DOCUMENT)
    const wrong = 'orgctl_not-a-token-at-all'
    await tab.page.goto(`${dash().url}/dashboard/sign-in`)
    await submitSignIn(tab.page, dash(), ADMIN, wrong)
    const alert = tab.page.getByRole('alert')
    await expect.poll(() => alert.isVisible()).toBe(true)
    expect((await alert.innerText()).trim()).not.toBe('')
    expect(pathOf(tab.page)).toBe('/dashboard/sign-in')
    expect(await tab.page.getByLabel('API token', {exact: true}).isVisible()).toBe(true)
    expect(await tab.page.content()).not.toContain(wrong)
    expect(tab.page.url()).not.toContain(wrong)
    await screenshot(tab.page, 'sign-in-refused-desktop')

    // A real token, but of another user than the email given.
    await submitSignIn(tab.page, dash(), ADMIN, await dash().token(OUTSIDER))
    await expect.poll(() => alert.isVisible()).toBe(true)
    expect(pathOf(tab.page)).toBe('/dashboard/sign-in')
    expect((await tab.context.cookies()).filter((cookie) => cookie.name === SESSION_COOKIE)).toEqual([])
  })

  it('signs in with the email and its token: the user’s orgs as links, an HttpOnly SameSite=Strict session, nothing in the URL', async () => {
    for (const size of ['desktop', 'phone'] as const) {
      const tab = await web.open(size)
      const documents = collectDocuments(tab.page, dash())
      const token = await dash().token(ADMIN)
      await submitSignIn(tab.page, dash(), ADMIN, token)
      await expectPath(tab.page, /^\/dashboard\/?$/)
      for (const org of [ORG, LAB])
        await expect.poll(() => tab.page.getByRole('main').getByRole('link', {name: org, exact: true}).isVisible()).toBe(true)
      expect(await tab.page.getByRole('link', {name: ELSEWHERE}).count()).toBe(0)
      expect(tab.page.url()).not.toContain(token)
      expect(await tab.page.content()).not.toContain(token)

      const sessions = (await tab.context.cookies()).filter((cookie) => cookie.name === SESSION_COOKIE)
      expect(sessions).toHaveLength(1)
      expect(sessions[0]).toMatchObject({httpOnly: true, sameSite: 'Strict'})
      expect(sessions[0]!.value).not.toContain(token.replace(/^orgctl_/, ''))
      expect(await scriptCookies(tab.page)).not.toContain(SESSION_COOKIE)

      expect(documents.length).toBeGreaterThanOrEqual(2)
      for (const response of documents) await expectSecureHeaders(response)
      await screenshot(tab.page, `dashboard-home-${size}`)
    }
  })

  it('signs out with a form post that ends the session on the server: its cookie replayed in a fresh context is refused', async () => {
    const tab = await web.open('desktop')
    await signIn(tab.page, dash(), ADMIN)
    const session = (await tab.context.cookies()).find((cookie) => cookie.name === SESSION_COOKIE)
    expect(session).toBeDefined()

    // The cookie alone is the session (so the replay below proves something): a fresh context with it is signed in.
    const replay = await web.open('desktop')
    await replay.context.addCookies([{name: SESSION_COOKIE, value: session!.value, url: dash().url}])
    await replay.page.goto(`${dash().url}/dashboard`)
    await expectPath(replay.page, /^\/dashboard\/?$/)
    await expect.poll(() => replay.page.getByRole('main').getByRole('link', {name: ORG, exact: true}).isVisible()).toBe(true)

    const signOut = tab.page.getByRole('button', {name: 'Sign out', exact: true})
    expect((await tab.page.locator('form', {has: signOut}).getAttribute('method'))?.toLowerCase()).toBe('post')
    await signOut.click()
    await expectPath(tab.page, '/dashboard/sign-in')

    await tab.page.goto(`${dash().url}/dashboard`)
    await expectPath(tab.page, '/dashboard/sign-in')
    expect(await redirectOf(tab, '/dashboard')).toEqual({status: 303, location: '/dashboard/sign-in'})

    const late = await web.open('desktop')
    await late.context.addCookies([{name: SESSION_COOKIE, value: session!.value, url: dash().url}])
    await late.page.goto(`${dash().url}/dashboard`)
    await expectPath(late.page, '/dashboard/sign-in')
    expect(await redirectOf(late, '/dashboard')).toEqual({status: 303, location: '/dashboard/sign-in'})
    // And the context that held it when the session ended.
    await replay.page.goto(`${dash().url}/dashboard`)
    await expectPath(replay.page, '/dashboard/sign-in')
  })

  it('signs in with the keyboard alone: Tab to each field, type, Tab to the button, Enter', async () => {
    const tab = await web.open('desktop')
    const token = await dash().token(ADMIN)
    await tab.page.goto(`${dash().url}/dashboard/sign-in`)
    const focused = (label: string) => isFocused(tab.page.getByLabel(label, {exact: true}))
    const button = tab.page.getByRole('button', {name: 'Sign in', exact: true})

    // From the top of the page (a skip link or a header may come first), at most 20 stops to the Email field.
    for (let stops = 0; !(await focused('Email')); stops++) {
      expect(stops, 'Tab never reached the Email field').toBeLessThan(20)
      await tab.page.keyboard.press('Tab')
    }
    await tab.page.keyboard.type(ADMIN)
    await tab.page.keyboard.press('Tab')
    expect(await focused('API token'), 'Tab from Email goes to API token').toBe(true)
    await tab.page.keyboard.type(token)
    await tab.page.keyboard.press('Tab')
    expect(await isFocused(button), 'Tab from API token goes to Sign in').toBe(true)
    await tab.page.keyboard.press('Enter')
    await expectPath(tab.page, /^\/dashboard\/?$/)
    await expect.poll(() => tab.page.getByRole('main').getByRole('link', {name: ORG, exact: true}).isVisible()).toBe(true)
  })
})
