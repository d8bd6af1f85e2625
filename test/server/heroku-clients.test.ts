/**
 * What real Platform API clients send: ids wherever names go, the add-on and dyno lists the Heroku CLI
 * reads for apps:info and ps, the one-type formation update, a JSON content type on every request,
 * and the documented attributes of each body.
 */
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {ADMIN, type Fixture, MEMBER, OUTSIDER, startFixture} from './_fixture.js'

let f: Fixture
let app: {id: string; name: string}
let team: {id: string; name: string}

beforeAll(async () => {
  f = await startFixture()
  app = (await f.call('GET', '/apps/acme-api')).json()
  team = (await f.call('GET', '/teams/acme')).json()
})
afterAll(() => f.close())

describe('an id wherever a name goes', () => {
  it('answers every app and team read by id exactly as by name', async () => {
    const pairs: [string, string][] = [
      ['/apps/acme-api', `/apps/${app.id}`],
      ['/teams/apps/acme-api', `/teams/apps/${app.id}`],
      ['/apps/acme-api/collaborators', `/apps/${app.id}/collaborators`],
      ['/teams/apps/acme-api/collaborators', `/teams/apps/${app.id}/collaborators`],
      ['/apps/acme-api/formation', `/apps/${app.id}/formation`],
      ['/apps/acme-api/dynos', `/apps/${app.id}/dynos`],
      ['/teams/acme', `/teams/${team.id}`],
      ['/teams/acme/members', `/teams/${team.id}/members`],
      ['/teams/acme/apps', `/teams/${team.id}/apps`],
      ['/teams/acme/features', `/teams/${team.id}/features`],
      ['/teams/acme/resource-usage', `/teams/${team.id}/resource-usage`],
      ['/teams/acme/billing-estimate', `/teams/${team.id}/billing-estimate`],
    ]
    for (const [byName, byId] of pairs) {
      const [a, b] = [await f.call('GET', byName), await f.call('GET', byId)]
      expect(a.status, byName).toBe(200)
      expect(b.status, byId).toBe(200)
      expect(b.json(), byId).toEqual(a.json())
    }
  })

  it('tells someone without access the same not-found by id as by name, without the name', async () => {
    const byId = await f.call('GET', `/apps/${app.id}`, {token: f.tokens[OUTSIDER]})
    expect(byId.status).toBe(404)
    expect(byId.json()).toEqual({id: 'not_found', message: `Couldn't find app ${app.id}, or you have no access to it.`})
    const teamById = await f.call('GET', `/teams/${team.id}`, {token: f.tokens[OUTSIDER]})
    expect(teamById.status).toBe(404)
    expect(teamById.text).not.toContain('acme')
  })

  it('takes a member and a collaborator by id', async () => {
    const members = (await f.call('GET', '/teams/acme/members')).json() as {id: string; email: string; user: {id: string}}[]
    const member = members.find((m) => m.email === MEMBER)!
    const collaborators = (await f.call('GET', '/apps/acme-api/collaborators')).json() as {id: string; user: {id: string; email: string}}[]
    const admin = collaborators.find((c) => c.user.email === ADMIN)!
    for (const ref of [admin.id, admin.user.id]) {
      const one = await f.call('GET', `/apps/${app.id}/collaborators/${ref}`)
      expect(one.status).toBe(200)
      expect(one.json()).toEqual((await f.call('GET', `/apps/acme-api/collaborators/${encodeURIComponent(ADMIN)}`)).json())
    }
    // Adding by user id, then removing by collaborator id.
    const added = await f.call('POST', `/teams/apps/${app.id}/collaborators`, {body: {user: member.user.id, permissions: ['view']}})
    expect(added.status).toBe(201)
    expect(added.json().user.email).toBe(MEMBER)
    const removed = await f.call('DELETE', `/apps/acme-api/collaborators/${added.json().id}`)
    expect(removed.status).toBe(200)
    expect(removed.json().user.email).toBe(MEMBER)
    // A member by membership id and by user id.
    const byMemberId = await f.call('DELETE', `/teams/${team.id}/members/${member.id}`)
    expect(byMemberId.status).toBe(200)
    expect(byMemberId.json().email).toBe(MEMBER)
    expect((await f.call('PUT', '/teams/acme/members', {body: {email: MEMBER, role: 'member'}})).status).toBe(200)
  })

  it('answers an unknown member or collaborator id with 404', async () => {
    const id = '00000000-0000-4000-8000-000000000000'
    expect((await f.call('DELETE', `/teams/acme/members/${id}`)).json()).toMatchObject({id: 'not_found'})
    expect((await f.call('GET', `/apps/acme-api/collaborators/${id}`)).json()).toMatchObject({id: 'not_found'})
  })

  it('takes a transfer by id or by app name, and ~ or an id for an account', async () => {
    const [transfer] = (await f.call('GET', '/account/app-transfers')).json() as {id: string; app: {id: string; name: string}}[]
    expect((await f.call('GET', `/account/app-transfers/${transfer!.id}`)).json()).toEqual(transfer)
    expect((await f.call('GET', '/account/app-transfers/admin-own')).json()).toEqual(transfer)
    expect((await f.call('GET', `/account/app-transfers/${transfer!.app.id}`)).json()).toEqual(transfer)
    const outsider = (await f.call('GET', '/account', {token: f.tokens[OUTSIDER]})).json() as {id: string}
    const others = await f.call('GET', `/users/${outsider.id}/apps`)
    expect(others.status).toBe(404)
    expect(others.text).not.toContain(OUTSIDER)
    const me = (await f.call('GET', '/account')).json() as {id: string}
    for (const user of ['~', me.id, ADMIN]) {
      const apps = await f.call('GET', `/users/${encodeURIComponent(user)}/apps`)
      expect(apps.status, user).toBe(200)
      expect(apps.json()).toEqual((await f.call('GET', '/apps')).json())
    }
  })

  it('takes a formation by type or id', async () => {
    const [web] = (await f.call('GET', '/apps/acme-api/formation')).json() as {id: string; type: string}[]
    expect((await f.call('GET', '/apps/acme-api/formation/web')).json()).toEqual(web)
    expect((await f.call('GET', `/apps/${app.id}/formation/${web!.id}`)).json()).toEqual(web)
  })
})

describe('what the Heroku CLI reads for apps:info and ps', () => {
  it('lists no add-ons', async () => {
    const response = await f.call('GET', '/apps/acme-api/addons')
    expect(response.status).toBe(200)
    expect(response.json()).toEqual([])
  })

  it('lists one dyno per running process, shaped like Heroku dynos', async () => {
    const dynos = (await f.call('GET', '/apps/acme-api/dynos')).json() as Record<string, unknown>[]
    expect(dynos.map((d) => d.name)).toEqual(['web.1', 'web.2'])
    expect(dynos[0]).toMatchObject({
      type: 'web',
      size: 'standard-1x',
      state: 'up',
      command: 'npm start',
      app: {id: app.id, name: 'acme-api'},
    })
    expect(dynos[0]!.id).toMatch(/^[0-9a-f-]{36}$/)
    expect(dynos[0]!.id).not.toBe(dynos[1]!.id)
    expect((await f.call('GET', '/apps/acme-api/dynos/web.2')).json()).toEqual(dynos[1])
    expect((await f.call('GET', `/apps/acme-api/dynos/${dynos[1]!.id as string}`)).json()).toEqual(dynos[1])
    expect((await f.call('GET', '/apps/acme-api/dynos/web.3')).status).toBe(404)
  })

  it('checks the same permissions as the app’s other reads', async () => {
    for (const path of ['/apps/acme-api/addons', '/apps/acme-api/dynos']) {
      const response = await f.call('GET', path, {token: f.tokens[OUTSIDER]})
      expect(response.status, path).toBe(404)
      expect(response.json()).toMatchObject({id: 'not_found'})
    }
  })
})

describe('PATCH /apps/{app}/formation/{type}', () => {
  it('scales one type with the same rules and result as the batch update', async () => {
    const one = await f.call('PATCH', '/apps/acme-api/formation/web', {body: {quantity: 3, size: 'standard-2x'}})
    expect(one.status).toBe(200)
    expect(one.json()).toMatchObject({type: 'web', quantity: 3, size: 'standard-2x', app: {name: 'acme-api'}})
    expect((await f.call('GET', '/apps/acme-api/dynos')).json()).toHaveLength(3)
    const tooMany = await f.call('PATCH', '/apps/acme-api/formation/web', {body: {quantity: 101}})
    const batchTooMany = await f.call('PATCH', '/apps/acme-api/formation', {body: {updates: [{type: 'web', quantity: 101}]}})
    expect(tooMany.status).toBe(422)
    expect(tooMany.json()).toEqual(batchTooMany.json())
    expect(tooMany.json().message).toContain('between 0 and 100')
    const badQuantity = await f.call('PATCH', '/apps/acme-api/formation/web', {body: {quantity: 'lots'}})
    expect(badQuantity.json()).toMatchObject({id: 'invalid_params'})
    expect(badQuantity.json().message).toContain('"quantity"')
    expect((await f.call('PATCH', '/apps/acme-api/formation/web', {body: {quantity: 2, size: 'standard-1x'}})).status).toBe(200)
  })

  it('folds only ASCII letters in a dyno type, as the CLI does: a look-alike (the Kelvin sign) is refused, not read as k', async () => {
    for (const [method, path, body] of [
      ['PATCH', '/apps/acme-api/formation/wor\u212Aer', {quantity: 1}],
      ['PATCH', '/apps/acme-api/formation', {updates: [{type: 'wor\u212Aer', quantity: 1}]}],
    ] as const) {
      const response = await f.call(method, path, {body})
      expect(response.status, path).toBe(422)
      expect(response.json().id).toBe('invalid_params')
    }
    const types = ((await f.call('GET', '/apps/acme-api/formation')).json() as {type: string}[]).map((entry) => entry.type)
    expect(types).not.toContain('worker')
  })

  it('is refused to a member without operate, as the batch is', async () => {
    const response = await f.call('PATCH', '/apps/acme-api/formation/web', {token: f.tokens[MEMBER], body: {quantity: 1}})
    expect(response.status).toBe(403)
  })
})

describe('bodies', () => {
  it('accepts a JSON content type with no body on every method', async () => {
    expect((await f.call('GET', '/apps/acme-api', {headers: {'content-type': 'application/json'}})).status).toBe(200)
    const created = await f.call('POST', '/apps', {body: {name: 'empty-delete'}})
    expect(created.status).toBe(201)
    const deleted = await f.call('DELETE', '/apps/empty-delete', {headers: {'content-type': 'application/json'}})
    expect(deleted.status).toBe(200)
    const vendor = await f.call('DELETE', '/apps/empty-delete', {headers: {'content-type': 'application/vnd.heroku+json; version=3'}})
    expect(vendor.status).toBe(404)
    // A POST that needs a body says what is missing.
    const noBody = await f.call('POST', '/account/app-transfers', {headers: {'content-type': 'application/json'}})
    expect(noBody.status).toBe(422)
    expect(noBody.json().id).toBe('invalid_params')
  })

  it('refuses an unknown key, naming it', async () => {
    const cases: [string, string, unknown, string][] = [
      ['PUT', '/teams/acme/members', {email: 'x@acme.test', role: 'member', rol: 'admin'}, 'rol'],
      ['POST', '/teams', {name: 'new-org', limit: {apps: 1}}, 'limit'],
      ['POST', '/apps', {name: 'typo-app', regoin: 'eu'}, 'regoin'],
      ['PATCH', '/teams/apps/acme-api', {locked: true, lock: true}, 'lock'],
      ['PATCH', '/apps/acme-api/formation', {updates: [{type: 'web', quantity: 1, sise: 'x'}]}, 'sise'],
      ['POST', '/oauth/authorizations', {description: 'x', scopes: ['global']}, 'scopes'],
    ]
    for (const [method, path, body, key] of cases) {
      const response = await f.call(method, path, {body})
      expect(response.status, `${method} ${path}`).toBe(422)
      expect(response.json().id).toBe('invalid_params')
      expect(response.json().message).toContain(`"${key}"`)
    }
    expect((await f.call('GET', '/teams/new-org')).status).toBe(404)
    expect((await f.call('GET', '/apps/typo-app')).status).toBe(404)
  })

  it('refuses __proto__ as an unknown key, not as bad JSON', async () => {
    const response = await f.call('POST', '/teams', {raw: '{"name": "evil-org", "__proto__": {"admin": true}}'})
    expect(response.status).toBe(422)
    expect(response.json()).toMatchObject({id: 'invalid_params'})
    expect(response.json().message).toContain('"__proto__"')
    const nested = await f.call('POST', '/teams', {raw: '{"name": "evil-org", "limits": {"constructor": {"prototype": {}}}}'})
    expect(nested.status).toBe(422)
    expect(nested.json().message).toContain('"constructor"')
    expect((await f.call('GET', '/teams/evil-org')).status).toBe(404)
  })

  it('accepts the attributes Heroku documents and its clients send', async () => {
    const member = await f.call('PUT', '/teams/acme/members', {body: {email: 'fed@acme.test', role: 'member', federated: false}})
    expect(member.status).toBe(200)
    const app1 = await f.call('POST', '/apps', {body: {name: 'stacked-app', region: 'us', stack: 'heroku-24', feature_flags: []}})
    expect(app1.status).toBe(201)
    const app2 = await f.call('POST', '/teams/apps', {
      body: {name: 'team-stacked', team: 'acme', region: 'us', stack: 'heroku-24', personal: false, internal_routing: null},
    })
    expect(app2.status).toBe(201)
    const collaborator = await f.call('POST', '/apps/stacked-app/collaborators', {body: {user: MEMBER, silent: true}})
    expect(collaborator.status).toBe(201)
    const token = await f.call('POST', '/oauth/authorizations', {body: {description: 'ci', scope: ['global'], expires_in: null}})
    expect(token.status).toBe(201)
    const patched = await f.call('PATCH', '/apps/stacked-app', {body: {build_stack: 'heroku-24', maintenance: false}})
    expect(patched.status).toBe(200)
  })

  it('refuses, with a clear "not supported", a documented attribute orgctl cannot honour', async () => {
    for (const [path, body] of [
      ['/teams/apps', {name: 'spaced-app', team: 'acme', space: 'nasa'}],
      ['/teams/apps', {name: 'routed-app', team: 'acme', internal_routing: true}],
    ] as const) {
      const response = await f.call('POST', path, {body})
      expect(response.status).toBe(422)
      expect(response.json().message).toMatch(/not supported/)
    }
  })
})

describe('query strings', () => {
  it('refuses an unknown query parameter, naming it, and a bad value', async () => {
    const unknown = await f.call('GET', '/teams/acme/members?rolee=admin')
    expect(unknown.status).toBe(422)
    expect(unknown.json().message).toContain('"rolee"')
    const bad = await f.call('GET', '/teams/acme/resource-usage?history=yes')
    expect(bad.status).toBe(422)
    expect(bad.json().id).toBe('invalid_params')
    expect((await f.call('GET', '/teams/acme/resource-usage?history=true')).status).toBe(200)
  })
})

describe('content types and ids in bodies', () => {
  it('parses JSON sent as application/json with a charset and as Heroku’s vendor type', async () => {
    for (const type of ['application/json; charset=utf-8', 'application/vnd.heroku+json; version=3', 'Application/JSON']) {
      const response = await f.call('PATCH', '/apps/acme-api/formation/web', {raw: '{"quantity": 2}', headers: {'content-type': type}})
      expect(response.status, type).toBe(200)
    }
  })

  it('takes a team, an app and an account by id in a body, and ~ for the caller', async () => {
    const created = await f.call('POST', '/teams/apps', {body: {name: 'by-team-id', team: team.id}})
    expect(created.status, created.text).toBe(201)
    expect(created.json().team.name).toBe('acme')
    const unchanged = await f.call('PATCH', `/teams/apps/${created.json().id}`, {body: {owner: team.id}})
    expect(unchanged.status).toBe(200)
    expect(unchanged.json().team.name).toBe('acme')
    const member = ((await f.call('GET', '/teams/acme/members')).json() as {email: string; user: {id: string}}[]).find(
      (m) => m.email === MEMBER,
    )!
    const joined = await f.call('POST', '/teams/apps/by-team-id/collaborators', {token: f.tokens[MEMBER], body: {user: '~'}})
    expect(joined.status, joined.text).toBe(201)
    expect(joined.json().user.email).toBe(MEMBER)
    const mine = (await f.call('POST', '/apps', {body: {name: 'to-give-away'}})).json() as {id: string}
    const outsider = (await f.call('GET', '/account', {token: f.tokens[OUTSIDER]})).json() as {id: string}
    const transfer = await f.call('POST', '/account/app-transfers', {body: {app: mine.id, recipient: outsider.id}})
    expect(transfer.status, transfer.text).toBe(201)
    expect(transfer.json()).toMatchObject({app: {name: 'to-give-away'}, recipient: {email: OUTSIDER}, state: 'pending'})
    expect(member.user.id).toMatch(/^[0-9a-f-]{36}$/)
  })
})
