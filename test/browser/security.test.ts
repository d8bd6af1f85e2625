/**
 * The Dashboard's defences, in a real browser: a form auto-submitted by a page of another origin while
 * the victim is signed in changes nothing (cross-site, SameSite=Strict keeps the session cookie home;
 * same-site on another port, the origin check refuses it); a form without the session's CSRF token, with
 * a wrong one or with another session's is refused with the page's message; and every place that echoes
 * what a user typed (a search, an email, an app name, a confirmation, a ticked app, a name in the URL, the
 * sign-in form and its `next`) shows it as text: no element made of it, no dialog, no CSP violation.
 * Every Dashboard document loaded carries the Content-Security-Policy (signedInTabs checks each one).
 */
import {createServer, type Server} from 'node:http'
import type {AddressInfo} from 'node:net'

import type {Page, Request} from 'playwright-core'
import {afterAll, afterEach, beforeAll, expect, it} from 'vitest'

import {browserSuite, type Tab, useBrowser} from '../helpers/browser.js'
import {useDashboardServer} from '../helpers/dashboard-server.js'
import {ADMIN, ORG} from '../e2e/_util.js'
import {cspDirectives, expectPath, pathOf, SESSION_COOKIE, signedInTabs, signIn} from './_util.js'

const APP = 'web-app'
const OWN = 'admin-own'
/** Markup that would run if any of it reached the page as HTML (and that no name or email may hold). */
const MARKUP = `<img src=x onerror=alert(1)><script>alert('xss')</script>`
const REFUSED_DOCUMENT = /Failed to load resource: the server responded with a status of 4\d\d/
const ORIGIN_REFUSAL = 'This form was sent from another site: open the Dashboard and send it from there.'
const TOKEN_REFUSAL = 'This form has expired or did not come from the Dashboard: reload the page and send it again.'

// The few DOM globals page.evaluate below uses: tsconfig has no DOM types (src runs in Node).
declare const document: {
  createElement(tag: string): {method: string; action: string; noValidate: boolean; appendChild(child: unknown): void; submit(): void}
  body: {appendChild(child: unknown): void}
  querySelectorAll(selector: string): ArrayLike<{noValidate: boolean}>
}

/** A page of another origin that posts a form to the Dashboard as soon as it loads (an attacker's). */
function attackerPage(target: string): string {
  return `<!doctype html><title>Win a prize</title>
<form id="f" method="post" action="${target}">
<input name="email" value="mallory@evil.test"><input name="role" value="admin">
</form>
<script>document.getElementById('f').submit()</script>`
}

browserSuite('Dashboard: CSRF, forged forms, and markup in what users type', () => {
  const web = useBrowser()
  const dash = useDashboardServer()
  const signed = signedInTabs(web, dash)
  let attacker: Server
  let attackerPort = 0

  beforeAll(async () => {
    await dash().ok(ADMIN, 'orgs:create', ORG)
    await Promise.all([dash().ok(ADMIN, 'apps:create', APP, '--org', ORG), dash().ok(ADMIN, 'apps:create', OWN)])
    // A second loopback server: another port is another origin (and, named `localhost`, another site).
    attacker = createServer((request, response) => {
      const target = `${dash().url}/dashboard/orgs/${ORG}/access/add`
      response.writeHead(200, {'content-type': 'text/html; charset=utf-8'}).end(attackerPage(target))
    })
    await new Promise<void>((resolve) => attacker.listen(0, '127.0.0.1', resolve))
    attackerPort = (attacker.address() as AddressInfo).port
  })

  afterAll(async () => {
    await new Promise((resolve) => attacker?.close(resolve))
  })

  afterEach(() => signed.checked())

  const members = async () =>
    (await dash().ok(ADMIN, 'members', '--org', ORG, '--json')).json<{email: string}[]>().map((member) => member.email)

  /** The POST a page sends to this Dashboard path next, with the headers it really sent (cookies too). */
  function nextPost(page: Page, path: string): Promise<{request: Request; headers: Record<string, string>}> {
    return new Promise((resolve) => {
      const listener = (request: Request) => {
        if (request.method() !== 'POST' || new URL(request.url()).pathname !== path) return
        page.off('request', listener)
        void request.allHeaders().then((headers) => resolve({request, headers}))
      }
      page.on('request', listener)
    })
  }

  it('a form auto-submitted from another origin changes nothing: cross-site no session cookie is sent, same-site the origin check refuses it', async () => {
    const victim = await signed.as(ADMIN)
    victim.allow(REFUSED_DOCUMENT)
    const path = `/dashboard/orgs/${ORG}/access/add`

    // Cross-site (localhost is another site than 127.0.0.1): the SameSite=Strict session cookie stays home.
    let post = nextPost(victim.page, path)
    await victim.page.goto(`http://localhost:${attackerPort}/`)
    const crossSite = await post
    expect(crossSite.headers.origin).toBe(`http://localhost:${attackerPort}`)
    expect(crossSite.headers.cookie ?? '').not.toContain(SESSION_COOKIE)
    await expectPath(victim.page, '/dashboard/sign-in')

    // Same site, another port: the cookie goes along, and the origin check refuses the form.
    post = nextPost(victim.page, path)
    await victim.page.goto(`http://127.0.0.1:${attackerPort}/`)
    const sameSite = await post
    expect(sameSite.headers.origin).toBe(`http://127.0.0.1:${attackerPort}`)
    expect(sameSite.headers.cookie ?? '').toContain(`${SESSION_COOKIE}=`)
    const answer = await sameSite.request.response()
    expect(answer?.status()).toBe(403)
    await expect.poll(() => victim.page.getByRole('alert').isVisible()).toBe(true)
    expect((await victim.page.getByRole('alert').innerText()).trim()).toBe(ORIGIN_REFUSAL)

    expect(await members()).toEqual([ADMIN])
    // The victim is still signed in: the attempts ended nothing.
    await victim.page.goto(`${dash().url}/dashboard/orgs/${ORG}/access`)
    await expectPath(victim.page, `/dashboard/orgs/${ORG}/access`)
  })

  it('a form without the CSRF token, with a wrong one, or with another session’s, is refused with the page’s message', async () => {
    const admin = await signed.as(ADMIN)
    admin.allow(REFUSED_DOCUMENT)
    const other = await web.open('desktop') // a second session of the same user, signed in through the form
    const access = `${dash().url}/dashboard/orgs/${ORG}/access`
    await signIn(other.page, dash(), ADMIN)
    await other.page.goto(access)
    const otherToken = await other.page.locator('input[name=csrf]').first().inputValue()

    const refusedAt = async (page: Page) => {
      await expectPath(page, `/dashboard/orgs/${ORG}/access/add`)
      await expect.poll(() => page.getByRole('alert').isVisible()).toBe(true)
      return (await page.getByRole('alert').innerText()).trim()
    }

    // Built on a Dashboard page (same origin) without the csrf field.
    await admin.page.goto(access)
    await admin.page.evaluate((action) => {
      const form = document.createElement('form')
      form.method = 'post'
      form.action = action
      for (const [name, value] of [
        ['email', 'eve@evil.test'],
        ['role', 'admin'],
      ]) {
        const input = document.createElement('input') as unknown as {name: string; value: string}
        Object.assign(input, {name, value})
        form.appendChild(input)
      }
      document.body.appendChild(form)
      form.submit()
    }, `${access}/add`)
    expect(await refusedAt(admin.page)).toBe(TOKEN_REFUSAL)

    // The page's own form, its token changed: a wrong one, then the other session's (tokens are per session).
    for (const token of ['forged-token', otherToken]) {
      await admin.page.goto(access)
      const form = admin.page.getByRole('region', {name: 'Add a member'})
      await form.locator('input[name=csrf]').evaluate((input, value) => ((input as unknown as {value: string}).value = value), token)
      await form.getByLabel('Email').fill('eve@evil.test')
      await form.getByRole('button', {name: 'Add member'}).click()
      expect(await refusedAt(admin.page), token).toBe(TOKEN_REFUSAL)
    }
    expect(await members()).toEqual([ADMIN])
  })

  /** What a page must be after showing markup a user typed: inert. */
  async function expectInert(tab: Tab, alerts: string[]): Promise<void> {
    const where = pathOf(tab.page)
    expect(await tab.page.locator('script:not([src])').count(), `${where}: an inline script element`).toBe(0)
    expect(await tab.page.locator('img[src=x], [onerror]').count(), `${where}: an element made of the markup`).toBe(0)
    expect(alerts, `${where}: dialogs`).toEqual([])
  }

  /** Dialogs of the page: the Dashboard's own confirmations are accepted; any other is recorded (and fails expectInert). */
  function dialogsOf(tab: Tab): string[] {
    const alerts: string[] = []
    tab.page.on('dialog', (dialog) => {
      if (dialog.type() !== 'confirm') alerts.push(`${dialog.type()}: ${dialog.message()}`)
      void (dialog.type() === 'confirm' ? dialog.accept() : dialog.dismiss())
    })
    return alerts
  }

  /** Lets the page's forms send what the browser's own checks (type=email) would stop: as a script-less client could. */
  const noValidate = (page: Page) =>
    page.evaluate(() => {
      for (const form of Array.from(document.querySelectorAll('form'))) form.noValidate = true
    })

  const alertText = async (page: Page) => {
    await expect.poll(() => page.getByRole('alert').first().isVisible()).toBe(true)
    return (await page.getByRole('alert').allInnerTexts()).join('\n')
  }
  const quoted = JSON.stringify(MARKUP)

  it('echoes markup typed into the Access page’s search and add form as text', async () => {
    const admin = await signed.as(ADMIN)
    admin.allow(REFUSED_DOCUMENT)
    const alerts = dialogsOf(admin)
    await admin.page.goto(`${dash().url}/dashboard/orgs/${ORG}/access`)

    const search = admin.page.getByRole('searchbox', {name: 'Search by email'})
    await search.fill(MARKUP)
    await search.press('Enter')
    await expect.poll(() => admin.page.getByText(`No member's email contains “${MARKUP}”.`, {exact: true}).isVisible()).toBe(true)
    expect(await admin.page.getByRole('searchbox', {name: 'Search by email'}).inputValue()).toBe(MARKUP)
    await expectInert(admin, alerts)

    await noValidate(admin.page)
    const add = admin.page.getByRole('region', {name: 'Add a member'})
    await add.getByLabel('Email').fill(`${MARKUP}@x.test`)
    await add.getByRole('button', {name: 'Add member'}).click()
    expect(await alertText(admin.page)).toContain(`Invalid email "${MARKUP}`)
    expect(await add.getByLabel('Email').inputValue()).toBe(`${MARKUP}@x.test`)
    await expectInert(admin, alerts)
    expect(await members()).toEqual([ADMIN])
  })

  it('echoes markup typed into the Apps page (a new app’s name, a ticked app) as text', async () => {
    const admin = await signed.as(ADMIN)
    admin.allow(REFUSED_DOCUMENT)
    const alerts = dialogsOf(admin)
    await admin.page.goto(`${dash().url}/dashboard/orgs/${ORG}/apps`)

    // Names cannot hold markup: the name is refused, in words that show it as typed.
    await admin.page.getByLabel('Name (optional)').fill(MARKUP)
    await admin.page.getByRole('button', {name: 'Create app'}).click()
    expect(await alertText(admin.page)).toContain(`Invalid app name ${quoted}`)
    expect(await admin.page.getByLabel('Name (optional)').inputValue()).toBe(MARKUP)
    await expectInert(admin, alerts)

    // A checklist whose box was changed to carry markup: the name is checked as apps:transfer checks it, and the
    // refusal beside the Import form shows the markup as text; nothing moves.
    await admin.page.goto(`${dash().url}/dashboard/orgs/${ORG}/apps`)
    const box = admin.page.getByRole('checkbox', {name: new RegExp(`^${OWN}\\b`)})
    await box.evaluate((input, value) => ((input as unknown as {value: string}).value = value), MARKUP)
    await box.check()
    await admin.page.getByRole('button', {name: `Import into ${ORG}`}).click()
    expect(await alertText(admin.page)).toContain(`Invalid app name ${quoted}`)
    await expectInert(admin, alerts)
    const apps = (await dash().ok(ADMIN, 'apps', '--org', ORG, '--json')).json<{name: string}[]>()
    expect(apps.map((app) => app.name)).toEqual([APP])
  })

  it('echoes markup typed into an app’s page (a collaborator’s email, the transfer’s confirmation) as text', async () => {
    const admin = await signed.as(ADMIN)
    admin.allow(REFUSED_DOCUMENT)
    const alerts = dialogsOf(admin)
    const app = `${dash().url}/dashboard/orgs/${ORG}/apps/${APP}`
    await admin.page.goto(app)
    await noValidate(admin.page)
    const add = admin.page.getByRole('region', {name: 'Add a collaborator'})
    await add.getByLabel('Email').fill(MARKUP)
    await add.getByRole('button', {name: 'Add collaborator'}).click()
    expect(await alertText(admin.page)).toContain(`Invalid email ${quoted}`)
    expect(await admin.page.getByRole('region', {name: 'Add a collaborator'}).getByLabel('Email').inputValue()).toBe(MARKUP)
    await expectInert(admin, alerts)

    await admin.page.goto(app)
    const transfer = admin.page.getByRole('region', {name: 'Transfer out'})
    await transfer.getByLabel('Org name or user email').fill(MARKUP)
    await transfer.getByLabel("Type the app's name to confirm").fill(MARKUP)
    await transfer.getByRole('button', {name: `Transfer ${APP}`}).click()
    expect(await alertText(admin.page)).toContain(`Confirmation ${quoted} did not match ${APP}`)
    expect(await admin.page.getByLabel('Org name or user email').inputValue()).toBe(MARKUP)
    await expectInert(admin, alerts)
    // And with the confirmation right, the recipient with markup is refused as a name.
    await noValidate(admin.page)
    await admin.page.getByLabel("Type the app's name to confirm").fill(APP)
    await admin.page.getByRole('button', {name: `Transfer ${APP}`}).click()
    await expect.poll(async () => (await alertText(admin.page)).includes(`Invalid org name ${quoted}`)).toBe(true)
    await expectInert(admin, alerts)
    expect((await dash().ok(ADMIN, 'apps:info', APP, '--json')).json<{team: {name: string}}>().team.name).toBe(ORG)
  })

  it('echoes markup in the URL (an org, an app, a transfer) on the error page as text', async () => {
    const admin = await signed.as(ADMIN)
    admin.allow(REFUSED_DOCUMENT)
    const alerts = dialogsOf(admin)
    const name = encodeURIComponent(MARKUP)
    for (const [path, message] of [
      [`/dashboard/orgs/${name}/access`, `Couldn't find org ${MARKUP}`],
      [`/dashboard/orgs/${ORG}/apps/${name}`, `Couldn't find app ${MARKUP}`],
    ] as const) {
      const response = await admin.page.goto(`${dash().url}${path}`)
      expect(response?.status(), path).toBeGreaterThanOrEqual(400)
      expect(await alertText(admin.page), path).toContain(message)
      await expectInert(admin, alerts)
    }
    // A transfer's id from the URL, posted with the session's token from the page (an answer to no transfer).
    await admin.page.goto(`${dash().url}/dashboard/transfers`)
    const csrf = await admin.page.locator('input[name=csrf]').first().inputValue()
    await admin.page.evaluate(
      ({action, token}) => {
        const form = document.createElement('form')
        form.method = 'post'
        form.action = action
        const input = document.createElement('input') as unknown as {name: string; value: string}
        Object.assign(input, {name: 'csrf', value: token})
        form.appendChild(input)
        document.body.appendChild(form)
        form.submit()
      },
      {action: `/dashboard/transfers/${name}/accept`, token: csrf},
    )
    await expectPath(admin.page, /^\/dashboard\/transfers\/.+\/accept$/)
    expect(await alertText(admin.page)).toContain(`Couldn't find transfer ${quoted}`)
    await expectInert(admin, alerts)
  })

  it('echoes markup on the sign-in page (the email typed, the `next` path) as text', async () => {
    const visitor = await signed.anonymous('desktop')
    visitor.allow(REFUSED_DOCUMENT)
    const alerts = dialogsOf(visitor)
    const next = `/dashboard/"${MARKUP}`
    await visitor.page.goto(`${dash().url}/dashboard/sign-in?next=${encodeURIComponent(next)}`)
    // A `next` that is no Dashboard path (a quote, a space) is dropped for the Dashboard's home, never echoed.
    expect(await visitor.page.locator('input[name=next]').getAttribute('value')).toBe('/dashboard')
    await expectInert(visitor, alerts)

    await noValidate(visitor.page)
    await visitor.page.getByLabel('Email', {exact: true}).fill(MARKUP)
    await visitor.page.getByLabel('API token', {exact: true}).fill('orgctl_not-a-token')
    await visitor.page.getByRole('button', {name: 'Sign in', exact: true}).click()
    await alertText(visitor.page)
    expect(await visitor.page.getByLabel('Email', {exact: true}).inputValue()).toBe(MARKUP)
    await expectInert(visitor, alerts)
  })

  it('sends a Content-Security-Policy that runs no inline script, takes forms only to itself and frames nowhere', async () => {
    const admin = await signed.as(ADMIN)
    const response = await admin.page.goto(`${dash().url}/dashboard/orgs/${ORG}/access`)
    const directives = cspDirectives((await response!.allHeaders())['content-security-policy']!)
    expect(directives.get('script-src')).toEqual(["'self'"])
    expect(directives.get('form-action')).toEqual(["'self'"])
    expect(directives.get('frame-ancestors')).toEqual(["'none'"])
    expect(directives.get('default-src')).toEqual(["'none'"])
  })
})
