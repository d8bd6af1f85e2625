/**
 * Shared steps of the Dashboard's browser tests (not a test file itself): signing in through the form,
 * and the headers every Dashboard page must carry.
 */
import type {Cookie, Locator, Page, Response} from 'playwright-core'
import {expect} from 'vitest'

import type {Size, Tab, Web} from '../helpers/browser.js'
import type {DashboardServer} from '../helpers/dashboard-server.js'

export const SESSION_COOKIE = 'orgctl_session'

// The few DOM globals the page functions below use, in this module only: tsconfig has no DOM types (src runs in Node).
declare const document: {activeElement: unknown; cookie: string; documentElement: {scrollWidth: number}}
declare const window: {innerWidth: number}

/** Whether the element has the keyboard focus. */
export const isFocused = (locator: Locator) => locator.evaluate((element) => element === document.activeElement)

/** Whether the page fits the window's width (no sideways scrolling: readable on a phone). */
export const fitsWidth = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)

/** The cookies a script of the page can read (an HttpOnly one is not among them). */
export const scriptCookies = (page: Page) => page.evaluate(() => document.cookie)

/** The path of the page now shown (query and hash left out). */
export const pathOf = (page: Page) => new URL(page.url()).pathname

/** Waits until the page shows that path (after a redirect or a form post). */
export async function expectPath(page: Page, path: string | RegExp): Promise<void> {
  await page.waitForURL((url) => (typeof path === 'string' ? url.pathname === path : path.test(url.pathname)), {timeout: 15_000})
}

/** Fills the sign-in form as a user would (by the labels) and submits it; the caller checks where it lands. */
export async function submitSignIn(page: Page, dash: DashboardServer, email: string, token: string): Promise<void> {
  if (pathOf(page) !== '/dashboard/sign-in') await page.goto(`${dash.url}/dashboard/sign-in`)
  await page.getByLabel('Email', {exact: true}).fill(email)
  await page.getByLabel('API token', {exact: true}).fill(token)
  await page.getByRole('button', {name: 'Sign in', exact: true}).click()
}

/** Signs the user in with a fresh token (authorizations:create) and waits for the Dashboard's home. */
export async function signIn(page: Page, dash: DashboardServer, email: string): Promise<void> {
  await submitSignIn(page, dash, email, await dash.token(email))
  await expectPath(page, /^\/dashboard\/?$/)
}

/**
 * Every HTML page the tab loads from the server, to check their headers at the end (expectSecureHeaders).
 * Redirects are left out: they carry no document to protect.
 */
export function collectDocuments(page: Page, dash: DashboardServer): Response[] {
  const documents: Response[] = []
  page.on('response', (response) => {
    const status = response.status()
    if (response.request().resourceType() === 'document' && response.url().startsWith(dash.url) && (status < 300 || status >= 400)) {
      documents.push(response)
    }
  })
  return documents
}

/** The directives of a Content-Security-Policy header, by name. */
export function cspDirectives(header: string): Map<string, string[]> {
  const directives = new Map<string, string[]>()
  for (const part of header.split(';')) {
    const [name, ...values] = part.trim().split(/\s+/)
    if (name && !directives.has(name.toLowerCase())) directives.set(name.toLowerCase(), values)
  }
  return directives
}

/** A CSP that forbids inline script (script-src, or default-src when there is none), and nosniff. */
export async function expectSecureHeaders(response: Response): Promise<void> {
  const headers = await response.allHeaders()
  const where = `${response.status()} ${response.url()}`
  expect(headers['x-content-type-options'], where).toBe('nosniff')
  const csp = headers['content-security-policy']
  expect(csp, `${where}: Content-Security-Policy`).toBeTruthy()
  const directives = cspDirectives(csp!)
  const scripts = directives.get('script-src') ?? directives.get('default-src')
  expect(scripts, `${where}: script-src or default-src in ${csp}`).toBeDefined()
  expect(scripts, `${where}: ${csp}`).not.toContain("'unsafe-inline'")
}

/**
 * Tabs signed in as a user: through the form the first time, after that with the same session's cookies
 * (one token and one sign-in per user and file). Every Dashboard document a tab loads has its headers
 * checked as it arrives (expectSecureHeaders); `checked()` awaits those checks (call it in an afterEach).
 */
export function signedInTabs(web: Web, dash: () => DashboardServer) {
  const sessions = new Map<string, Cookie[]>()
  let checks: Promise<void>[] = []
  const watch = (tab: Tab): Tab => {
    tab.page.on('response', (response) => {
      const status = response.status()
      if (response.request().resourceType() === 'document' && response.url().startsWith(dash().url) && (status < 300 || status >= 400)) {
        checks.push(expectSecureHeaders(response))
      }
    })
    return tab
  }
  return {
    /** A new tab (context) of the user's, signed in. */
    async as(user: string, size: Size = 'desktop'): Promise<Tab> {
      const tab = watch(await web.open(size))
      const saved = sessions.get(user)
      if (saved) await tab.context.addCookies(saved)
      else {
        await signIn(tab.page, dash(), user)
        sessions.set(user, await tab.context.cookies())
      }
      return tab
    },
    /** A new tab, not signed in (its documents checked too). */
    async anonymous(size: Size = 'desktop'): Promise<Tab> {
      return watch(await web.open(size))
    },
    /** Keeps the session a tab signed in to through the form itself, for the user's later tabs. */
    async remember(user: string, tab: Tab): Promise<void> {
      sessions.set(user, await tab.context.cookies())
    },
    async checked(): Promise<void> {
      const all = checks
      checks = []
      await Promise.all(all)
    },
  }
}
