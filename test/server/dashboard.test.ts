/**
 * The Dashboard in-process (fastify inject, on the memory engine): signing in and out, the session
 * cookie's attributes, CSRF and origin checks, the CSP, escaping, and the Access tab's forms with the
 * domain's refusals beside them. The browser suite (test/browser) walks the same pages in Chromium.
 */
import {afterEach, beforeEach, describe, expect, it} from 'vitest'

import {LocalBackend} from '../../src/lib/backend/local-backend.js'
import {Ctx} from '../../src/lib/domain/context.js'
import {createOrg} from '../../src/lib/domain/orgs.js'
import {createSignInLink} from '../../src/lib/domain/sessions.js'
import {createAuthorization} from '../../src/lib/domain/tokens.js'
import {DEFAULT_LIMITS} from '../../src/lib/domain/validation.js'
import {buildServer} from '../../src/lib/server/server.js'
import {MemoryStorage} from '../../src/lib/storage/memory/memory-storage.js'
import {clientOf, cookiesOf, cookieValue, csrfOf, type DashboardFixture, startAcme} from './_dashboard.js'

const ADMIN = 'admin@acme.test'
const MEMBER = 'member@acme.test'
const EVIL = '<script>alert(1)</script>@x.test'

describe('the Dashboard, in-process', () => {
  let fixture: DashboardFixture
  let storage: DashboardFixture['storage']
  let server: DashboardFixture['server']
  let tokens: Record<string, string>
  let browse: DashboardFixture['browse']
  let signIn: DashboardFixture['signIn']

  beforeEach(async () => {
    fixture = await startAcme(ADMIN, MEMBER)
    ;({storage, server, tokens, browse, signIn} = fixture)
  })
  afterEach(() => fixture.close())

  it('a browser at / is sent to the Dashboard; an API client gets what it always got', async () => {
    const page = await browse('GET', '/')
    expect(page.status).toBe(303)
    expect(page.headers.location).toBe('/dashboard')
    // As before the Dashboard: no token, 401; with one, no such route (test/server/dashboard-review.test.ts).
    const api = await server.inject({
      method: 'GET',
      url: '/',
      headers: {accept: 'application/vnd.heroku+json; version=3', authorization: `Bearer ${tokens[ADMIN]}`},
    })
    expect(api.statusCode).toBe(404)
    expect(JSON.parse(api.body).id).toBe('not_found')
    const signedOut = await browse('GET', '/dashboard')
    expect(signedOut.status).toBe(303)
    expect(signedOut.headers.location).toBe('/dashboard/sign-in?next=%2Fdashboard')
  })

  it('signs in with email and token: an HttpOnly, SameSite=Strict session cookie, the token nowhere in the page', async () => {
    const form = await browse('GET', '/dashboard/sign-in')
    expect(form.headers['content-security-policy']).toMatch(/script-src 'self'/)
    expect(String(form.headers['content-security-policy'])).not.toMatch(/unsafe-inline/)
    expect(form.headers['x-content-type-options']).toBe('nosniff')
    expect(form.text).toMatch(/<label for="email"\s*>Email/)
    expect(form.text).toMatch(/<label for="token"\s*>API token/)
    const formToken = /name="form" value="([^"]+)"/.exec(form.text)![1]!
    const answer = await browse('POST', '/dashboard/sign-in', {
      cookies: `orgctl_sign_in=${cookieValue(form, 'orgctl_sign_in')}`,
      form: {form: formToken, email: ADMIN, token: tokens[ADMIN]!},
    })
    expect(answer.status).toBe(303)
    const session = cookiesOf(answer).find((line) => line.startsWith('orgctl_session='))!
    expect(session).toMatch(/HttpOnly/i)
    expect(session).toMatch(/SameSite=Strict/i)
    expect(session).not.toMatch(/Secure/i)
    const home = await browse('GET', '/dashboard', {cookies: session.split(';')[0]})
    expect(home.status).toBe(200)
    expect(home.text).toContain('href="/dashboard/orgs/acme"')
    expect(home.text).not.toContain(tokens[ADMIN])
  })

  it("a wrong token, or another email's token, is refused on the form with one line, and no session", async () => {
    for (const [email, token] of [
      [ADMIN, 'orgctl_wrong'],
      [ADMIN, tokens[MEMBER]!],
    ] as const) {
      const form = await browse('GET', '/dashboard/sign-in')
      const formToken = /name="form" value="([^"]+)"/.exec(form.text)![1]!
      const answer = await browse('POST', '/dashboard/sign-in', {
        cookies: `orgctl_sign_in=${cookieValue(form, 'orgctl_sign_in')}`,
        form: {form: formToken, email, token},
      })
      expect(answer.status).toBe(401)
      expect(answer.text).toMatch(/role="alert">Wrong email or API token/)
      expect(cookieValue(answer, 'orgctl_session')).toBeUndefined()
    }
  })

  it('a sign-in form posted without its own token, or from another origin, is refused (login CSRF)', async () => {
    const noToken = await browse('POST', '/dashboard/sign-in', {form: {email: ADMIN, token: tokens[ADMIN]!}})
    expect(noToken.status).toBe(403)
    const form = await browse('GET', '/dashboard/sign-in')
    const formToken = /name="form" value="([^"]+)"/.exec(form.text)![1]!
    const elsewhere = await browse('POST', '/dashboard/sign-in', {
      cookies: `orgctl_sign_in=${cookieValue(form, 'orgctl_sign_in')}`,
      form: {form: formToken, email: ADMIN, token: tokens[ADMIN]!},
      headers: {origin: 'https://evil.example'},
    })
    expect(elsewhere.status).toBe(403)
    expect(cookieValue(elsewhere, 'orgctl_session')).toBeUndefined()
  })

  it('a one-time link signs in once; used again it is refused', async () => {
    const {code} = await storage.write((tx) => createSignInLink(new Ctx(tx, ADMIN)))
    const first = await browse('GET', `/dashboard/sign-in/link?code=${code}`)
    expect(first.status).toBe(303)
    expect(cookieValue(first, 'orgctl_session')).toBeTruthy()
    const again = await browse('GET', `/dashboard/sign-in/link?code=${code}`)
    expect(again.status).toBe(401)
    expect(again.text).toMatch(/used already or has expired/)
  })

  it('sign out ends the session on the server: the old cookie no longer works', async () => {
    const cookies = await signIn(ADMIN)
    const home = await browse('GET', '/dashboard', {cookies})
    const out = await browse('POST', '/dashboard/sign-out', {cookies, form: {csrf: csrfOf(home.text)!}})
    expect(out.status).toBe(303)
    const replay = await browse('GET', '/dashboard', {cookies})
    expect(replay.status).toBe(303)
    expect(String(replay.headers.location)).toMatch(/^\/dashboard\/sign-in/)
  })

  it('a change without the CSRF token, with a wrong one, or from another origin is refused and changes nothing', async () => {
    const cookies = await signIn(ADMIN)
    const page = await browse('GET', '/dashboard/orgs/acme/access', {cookies})
    const csrf = csrfOf(page.text)!
    const attempts: {form: Record<string, string>; headers?: Record<string, string>}[] = [
      {form: {email: 'new@acme.test', role: 'member'}},
      {form: {email: 'new@acme.test', role: 'member', csrf: csrf.slice(1) + 'x'}},
      {form: {email: 'new@acme.test', role: 'member', csrf}, headers: {origin: 'http://evil.example'}},
    ]
    for (const attempt of attempts) {
      const answer = await browse('POST', '/dashboard/orgs/acme/access/add', {cookies, ...attempt})
      expect(answer.status).toBe(403)
    }
    const members = await storage.read((tx) => tx.members.list('acme'))
    expect(members.map((member) => member.email)).not.toContain('new@acme.test')
  })

  it("adds a member from the Access tab, and shows the domain's refusal beside the form (the last admin)", async () => {
    const cookies = await signIn(ADMIN)
    const page = await browse('GET', '/dashboard/orgs/acme/access', {cookies})
    const csrf = csrfOf(page.text)!
    const added = await browse('POST', '/dashboard/orgs/acme/access/add', {cookies, form: {csrf, email: 'new@acme.test', role: 'member'}})
    expect(added.status).toBe(303)
    const notice = `orgctl_notice=${cookieValue(added, 'orgctl_notice')}`
    const after = await browse('GET', '/dashboard/orgs/acme/access', {cookies: `${cookies}; ${notice}`})
    expect(after.text).toContain('Added new@acme.test to acme as member.')
    expect(after.text).toContain('new@acme.test')
    const demote = await browse('POST', '/dashboard/orgs/acme/access/role', {cookies, form: {csrf, email: ADMIN, role: 'member'}})
    expect(demote.status).toBe(409)
    expect(demote.text).toMatch(/role="alert" id="change-role-error">[^<]*last admin/)
  })

  it("changes a role and removes a member as the members table posts them (the row's email on its button, its select by that email)", async () => {
    const cookies = await signIn(ADMIN)
    const page = await browse('GET', '/dashboard/orgs/acme/access', {cookies})
    expect(page.text).toMatch(new RegExp(`<select id="r\\d+" name="role:${MEMBER}">`))
    const csrf = csrfOf(page.text)!
    const promoted = await browse('POST', '/dashboard/orgs/acme/access/role', {
      cookies,
      form: {csrf, [`role:${ADMIN}`]: 'admin', [`role:${MEMBER}`]: 'admin', email: MEMBER},
    })
    expect(promoted.status).toBe(303)
    expect((await storage.read((tx) => tx.members.get('acme', MEMBER)))?.role).toBe('admin')
    const removed = await browse('POST', '/dashboard/orgs/acme/access/remove', {
      cookies,
      form: {csrf, [`role:${MEMBER}`]: 'admin', email: MEMBER},
    })
    expect(removed.status).toBe(303)
    expect(await storage.read((tx) => tx.members.get('acme', MEMBER))).toBeUndefined()
  })

  it('parses an added email as the CLI and the API do: lowercased, and one that is no address refused beside the form', async () => {
    const cookies = await signIn(ADMIN)
    const csrf = csrfOf((await browse('GET', '/dashboard/orgs/acme/access', {cookies})).text)!
    const added = await browse('POST', '/dashboard/orgs/acme/access/add', {cookies, form: {csrf, email: ' New@Acme.TEST ', role: 'member'}})
    expect(added.status).toBe(303)
    const refused = await browse('POST', '/dashboard/orgs/acme/access/add', {cookies, form: {csrf, email: EVIL, role: 'member'}})
    expect(refused.status).toBe(422)
    expect(refused.text).toMatch(/role="alert" id="add-member-error">Invalid email &quot;&lt;script&gt;/)
    const emails = (await new LocalBackend(storage, ADMIN).listMembers('acme')).map((member) => member.email)
    expect(emails.sort()).toEqual([ADMIN, MEMBER, 'new@acme.test'].sort())
  })

  it("a member sees the Access tab without its forms, and is refused a change with the matrix's message", async () => {
    const cookies = await signIn(MEMBER)
    const page = await browse('GET', '/dashboard/orgs/acme/access', {cookies})
    expect(page.status).toBe(200)
    expect(page.text).not.toContain('Add a member')
    expect(page.text).not.toContain('>Usage<')
    const answer = await browse('POST', '/dashboard/orgs/acme/access/add', {
      cookies,
      form: {csrf: csrfOf(page.text)!, email: 'x@acme.test', role: 'member'},
    })
    expect(answer.status).toBe(403)
    expect(answer.text).toMatch(/You cannot add members in org acme/)
  })

  it('escapes what a user typed: a search holding <script>, and a refused email with markup in the message and the refilled field', async () => {
    const cookies = await signIn(ADMIN)
    const searched = await browse('GET', `/dashboard/orgs/acme/access?q=${encodeURIComponent('<script>alert(1)</script>')}`, {cookies})
    expect(searched.text).not.toContain('<script>alert(1)')
    expect(searched.text).toContain('&lt;script&gt;alert(1)&lt;/script&gt;')
    const page = await browse('GET', '/dashboard/orgs/acme/access', {cookies})
    const refused = await browse('POST', '/dashboard/orgs/acme/access/add', {
      cookies,
      form: {csrf: csrfOf(page.text)!, email: EVIL, role: 'member'},
    })
    expect(refused.status).toBe(422)
    expect(refused.text).toMatch(/role="alert" id="add-member-error">[^<]*&lt;script&gt;/)
    expect(refused.text).not.toContain('<script>alert(1)')
  })

  it('the rate limit applies: signed out per address, signed in per session, answered with a page and Retry-After', async () => {
    const storage = new MemoryStorage()
    const token = await storage.write(async (tx) => {
      await createOrg(new Ctx(tx, ADMIN), 'acme', DEFAULT_LIMITS)
      return (await createAuthorization(new Ctx(tx, ADMIN), 'test')).token
    })
    const limited = await buildServer({storage, rateLimitPerHour: 4})
    try {
      const client = clientOf(limited)
      const cookies = await client.signIn(ADMIN, token) // 2 requests of the address's 4
      for (let i = 0; i < 4; i++) expect((await client.browse('GET', '/dashboard', {cookies})).status).toBe(200)
      const over = await client.browse('GET', '/dashboard', {cookies})
      expect(over.status).toBe(429)
      expect(over.headers['retry-after']).toBeDefined()
      expect(over.text).toMatch(/role="alert">Too many requests/)
      // Signed out, the address's budget: two left of four.
      for (let i = 0; i < 2; i++) expect((await client.browse('GET', '/dashboard/sign-in')).status).toBe(200)
      expect((await client.browse('GET', '/dashboard/sign-in')).status).toBe(429)
    } finally {
      await limited.close()
    }
  })

  it('signing in again from a signed-in browser ends its old session (one session per sign-in)', async () => {
    const first = await signIn(ADMIN)
    const form = await browse('GET', '/dashboard/sign-in') // a stale tab's form, fetched before
    const formToken = /name="form" value="([^"]+)"/.exec(form.text)![1]!
    const again = await browse('POST', '/dashboard/sign-in', {
      cookies: `${first}; orgctl_sign_in=${cookieValue(form, 'orgctl_sign_in')}`,
      form: {form: formToken, email: ADMIN, token: tokens[ADMIN]!},
    })
    expect(again.status).toBe(303)
    const second = `orgctl_session=${cookieValue(again, 'orgctl_session')}`
    expect((await browse('GET', '/dashboard', {cookies: first})).status).toBe(303)
    expect((await browse('GET', '/dashboard', {cookies: second})).status).toBe(200)
  })

  it('revoking an API token signs its user out of the Dashboard (a session may have been signed in with it)', async () => {
    const cookies = await signIn(ADMIN)
    const [token] = await new LocalBackend(storage, ADMIN).listAuthorizations()
    await new LocalBackend(storage, ADMIN).revokeAuthorization(token!.id)
    expect((await browse('GET', '/dashboard', {cookies})).status).toBe(303)
    // Others stay signed in.
    const member = await signIn(MEMBER)
    expect((await browse('GET', '/dashboard', {cookies: member})).status).toBe(200)
  })

  it('serves the stylesheet and script to anyone, cached for a year, setting no cookie', async () => {
    const page = await browse('GET', '/dashboard/sign-in')
    for (const path of [/href="(\/dashboard\/assets\/[^"]+\.css)"/, /src="(\/dashboard\/assets\/[^"]+\.js)"/].map(
      (re) => re.exec(page.text)![1]!,
    )) {
      const asset = await browse('GET', path, {cookies: 'orgctl_session=not-a-session'})
      expect(asset.status).toBe(200)
      expect(asset.headers['cache-control']).toBe('public, max-age=31536000, immutable')
      expect(cookiesOf(asset)).toEqual([])
    }
  })
})
