/**
 * Piped, stdout is data only: tab-separated rows, no heading, no blank line, no prose, no totals.
 * Every command is run with stdout on a pipe (the human view on a terminal is in test/unit/validation.test.ts).
 */
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {type RunResult, type Sandbox, sandbox} from '../helpers/cli.js'
import {ADMIN, DEV, ORG, expectOk, lines, show} from './_util.js'

type Runner = (...args: string[]) => Promise<RunResult>

/** What piped stdout must never carry. */
function expectDataOnly(result: RunResult, label: string): string[] {
  const context = show(result, label)
  expectOk(result, label)
  const rows = lines(result.stdout)
  for (const row of rows) {
    expect(row, context).not.toMatch(/^===/)
    expect(row, context).not.toBe('')
    expect(row, context).not.toMatch(/^(No |There are|You |Total|Daily peaks|Estimated)/)
  }
  return rows
}

describe('piped stdout is data only', () => {
  let box: Sandbox
  let admin: Runner
  let dev: Runner
  let loner: Runner
  let transferId: string
  beforeAll(async () => {
    box = sandbox()
    admin = box.as(ADMIN)
    dev = box.as(DEV)
    loner = box.as('loner@else.test')
    expectOk(await admin('orgs:create', ORG))
    expectOk(await admin('orgs:create', 'empty-org'))
    expectOk(await admin('members:add', DEV, '--org', ORG))
    expectOk(await admin('create', 'acme-api', '--org', ORG))
    expectOk(await admin('create', 'acme-web', '--org', ORG, '--region', 'eu'))
    expectOk(await admin('apps:lock', '--app', 'acme-web'))
    expectOk(await admin('ps:scale', 'web=2', '--app', 'acme-api'))
    expectOk(await admin('access:add', 'ext@partner.test', '--app', 'acme-api'))
    expectOk(await admin('create', 'admin-own'))
    expectOk(await dev('create', 'dev-own'))
    expectOk(await dev('access:add', ADMIN, '--app', 'dev-own'))
    expectOk(await admin('authorizations:create', '--description', 'setup'))
    const sent = expectOk(await admin('apps:transfer', DEV, '--app', 'admin-own', '--json'))
    transferId = sent.json().transfer.id
  })
  afterAll(() => box.cleanup())

  it('lists print rows only, with the same number of fields on every row', async () => {
    const commands: string[][] = [
      ['whoami'],
      ['orgs'],
      ['members', '--org', ORG],
      ['members', '--org', ORG, '--role', 'admin'],
      ['apps'],
      ['apps', '--org', ORG],
      ['apps', '--all'],
      ['access', '--app', 'acme-api'],
      ['ps', '--app', 'acme-api'],
      ['transfers'],
      ['authorizations'],
      ['permissions'],
      ['orgs:usage', '--org', ORG],
      ['orgs:usage', '--org', ORG, '--history'],
      ['orgs:billing', '--org', ORG],
      ['orgs:info', '--org', ORG],
      ['apps:info', '--app', 'acme-api'],
    ]
    const results = await Promise.all(commands.map((args) => admin(...args)))
    for (const [i, result] of results.entries()) {
      const label = commands[i]!.join(' ')
      const rows = expectDataOnly(result, label)
      expect(rows.length, show(result, label)).toBeGreaterThan(0)
      const widths = new Set(rows.map((row) => row.split('\t').length))
      expect(widths.size, show(result, label)).toBe(1)
    }
    const orgApps = results[5]!
    expect(orgApps.stdout).toBe(`acme-api\t${ORG}\tus\tunlocked\nacme-web\t${ORG}\teu\tlocked\n`)
    // The creator of an org app collaborates on it, so the admin's own list already has every app.
    expect(results[4]!.stdout).toBe(results[6]!.stdout)
    const [mine, all] = await Promise.all([dev('apps'), dev('apps', '--all')])
    expect(expectOk(mine).stdout).toBe(`dev-own\t${DEV}\tus\tunlocked\n`)
    expect(expectOk(all).stdout).toBe(`acme-api\t${ORG}\tus\tunlocked\nacme-web\t${ORG}\teu\tlocked\ndev-own\t${DEV}\tus\tunlocked\n`)
    const history = results[13]!
    for (const row of lines(history.stdout)) expect(row, history.stdout).toMatch(/^\d{4}-\d{2}-\d{2}\t\d+\t\d+\t\d+$/)
    const billing = results[14]!
    expect(lines(billing.stdout)).toEqual([expect.stringMatching(/^acme-api\t2\t\$50\.00\t\$\d+\.\d\d\t\$\d+\.\d\d$/)])
    expect(billing.stderr).toMatch(/Total to date/)
    expect(lines(results[16]!.stdout)).toContain('Region\tus')
  })

  it('an empty list prints nothing on stdout, exits 0, and says so on stderr', async () => {
    const runs: [string, Promise<RunResult>, RegExp][] = [
      ['apps --org empty-org', admin('apps', '--org', 'empty-org'), /no apps in org empty-org/],
      ['apps (none)', loner('apps'), /no apps/],
      ['orgs (none)', loner('orgs'), /not a member of any org/],
      ['transfers (none)', loner('transfers'), /No app transfers/],
      ['ps (no dynos)', admin('ps', '--app', 'acme-web'), /No dynos/],
      ['members --pending', admin('members', '--org', ORG, '--pending'), /No pending invitations/],
    ]
    for (const [label, promise, message] of runs) {
      const result = await promise
      expectOk(result, label)
      expect(result.stdout, show(result, label)).toBe('')
      expect(result.stderr, show(result, label)).toMatch(message)
    }
  })

  it('members --pending does not claim an org with members has none', async () => {
    const pending = expectOk(await admin('members', '--org', ORG, '--pending'))
    expect(pending.stderr).not.toMatch(/No members/)
  })

  it('changes print nothing on stdout but what the server says (create: no made-up URLs)', async () => {
    const changes: string[][] = [
      ['members:add', 'new@acme.test', '--org', ORG],
      ['members:set', 'new@acme.test', '--role', 'admin', '--org', ORG],
      ['access:add', 'ext2@partner.test', '--app', 'acme-api'],
      ['apps:unlock', '--app', 'acme-web'],
      ['ps:scale', 'web=1', '--app', 'acme-api'],
      ['create', 'plain-app'],
      ['transfers:cancel', transferId],
    ]
    for (const args of changes) {
      const result = await admin(...args)
      expectOk(result, args.join(' '))
      expect(result.stdout, show(result, args.join(' '))).toBe('')
    }
    const info = expectOk(await admin('apps:info', '--app', 'plain-app', '--json')).json()
    expect(info.web_url).toBeNull()
    expect(info.git_url).toBeNull()
    const text = expectOk(await admin('apps:info', '--app', 'plain-app'))
    expect(text.stdout).not.toMatch(/herokuapp|git\.heroku/)
  })

  it('authorizations:create prints label and value rows', async () => {
    const created = expectDataOnly(await admin('authorizations:create', '--description', 'ci'), 'authorizations:create')
    expect(created.map((row) => row.split('\t')[0])).toEqual(['ID', 'Description', 'User', 'Token'])
  })
})
