/** Results say what really happened: cancelled transfers, when access was given, reruns that change nothing, real permissions. */
import {writeFileSync} from 'node:fs'
import {join} from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {type RunResult, type Sandbox, sandbox} from '../helpers/cli.js'
import {ADMIN, DEV, ORG, expectError, expectOk, expectUnchanged, lines} from './_util.js'

type Runner = (...args: string[]) => Promise<RunResult>

describe('results say what happened', () => {
  let box: Sandbox
  let admin: Runner
  let dev: Runner
  beforeAll(async () => {
    box = sandbox()
    admin = box.as(ADMIN)
    dev = box.as(DEV)
    expectOk(await admin('orgs:create', ORG))
    expectOk(await admin('members:add', DEV, '--org', ORG))
  })
  afterAll(() => box.cleanup())

  it('transfers:cancel --json reports the transfer cancelled', async () => {
    expectOk(await dev('create', 'dev-solo'))
    const sent = expectOk(await dev('apps:transfer', 'friend@else.test', '--app', 'dev-solo', '--json')).json()
    const cancelled = expectOk(await dev('transfers:cancel', sent.transfer.id, '--json')).json()
    expect(cancelled).toMatchObject({id: sent.transfer.id, state: 'cancelled'})
  })

  it("a collaborator's created_at in members --json is when they were given access", async () => {
    expectOk(await admin('create', 'acme-api', '--org', ORG))
    await new Promise((resolve) => setTimeout(resolve, 20))
    const before = Date.now()
    expectOk(await admin('access:add', 'ext@partner.test', '--app', 'acme-api'))
    const members = expectOk(await admin('members', '--org', ORG, '--json')).json<{email: string; created_at: string}[]>()
    const org = expectOk(await admin('orgs:info', '--org', ORG, '--json')).json()
    const ext = members.find((m) => m.email === 'ext@partner.test')!
    expect(ext.created_at).not.toBe(org.created_at)
    expect(Date.parse(ext.created_at)).toBeGreaterThanOrEqual(before - 1000)
  })

  it('a rerun of a bulk members:add reports unchanged for people already there', async () => {
    const file = join(box.dir, 'team.csv')
    writeFileSync(file, 'ann@acme.test\nbob@acme.test,admin\n')
    const first = expectOk(await admin('members:add', '--org', ORG, '--file', file, '--json')).json()
    expect(first.map((item: {status: string}) => item.status)).toEqual(['added', 'added'])
    const rerun = expectOk(await admin('members:add', '--org', ORG, '--file', file, '--json')).json()
    expect(rerun.map((item: {status: string}) => item.status)).toEqual(['unchanged', 'unchanged'])
    const text = expectOk(await admin('members:add', '--org', ORG, '--file', file))
    expect(lines(text.stderr)).toEqual([
      `Adding ann@acme.test to ${ORG} as member... done, already there`,
      `Adding bob@acme.test to ${ORG} as admin... done, already there`,
    ])
  })

  it('access:add --permissions on a personal app says the real permissions once', async () => {
    expectOk(await dev('create', 'dev-own'))
    const result = expectOk(await dev('access:add', 'pal@else.test', '--app', 'dev-own', '--permissions', 'manage'))
    expect(result.stdout).toBe('')
    expect(lines(result.stderr)).toHaveLength(1)
    expect(result.stderr).not.toMatch(/manage/)
    expect(result.stderr).not.toMatch(/Warning/)
    expect(result.stderr).toMatch(/view, deploy, operate/)
    const access = expectOk(await dev('access', '--app', 'dev-own', '--json')).json<
      {user: {email: string}; permissions: {name: string}[]}[]
    >()
    expect(access.find((c) => c.user.email === 'pal@else.test')!.permissions.map((p) => p.name)).toEqual(['view', 'deploy', 'operate'])
  })

  it('apps --all lists personal, shared and every org app, each with its owner', async () => {
    const all = expectOk(await dev('apps', '--all', '--json')).json<{name: string}[]>()
    expect(all.map((app) => app.name).sort()).toEqual(['acme-api', 'dev-own', 'dev-solo'])
    const mine = expectOk(await dev('apps', '--json')).json<{name: string}[]>()
    expect(mine.map((app) => app.name)).toEqual(['dev-own', 'dev-solo'])
  })

  it('apps:transfer --bulk needs a terminal, and offers only apps that can move (checked in the unit tests)', async () => {
    const result = await expectUnchanged(box, () => dev('apps:transfer', ORG, '--bulk'))
    expectError(result, 2, /--app/)
  })
})
