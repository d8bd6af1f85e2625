/**
 * access:check and access:who-can through the CLI, on the store and over HTTP alike: the exit code is
 * the answer (0 allowed, 1 not), every error keeps its own code, --explain and --json say why.
 */
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {type Sandbox, sandbox} from '../helpers/cli.js'
import {ADMIN, DEV, ORG, expectError, expectOk, show} from './_util.js'

const APP = 'acme-api'
const VAULT = 'acme-vault'
const CONTRACTOR = 'contractor@ext.test'

describe('access:check', () => {
  let box: Sandbox
  let admin: (...args: string[]) => ReturnType<Sandbox['run']>
  beforeAll(async () => {
    box = sandbox()
    admin = box.as(ADMIN)
    expectOk(await admin('orgs:create', ORG))
    for (const args of [
      ['members:add', DEV, '--org', ORG],
      ['create', APP, '--org', ORG],
      ['create', VAULT, '--org', ORG],
      ['access:add', CONTRACTOR, '--app', APP, '--permissions', 'deploy'],
      ['access:add', CONTRACTOR, '--app', VAULT, '--permissions', 'manage'],
      ['apps:lock', '--app', VAULT],
    ])
      expectOk(await admin(...args), args.join(' '))
  })
  afterAll(() => box.cleanup())

  const cases: [string, string, string, number][] = [
    [ADMIN, 'manage', APP, 0],
    [DEV, 'view', APP, 0],
    [DEV, 'deploy', APP, 1],
    [CONTRACTOR, 'deploy', APP, 0],
    [CONTRACTOR, 'operate', APP, 1],
    [CONTRACTOR, 'manage', VAULT, 0],
    [CONTRACTOR, 'deploy', VAULT, 1],
    ['stranger@else.test', 'view', APP, 1],
  ]
  it.each(cases)('%s %s on %s exits %i', async (email, permission, app, code) => {
    const result = await admin('access:check', email, permission, '--app', app)
    expect(result.code, show(result)).toBe(code)
    expect(result.stdout).toBe(`${email} ${code === 0 ? 'can' : 'cannot'} ${permission} ${app}\n`)
    expect(result.stderr).toBe('')
  })

  it('explains, and prints one JSON document either way', async () => {
    const explained = await admin('access:check', DEV, 'operate', '--app', APP, '--explain')
    expect(explained.code).toBe(1)
    expect(explained.stdout).toBe(`${DEV} cannot operate ${APP}: member: no operate on this app\n`)
    const yes = expectOk(await admin('access:check', CONTRACTOR, 'deploy', '--app', APP, '--json')).json()
    expect(yes).toEqual({allowed: true, email: CONTRACTOR, app: APP, permission: 'deploy', via: 'collaborator with view, deploy'})
    const no = await admin('access:check', ADMIN.toUpperCase(), 'view', '--app', VAULT, '--json')
    expect(no.code).toBe(0)
    expect(no.json()).toMatchObject({allowed: true, email: ADMIN, via: `admin of ${ORG}`})
    const refused = await box.as(DEV)('access:check', CONTRACTOR, 'operate', '--app', APP, '--json')
    expect(refused.code).toBe(1)
    expect(refused.json()).toMatchObject({allowed: false, via: 'collaborator with view, deploy: no operate on this app'})
  })

  it('keeps every error its own code: never 1', async () => {
    expectError(await admin('access:check', DEV, 'view', '--app', 'no-such-app'), 3, /Couldn't find app no-such-app/)
    expectError(await admin('access:check', DEV, 'fly', '--app', APP), 2, /Unknown permission "fly"/)
    expectError(await admin('access:check', 'not-an-email', 'view', '--app', APP), 2, /Invalid email/)
    expectError(await admin('access:check', DEV, 'view'), 2, /Missing app/)
    // Someone who may not list the app's access may not ask.
    expectError(await box.as('stranger@else.test')('access:check', DEV, 'view', '--app', APP), 3)
  })

  it('who-can lists the holders and how', async () => {
    const rows = expectOk(await admin('access:who-can', 'deploy', '--app', APP, '--json')).json()
    expect(rows.map((row: {email: string; via: string}) => [row.email, row.via])).toEqual([
      [ADMIN, `admin of ${ORG}`],
      [CONTRACTOR, 'collaborator with view, deploy'],
    ])
    const viewers = expectOk(await admin('access:who-can', 'view', '--app', APP))
    expect(viewers.stdout).toBe(`${ADMIN}\tadmin of ${ORG}\n${CONTRACTOR}\tcollaborator with view, deploy\n${DEV}\tmember of ${ORG}\n`)
    expectError(await admin('access:who-can', 'everything', '--app', APP), 2)
  })
})
