/**
 * A real browser for the Dashboard's tests: Debian's headless Chromium driven by playwright-core
 * (no browser download: `npx playwright install` needs the network). One browser per test file, a
 * fresh context (cookies, storage) per page a test opens, at desktop or phone size; a page error, a
 * console error or a CSP violation fails the test unless the test allowed it (allow()).
 *
 * The globalSetup (browser-setup.ts) finds the binary and checks once that this playwright-core drives
 * it; without one the suites skip with one loud line (browserSuite), as the PostgreSQL suites do.
 */
import {existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join, resolve} from 'node:path'

import {type Browser, type BrowserContext, type BrowserContextOptions, chromium, type Page} from 'playwright-core'
import {afterAll, afterEach, beforeAll, describe, expect, inject} from 'vitest'

/** What the globalSetup hands to every test file. */
export interface BrowserInfo {
  /** The binary to launch; undefined when skipped. */
  executable?: string
  /** `Chromium 156.0.8078.114 (playwright-core 1.64.1)`, for the reader of a failure. */
  version?: string
  /** Why the suites are skipped, when they are. */
  skipReason?: string
}

declare module 'vitest' {
  export interface ProvidedContext {
    orgctlBrowser: BrowserInfo
  }
}

export const DEFAULT_CHROMIUM = '/usr/bin/chromium'
/** What Debian's /usr/bin/chromium (a shell launcher) execs. */
const DEBIAN_BINARY = '/usr/lib/chromium/chromium'

/**
 * The flags of the issue, and no others: no network of the browser's own (updates, sync, QUIC), no GPU.
 * --no-sandbox: the tests may run as root in a container, where Chromium's sandbox cannot start.
 */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
]

/**
 * The Chromium to launch: ORGCTL_TEST_CHROMIUM, else Debian's /usr/bin/chromium. That one is a shell
 * launcher which sources /etc/chromium.d (Google API keys, --enable-remote-extensions, --load-extension of
 * the system's extensions, GPU rasterization) and prints a stray `[: unexpected operator` line; the binary
 * it execs is launched instead, so the browser under test runs with exactly CHROMIUM_ARGS.
 */
export function findChromium(env: NodeJS.ProcessEnv = process.env): {executable?: string; looked: string} {
  const looked = env.ORGCTL_TEST_CHROMIUM?.trim() || DEFAULT_CHROMIUM
  if (!existsSync(looked)) return {looked}
  return {executable: isDebianLauncher(looked) ? DEBIAN_BINARY : looked, looked}
}

function isDebianLauncher(path: string): boolean {
  if (!existsSync(DEBIAN_BINARY)) return false
  const head = readFileSync(realpathSync(path)).subarray(0, 2048).toString('latin1')
  return head.startsWith('#!') && head.includes('LIBDIR=/usr/lib/$APPNAME')
}

/** A browser with a home of its own in a temp folder (never the real one: Chromium writes ~/.pki, ~/.config); close() removes it. */
export async function launchChromium(executable: string): Promise<{browser: Browser; close(): Promise<void>}> {
  const dir = mkdtempSync(join(tmpdir(), 'orgctl-browser-'))
  const home = join(dir, 'home')
  mkdirSync(home)
  // launch() refuses --user-data-dir: it makes a fresh profile of its own under the temp folder and removes it on close.
  const browser = await chromium.launch({
    executablePath: executable,
    args: CHROMIUM_ARGS,
    downloadsPath: join(dir, 'downloads'),
    env: {PATH: process.env.PATH, HOME: home, XDG_CONFIG_HOME: join(home, '.config'), XDG_CACHE_HOME: join(home, '.cache'), TZ: 'UTC'},
    timeout: 60_000,
  })
  return {
    browser,
    close: async () => {
      try {
        await browser.close()
      } finally {
        rmSync(dir, {recursive: true, force: true})
      }
    },
  }
}

/** The run's browser, or why there is none (from the globalSetup). */
export function browserInfo(): BrowserInfo {
  return inject('orgctlBrowser')
}

/** A describe() that skips, naming why, when the run has no browser. */
export function browserSuite(name: string, body: () => void): void {
  const {skipReason} = browserInfo()
  if (skipReason) describe.skip(`${name}: SKIPPED, ${skipReason}`, body)
  else describe(name, body)
}

export type Size = 'desktop' | 'phone'

export const SIZES: Record<Size, BrowserContextOptions> = {
  desktop: {viewport: {width: 1280, height: 800}},
  phone: {viewport: {width: 390, height: 844}, deviceScaleFactor: 2, isMobile: true, hasTouch: true},
}

/** One page in a context of its own. */
export interface Tab {
  page: Page
  context: BrowserContext
  size: Size
  /** Page errors, console errors and CSP violations so far, one line each. */
  problems: string[]
  /** Lets problems matching one of these pass (an expected 4xx, say); the others still fail the test. */
  allow(...patterns: RegExp[]): void
}

export interface Web {
  /** The file's browser (after beforeAll). */
  browser(): Browser
  /** A new context and page at that size, closed after the test; its problems checked then. */
  open(size?: Size, options?: BrowserContextOptions): Promise<Tab>
}

/**
 * One browser for the describe block it is called in (beforeAll/afterAll), and after each test: its
 * tabs closed, and the test failed if any of them had a problem it did not allow.
 */
export function useBrowser(): Web {
  let launched: Awaited<ReturnType<typeof launchChromium>> | undefined
  let tabs: {tab: Tab; allowed: RegExp[]}[] = []

  beforeAll(async () => {
    const {executable} = browserInfo()
    if (!executable) throw new Error('no browser: use browserSuite() so the suite skips')
    launched = await launchChromium(executable)
  })
  afterAll(async () => {
    await launched?.close()
  })
  afterEach(async () => {
    const done = tabs
    tabs = []
    await Promise.allSettled(done.map(({tab}) => tab.context.close()))
    const unexpected = done.flatMap(({tab, allowed}) =>
      tab.problems.filter((line) => !allowed.some((pattern) => pattern.test(line))).map((line) => `[${tab.size}] ${line}`),
    )
    expect(unexpected, 'page errors, console errors or CSP violations').toEqual([])
  })

  return {
    browser: () => {
      if (!launched) throw new Error('the browser is not started yet (call from a test or a beforeAll after useBrowser)')
      return launched.browser
    },
    async open(size = 'desktop', options = {}) {
      if (!launched) throw new Error('the browser is not started yet (call from a test or a beforeAll after useBrowser)')
      const context = await launched.browser.newContext({locale: 'en-US', timezoneId: 'UTC', ...SIZES[size], ...options})
      const allowed: RegExp[] = []
      const problems = await watch(context)
      const page = await context.newPage()
      // Short waits: a missing element should fail in seconds, not after playwright's 30 s default.
      page.setDefaultTimeout(15_000)
      const tab: Tab = {page, context, size, problems, allow: (...patterns) => allowed.push(...patterns)}
      tabs.push({tab, allowed})
      return tab
    },
  }
}

/**
 * Collects what should fail a test from every page of the context: uncaught page errors, console errors
 * (Chromium 156 reports a CSP violation as one: "Executing inline script violates the following Content
 * Security Policy directive"), and securitypolicyviolation events (report-only ones too, which log only as warnings).
 */
const CSP_LISTENER = `document.addEventListener('securitypolicyviolation', (event) => {
  window.__orgctlCspViolation?.(event.violatedDirective + ' blocked ' + (event.blockedURI || 'inline') + ' (' + event.disposition + ') at ' + event.sourceFile + ':' + event.lineNumber)
})`

async function watch(context: BrowserContext): Promise<string[]> {
  const problems: string[] = []
  await context.exposeBinding('__orgctlCspViolation', (_source, line: string) => problems.push(`CSP violation: ${line}`))
  // Injected by the DevTools protocol, so the page's CSP does not apply to it; a string, as tsconfig has no DOM types.
  await context.addInitScript({content: CSP_LISTENER})
  context.on('page', (page) => {
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`))
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(`console error: ${message.text()} (${message.location().url || 'no url'})`)
    })
    page.on('crash', () => problems.push('page crashed'))
  })
  return problems
}

export const SCREENSHOTS = resolve(import.meta.dirname, '../../test-results/screenshots')

/** A full-page PNG at test-results/screenshots/<name>.png (an ignored folder, for a reviewer); returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  const file = join(SCREENSHOTS, `${name.replace(/[^\w.-]+/g, '-')}.png`)
  mkdirSync(SCREENSHOTS, {recursive: true})
  await page.screenshot({path: file, fullPage: true, animations: 'disabled'})
  return file
}
