/**
 * apps:transfer in all its directions, pending personal transfers, and bulk
 * transfers that report each app, survive failures and finish on a rerun.
 */
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {type Sandbox, sandbox} from '../helpers/cli.js'
import {ADMIN, DEV, ORG, expectError, expectOk, expectUnchanged, lines, show} from './_util.js'

type Runner = (...args: string[]) => ReturnType<Sandbox['run']>

async function allOk(runs: Promise<Awaited<ReturnType<Sandbox['run']>>>[]): Promise<void> {
  for (const r of await Promise.all(runs)) expectOk(r, 'setup')
}

describe('single transfers', () => {
  let box: Sandbox
  let admin: Runner
  let dev: Runner
  beforeAll(async () => {
    box = sandbox()
    admin = box.as(ADMIN)
    dev = box.as(DEV)
    expectOk(await admin('orgs:create', ORG))
    await allOk([
      admin('orgs:create', 'acme-labs'),
      admin('members:add', DEV, '--org', ORG),
      dev('create', 'dev-api'),
      dev('create', 'dev-web'),
      box.as('stranger@else.test')('create', 'strange-app'),
    ])
  })
  afterAll(() => box.cleanup())

  it('moves a personal app into an org at once, by its owner who is a member', async () => {
    expectOk(await dev('access:add', 'friend@else.test', '--app', 'dev-api'))
    const moved = expectOk(await dev('apps:transfer', ORG, '--app', 'dev-api'))
    expect(moved.stderr).toBe(`Transferring dev-api to ${ORG}... done\n`)
    const info = expectOk(await admin('apps:info', '--app', 'dev-api', '--json')).json()
    expect(info).toMatchObject({team: {name: ORG}, owner: {email: `${ORG}@herokumanager.com`}})
    const access = expectOk(await admin('access', '--app', 'dev-api', '--json')).json()
    const byEmail = Object.fromEntries(access.map((c: any) => [c.user.email, c.permissions.map((p: any) => p.name).sort()]))
    expect(byEmail[DEV]).toEqual(['deploy', 'manage', 'operate', 'view'])
    expect(byEmail['friend@else.test']).toBeDefined()
    const apps = expectOk(await admin('apps', '--org', ORG, '--json')).json()
    expect(apps.map((a: any) => a.name)).toContain('dev-api')
  })

  it('refuses a transfer into an org the owner is not in (exit 3), changing nothing', async () => {
    const refused = await expectUnchanged(box, () => box.as('stranger@else.test')('apps:transfer', ORG, '--app', 'strange-app'))
    expectError(refused, 3)
  })

  it('moves an org app to another org, by an admin who is a member of both (sharing:transfer alias)', async () => {
    expectOk(await admin('create', 'acme-tool', '--org', ORG))
    const moved = expectOk(await admin('sharing:transfer', 'acme-labs', '--app', 'acme-tool'))
    expect(moved.stderr).toBe('Transferring acme-tool to acme-labs... done\n')
    expect(expectOk(await admin('apps:info', '--app', 'acme-tool', '--json')).json().team.name).toBe('acme-labs')
    expectError(await expectUnchanged(box, () => dev('apps:transfer', 'acme-labs', '--app', 'dev-api')), 3)
  })

  it('an org app goes to a user only with --confirm off a terminal, losing all collaborators', async () => {
    expectOk(await admin('create', 'acme-old', '--org', ORG))
    expectOk(await admin('access:add', 'friend@else.test', '--app', 'acme-old', '--permissions', 'deploy'))
    const refused = await expectUnchanged(box, () => admin('apps:transfer', DEV, '--app', 'acme-old'))
    expectError(refused, 2, /--confirm acme-old/)
    const mismatch = await expectUnchanged(box, () => admin('apps:transfer', DEV, '--app', 'acme-old', '--confirm', 'acme-api'))
    expectError(mismatch, 2)
    const memberTry = await expectUnchanged(box, () => dev('apps:transfer', DEV, '--app', 'acme-old', '--confirm', 'acme-old'))
    expectError(memberTry, 4)
    expectOk(await admin('apps:transfer', DEV, '--app', 'acme-old', '--confirm', 'acme-old'))
    const info = expectOk(await dev('apps:info', '--app', 'acme-old', '--json')).json()
    expect(info.owner.email).toBe(DEV)
    expect(info.team).toBeNull()
    const access = expectOk(await dev('access', '--app', 'acme-old', '--json')).json()
    expect(access.map((c: any) => c.user.email)).toEqual([DEV])
    expectError(await box.as('friend@else.test')('apps:info', '--app', 'acme-old'), 3)
  })
})

describe('personal to personal: pending transfers', () => {
  let box: Sandbox
  const alice = 'alice@solo.test'
  const bob = 'bob@solo.test'
  beforeAll(async () => {
    box = sandbox()
    await allOk(['a-one', 'a-two', 'a-three'].map((app) => box.as(alice)('create', app)))
  })
  afterAll(() => box.cleanup())

  async function send(app: string): Promise<string> {
    const sent = expectOk(await box.as(alice)('apps:transfer', bob, '--app', app, '--json')).json()
    expect(sent.transfer).toMatchObject({state: 'pending', app: {name: app}, owner: {email: alice}, recipient: {email: bob}})
    expect(sent.moved).toBe(false)
    return sent.transfer.id
  }

  it('creates a pending transfer that both sides see; the recipient accepts it', async () => {
    const plain = expectOk(await box.as(alice)('apps:transfer', bob, '--app', 'a-one'))
    expect(plain.stderr).toMatch(/^Transferring a-one to bob@solo\.test\.\.\. pending/)
    const [mine, theirs] = await Promise.all([box.as(alice)('transfers', '--json'), box.as(bob)('transfers', '--json')])
    expect(expectOk(mine).json()).toEqual(expectOk(theirs).json())
    const [transfer] = mine.json()
    expect(transfer).toMatchObject({app: {name: 'a-one'}, owner: {email: alice}, recipient: {email: bob}, state: 'pending'})
    // still alice's until accepted
    expect(expectOk(await box.as(alice)('apps:info', '--app', 'a-one', '--json')).json().owner.email).toBe(alice)
    expectError(await expectUnchanged(box, () => box.as(alice)('transfers:accept', transfer.id)), 4)
    expectError(await expectUnchanged(box, () => box.as('eve@else.test')('transfers:accept', transfer.id)), 3)
    const accepted = expectOk(await box.as(bob)('transfers:accept', transfer.id))
    expect(accepted.stderr).toBe(`Accepting transfer ${transfer.id}... done\n`)
    expect(expectOk(await box.as(bob)('apps:info', '--app', 'a-one', '--json')).json().owner.email).toBe(bob)
    const state = expectOk(await box.as(bob)('transfers', '--json')).json()
    expect(state.find((t: any) => t.id === transfer.id)?.state).toBe('accepted')
  })

  it('the recipient can decline; the app stays put', async () => {
    const id = await send('a-two')
    expectError(await expectUnchanged(box, () => box.as(alice)('transfers:decline', id)), 4)
    expectOk(await box.as(bob)('transfers:decline', id))
    expect(expectOk(await box.as(alice)('apps:info', '--app', 'a-two', '--json')).json().owner.email).toBe(alice)
    expectError(await expectUnchanged(box, () => box.as(bob)('transfers:accept', id)), 5)
  })

  it('the sender can cancel (the recipient cannot); unknown ids are not found', async () => {
    const id = await send('a-three')
    expectError(await expectUnchanged(box, () => box.as(bob)('transfers:cancel', id)), 4)
    expectOk(await box.as(alice)('transfers:cancel', id))
    const left = expectOk(await box.as(bob)('transfers', '--json')).json()
    expect(left.find((t: any) => t.id === id && t.state === 'pending')).toBeUndefined()
    expectError(await expectUnchanged(box, () => box.as(bob)('transfers:accept', id)), 3)
    expectError(await box.as(bob)('transfers:accept', '00000000-0000-0000-0000-000000000000'), 3)
  })
})

describe('bulk transfers', () => {
  let box: Sandbox
  let admin: Runner
  let dev: Runner
  const apps = ['bulk-one', 'bulk-two', 'bulk-three']
  beforeAll(async () => {
    box = sandbox()
    admin = box.as(ADMIN)
    dev = box.as(DEV)
    // room for 3 apps; one is taken, so only two of the three can move in
    expectOk(await admin('orgs:create', ORG, '--limit', 'apps=3'))
    await allOk([
      admin('members:add', DEV, '--org', ORG, '--role', 'admin'),
      admin('create', 'acme-filler', '--org', ORG),
      ...apps.map((app) => dev('create', app)),
    ])
  })
  afterAll(() => box.cleanup())

  it('reports each app, keeps going after a failure, exits 1 naming the failed apps', async () => {
    const run = await dev('apps:transfer', ORG, ...apps.flatMap((app) => ['--app', app]))
    const context = show(run)
    expect(run.code, context).toBe(1)
    const stderr = lines(run.stderr)
    expect(
      stderr.filter((line) => line === `Transferring bulk-one to ${ORG}... done`),
      context,
    ).toHaveLength(1)
    expect(
      stderr.filter((line) => line === `Transferring bulk-two to ${ORG}... done`),
      context,
    ).toHaveLength(1)
    expect(
      stderr.filter((line) => line.startsWith(`Transferring bulk-three to ${ORG}... failed`)),
      context,
    ).toHaveLength(1)
    const errors = stderr.filter((line) => line.startsWith('Error: '))
    expect(errors, context).toHaveLength(1)
    expect(errors[0]).toContain('bulk-three')
    expect(errors[0]).not.toContain('bulk-one')
    expect(run.stderr).not.toMatch(/^\s+at /m)
    const listed = expectOk(await admin('apps', '--org', ORG, '--json'))
      .json()
      .map((a: any) => a.name)
    expect(listed.sort()).toEqual(['acme-filler', 'bulk-one', 'bulk-two'])
  })

  it('under --json prints one partial_failure document with every result', async () => {
    const run = await dev('apps:transfer', ORG, ...apps.flatMap((app) => ['--app', app]), '--json')
    expect(run.code, show(run)).toBe(1)
    const body = run.json()
    expect(body.id).toBe('partial_failure')
    expect(body.message).toContain('bulk-three')
    expect(body.results.map((r: any) => [r.app, r.status])).toEqual([
      ['bulk-one', 'unchanged'],
      ['bulk-two', 'unchanged'],
      ['bulk-three', 'failed'],
    ])
    expect(body.results[2].error).toMatchObject({id: 'limit_reached'})
    expect(lines(run.stderr).filter((line) => line.startsWith('Transferring'))).toEqual([])
  })

  it('a rerun after fixing the cause finishes the job', async () => {
    expectOk(await admin('apps:destroy', '--app', 'acme-filler', '--confirm', 'acme-filler'))
    const run = expectOk(await dev('apps:transfer', ORG, ...apps.flatMap((app) => ['--app', app]), '--json'))
    expect(run.json().map((r: any) => [r.app, r.status])).toEqual([
      ['bulk-one', 'unchanged'],
      ['bulk-two', 'unchanged'],
      ['bulk-three', 'moved'],
    ])
    const listed = expectOk(await admin('apps', '--org', ORG, '--json'))
      .json()
      .map((a: any) => a.name)
    expect(listed.sort()).toEqual([...apps].sort())
  })

  it('--locked locks the apps in the target org', async () => {
    const box2 = sandbox()
    try {
      const a = box2.as(ADMIN)
      expectOk(await a('orgs:create', ORG))
      await allOk([a('create', 'lk-one'), a('create', 'lk-two')])
      const run = expectOk(await a('apps:transfer', ORG, '--app', 'lk-one', '--app', 'lk-two', '--locked'))
      expect(lines(run.stderr).sort()).toEqual([`Transferring lk-one to ${ORG}... done`, `Transferring lk-two to ${ORG}... done`])
      const listed = expectOk(await a('apps', '--org', ORG, '--json')).json()
      expect(listed.map((app: any) => [app.name, app.locked])).toEqual([
        ['lk-one', true],
        ['lk-two', true],
      ])
    } finally {
      await box2.cleanup()
    }
  })

  it('a failure on the first app does not stop the ones after it', async () => {
    // make room in the org (its apps limit is 3), then send an unknown app first
    await allOk([dev('create', 'bulk-late'), admin('apps:destroy', '--app', 'bulk-one', '--confirm', 'bulk-one')])
    const run = await dev('apps:transfer', ORG, '--app', 'ghost-app', '--app', 'bulk-late')
    expect(run.code, show(run)).toBe(1)
    expect(lines(run.stderr)).toContain(`Transferring bulk-late to ${ORG}... done`)
    expect(lines(run.stderr).at(-1)).toMatch(/^Error: .*ghost-app/)
    expect(lines(run.stderr).at(-1)).not.toContain('bulk-late')
  })

  it('--bulk without a terminal and without --app is a usage error (exit 2)', async () => {
    const run = await expectUnchanged(box, () => dev('apps:transfer', ORG, '--bulk'))
    expectError(run, 2, /--app/)
  })
})
