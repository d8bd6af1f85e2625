/**
 * Org resource limits (apps, members, dyno units), ps:scale, usage with its
 * daily history, and the billing estimate.
 */
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {type Sandbox, sandbox} from '../helpers/cli.js'
import {ADMIN, DEV, ORG, expectError, expectOk, expectUnchanged} from './_util.js'

type Runner = (...args: string[]) => ReturnType<Sandbox['run']>

describe('limits', () => {
  let box: Sandbox
  let admin: Runner
  beforeAll(async () => {
    box = sandbox()
    admin = box.as(ADMIN)
    expectOk(await admin('orgs:create', ORG, '--limit', 'apps=2', '--limit', 'members=3', '--limit', 'dyno-units=10'))
    for (const r of await Promise.all([
      admin('create', 'acme-api', '--org', ORG),
      admin('create', 'acme-web', '--org', ORG),
      admin('members:add', DEV, '--org', ORG),
    ])) {
      expectOk(r)
    }
  })
  afterAll(() => box.cleanup())

  it('refuses an app past the apps limit (exit 6) and creates nothing', async () => {
    const named = await expectUnchanged(box, () => admin('create', 'acme-extra', '--org', ORG))
    expectError(named, 6, /limit/)
    const generated = await expectUnchanged(box, () => box.as(DEV)('create', '--org', ORG))
    expectError(generated, 6)
    const apps = expectOk(await admin('apps', '--org', ORG, '--json')).json()
    expect(apps.map((a: any) => a.name)).toEqual(['acme-api', 'acme-web'])
    // a personal app is not counted against the org
    expectOk(await admin('create', 'admin-own'))
  })

  it('refuses a member past the members limit (exit 6), also via access:add', async () => {
    expectOk(await admin('members:add', 'third@acme.test', '--org', ORG))
    const add = await expectUnchanged(box, () => admin('members:add', 'fourth@acme.test', '--org', ORG))
    expectError(add, 6, /members/)
    const share = await expectUnchanged(box, () => admin('access:add', 'fourth@acme.test', '--app', 'acme-api'))
    expectError(share, 6)
    // re-adding someone already in does not count
    expectOk(await admin('members:add', DEV, '--org', ORG))
  })

  it('ps:scale counts dyno units by size and refuses to pass the limit, leaving the formation', async () => {
    const scaled = expectOk(await admin('ps:scale', 'web=2:standard-2x', '--app', 'acme-api'))
    expect(scaled.stderr).toBe('Scaling dynos on acme-api... done, now running web at 2:standard-2x\n')
    expectOk(await admin('ps:scale', 'worker=1', '--app', 'acme-web')) // standard-1x by default: 1 unit
    let usage = expectOk(await admin('orgs:usage', '--org', ORG, '--json')).json()
    expect(usage.resources.find((r: any) => r.name === 'dyno-units')).toEqual({name: 'dyno-units', used: 5, limit: 10})

    const before = expectOk(await admin('ps', '--app', 'acme-api', '--json')).json()
    // 2 × performance-m = 16 units: 16 + 1 (acme-web) > 10
    const over = await expectUnchanged(box, () => admin('ps:scale', 'web=2:performance-m', '--app', 'acme-api'))
    expectError(over, 6, /dyno-units/)
    const after = expectOk(await admin('ps', '--app', 'acme-api', '--json')).json()
    expect(after).toEqual(before)
    expect(after.map((f: any) => [f.type, f.quantity, f.size])).toEqual([['web', 2, 'standard-2x']])

    // several changes at once: all or nothing
    const mixed = await expectUnchanged(box, () => admin('ps:scale', 'web=1', 'worker=9', '--app', 'acme-web'))
    expectError(mixed, 6)

    // exactly up to the limit is fine: 4 + 6 = 10
    expectOk(await admin('ps:scale', 'worker=3:standard-2x', '--app', 'acme-web'))
    usage = expectOk(await admin('orgs:usage', '--org', ORG, '--json')).json()
    expect(usage.resources.find((r: any) => r.name === 'dyno-units').used).toBe(10)
  })

  it('weighs performance-m as 8 and performance-l as 16 units', async () => {
    const box2 = sandbox()
    try {
      const a = box2.as(ADMIN)
      expectOk(await a('orgs:create', ORG))
      await Promise.all([a('create', 'perf-m', '--org', ORG), a('create', 'perf-l', '--org', ORG)]).then((rs) =>
        rs.forEach((r) => expectOk(r)),
      )
      await Promise.all([
        a('ps:scale', 'web=1:performance-m', '--app', 'perf-m'),
        a('ps:scale', 'web=2:performance-l', '--app', 'perf-l'),
      ]).then((rs) => rs.forEach((r) => expectOk(r)))
      const info = expectOk(await a('orgs:info', '--org', ORG, '--json')).json()
      expect(info.usage['dyno-units']).toBe(8 + 32)
    } finally {
      await box2.cleanup()
    }
  })
})

describe('usage and billing', () => {
  let box: Sandbox
  let admin: Runner
  beforeAll(async () => {
    box = sandbox()
    admin = box.as(ADMIN)
    expectOk(await admin('orgs:create', ORG, '--limit', 'apps=4'))
    for (const r of await Promise.all([admin('create', 'acme-api', '--org', ORG), admin('members:add', DEV, '--org', ORG)])) expectOk(r)
    expectOk(await admin('ps:scale', 'web=2:standard-2x', '--app', 'acme-api'))
  })
  afterAll(() => box.cleanup())

  it('orgs:usage lists each resource with used and limit', async () => {
    const usage = expectOk(await admin('orgs:usage', '--org', ORG, '--json')).json()
    expect(usage.resources).toEqual([
      {name: 'apps', used: 1, limit: 4},
      {name: 'members', used: 2, limit: 50},
      {name: 'dyno-units', used: 4, limit: 200},
    ])
    expect(usage.history).toBeUndefined()
    const piped = expectOk(await admin('orgs:usage', '--org', ORG))
    expect(piped.stdout).toContain('apps\t1\t4\t25%\n')
  })

  it('orgs:usage --history has today with the day peaks', async () => {
    const usage = expectOk(await admin('orgs:usage', '--org', ORG, '--history', '--json')).json()
    const today = new Date().toISOString().slice(0, 10)
    const day = usage.history.find((d: any) => d.date === today)
    expect(day, JSON.stringify(usage.history)).toBeDefined()
    expect(day).toMatchObject({apps: 1, members: 2, 'dyno-units': 4})
  })

  it('orgs:billing shows each app with to-date and projected charges', async () => {
    const billing = expectOk(await admin('orgs:billing', '--org', ORG, '--json')).json()
    expect(billing.apps).toHaveLength(1)
    const [app] = billing.apps
    expect(app.app_name).toBe('acme-api')
    expect(typeof app.to_date).toBe('number')
    expect(typeof app.projected).toBe('number')
    expect(app.projected).toBeGreaterThan(0)
    expect(app.projected).toBeGreaterThanOrEqual(app.to_date)
    expect(app.projected).toBeLessThanOrEqual(100) // 2 × standard-2x = $100 a month at most
    expect(billing.month).toBe(new Date().toISOString().slice(0, 7))
  })

  it('usage and billing are for admins only: a member gets exit 4', async () => {
    const dev = box.as(DEV)
    const [usage, history, billing] = await Promise.all([
      dev('orgs:usage', '--org', ORG),
      dev('orgs:usage', '--org', ORG, '--history'),
      dev('orgs:billing', '--org', ORG),
    ])
    expectError(usage, 4)
    expectError(history, 4)
    expectError(billing, 4)
  })
})
