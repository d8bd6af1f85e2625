/**
 * The Dashboard's edges, found in review (fastify inject, on the memory engine): bodies it does not
 * take, a `next` that cannot be a Location, notices no other site can write, a sign-in link followed
 * from another site, the API's root unchanged, cookies behind a TLS proxy, the rate limit, the answer
 * cache, and the request log.
 */
import {afterEach, beforeEach, describe, expect, it} from 'vitest'

import {createApp} from '../../src/lib/domain/apps.js'
import {Ctx} from '../../src/lib/domain/context.js'
import {addMember} from '../../src/lib/domain/members.js'
import {createOrg} from '../../src/lib/domain/orgs.js'
import {createSignInLink} from '../../src/lib/domain/sessions.js'
import {DEFAULT_LIMITS} from '../../src/lib/domain/validation.js'
import {nextPath} from '../../src/lib/dashboard/pages/sign-in.js'
import {buildServer} from '../../src/lib/server/server.js'
import {type Answer, cookiesOf, cookieValue, csrfOf, type DashboardFixture, startAcme, startDashboard} from './_dashboard.js'

const ADMIN = 'admin@acme.test'
const MEMBER = 'member@acme.test'
const ACCESS = '/dashboard/orgs/acme/access'

const mainOf = (answer: Answer) => /<main[\s\S]*<\/main>/.exec(answer.text)?.[0] ?? ''
const membersOf = (fixture: DashboardFixture) => fixture.storage.read(async (tx) => (await tx.members.list('acme')).map((m) => m.email))

describe('the Dashboard, edges found in review', () => {
  let fixture: DashboardFixture

  beforeEach(async () => {
    fixture = await startAcme(ADMIN, MEMBER)
  })
  afterEach(() => fixture.close())

  it('refuses a JSON or multipart body to a form route with a 415 page, and a body over the limit with a 413 page, changing nothing', async () => {
    const admin = await fixture.signIn(ADMIN)
    const csrf = csrfOf((await fixture.browse('GET', ACCESS, {cookies: admin})).text)!
    const before = await membersOf(fixture)
    const post = (type: string, payload: string) =>
      fixture.server.inject({
        method: 'POST',
        url: `${ACCESS}/add`,
        headers: {accept: 'text/html', cookie: admin, 'content-type': type},
        payload,
      })
    for (const [type, payload] of [
      ['application/json', JSON.stringify({csrf, email: 'new@acme.test', role: 'member'})],
      ['application/json', '{not json'],
      ['multipart/form-data; boundary=x', `--x\r\nContent-Disposition: form-data; name="csrf"\r\n\r\n${csrf}\r\n--x--\r\n`],
    ] as const) {
      const answer = await post(type, payload)
      expect(answer.statusCode).toBe(415)
      expect(answer.headers['content-type']).toMatch(/^text\/html/)
      expect(answer.body).toMatch(/role="alert">The Dashboard takes forms \(application\/x-www-form-urlencoded\)/)
    }
    const big = await post('application/x-www-form-urlencoded', `csrf=${csrf}&email=${'a'.repeat(70_000)}`)
    expect(big.statusCode).toBe(413)
    expect(big.headers['content-type']).toMatch(/^text\/html/)
    expect(big.body).toContain('This form is too large to send')
    expect(await membersOf(fixture)).toEqual(before)
  })

  it('after signing in goes to a `next` only when it is a Dashboard path of printable ASCII (no 500 on a line break)', async () => {
    expect(nextPath('/dashboard/orgs/acme/access?q=a')).toBe('/dashboard/orgs/acme/access?q=a')
    for (const bad of [
      '/dashboard/\r\nSet-Cookie: x=1',
      '/dashboard/orgs/€',
      '//evil.example/dashboard',
      '/dashboard\\evil',
      'https://evil.example/dashboard',
      '/dashboardx',
    ]) {
      expect(nextPath(bad)).toBe('/dashboard')
    }
    const form = await fixture.browse('GET', '/dashboard/sign-in')
    const answer = await fixture.browse('POST', '/dashboard/sign-in', {
      cookies: `orgctl_sign_in=${cookieValue(form, 'orgctl_sign_in')}`,
      form: {
        form: /name="form" value="([^"]+)"/.exec(form.text)![1]!,
        email: ADMIN,
        token: fixture.tokens[ADMIN]!,
        next: '/dashboard/\r\nX: 1',
      },
    })
    expect(answer.status).toBe(303)
    expect(answer.headers.location).toBe('/dashboard')
  })

  it("shows a notice only from this session's own cookie: one another site set is not shown, on a page or on the sign-in form", async () => {
    const admin = await fixture.signIn(ADMIN)
    const forged = 'orgctl_notice=Your%20session%20expired%3A%20sign%20in%20at%20evil.example'
    const home = await fixture.browse('GET', '/dashboard', {cookies: `${admin}; ${forged}`})
    expect(home.status).toBe(200)
    expect(home.text).not.toContain('evil.example')
    expect(cookiesOf(home).some((line) => line.startsWith('orgctl_notice=;'))).toBe(true)
    const signInPage = await fixture.browse('GET', '/dashboard/sign-in', {cookies: 'orgctl_notice=Sign%20in%20at%20evil.example'})
    expect(signInPage.text).not.toContain('evil.example')
    // Another session's notice is not this one's either.
    const member = await fixture.signIn(MEMBER)
    const added = await fixture.submit(admin, ACCESS, `${ACCESS}/add`, {email: 'new@acme.test', role: 'member'})
    const notice = `orgctl_notice=${cookieValue(added, 'orgctl_notice')}`
    expect(mainOf(await fixture.browse('GET', ACCESS, {cookies: `${member}; ${notice}`}))).not.toContain('Added new@acme.test')
    expect(mainOf(await fixture.browse('GET', ACCESS, {cookies: `${admin}; ${notice}`}))).toContain(
      '<p class="notice" role="status">Added new@acme.test to acme as member.</p>',
    )
    // Signing out still says so on the sign-in form.
    const out = await fixture.submit(admin, '/dashboard', '/dashboard/sign-out', {})
    const after = await fixture.browse('GET', '/dashboard/sign-in', {cookies: `orgctl_notice=${cookieValue(out, 'orgctl_notice')}`})
    expect(after.text).toContain('<p class="notice" role="status">Signed out.</p>')
  })

  it('refuses a sign-in link followed from another site (login CSRF) and leaves it unused; opened directly, it signs in', async () => {
    const link = await fixture.storage.write((tx) => createSignInLink(new Ctx(tx, ADMIN)))
    const url = `/dashboard/sign-in/link?code=${link.code}`
    for (const site of ['cross-site', 'same-site']) {
      const refused = await fixture.browse('GET', url, {headers: {'sec-fetch-site': site}})
      expect(refused.status).toBe(401)
      expect(refused.text).toContain('This sign-in link was followed from another site')
      expect(cookieValue(refused, 'orgctl_session')).toBeUndefined()
    }
    const opened = await fixture.browse('GET', url, {headers: {'sec-fetch-site': 'none'}})
    expect(opened.status).toBe(303)
    expect(cookieValue(opened, 'orgctl_session')).toBeTruthy()
  })

  it("answers the API's GET / as before the Dashboard: 401 without a token, the JSON 404 with one", async () => {
    const json = {accept: 'application/vnd.heroku+json; version=3'}
    const anonymous = await fixture.server.inject({method: 'GET', url: '/', headers: json})
    expect(anonymous.statusCode).toBe(401)
    expect(JSON.parse(anonymous.body).id).toBe('unauthorized')
    const known = await fixture.server.inject({
      method: 'GET',
      url: '/',
      headers: {...json, authorization: `Bearer ${fixture.tokens[ADMIN]}`},
    })
    expect(known.statusCode).toBe(404)
    expect(JSON.parse(known.body).id).toBe('not_found')
    const api = await fixture.server.inject({
      method: 'GET',
      url: '/teams',
      headers: {...json, authorization: `Bearer ${fixture.tokens[ADMIN]}`},
    })
    expect(api.statusCode).toBe(200)
    expect(api.headers['content-type']).toMatch(/json/)
  })

  it("answers a malformed address under /dashboard with an HTML 400 page, the API's with its JSON as before", async () => {
    const page = await fixture.browse('GET', '/dashboard/orgs/%E2/access')
    expect(page.status).toBe(400)
    expect(page.headers['content-type']).toMatch(/^text\/html/)
    expect(page.text).toMatch(/role="alert">This address is malformed \(/)
    expect(page.text).not.toContain('<script>alert')
    const evil = await fixture.browse('GET', '/dashboard/%3Cscript%3Ealert(1)%3C/script%3E/%E2')
    expect(evil.text).not.toContain('<script>alert')
    const api = await fixture.server.inject({method: 'GET', url: '/teams/%E2'})
    expect(api.statusCode).toBe(400)
    expect(JSON.parse(api.body).id).toBe('bad_request')
  })

  it('checks each imported app name as apps:transfer does: a forged bad one refuses the form beside it, and nothing moves', async () => {
    await fixture.storage.write((tx) => createApp(new Ctx(tx, MEMBER), {name: 'mine-one', region: 'us'}))
    const member = await fixture.signIn(MEMBER)
    const apps = '/dashboard/orgs/acme/apps'
    const answer = await fixture.submit(member, apps, `${apps}/import`, {app: ['mine-one', '<b>Bad</b>']})
    expect(answer.status).toBe(422)
    expect(answer.text).toMatch(/<p class="error" role="alert" id="import-apps-error">Invalid app name &quot;&lt;b&gt;Bad/)
    expect((await fixture.storage.read((tx) => tx.apps.byName('mine-one')))!.owner).toEqual({kind: 'user', email: MEMBER})
  })

  it('reads the query after its first `?` only once: a search holding `?` keeps it', async () => {
    const admin = await fixture.signIn(ADMIN)
    const page = await fixture.browse('GET', `${ACCESS}?q=admin?x`, {cookies: admin})
    expect(page.text).toContain('value="admin?x"')
  })

  it("names whose row each members-table button acts on (described by the row's email), and labels the Apps tab's cells on a phone", async () => {
    const admin = await fixture.signIn(ADMIN)
    const access = await fixture.browse('GET', ACCESS, {cookies: admin})
    const row = /<tr><th scope="row" id="(r\d+e)">member@acme\.test<\/th>[\s\S]*?<\/tr>/.exec(access.text)!
    expect(row[0].match(new RegExp(`<button [^>]*aria-describedby="${row[1]}"`, 'g'))).toHaveLength(2)
    await fixture.storage.write((tx) => createApp(new Ctx(tx, ADMIN), {name: 'acme-api', org: 'acme', region: 'eu'}))
    const apps = await fixture.browse('GET', '/dashboard/orgs/acme/apps', {cookies: admin})
    expect(apps.text).toMatch(/<td data-label="Region">eu<\/td>\s*<td data-label="Locked">/)
    expect(apps.text).toContain('<td class="num" data-label="Dyno units">0</td>')
    // A member sees the table without forms: no ids, no descriptions.
    const member = await fixture.signIn(MEMBER)
    expect((await fixture.browse('GET', ACCESS, {cookies: member})).text).toContain('<tr><th scope="row">admin@acme.test</th>')
  })

  it('never serves a Dashboard page from the answer cache, and sends no-store on pages and redirects', async () => {
    const admin = await fixture.signIn(ADMIN)
    const first = await fixture.browse('GET', ACCESS, {cookies: admin})
    expect(first.headers['cache-control']).toBe('no-store')
    await fixture.storage.write((tx) => addMember(new Ctx(tx, ADMIN), 'acme', 'later@acme.test', 'member'))
    expect((await fixture.browse('GET', ACCESS, {cookies: admin})).text).toContain('later@acme.test')
    expect((await fixture.browse('GET', '/dashboard/orgs/acme', {cookies: admin})).headers['cache-control']).toBe('no-store')
    const head = await fixture.browse('HEAD', ACCESS, {cookies: admin})
    expect(head.status).toBe(200)
    expect(head.text).toBe('')
  })
})

describe('the Dashboard behind a TLS proxy, its rate limit and its log', () => {
  it('with --trust-proxy and X-Forwarded-Proto: https, a __Host- Secure cookie and the https origin; without it, neither', async () => {
    const fixture = await startDashboard(async (as) => void (await createOrg(as(ADMIN), 'acme', DEFAULT_LIMITS)), [ADMIN])
    const proxied = await buildServer({storage: fixture.storage, trustProxy: true})
    const direct = await buildServer({storage: fixture.storage})
    try {
      const https = {accept: 'text/html', 'x-forwarded-proto': 'https', 'x-forwarded-host': 'orgctl.example'}
      const link = await fixture.storage.write((tx) => createSignInLink(new Ctx(tx, ADMIN)))
      const signedIn = await proxied.inject({method: 'GET', url: `/dashboard/sign-in/link?code=${link.code}`, headers: https})
      const session = String(signedIn.headers['set-cookie'])
      expect(session).toMatch(/^__Host-orgctl_session=[\w-]+; Max-Age=43200; Path=\/; HttpOnly; Secure; SameSite=Strict$/)
      const cookie = session.split(';')[0]!
      const page = await proxied.inject({method: 'GET', url: ACCESS, headers: {...https, cookie}})
      expect(page.statusCode).toBe(200)
      const csrf = csrfOf(page.body)!
      const post = (origin: string) =>
        proxied.inject({
          method: 'POST',
          url: `${ACCESS}/add`,
          headers: {...https, cookie, origin, 'content-type': 'application/x-www-form-urlencoded'},
          payload: new URLSearchParams({csrf, email: `${origin.length}@acme.test`, role: 'member'}).toString(),
        })
      expect((await post('https://orgctl.example')).statusCode).toBe(303)
      expect((await post('http://orgctl.example')).statusCode).toBe(403)
      // The plain name does not sign in over https (a cookie an http page could have set).
      const plain = await proxied.inject({method: 'GET', url: ACCESS, headers: {...https, cookie: cookie.replace('__Host-', '')}})
      expect(plain.statusCode).toBe(303)

      const form = await direct.inject({method: 'GET', url: '/dashboard/sign-in', headers: https})
      expect(String(form.headers['set-cookie'])).not.toMatch(/Secure/)
      // Behind a TLS proxy without --trust-proxy a form is refused, saying what the operator must change.
      const behind = await direct.inject({
        method: 'POST',
        url: '/dashboard/sign-in',
        headers: {
          accept: 'text/html',
          host: 'orgctl.example',
          origin: 'https://orgctl.example',
          'content-type': 'application/x-www-form-urlencoded',
        },
        payload: 'email=x',
      })
      expect(behind.statusCode).toBe(403)
      expect(behind.body).toContain('its operator must start orgctl serve with --trust-proxy')
    } finally {
      await proxied.close()
      await direct.close()
      await fixture.close()
    }
  })

  it('with --trust-proxy, the client address is the one the proxy appended: a made-up X-Forwarded-For does not reset the limit', async () => {
    const storage = (await startDashboard(async () => undefined, [])).storage
    const server = await buildServer({storage, trustProxy: true, rateLimitPerHour: 2})
    try {
      const statuses: number[] = []
      for (let index = 0; index < 4; index++) {
        const answer = await server.inject({
          method: 'GET',
          url: '/dashboard/sign-in',
          headers: {accept: 'text/html', 'x-forwarded-for': `10.0.0.${index}, 192.0.2.7`, 'x-forwarded-proto': 'https'},
        })
        statuses.push(answer.statusCode)
        expect(String(answer.headers['set-cookie'] ?? 'Secure')).toContain('Secure')
      }
      expect(statuses).toEqual([200, 200, 429, 429])
      const api = await server.inject({method: 'GET', url: '/teams', headers: {'x-forwarded-for': '10.9.9.9, 192.0.2.7'}})
      expect(api.statusCode).toBe(429)
    } finally {
      await server.close()
    }
  })

  it('limits signed-out requests per address and signed-in ones per session, with an HTML 429; the log keeps no code or token', async () => {
    const fixture = await startDashboard(async (as) => void (await createOrg(as(ADMIN), 'acme', DEFAULT_LIMITS)), [ADMIN])
    const lines: string[] = []
    const server = await buildServer({storage: fixture.storage, rateLimitPerHour: 4, log: (line) => lines.push(line)})
    try {
      const link = await fixture.storage.write((tx) => createSignInLink(new Ctx(tx, ADMIN)))
      const html = {accept: 'text/html'}
      const signedIn = await server.inject({method: 'GET', url: `/dashboard/sign-in/link?code=${link.code}`, headers: html})
      const cookie = String(signedIn.headers['set-cookie']).split(';')[0]!
      for (let index = 0; index < 3; index++) await server.inject({method: 'GET', url: '/dashboard/sign-in', headers: html})
      const limited = await server.inject({method: 'GET', url: '/dashboard/sign-in', headers: html})
      expect(limited.statusCode).toBe(429)
      expect(limited.headers['content-type']).toMatch(/^text\/html/)
      expect(limited.headers['retry-after']).toBeTruthy()
      // The session has its own budget.
      for (let index = 0; index < 4; index++)
        expect((await server.inject({method: 'GET', url: ACCESS, headers: {...html, cookie}})).statusCode).toBe(200)
      expect((await server.inject({method: 'GET', url: ACCESS, headers: {...html, cookie}})).statusCode).toBe(429)
      expect(lines.some((line) => line.startsWith('GET /dashboard/sign-in/link 303'))).toBe(true)
      const log = lines.join('\n')
      expect(log).not.toContain(link.code)
      expect(log).not.toContain(fixture.tokens[ADMIN]!)
      expect(log).not.toContain(cookie.split('=')[1]!)
    } finally {
      await server.close()
      await fixture.close()
    }
  })
})
