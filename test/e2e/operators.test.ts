/**
 * Who provisions orgs, and their limits, through the CLI (on the store, and over HTTP: the same file
 * runs in both projects): operators named on the storage, orgs:create --admin, orgs:limits,
 * orgs:rename, orgs:destroy; each bad input one line and its exit code, nothing changed.
 */
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {HTTP, type Sandbox, sandbox} from '../helpers/cli.js'
import {ADMIN, DEV, ORG, expectError, expectJsonError, expectOk, expectUnchanged, show} from './_util.js'

type Runner = (...args: string[]) => ReturnType<Sandbox['run']>

const OPS = 'ops@platform.test'
const BOSS = 'boss@new.test'

describe('operators and org provisioning', () => {
  let box: Sandbox
  let admin: Runner
  let ops: Runner
  beforeAll(async () => {
    box = sandbox()
    admin = box.as(ADMIN)
    ops = box.as(OPS)
    expectOk(await admin('orgs:create', ORG, '--limit', 'apps=3', '--limit', 'members=5'))
    expectOk(await admin('members:add', DEV, '--org', ORG))
    expectOk(await admin('create', 'acme-api', '--org', ORG))
  })
  afterAll(() => box.cleanup())

  it('with no operator named: the org’s admins see and set its limits; members see them; a limit below use is refused naming it', async () => {
    const listed = expectOk(await box.onStorage(['operators', '--json']))
    expect(listed.json()).toEqual([])
    const shown = expectOk(await admin('orgs:limits', '--org', ORG, '--json')).json()
    expect(shown).toMatchObject({team: {name: ORG}, set_by: 'admins'})
    expect(shown.resources).toEqual([
      {name: 'apps', used: 1, limit: 3},
      {name: 'members', used: 2, limit: 5},
      {name: 'dyno-units', used: 0, limit: 200},
    ])
    expectOk(await box.as(DEV)('orgs:limits', '--org', ORG))
    const set = expectOk(await admin('orgs:limits', '--org', ORG, '--set', 'apps=4', '--json')).json()
    expect(set.resources[0]).toEqual({name: 'apps', used: 1, limit: 4})
    const below = await expectUnchanged(box, () => admin('orgs:limits', '--org', ORG, '--set', 'members=1'))
    expectError(below, 5, /^Error: members is at 2: a limit of 1 is below it \(org acme-widgets\)/)
    expectError(await expectUnchanged(box, () => box.as(DEV)('orgs:limits', '--org', ORG, '--set', 'apps=9')), 4, /needs an admin/)
  })

  it('operators are named on the storage only: over an API it is a usage error, before anything is sent', async () => {
    const refused = await box.run(undefined, ['operators:add', OPS], {env: {ORGCTL_API_URL: 'http://127.0.0.1:9'}})
    expectError(refused, 2, /^Error: orgctl operators:add is run directly on the storage/)
    const bad = await expectUnchanged(box, () => box.onStorage(['operators:add', 'not-an-email']))
    expectError(bad, 2, /Invalid email/)
    const added = expectOk(await box.onStorage(['operators:add', 'OPS@platform.test']))
    expect(added.stderr).toMatch(
      /^Naming ops@platform.test an operator\.\.\. done\nFrom now on only operators create orgs and change their limits/,
    )
    expect(expectOk(await box.onStorage(['operators:add', OPS, '--json'])).json()).toMatchObject({added: false, operators: 1})
    expect(
      expectOk(await box.onStorage(['operators', '--json']))
        .json()
        .map((o: {email: string}) => o.email),
    ).toEqual([OPS])
  })

  it('once one is named: only operators create orgs (for the admin they name) and change limits; admins cannot raise their own', async () => {
    const create = await expectUnchanged(box, () => admin('orgs:create', 'second-org'))
    expectError(create, 4, /^Error: You cannot create an org: operators are named on this platform, and only an operator can/)
    const raise = await expectUnchanged(box, () => admin('orgs:limits', '--org', ORG, '--set', 'apps=50'))
    expectError(raise, 4, /only an operator can/)
    expect(expectOk(await admin('orgs:limits', '--org', ORG, '--json')).json().set_by).toBe('operators')

    const made = expectOk(await ops('orgs:create', 'second-org', '--admin', BOSS, '--limit', 'apps=1', '--json'), 'operator creates')
    expect(made.json()).toMatchObject({name: 'second-org', role: null, limits: {apps: 1}})
    expect(
      expectOk(await box.as(BOSS)('orgs', '--json'))
        .json()
        .map((t: {name: string; role: string}) => [t.name, t.role]),
    ).toEqual([['second-org', 'admin']])
    expect(expectOk(await ops('orgs', '--json')).json()).toEqual([])
    // An operator sees and sets the limits of an org they are not a member of.
    expect(expectOk(await ops('orgs:limits', '--org', ORG, '--set', 'apps=6', '--json')).json().resources[0]).toEqual({
      name: 'apps',
      used: 1,
      limit: 6,
    })
    // A limit reached says an operator can raise it.
    expectOk(await box.as(BOSS)('create', 'second-one', '--org', 'second-org'))
    const reached = await expectUnchanged(box, () => box.as(BOSS)('create', 'second-two', '--org', 'second-org'))
    expectError(reached, 6, /or ask an operator to raise it \(orgctl orgs:limits --org second-org --set apps=2\)\.$/)
    expectOk(await box.as(BOSS)('apps:destroy', '--app', 'second-one', '--confirm', 'second-one'))
  })

  it('orgs:rename: admins; the apps go with it; a taken or bad name, or a member, is refused with nothing changed', async () => {
    expectError(await expectUnchanged(box, () => admin('orgs:rename', ORG, 'second-org')), 5, /The org name second-org is already taken/)
    expectError(await expectUnchanged(box, () => admin('orgs:rename', ORG, 'Bad Name')), 2, /Invalid org name/)
    expectError(await expectUnchanged(box, () => box.as(DEV)('orgs:rename', ORG, 'acme-renamed')), 4, /needs an admin/)
    // One argument and no --org: it is the new name, and the org is missing.
    expectError(await expectUnchanged(box, () => admin('orgs:rename', 'acme-renamed')), 2, /Missing org/)
    const renamed = expectOk(await admin('orgs:rename', ORG, 'acme-renamed'))
    expect(renamed.stderr).toMatch(/^Renaming acme-widgets to acme-renamed\.\.\. done/)
    expect(expectOk(await admin('orgs:info', '--org', 'acme-renamed', '--json')).json()).toMatchObject({
      name: 'acme-renamed',
      role: 'admin',
    })
    expect(
      expectOk(await admin('apps', '--org', 'acme-renamed', '--json'))
        .json()
        .map((a: {name: string}) => a.name),
    ).toEqual(['acme-api'])
    expect(expectOk(await box.as(DEV)('members', '--org', 'acme-renamed', '--json')).json()).toHaveLength(2)
    expectError(await admin('orgs:info', '--org', ORG), 3)
    // And back, with --org and one argument.
    expectOk(await admin('orgs:rename', ORG, '--org', 'acme-renamed'))
  })

  it('orgs:destroy: refused while it has apps, or without --confirm; then destroyed', async () => {
    const refused = await expectUnchanged(box, () => admin('orgs:destroy', ORG, '--confirm', ORG))
    expectError(refused, 5, /^Error: acme-widgets still has 1 app \(acme-api\): move them out/)
    expectError(await expectUnchanged(box, () => admin('orgs:destroy', ORG)), 2, /re-run with --confirm acme-widgets/)
    expectError(await expectUnchanged(box, () => admin('orgs:destroy', ORG, '--confirm', 'other')), 2, /did not match/)
    expectError(await expectUnchanged(box, () => box.as(DEV)('orgs:destroy', ORG, '--confirm', ORG)), 4)
    expectJsonError(await expectUnchanged(box, () => admin('orgs:destroy', ORG, '--confirm', ORG, '--json')), 5, 'conflict')
    expectOk(await admin('apps:destroy', '--app', 'acme-api', '--confirm', 'acme-api'))
    const destroyed = expectOk(await admin('orgs:destroy', ORG, '--confirm', ORG, '--json'))
    expect(destroyed.json()).toMatchObject({name: ORG})
    expect(expectOk(await box.as(DEV)('orgs', '--json')).json()).toEqual([])
    expectError(await admin('orgs:limits', '--org', ORG), 3)
  })

  it('removing the last operator says so; then anyone may create an org again', async () => {
    const removed = expectOk(await box.onStorage(['operators:remove', OPS]))
    expect(removed.stderr, show(removed)).toMatch(/That was the last operator: anyone may create an org again/)
    expect(expectOk(await box.onStorage(['operators:remove', OPS, '--json'])).json()).toEqual({email: OPS, removed: false, operators: 0})
    expectOk(await admin('orgs:create', ORG))
    expectOk(await admin('orgs:limits', '--org', ORG, '--set', 'apps=1'))
  })

  it('bad inputs: one line, a usage error, nothing changed', async () => {
    expectError(
      await expectUnchanged(box, () => admin('orgs:limits', '--org', ORG, '--set', 'apps=x')),
      2,
      /Invalid limit "apps=x".*--set apps=10/,
    )
    expectError(await expectUnchanged(box, () => admin('orgs:limits', '--org', ORG, '--set', 'seats=1')), 2, /Invalid limit/)
    expectError(await expectUnchanged(box, () => admin('orgs:create', 'third-org', '--admin', 'nobody')), 2, /Invalid email/)
    expectError(await expectUnchanged(box, () => box.onStorage(['operators:remove'])), 2)
    if (HTTP) expectError(await expectUnchanged(box, () => admin('operators')), 2, /is run directly on the storage/)
  })
})
