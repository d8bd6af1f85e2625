/**
 * The Dashboard and the audit log and dry runs: a form's change is recorded as the signed-in user's,
 * with the request's id; a form posted with `Dry-Run: true` (which a browser never sends) is refused,
 * changing nothing, rather than made for real under a header that promised it would not be.
 */
import {afterEach, beforeEach, describe, expect, it} from 'vitest'

import {Ctx} from '../../src/lib/domain/context.js'
import {createSignInLink} from '../../src/lib/domain/sessions.js'
import {cookieValue, csrfOf, type DashboardFixture, startAcme} from './_dashboard.js'

const ADMIN = 'admin@acme.test'
const MEMBER = 'member@acme.test'

describe('Dashboard forms, the audit log and Dry-Run', () => {
  let fixture: DashboardFixture
  beforeEach(async () => {
    fixture = await startAcme(ADMIN, MEMBER)
  })
  afterEach(() => fixture.close())

  const events = async () => {
    const org = (await fixture.storage.read((tx) => tx.orgs.byName('acme')))!
    return fixture.storage.read((tx) => tx.audit.list({orgId: org.id, limit: 1000}))
  }

  it("records a form's change as the signed-in user's, with the request's id", async () => {
    const cookies = await fixture.signIn(ADMIN)
    const answer = await fixture.submit(cookies, '/dashboard/orgs/acme/access', '/dashboard/orgs/acme/access/add', {
      email: 'new@acme.test',
      role: 'member',
    })
    expect(answer.status).toBe(303)
    const added = (await events()).filter((event) => event.action === 'team-member.create' && event.target.name === 'new@acme.test')
    expect(added).toHaveLength(1)
    expect(added[0]!.actor.email).toBe(ADMIN)
    expect(added[0]!.requestId).toBe(answer.headers['request-id'])
  })

  it("records sign-in and sign-out with the request's id", async () => {
    const cookies = await fixture.signIn(ADMIN)
    const out = await fixture.browse('POST', '/dashboard/sign-out', {
      cookies,
      form: {csrf: csrfOf((await fixture.browse('GET', '/dashboard', {cookies})).text)!},
    })
    expect(out.status).toBe(303)
    const ofNoOrg = await fixture.storage.read((tx) => tx.audit.list({orgId: null, limit: 1000}))
    const session = ofNoOrg.filter((event) => event.action.startsWith('dashboard.'))
    expect(session.map((event) => event.action)).toEqual(expect.arrayContaining(['dashboard.sign-in', 'dashboard.sign-out']))
    for (const event of session) expect(event.requestId, event.action).toMatch(/\S/)
    expect(session.find((event) => event.action === 'dashboard.sign-out')!.requestId).toBe(out.headers['request-id'])
  })

  it('refuses a one-time link opened with Dry-Run: the link stays unused, no session is made', async () => {
    const {code} = await fixture.storage.write((tx) => createSignInLink(new Ctx(tx, ADMIN)))
    const dry = await fixture.browse('GET', `/dashboard/sign-in/link?code=${code}`, {headers: {'dry-run': 'true'}})
    expect(dry.status).toBe(400)
    expect(dry.text).toMatch(/Dry-Run/)
    expect(cookieValue(dry, 'orgctl_session')).toBeUndefined()
    const real = await fixture.browse('GET', `/dashboard/sign-in/link?code=${code}`)
    expect(real.status).toBe(303)
    expect(cookieValue(real, 'orgctl_session')).toBeTruthy()
  })

  it('refuses a form posted with Dry-Run (any value), changing nothing and recording nothing', async () => {
    const cookies = await fixture.signIn(ADMIN)
    const page = await fixture.browse('GET', '/dashboard/orgs/acme/access', {cookies})
    const csrf = csrfOf(page.text)!
    const before = (await events()).length
    for (const value of ['true', 'false']) {
      const answer = await fixture.browse('POST', '/dashboard/orgs/acme/access/add', {
        cookies,
        form: {csrf, email: 'new@acme.test', role: 'member'},
        headers: {'dry-run': value},
      })
      expect(answer.status, value).toBe(400)
      expect(answer.text).toMatch(/Dry-Run/)
      expect(answer.headers['dry-run']).toBeUndefined()
    }
    const members = await fixture.storage.read((tx) => tx.members.list('acme'))
    expect(members.map((member) => member.email)).not.toContain('new@acme.test')
    expect((await events()).length).toBe(before)
  })
})
