/**
 * The Dashboard's Apps tab and app pages in-process (fastify inject, on the memory engine): the list
 * with locked badges and dyno units, creating, importing personal apps in bulk with a result per app,
 * what a collaborator sees, permissions by checkboxes, locking, and transfers with their confirmation.
 * Every effect is checked in storage; every refusal is the domain's message beside its form.
 */
import {afterEach, beforeEach, describe, expect, it} from 'vitest'

import {addAccess} from '../../src/lib/domain/access.js'
import {createApp} from '../../src/lib/domain/apps.js'
import {scale} from '../../src/lib/domain/formation.js'
import {addMember} from '../../src/lib/domain/members.js'
import {createOrg} from '../../src/lib/domain/orgs.js'
import {DEFAULT_LIMITS} from '../../src/lib/domain/validation.js'
import {cookieValue, csrfOf, type DashboardFixture, startDashboard} from './_dashboard.js'

const ADMIN = 'admin@acme.test'
const MEMBER = 'member@acme.test'
const COLLAB = 'collab@outside.test'
const EVIL = '<script>alert(1)</script>@x.test'
const APPS = '/dashboard/orgs/acme/apps'
const API = `${APPS}/acme-api`

describe('the Dashboard Apps tab and app pages, in-process', () => {
  let fixture: DashboardFixture
  let storage: DashboardFixture['storage']
  let browse: DashboardFixture['browse']
  let signIn: DashboardFixture['signIn']
  let submit: DashboardFixture['submit']

  beforeEach(async () => {
    fixture = await startDashboard(
      async (as) => {
        await createOrg(as(ADMIN), 'acme', DEFAULT_LIMITS)
        await createOrg(as(ADMIN), 'beta', DEFAULT_LIMITS)
        await addMember(as(ADMIN), 'acme', MEMBER, 'member')
        await createApp(as(ADMIN), {name: 'acme-api', org: 'acme', region: 'eu'})
        await createApp(as(ADMIN), {name: 'acme-web', org: 'acme', region: 'us'})
        await scale(as(ADMIN), 'acme-api', [{type: 'web', quantity: 2, size: 'standard-2x'}])
        await addAccess(as(ADMIN), 'acme-api', COLLAB, ['view', 'deploy'])
        // The member's own org, with room for one more app only, and their personal apps.
        await createOrg(as(MEMBER), 'tiny', {...DEFAULT_LIMITS, apps: 1})
        await createApp(as(MEMBER), {name: 'mem-one', region: 'us'})
        await createApp(as(MEMBER), {name: 'mem-two', region: 'us'})
      },
      [ADMIN, MEMBER, COLLAB],
    )
    ;({storage, browse, signIn, submit} = fixture)
  })
  afterEach(() => fixture.close())

  const appOf = (name: string) => storage.read((tx) => tx.apps.byName(name))
  const noticeOf = async (cookies: string, answer: {headers: Record<string, unknown>}) => {
    const page = await browse('GET', String(answer.headers.location), {
      cookies: `${cookies}; orgctl_notice=${cookieValue(answer as never, 'orgctl_notice')}`,
    })
    return page.text
  }

  it("lists the org's apps with owner, region, locked badge and dyno units (from the domain's sizes), each linked to its page", async () => {
    const cookies = await signIn(ADMIN)
    await submit(cookies, API, `${APPS}/acme-web/lock`, {locked: 'true'})
    const page = await browse('GET', APPS, {cookies})
    expect(page.status).toBe(200)
    const rows = page.text.split('<tr>').slice(2)
    const api = rows.find((row) => row.includes('>acme-api<'))!
    expect(api).toContain(`href="${API}"`)
    expect(api).toContain('>eu<')
    expect(api).toMatch(/class="num"[^>]*>4</)
    expect(api).not.toContain('badge locked')
    const web = rows.find((row) => row.includes('>acme-web<'))!
    expect(web).toContain('badge locked')
    expect(web).toMatch(/class="num"[^>]*>0</)
    expect(page.text).toContain('aria-current="page">Apps<')
  })

  it('an admin creates a named app and an unnamed one (a generated name), in the region chosen', async () => {
    const cookies = await signIn(ADMIN)
    const named = await submit(cookies, APPS, `${APPS}/create`, {name: 'acme-new', region: 'eu'})
    expect(named.status).toBe(303)
    expect(named.headers.location).toBe(`${APPS}/acme-new`)
    expect(await noticeOf(cookies, named)).toContain('Created app acme-new in org acme.')
    expect(await appOf('acme-new')).toMatchObject({owner: {kind: 'org', name: 'acme'}, region: 'eu'})
    const unnamed = await submit(cookies, APPS, `${APPS}/create`, {name: '', region: 'us'})
    expect(unnamed.status).toBe(303)
    const generated = decodeURIComponent(String(unnamed.headers.location).split('/').pop()!)
    expect(generated).toMatch(/^[a-z][a-z0-9-]{2,29}$/)
    expect(await appOf(generated)).toMatchObject({owner: {kind: 'org', name: 'acme'}})
    const taken = await submit(cookies, APPS, `${APPS}/create`, {name: 'acme-api', region: 'us'})
    expect(taken.status).toBe(409)
    expect(taken.text).toMatch(/id="create-app-error">The app name acme-api is already taken/)
    expect(taken.text).toContain('value="acme-api"')
  })

  it('a member creates an app in the org; a bad name is refused beside the form with the validation message', async () => {
    const cookies = await signIn(MEMBER)
    const page = await browse('GET', APPS, {cookies})
    expect(page.text).toContain('Create an app')
    const created = await submit(cookies, APPS, `${APPS}/create`, {name: 'member-app', region: 'us'})
    expect(created.status).toBe(303)
    expect(await appOf('member-app')).toMatchObject({owner: {kind: 'org', name: 'acme'}})
    const bad = await submit(cookies, APPS, `${APPS}/create`, {name: 'Bad Name!', region: 'us'})
    expect(bad.status).toBe(422)
    expect(bad.text).toMatch(/id="create-app-error">[^<]*Bad Name!/)
  })

  it("imports two personal apps in one go: one moves, the other fails on the org's app limit, each with its result", async () => {
    const cookies = await signIn(MEMBER)
    const page = await browse('GET', '/dashboard/orgs/tiny/apps', {cookies})
    expect(page.text).toMatch(/<div data-js-only hidden>\s*<label><input type="checkbox" data-check-all="app" \/> Select all<\/label>/)
    expect(page.text).toMatch(/<label for="import-0"\s*><input\s+id="import-0"\s+type="checkbox"\s+name="app"\s+value="mem-one"/)
    expect(page.text).toContain('value="mem-two"')
    const answer = await submit(cookies, '/dashboard/orgs/tiny/apps', '/dashboard/orgs/tiny/apps/import', {app: ['mem-one', 'mem-two']})
    expect(answer.status).toBe(200)
    expect(answer.text).toMatch(/1 of 2 apps\s+moved; 1 failed/)
    expect(answer.text).toMatch(/<li class="ok">\s*mem-one: moved into tiny/)
    expect(answer.text).toMatch(/<li class="failed">mem-two: failed: tiny would have 2 apps but its limit is 1/)
    expect(await appOf('mem-one')).toMatchObject({owner: {kind: 'org', name: 'tiny'}})
    expect(await appOf('mem-two')).toMatchObject({owner: {kind: 'user', email: MEMBER}})
    // The list below the results is read after the move.
    expect(answer.text).toContain('href="/dashboard/orgs/tiny/apps/mem-one"')
    const none = await submit(cookies, '/dashboard/orgs/tiny/apps', '/dashboard/orgs/tiny/apps/import', {})
    expect(none.status).toBe(422)
    expect(none.text).toMatch(/id="import-apps-error">Tick the apps to import/)
  })

  it('a collaborator sees only the apps shared with them, without the create and import forms, and is refused a create', async () => {
    const cookies = await signIn(COLLAB)
    const page = await browse('GET', APPS, {cookies})
    expect(page.status).toBe(200)
    expect(page.text).toContain('Apps shared with you')
    expect(page.text).toContain('>acme-api<')
    expect(page.text).not.toContain('acme-web')
    expect(page.text).not.toContain('Create an app')
    expect(page.text).not.toContain('Import your personal apps')
    const app = await browse('GET', API, {cookies})
    expect(app.status).toBe(200)
    expect(app.text).not.toContain('Add a collaborator')
    expect(app.text).not.toContain('Transfer out')
    expect(app.text).not.toContain('/lock"')
    const forged = await browse('POST', `${APPS}/create`, {cookies, form: {csrf: csrfOf(page.text)!, name: 'sneaky', region: 'us'}})
    expect(forged.status).toBe(403)
    expect(forged.text).toMatch(/You cannot create apps in org acme: that needs an admin or a member/)
    expect(await appOf('sneaky')).toBeUndefined()
    const hidden = await browse('GET', `${APPS}/acme-web`, {cookies})
    expect(hidden.status).toBe(404)
    // Not in the org at all: the domain's not-found, on the error page.
    const elsewhere = await browse('GET', '/dashboard/orgs/tiny/apps', {cookies})
    expect(elsewhere.status).toBe(404)
    expect(elsewhere.text).toMatch(/Couldn&#39;t find org tiny/)
  })

  it('updates permissions with checkboxes (view always held, disabled and sent hidden); adds and removes a collaborator', async () => {
    const cookies = await signIn(ADMIN)
    const page = await browse('GET', API, {cookies})
    const row = page.text.split('<tr>').find((each) => each.includes(COLLAB))!
    expect(row).toMatch(/<input type="hidden" name="permission" value="view" \/>/)
    expect(row).toMatch(/type="checkbox"\s+checked disabled/)
    expect(row).toMatch(/name="permission" value="deploy"\s+checked/)
    expect(row).not.toMatch(/name="permission" value="operate"\s+checked/)
    const updated = await submit(cookies, API, `${API}/access/update`, {email: COLLAB, permission: ['view', 'operate', 'manage']})
    expect(updated.status).toBe(303)
    expect(await noticeOf(cookies, updated)).toContain(`${COLLAB} now holds view, operate, manage on acme-api.`)
    expect((await storage.read((tx) => tx.collaborators.get('acme-api', COLLAB)))?.permissions).toEqual(['view', 'operate', 'manage'])
    const added = await submit(cookies, API, `${API}/access/add`, {email: 'new@acme.test', permission: ['view', 'deploy']})
    expect(added.status).toBe(303)
    expect((await storage.read((tx) => tx.collaborators.get('acme-api', 'new@acme.test')))?.permissions).toEqual(['view', 'deploy'])
    const again = await submit(cookies, API, `${API}/access/add`, {email: 'new@acme.test', permission: ['view', 'manage']})
    expect(again.status).toBe(409)
    expect(again.text).toMatch(/id="add-collaborator-error">new@acme.test already has access to acme-api/)
    const removed = await submit(cookies, API, `${API}/access/remove`, {email: 'new@acme.test'})
    expect(removed.status).toBe(303)
    expect(await storage.read((tx) => tx.collaborators.get('acme-api', 'new@acme.test'))).toBeUndefined()
  })

  it('a member without manage sees permissions as text, and a forged update is refused by the domain', async () => {
    const cookies = await signIn(MEMBER)
    const page = await browse('GET', API, {cookies})
    expect(page.status).toBe(200)
    expect(page.text).not.toContain('/access/update"')
    const forged = await browse('POST', `${API}/access/update`, {
      cookies,
      form: {csrf: csrfOf(page.text)!, email: COLLAB, permission: ['view', 'manage']},
    })
    expect(forged.status).toBe(403)
    expect((await storage.read((tx) => tx.collaborators.get('acme-api', COLLAB)))?.permissions).toEqual(['view', 'deploy'])
  })

  it('an admin locks and unlocks an app; a member sees no lock form and is refused one', async () => {
    const cookies = await signIn(ADMIN)
    const locked = await submit(cookies, API, `${API}/lock`, {locked: 'true'})
    expect(locked.status).toBe(303)
    expect((await appOf('acme-api'))?.locked).toBe(true)
    const page = await noticeOf(cookies, locked)
    expect(page).toContain('acme-api is locked.')
    expect(page).toMatch(/<h1>acme-api <span class="badge locked">locked<\/span><\/h1>/)
    expect(page).toContain('Unlock acme-api')
    await submit(cookies, API, `${API}/lock`, {locked: 'false'})
    expect((await appOf('acme-api'))?.locked).toBe(false)
    const member = await signIn(MEMBER)
    const memberPage = await browse('GET', API, {cookies: member})
    expect(memberPage.text).not.toContain('/lock"')
    const forged = await browse('POST', `${API}/lock`, {cookies: member, form: {csrf: csrfOf(memberPage.text)!, locked: 'true'}})
    expect(forged.status).toBe(403)
    expect((await appOf('acme-api'))?.locked).toBe(false)
  })

  it('a transfer with a wrong or missing confirmation is refused beside the form and changes nothing', async () => {
    const cookies = await signIn(ADMIN)
    for (const confirm of ['acme-web', '']) {
      const answer = await submit(cookies, API, `${API}/transfer`, {recipient: 'beta', confirm})
      expect(answer.status).toBe(422)
      expect(answer.text).toMatch(/id="transfer-app-error">[^<]*did not match acme-api: type the app&#39;s name to transfer it/)
      expect(answer.text).toContain('value="beta"')
    }
    expect(await appOf('acme-api')).toMatchObject({owner: {kind: 'org', name: 'acme'}})
  })

  it('transfers an app to another org (locked there), and an org app to a user (at once, its collaborators removed)', async () => {
    const cookies = await signIn(ADMIN)
    const page = await browse('GET', API, {cookies})
    expect(page.text).toMatch(/data-confirm="Transfer acme-api out of acme\?/)
    expect(page.text).toContain("Type the app's name to confirm")
    expect(page.text).toContain('<option value="beta"></option>')
    const toOrg = await submit(cookies, API, `${API}/transfer`, {recipient: 'beta', confirm: 'acme-api', locked: 'true'})
    expect(toOrg.status).toBe(303)
    expect(toOrg.headers.location).toBe(APPS)
    expect(await noticeOf(cookies, toOrg)).toContain('Transferred acme-api to beta.')
    expect(await appOf('acme-api')).toMatchObject({owner: {kind: 'org', name: 'beta'}, locked: true})
    const gone = await browse('GET', API, {cookies})
    expect(gone.status).toBe(404)
    expect(gone.text).toContain('acme-api is not an app of org acme: it is in org beta.')

    const toUser = await submit(cookies, `${APPS}/acme-web`, `${APPS}/acme-web/transfer`, {recipient: 'dev@else.test', confirm: 'acme-web'})
    expect(toUser.status).toBe(303)
    expect(await noticeOf(cookies, toUser)).toContain('Transferred acme-web to dev@else.test.')
    expect(await appOf('acme-web')).toMatchObject({owner: {kind: 'user', email: 'dev@else.test'}})
    expect(await storage.read((tx) => tx.collaborators.list('acme-web'))).toEqual([])
  })

  it('a member is not shown the transfer form, and a forged transfer is refused by the domain', async () => {
    const cookies = await signIn(MEMBER)
    const page = await browse('GET', API, {cookies})
    expect(page.text).not.toContain('Transfer out')
    const forged = await browse('POST', `${API}/transfer`, {
      cookies,
      form: {csrf: csrfOf(page.text)!, recipient: 'tiny', confirm: 'acme-api'},
    })
    expect(forged.status).toBe(403)
    expect(forged.text).toMatch(/You cannot transfer app [a-z-]+ away: that needs an admin/)
    expect(await appOf('acme-api')).toMatchObject({owner: {kind: 'org', name: 'acme'}})
  })

  it('escapes an email holding markup: refused by validation, its message and the typed value render as text', async () => {
    const cookies = await signIn(ADMIN)
    const refused = await submit(cookies, API, `${API}/access/add`, {email: EVIL, permission: ['view']})
    expect(refused.status).toBe(422)
    expect(refused.text).not.toContain('<script>alert(1)')
    expect(refused.text).toMatch(/id="add-collaborator-error">[^<]*&lt;script&gt;alert\(1\)&lt;\/script&gt;@x.test/)
    expect(refused.text).toContain('value="&lt;script&gt;alert(1)&lt;/script&gt;@x.test"')
    expect(await storage.read((tx) => tx.collaborators.list('acme-api'))).toHaveLength(2)
  })

  it('a change without the CSRF token, or from another origin, is refused and changes nothing', async () => {
    const cookies = await signIn(ADMIN)
    const page = await browse('GET', API, {cookies})
    const csrf = csrfOf(page.text)!
    const attempts: {url: string; form: Record<string, string>; headers?: Record<string, string>}[] = [
      {url: `${API}/lock`, form: {locked: 'true'}},
      {url: `${API}/transfer`, form: {recipient: 'beta', confirm: 'acme-api'}},
      {url: `${APPS}/create`, form: {name: 'forged-app', region: 'us'}},
      {url: `${API}/lock`, form: {locked: 'true', csrf}, headers: {origin: 'http://evil.example'}},
    ]
    for (const attempt of attempts) {
      const answer = await browse('POST', attempt.url, {cookies, form: attempt.form, headers: attempt.headers})
      expect(answer.status).toBe(403)
    }
    expect(await appOf('acme-api')).toMatchObject({owner: {kind: 'org', name: 'acme'}, locked: false})
    expect(await appOf('forged-app')).toBeUndefined()
  })
})
