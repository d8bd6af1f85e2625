/**
 * The guide's walk-through, end to end: provision an org, add members, create
 * apps, share them, lock and join. Outcomes as a user sees them: exit codes,
 * action lines on stderr, JSON on stdout, and an untouched store after a refusal.
 */
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {type Sandbox, sandbox} from '../helpers/cli.js'
import {ADMIN, DEV, ORG, expectError, expectOk, expectUnchanged, readStore, storeBytes} from './_util.js'

describe('provisioning an org', () => {
  let box: Sandbox
  beforeAll(() => {
    box = sandbox()
  })
  afterAll(() => box.cleanup())

  it('creates an org with limits; the creator is its only admin', async () => {
    const admin = box.as(ADMIN)
    const created = await admin('orgs:create', ORG, '--limit', 'apps=5', '--limit', 'members=7', '--limit', 'dyno-units=30')
    expectOk(created)
    expect(created.stderr).toBe(`Creating org ${ORG}... done\n`)
    const [members, info, orgs, teams] = await Promise.all([
      admin('members', '--org', ORG, '--json'),
      admin('orgs:info', '--org', ORG, '--json'),
      admin('orgs', '--json'),
      admin('teams', '--json'),
    ])
    expect(expectOk(members).json()).toEqual([
      expect.objectContaining({email: ADMIN, role: 'admin', user: expect.objectContaining({email: ADMIN, id: expect.any(String)})}),
    ])
    const body = expectOk(info).json()
    expect(body).toMatchObject({
      name: ORG,
      role: 'admin',
      limits: {apps: 5, members: 7, 'dyno-units': 30},
      usage: {apps: 0, members: 1, 'dyno-units': 0},
    })
    expect(expectOk(orgs).json()).toEqual([expect.objectContaining({name: ORG, role: 'admin'})])
    expect(expectOk(teams).json()).toEqual(orgs.json())
  })

  it('uses default limits when none are given, and refuses a taken org name (exit 5)', async () => {
    const admin = box.as(ADMIN)
    expectOk(await admin('orgs:create', 'acme-default'))
    const info = expectOk(await admin('orgs:info', 'acme-default', '--json')).json()
    expect(info.limits).toEqual({apps: 100, members: 50, 'dyno-units': 200})
    const taken = await expectUnchanged(box, () => box.as('other@acme.test')('orgs:create', ORG))
    expectError(taken, 5, /taken/)
  })

  it('lists orgs as a piped table: name and role, tab-separated', async () => {
    const orgs = expectOk(await box.as(ADMIN)('orgs'))
    expect(orgs.stdout).toBe(`acme-default\tadmin\n${ORG}\tadmin\n`)
  })
})

describe('members', () => {
  let box: Sandbox
  let admin: (...args: string[]) => ReturnType<Sandbox['run']>
  beforeAll(async () => {
    box = sandbox()
    admin = box.as(ADMIN)
    expectOk(await admin('orgs:create', ORG))
  })
  afterAll(() => box.cleanup())

  it('adds a member (default role) with the documented action line', async () => {
    const added = expectOk(await admin('members:add', DEV, '--org', ORG))
    expect(added.stderr).toBe(`Adding ${DEV} to ${ORG} as member... done\n`)
    expect(added.stdout).toBe('')
    const members = expectOk(await admin('members', '--org', ORG, '--json')).json()
    expect(members.map((m: any) => [m.email, m.role])).toEqual([
      [ADMIN, 'admin'],
      [DEV, 'member'],
    ])
    for (const member of members) expect(member.user).toMatchObject({email: member.email, id: expect.any(String)})
  })

  it('accepts -t, --team and ORGCTL_ORG for the org, and --role', async () => {
    const [a, b, c] = await Promise.all([
      admin('members:add', 'ops@acme.test', '-t', ORG, '--role', 'admin'),
      admin('members:add', 'qa@acme.test', '--team', ORG, '--role', 'collaborator'),
      box.run(ADMIN, ['members:add', 'pm@acme.test'], {env: {ORGCTL_ORG: ORG}}),
    ])
    expect(expectOk(a).stderr).toBe(`Adding ops@acme.test to ${ORG} as admin... done\n`)
    expect(expectOk(b).stderr).toBe(`Adding qa@acme.test to ${ORG} as collaborator... done\n`)
    expect(expectOk(c).stderr).toBe(`Adding pm@acme.test to ${ORG} as member... done\n`)
    const members = expectOk(await admin('members', '--org', ORG, '--json')).json()
    expect(Object.fromEntries(members.map((m: any) => [m.email, m.role]))).toEqual({
      [ADMIN]: 'admin',
      [DEV]: 'member',
      'ops@acme.test': 'admin',
      'qa@acme.test': 'collaborator',
      'pm@acme.test': 'member',
    })
  })

  it('re-adding with the same role succeeds and changes nothing; a different role is a conflict (exit 5)', async () => {
    const same = await expectUnchanged(box, () => admin('members:add', DEV, '--org', ORG, '--role', 'member'))
    expectOk(same)
    const other = await expectUnchanged(box, () => admin('members:add', DEV, '--org', ORG, '--role', 'admin'))
    expectError(other, 5, /members:set/)
  })

  it('filters by --role', async () => {
    const admins = expectOk(await admin('members', '--org', ORG, '--role', 'admin', '--json')).json()
    expect(admins.map((m: any) => m.email).sort()).toEqual([ADMIN, 'ops@acme.test'])
    const piped = expectOk(await admin('members', '--org', ORG, '--role', 'member'))
    expect(piped.stdout).toBe(`${DEV}\tmember\npm@acme.test\tmember\n`)
  })

  it('members:set changes a role', async () => {
    expectOk(await admin('members:set', 'pm@acme.test', '--role', 'admin', '--org', ORG))
    const admins = expectOk(await admin('members', '--org', ORG, '--role', 'admin', '--json')).json()
    expect(admins.map((m: any) => m.email).sort()).toEqual([ADMIN, 'ops@acme.test', 'pm@acme.test'])
  })

  it('members:remove takes someone out', async () => {
    const removed = expectOk(await admin('members:remove', 'qa@acme.test', '--org', ORG))
    expect(removed.stderr).toBe(`Removing qa@acme.test from ${ORG}... done\n`)
    const members = expectOk(await admin('members', '--org', ORG, '--json')).json()
    expect(members.map((m: any) => m.email)).not.toContain('qa@acme.test')
  })

  it('refuses to remove or demote the last admin (exit 5), changing nothing', async () => {
    const box2 = sandbox()
    try {
      const solo = box2.as(ADMIN)
      expectOk(await solo('orgs:create', ORG))
      expectOk(await solo('members:add', DEV, '--org', ORG))
      const demote = await expectUnchanged(box2, () => solo('members:set', ADMIN, '--role', 'member', '--org', ORG))
      expectError(demote, 5, /last admin/)
      const remove = await expectUnchanged(box2, () => solo('members:remove', ADMIN, '--org', ORG))
      expectError(remove, 5, /last admin/)
      const members = expectOk(await solo('members', '--org', ORG, '--json')).json()
      expect(members.find((m: any) => m.email === ADMIN)?.role).toBe('admin')
    } finally {
      await box2.cleanup()
    }
  })

  it('a removed member loses all access to the org apps at once', async () => {
    const box2 = sandbox()
    try {
      const a = box2.as(ADMIN)
      expectOk(await a('orgs:create', ORG))
      expectOk(await a('members:add', DEV, '--org', ORG))
      await Promise.all([a('create', 'acme-api', '--org', ORG), a('create', 'acme-web', '--org', ORG)]).then((rs) =>
        rs.forEach((r) => expectOk(r)),
      )
      const dev = box2.as(DEV)
      expectOk(await dev('apps:join', '--app', 'acme-api'))
      expectOk(await a('access:add', DEV, '--app', 'acme-web', '--permissions', 'deploy'))
      const before = expectOk(await a('access', '--app', 'acme-api', '--json')).json()
      expect(before.map((c: any) => c.user.email)).toContain(DEV)

      expectOk(await a('members:remove', DEV, '--org', ORG))

      const store = await readStore(box2.store)
      for (const app of store.apps) expect(JSON.stringify(app), `collaborator record left on ${app.name}`).not.toContain(DEV)
      const [accessApi, accessWeb, members, info, ps, apps] = await Promise.all([
        a('access', '--app', 'acme-api', '--json'),
        a('access', '--app', 'acme-web', '--json'),
        a('members', '--org', ORG, '--json'),
        dev('apps:info', '--app', 'acme-api'),
        dev('ps', '--app', 'acme-web'),
        dev('apps', '--org', ORG),
      ])
      expect(
        expectOk(accessApi)
          .json()
          .map((c: any) => c.user.email),
      ).not.toContain(DEV)
      expect(
        expectOk(accessWeb)
          .json()
          .map((c: any) => c.user.email),
      ).not.toContain(DEV)
      expect(
        expectOk(members)
          .json()
          .map((m: any) => m.email),
      ).not.toContain(DEV)
      expectError(info, 3)
      expectError(ps, 3)
      expectError(apps, 3)
    } finally {
      await box2.cleanup()
    }
  })
})

describe('apps', () => {
  let box: Sandbox
  let admin: (...args: string[]) => ReturnType<Sandbox['run']>
  beforeAll(async () => {
    box = sandbox()
    admin = box.as(ADMIN)
    expectOk(await admin('orgs:create', ORG))
    expectOk(await admin('members:add', DEV, '--org', ORG))
  })
  afterAll(() => box.cleanup())

  it('creates named org apps (create and apps:create), in a region', async () => {
    const [api, web] = await Promise.all([
      admin('create', 'acme-api', '--org', ORG),
      admin('apps:create', 'acme-web', '-t', ORG, '--region', 'eu'),
    ])
    expect(expectOk(api).stderr).toBe(`Creating acme-api in org ${ORG}... done\n`)
    // No made-up herokuapp.com / git.heroku.com addresses: orgctl's apps live on no such host.
    expect(api.stdout).toBe('')
    expectOk(web)
    const info = expectOk(await admin('apps:info', '--app', 'acme-web', '--json')).json()
    expect(info).toMatchObject({
      name: 'acme-web',
      region: {name: 'eu'},
      team: {name: ORG},
      locked: false,
      owner: {email: `${ORG}@herokumanager.com`},
    })
  })

  it('generates word-word-1234 names when none is given', async () => {
    const results = await Promise.all([admin('create', '--json'), admin('create', '--json'), admin('create', '--json')])
    const names = results.map((r) => expectOk(r).json().name as string)
    expect(new Set(names).size).toBe(3)
    for (const name of names) expect(name).toMatch(/^[a-z][a-z0-9-]{1,28}[a-z0-9]$/)
    expect(names.filter((name) => /^[a-z]+-[a-z]+-\d{4}$/.test(name)).length).toBeGreaterThanOrEqual(2)
    const plain = expectOk(await admin('create'))
    expect(plain.stderr).toMatch(/^Creating app\.\.\. done, [a-z]+-[a-z]+-\d+\n$/)
  })

  it('refuses a taken name (exit 5) and bad names (exit 2), creating nothing', async () => {
    const taken = await expectUnchanged(box, () => box.as(DEV)('create', 'acme-api'))
    expectError(taken, 5, /taken/)
    const bad = await Promise.all(['ab', 'Acme', '9lives', 'trailing-', 'a'.repeat(31), 'under_score'].map((name) => admin('create', name)))
    for (const r of bad) expectError(r, 2, /Invalid app name/)
    const ok30 = expectOk(await admin('create', `a${'b'.repeat(28)}9`))
    expect(ok30.stderr).toMatch(/done/)
  })

  it('lists org apps with [locked], and personal plus collaborated apps', async () => {
    expectOk(await admin('apps:lock', '--app', 'acme-api'))
    const listed = expectOk(await admin('apps', '--org', ORG))
    // Piped: rows of name, owner, region, locked (the === heading and [locked] labels are for a terminal).
    expect(listed.stdout).not.toContain('===')
    expect(listed.stdout).toMatch(new RegExp(`^acme-api\t${ORG}\tus\tlocked$`, 'm'))
    expect(listed.stdout).toMatch(new RegExp(`^acme-web\t${ORG}\teu\tunlocked$`, 'm'))
    const dev = box.as(DEV)
    expectOk(await dev('create', 'dev-own'))
    expectOk(await dev('apps:join', '--app', 'acme-web'))
    const mine = expectOk(await dev('apps', '--json')).json()
    expect(mine.map((a: any) => a.name).sort()).toEqual(['acme-web', 'dev-own'])
  })

  it('apps:destroy needs --confirm off a terminal (exit 2, nothing changed), then destroys', async () => {
    const refused = await expectUnchanged(box, () => admin('apps:destroy', '--app', 'acme-web'))
    expectError(refused, 2, /--confirm/)
    const mismatch = await expectUnchanged(box, () => admin('apps:destroy', '--app', 'acme-web', '--confirm', 'acme-api'))
    expectError(mismatch, 2)
    expectOk(await admin('apps:destroy', '--app', 'acme-web', '--confirm', 'acme-web'))
    expectError(await admin('apps:info', '--app', 'acme-web'), 3)
  })
})

describe('sharing', () => {
  let box: Sandbox
  let admin: (...args: string[]) => ReturnType<Sandbox['run']>
  beforeAll(async () => {
    box = sandbox()
    admin = box.as(ADMIN)
    expectOk(await admin('orgs:create', ORG))
    expectOk(await admin('create', 'acme-api', '--org', ORG))
  })
  afterAll(() => box.cleanup())

  it('access:add grants view plus the listed permissions', async () => {
    const added = expectOk(await admin('access:add', 'ext@partner.test', '--app', 'acme-api', '--permissions', 'deploy,operate'))
    expect(added.stderr).toBe('Adding ext@partner.test access to the app acme-api with view, deploy, operate permissions... done\n')
    const body = expectOk(
      await admin('access:add', 'ext@partner.test', '--app', 'acme-api', '--permissions', 'operate,deploy', '--json'),
    ).json()
    expect(body.user.email).toBe('ext@partner.test')
    expect(body.role).toBe('collaborator')
    expect(body.permissions.map((p: any) => p.name).sort()).toEqual(['deploy', 'operate', 'view'])
  })

  it('access and sharing list the same collaborators', async () => {
    const [access, sharing, piped] = await Promise.all([
      admin('access', '--app', 'acme-api', '--json'),
      admin('sharing', '--app', 'acme-api', '--json'),
      admin('access', '-a', 'acme-api'),
    ])
    expect(expectOk(access).json()).toEqual(expectOk(sharing).json())
    const rows = access.json().map((c: any) => [c.user.email, c.role])
    expect(rows).toEqual(
      expect.arrayContaining([
        [ADMIN, 'admin'],
        ['ext@partner.test', 'collaborator'],
      ]),
    )
    expect(expectOk(piped).stdout).toContain('ext@partner.test\tcollaborator\tview, deploy, operate\n')
  })

  it('someone given access without membership shows in members as collaborator', async () => {
    const members = expectOk(await admin('members', '--org', ORG, '--json')).json()
    expect(members).toEqual(expect.arrayContaining([expect.objectContaining({email: 'ext@partner.test', role: 'collaborator'})]))
  })

  it('access:update and sharing:update change permissions; re-adding with others is a conflict', async () => {
    const conflict = await expectUnchanged(box, () =>
      admin('access:add', 'ext@partner.test', '--app', 'acme-api', '--permissions', 'manage'),
    )
    expectError(conflict, 5, /access:update/)
    const updated = expectOk(
      await admin('access:update', 'ext@partner.test', '--app', 'acme-api', '--permissions', 'manage', '--json'),
    ).json()
    expect(updated.permissions.map((p: any) => p.name).sort()).toEqual(['manage', 'view'])
    expectOk(await admin('sharing:update', 'ext@partner.test', '--app', 'acme-api', '--permissions', 'deploy'))
    const access = expectOk(await admin('access', '--app', 'acme-api', '--json')).json()
    expect(
      access
        .find((c: any) => c.user.email === 'ext@partner.test')
        .permissions.map((p: any) => p.name)
        .sort(),
    ).toEqual(['deploy', 'view'])
  })

  it('sharing:add and sharing:remove / access:remove take access away', async () => {
    expectOk(await admin('sharing:add', 'two@partner.test', '--app', 'acme-api'))
    const removed = expectOk(await admin('access:remove', 'ext@partner.test', '--app', 'acme-api'))
    expect(removed.stderr).toBe('Removing ext@partner.test access from the app acme-api... done\n')
    expectOk(await admin('sharing:remove', 'two@partner.test', '--app', 'acme-api'))
    const access = expectOk(await admin('access', '--app', 'acme-api', '--json')).json()
    expect(access.map((c: any) => c.user.email)).toEqual([ADMIN])
    const members = expectOk(await admin('members', '--org', ORG, '--json')).json()
    expect(members.map((m: any) => m.email)).toEqual([ADMIN])
    expectError(await box.as('ext@partner.test')('apps:info', '--app', 'acme-api'), 3)
  })
})

describe('lock and join', () => {
  let box: Sandbox
  let admin: (...args: string[]) => ReturnType<Sandbox['run']>
  beforeAll(async () => {
    box = sandbox()
    admin = box.as(ADMIN)
    expectOk(await admin('orgs:create', ORG))
    const rs = await Promise.all([
      admin('members:add', DEV, '--org', ORG),
      admin('members:add', 'dev2@acme.test', '--org', ORG),
      admin('create', 'acme-api', '--org', ORG),
      admin('create', 'acme-vault', '--org', ORG),
    ])
    rs.forEach((r) => expectOk(r))
  })
  afterAll(() => box.cleanup())

  it('a member joins an unlocked app with view, deploy, operate', async () => {
    const joined = expectOk(await box.as(DEV)('apps:join', '--app', 'acme-api', '--json')).json()
    expect(joined.permissions.map((p: any) => p.name).sort()).toEqual(['deploy', 'operate', 'view'])
    const access = expectOk(await admin('access', '--app', 'acme-api', '--json')).json()
    const row = access.find((c: any) => c.user.email === DEV)
    expect(row.role).toBe('member')
    expect(row.permissions.map((p: any) => p.name).sort()).toEqual(['deploy', 'operate', 'view'])
    const left = expectOk(await box.as(DEV)('apps:leave', '--app', 'acme-api'))
    expect(left.stderr).toBe('Leaving acme-api... done\n')
    const after = expectOk(await admin('access', '--app', 'acme-api', '--json')).json()
    expect(after.map((c: any) => c.user.email)).not.toContain(DEV)
    expectOk(await box.as(DEV)('join', '--app', 'acme-api'))
    expectOk(await box.as(DEV)('leave', '--app', 'acme-api'))
  })

  it('locking twice is a no-op success; [locked] appears', async () => {
    const first = expectOk(await admin('apps:lock', '--app', 'acme-vault'))
    expect(first.stderr).toBe('Locking acme-vault... done\n')
    const second = await expectUnchanged(box, () => admin('lock', '--app', 'acme-vault'))
    expectOk(second)
    const info = expectOk(await admin('apps:info', '--app', 'acme-vault', '--json')).json()
    expect(info.locked).toBe(true)
  })

  it('a locked app cannot be joined by a member (exit 4) nor shared by a non-admin with manage; admins can', async () => {
    const join = await expectUnchanged(box, () => box.as(DEV)('apps:join', '--app', 'acme-vault'))
    expectError(join, 4, /locked/)
    expectOk(await admin('access:add', 'dev2@acme.test', '--app', 'acme-vault', '--permissions', 'manage'))
    const share = await expectUnchanged(box, () => box.as('dev2@acme.test')('access:add', 'ext@partner.test', '--app', 'acme-vault'))
    expectError(share, 4, /locked/)
    expectOk(await admin('access:add', 'ext@partner.test', '--app', 'acme-vault'))
    expectOk(await admin('apps:join', '--app', 'acme-vault'))
  })

  it('unlocking lets members join again; unlocking twice is a no-op', async () => {
    const unlocked = expectOk(await admin('apps:unlock', '--app', 'acme-vault'))
    expect(unlocked.stderr).toBe('Unlocking acme-vault... done\n')
    expectOk(await expectUnchanged(box, () => admin('unlock', '--app', 'acme-vault')))
    expectOk(await box.as(DEV)('apps:join', '--app', 'acme-vault'))
    const before = await storeBytes(box.store)
    expectOk(await box.as(DEV)('apps:join', '--app', 'acme-vault'))
    expect((await storeBytes(box.store))?.equals(before!)).toBe(true)
  })

  it('only admins lock (member gets exit 4); personal apps cannot be locked (exit 2)', async () => {
    expectError(await expectUnchanged(box, () => box.as(DEV)('apps:lock', '--app', 'acme-api')), 4)
    expectOk(await box.as(DEV)('create', 'dev-solo'))
    expectError(await expectUnchanged(box, () => box.as(DEV)('apps:lock', '--app', 'dev-solo')), 2)
  })
})
