/**
 * The team resource's provisioning routes: Team Create with the first admin (extension `admin`), Team
 * Update (a rename, by name or id), Team Delete, and the limits extension; operators checked in the
 * domain from storage, so a server answers the same as the CLI on the store.
 */
import {rmSync} from 'node:fs'

import {afterEach, beforeEach, describe, expect, it} from 'vitest'

import {addOperator, removeOperator} from '../../src/lib/domain/operators.js'
import {createAuthorization} from '../../src/lib/domain/tokens.js'
import {txCtx} from '../helpers/tx-ctx.js'
import {ADMIN, type Fixture, MEMBER, OUTSIDER, startFixture} from './_fixture.js'

const OPS = 'ops@platform.test'

describe('team provisioning routes', () => {
  let f: Fixture
  let ops: string
  beforeEach(async () => {
    f = await startFixture()
    ops = await f.store.update(async (state) => (await createAuthorization(txCtx(state, OPS), 'ops')).token)
  })
  afterEach(async () => {
    await f.close()
    rmSync(f.dir, {recursive: true, force: true})
  })
  const nameOperator = () => f.store.update((state) => addOperator(txCtx(state, OUTSIDER), OPS))

  it('GET /teams/{team}/limits: limits with their use and who sets them; never cached across an operator being named', async () => {
    const first = await f.call('GET', '/teams/acme/limits')
    expect(first.status).toBe(200)
    expect(first.json()).toMatchObject({team: {name: 'acme'}, set_by: 'admins'})
    expect(first.json().resources.map((r: {name: string}) => r.name)).toEqual(['apps', 'members', 'dyno-units'])
    await nameOperator()
    expect((await f.call('GET', '/teams/acme/limits')).json().set_by).toBe('operators')
    expect((await f.call('GET', '/teams/acme/limits', {token: ops})).status).toBe(200)
    // By id too: an operator names any org by its id.
    const id = first.json().team.id
    expect((await f.call('GET', `/teams/${id}/limits`, {token: ops})).json().team.name).toBe('acme')
    expect((await f.call('GET', `/teams/${id}/limits`, {token: f.tokens[OUTSIDER]})).status).toBe(404)
    expect((await f.call('GET', '/teams/acme/limits', {token: f.tokens[OUTSIDER]})).status).toBe(404)
  })

  it('PATCH /teams/{team}/limits: admins while no operator is named, then operators only; below use is 409; bad bodies 422', async () => {
    expect((await f.call('PATCH', '/teams/acme/limits', {body: {apps: 9}})).json().resources[0]).toMatchObject({limit: 9})
    expect((await f.call('PATCH', '/teams/acme/limits', {token: f.tokens[MEMBER], body: {apps: 10}})).status).toBe(403)
    const below = await f.call('PATCH', '/teams/acme/limits', {body: {apps: 0}})
    expect([below.status, below.json().id]).toEqual([409, 'conflict'])
    expect(below.json().message).toMatch(/^apps is at 1: a limit of 0 is below it/)
    for (const body of [{seats: 1}, {apps: -1}, {apps: 'ten'}])
      expect((await f.call('PATCH', '/teams/acme/limits', {body})).status).toBe(422)
    await nameOperator()
    const refused = await f.call('PATCH', '/teams/acme/limits', {body: {apps: 50}})
    expect([refused.status, refused.json().id]).toEqual([403, 'forbidden'])
    expect((await f.call('PATCH', '/teams/acme/limits', {token: ops, body: {apps: 50}})).json().resources[0]).toMatchObject({limit: 50})
  })

  it('POST /teams: with an operator named, only operators; `admin` names the first admin (role null for the caller)', async () => {
    await nameOperator()
    expect((await f.call('POST', '/teams', {body: {name: 'beta'}})).status).toBe(403)
    const made = await f.call('POST', '/teams', {token: ops, body: {name: 'beta', admin: 'Boss@New.test', limits: {apps: 2}}})
    expect(made.status).toBe(201)
    expect(made.json()).toMatchObject({name: 'beta', role: null, limits: {apps: 2}})
    expect((await f.call('POST', '/teams', {token: ops, body: {name: 'gamma', admin: 'not an email'}})).status).toBe(422)
    await f.store.update((state) => removeOperator(txCtx(state, OUTSIDER), OPS))
    expect((await f.call('POST', '/teams', {body: {name: 'gamma'}})).json()).toMatchObject({name: 'gamma', role: 'admin'})
  })

  it('PATCH /teams/{team} renames (by name or id); a taken name is 409; members 403; default: true is refused', async () => {
    const id = (await f.call('GET', '/teams/acme')).json().id
    const renamed = await f.call('PATCH', `/teams/${id}`, {body: {name: 'acme-two'}})
    expect([renamed.status, renamed.json().name, renamed.json().id]).toEqual([200, 'acme-two', id])
    expect((await f.call('GET', '/teams/acme')).status).toBe(404)
    expect((await f.call('GET', '/teams/acme-two/apps')).json().map((a: {name: string}) => a.name)).toEqual(['acme-api'])
    expect((await f.call('PATCH', '/teams/acme-two', {token: f.tokens[MEMBER], body: {name: 'acme-three'}})).status).toBe(403)
    await f.call('POST', '/teams', {body: {name: 'zeta'}})
    expect((await f.call('PATCH', '/teams/acme-two', {body: {name: 'zeta'}})).status).toBe(409)
    expect((await f.call('PATCH', '/teams/acme-two', {body: {name: 'Bad Name'}})).status).toBe(422)
    expect((await f.call('PATCH', '/teams/acme-two', {body: {default: true}})).status).toBe(422)
    expect((await f.call('PATCH', '/teams/acme-two', {body: {default: false}})).json().name).toBe('acme-two')
  })

  it('DELETE /teams/{team}: refused while it has apps (409), by members (403); then gone', async () => {
    const refused = await f.call('DELETE', '/teams/acme')
    expect([refused.status, refused.json().id]).toEqual([409, 'conflict'])
    expect(refused.json().message).toMatch(/^acme still has 1 app \(acme-api\)/)
    expect((await f.call('DELETE', '/teams/acme', {token: f.tokens[MEMBER]})).status).toBe(403)
    expect((await f.call('DELETE', '/apps/acme-api')).status).toBe(200)
    const destroyed = await f.call('DELETE', '/teams/acme')
    expect([destroyed.status, destroyed.json().name]).toEqual([200, 'acme'])
    expect((await f.call('GET', '/teams/acme')).status).toBe(404)
    expect((await f.call('GET', '/teams', {token: f.tokens[ADMIN]})).json()).toEqual([])
  })
})
