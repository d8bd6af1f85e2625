/**
 * Output contracts (JSON, piped tables, empty lists), login, store file mode,
 * and many processes writing one store at the same time.
 */
import {existsSync, readdirSync, statSync} from 'node:fs'
import {join} from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {HTTP, PG, type Sandbox, sandbox} from '../helpers/cli.js'
import {ADMIN, DEV, ORG, expectError, expectOk, lines, show} from './_util.js'

type Runner = (...args: string[]) => ReturnType<Sandbox['run']>

describe('output', () => {
  let box: Sandbox
  let admin: Runner
  beforeAll(async () => {
    box = sandbox()
    admin = box.as(ADMIN)
    expectOk(await admin('orgs:create', ORG))
    for (const r of await Promise.all([
      admin('members:add', DEV, '--org', ORG),
      admin('create', 'acme-api', '--org', ORG),
      admin('create', 'acme-web', '--org', ORG),
    ])) {
      expectOk(r)
    }
  })
  afterAll(() => box.cleanup())

  it('under --json, stdout is exactly one JSON document and stderr has no action line', async () => {
    const commands: string[][] = [
      ['members:add', 'json@acme.test', '--org', ORG, '--json'],
      ['members', '--org', ORG, '--json'],
      ['orgs', '--json'],
      ['orgs:info', '--org', ORG, '--json'],
      ['apps', '--org', ORG, '--json'],
      ['access', '--app', 'acme-api', '--json'],
      ['access:add', 'ext@partner.test', '--app', 'acme-web', '--permissions', 'deploy', '--json'],
      ['apps:lock', '--app', 'acme-web', '--json'],
      ['ps:scale', 'web=1', '--app', 'acme-api', '--json'],
      ['create', 'json-app', '--json'],
    ]
    const results = await Promise.all(commands.map((args) => admin(...args)))
    for (const [i, result] of results.entries()) {
      const context = show(result, commands[i]!.join(' '))
      expectOk(result, context)
      expect(() => JSON.parse(result.stdout), context).not.toThrow()
      expect(result.stdout.trim().startsWith('{') || result.stdout.trim().startsWith('['), context).toBe(true)
      expect(result.stderr, context).toBe('')
    }
    const created = results.at(-1)!.json()
    expect(created).toMatchObject({name: 'json-app', owner: {email: ADMIN}, team: null})
  })

  it('piped tables are tab-separated rows without a header', async () => {
    const [members, access, orgs] = await Promise.all([admin('members', '--org', ORG), admin('access', '--app', 'acme-api'), admin('orgs')])
    expect(expectOk(members).stdout).toBe(`${ADMIN}\tadmin\n${DEV}\tmember\next@partner.test\tcollaborator\njson@acme.test\tmember\n`)
    for (const line of lines(access.stdout)) expect(line.split('\t'), access.stdout).toHaveLength(3)
    expect(lines(expectOk(access).stdout)[0]).toBe(`${ADMIN}\tadmin\tview, deploy, operate, manage`)
    expect(expectOk(orgs).stdout).toBe(`${ORG}\tadmin\n`)
    for (const result of [members, access, orgs]) expect(result.stdout).not.toMatch(/^(email|Org)\b/m)
  })

  it('an empty list exits 0 and prints [] under --json', async () => {
    const loner = box.as('loner@else.test')
    const [apps, orgs, transfers, dynos, pending] = await Promise.all([
      loner('apps', '--json'),
      loner('orgs', '--json'),
      loner('transfers', '--json'),
      admin('ps', '--app', 'acme-web', '--json'),
      admin('members', '--org', ORG, '--pending', '--json'),
    ])
    for (const result of [apps, orgs, transfers, dynos, pending]) {
      expectOk(result)
      expect(result.json()).toEqual([])
      expect(result.stderr).toBe('')
    }
    const text = expectOk(await loner('apps'))
    // Piped, stdout is data only: the sentence goes to stderr.
    expect(text.stdout).toBe('')
    expect(text.stderr).toBe('You have no apps.\n')
  })

  // About the JSON file: on PostgreSQL there is none.
  it.skipIf(PG)('the store file is private (mode 0600)', () => {
    expect(statSync(box.store).mode & 0o777).toBe(0o600)
  })
})

// Logging in to the embedded store; logging in to an API is in api-login.test.ts.
describe.skipIf(HTTP)('login', () => {
  let box: Sandbox
  beforeAll(() => {
    box = sandbox()
  })
  afterAll(() => box.cleanup())

  it('login --email lets commands run without ORGCTL_USER; the config lives in ORGCTL_CONFIG_DIR', async () => {
    const anonymous = await box.run(undefined, ['orgs'])
    expectError(anonymous, 4, /ORGCTL_USER/)
    const login = expectOk(await box.run(undefined, ['login', '--email', 'Dev@Acme.test']))
    expect(login.stderr).toContain('Logged in as dev@acme.test')
    expect(existsSync(box.configDir)).toBe(true)
    expect(readdirSync(box.configDir).length).toBeGreaterThan(0)
    expect(existsSync(join(box.dir, 'home'))).toBe(false)

    const created = expectOk(await box.run(undefined, ['orgs:create', ORG]))
    expect(created.stderr).toBe(`Creating org ${ORG}... done\n`)
    const [whoami, members] = await Promise.all([box.run(undefined, ['whoami']), box.run(undefined, ['members', '--org', ORG, '--json'])])
    expect(expectOk(whoami).stdout).toBe('dev@acme.test\n')
    expect(
      expectOk(members)
        .json()
        .map((m: any) => [m.email, m.role]),
    ).toEqual([['dev@acme.test', 'admin']])
    // ORGCTL_USER still wins over the saved login
    const other = expectOk(await box.run('other@acme.test', ['whoami']))
    expect(other.stdout).toBe('other@acme.test\n')

    expectOk(await box.run(undefined, ['logout']))
    expectError(await box.run(undefined, ['orgs']), 4, /ORGCTL_USER/)
  })
})

describe('concurrency', () => {
  let box: Sandbox
  let admin: Runner
  beforeAll(async () => {
    box = sandbox()
    admin = box.as(ADMIN)
    expectOk(await admin('orgs:create', ORG))
  })
  afterAll(() => box.cleanup())

  it('4 processes × 10 members:add on one store: every one lands', async () => {
    const chains = Array.from({length: 4}, async (_, p) => {
      const results = []
      for (let i = 0; i < 10; i++) results.push(await admin('members:add', `p${p}-m${i}@acme.test`, '--org', ORG))
      return results
    })
    const results = (await Promise.all(chains)).flat()
    for (const result of results) expectOk(result)
    const members = expectOk(await admin('members', '--org', ORG, '--json')).json()
    expect(members).toHaveLength(1 + 40)
    const emails = new Set(members.map((m: any) => m.email))
    for (let p = 0; p < 4; p++) for (let i = 0; i < 10; i++) expect(emails.has(`p${p}-m${i}@acme.test`)).toBe(true)
  })

  it('create and access:add in parallel: all succeed and all are kept', async () => {
    expectOk(await admin('create', 'acme-hub', '--org', ORG))
    const runs = [
      ...[0, 1, 2, 3].map((i) => admin('create', `par-app-${i}`, '--org', ORG)),
      ...[0, 1, 2, 3].map((i) => admin('access:add', `par-user-${i}@partner.test`, '--app', 'acme-hub', '--permissions', 'deploy')),
    ]
    for (const result of await Promise.all(runs)) expectOk(result)
    const [apps, access] = await Promise.all([admin('apps', '--org', ORG, '--json'), admin('access', '--app', 'acme-hub', '--json')])
    expect(
      expectOk(apps)
        .json()
        .map((a: any) => a.name)
        .sort(),
    ).toEqual(['acme-hub', 'par-app-0', 'par-app-1', 'par-app-2', 'par-app-3'])
    const emails = expectOk(access)
      .json()
      .map((c: any) => c.user.email)
    for (let i = 0; i < 4; i++) expect(emails).toContain(`par-user-${i}@partner.test`)
    // The JSON file's mode: on PostgreSQL there is no file.
    if (!PG) expect(statSync(box.store).mode & 0o777).toBe(0o600)
  })
})
