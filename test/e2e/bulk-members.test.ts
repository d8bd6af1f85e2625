/** Adding many members at once: from arguments, from a file, from stdin; each reported, failures named. */
import {writeFileSync} from 'node:fs'
import {join} from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {type Sandbox, sandbox} from '../helpers/cli.js'
import {ADMIN, ORG, expectError, expectOk, expectUnchanged, lines} from './_util.js'

describe('members:add in bulk', () => {
  let box: Sandbox
  let admin: (...args: string[]) => ReturnType<Sandbox['run']>
  beforeAll(async () => {
    box = sandbox()
    admin = box.as(ADMIN)
    expectOk(await admin('orgs:create', ORG, '--limit', 'members=5'))
  })
  afterAll(() => box.cleanup())

  it('adds every email of a file, with per-line roles, and reports each', async () => {
    const file = join(box.dir, 'team.csv')
    writeFileSync(file, '# the team\nann@acme.test\nbob@acme.test, admin\n\ncat@acme.test,collaborator\n')
    const result = expectOk(await admin('members:add', '--org', ORG, '--file', file))
    expect(lines(result.stderr)).toEqual([
      `Adding ann@acme.test to ${ORG} as member... done`,
      `Adding bob@acme.test to ${ORG} as admin... done`,
      `Adding cat@acme.test to ${ORG} as collaborator... done`,
    ])
    const members = expectOk(await admin('members', '--org', ORG, '--json')).json<{email: string; role: string}[]>()
    expect(members.map((m) => `${m.email}:${m.role}`)).toEqual([
      `${ADMIN}:admin`,
      'ann@acme.test:member',
      'bob@acme.test:admin',
      'cat@acme.test:collaborator',
    ])
  })

  it('checks the whole file first: a bad line adds no one', async () => {
    await expectUnchanged(box, async () => {
      const result = await box.run(ADMIN, ['members:add', '--org', ORG, '--file', '-'], {input: 'dan@acme.test\nnot an email\n'})
      expectError(result, 2, /stdin line 2: Invalid email/)
      return result
    })
  })

  it('carries on past a failure, exits 1 naming it, and a rerun finishes the job', async () => {
    const result = await admin('members:add', 'dan@acme.test', 'eve@acme.test', 'fay@acme.test', '--org', ORG, '--json')
    expect(result.code).toBe(1)
    const body = result.json<{id: string; message: string; results: {email: string; status: string; error?: {id: string}}[]}>()
    expect(body.id).toBe('partial_failure')
    expect(body.message).toContain('eve@acme.test, fay@acme.test')
    expect(body.results.map((r) => `${r.email}:${r.status}:${r.error?.id ?? ''}`)).toEqual([
      'dan@acme.test:added:',
      'eve@acme.test:failed:limit_reached',
      'fay@acme.test:failed:limit_reached',
    ])
    expectOk(await admin('members:remove', 'cat@acme.test', '--org', ORG))
    expectOk(await admin('members:remove', 'bob@acme.test', '--org', ORG))
    const rerun = expectOk(await admin('members:add', 'dan@acme.test', 'eve@acme.test', 'fay@acme.test', '--org', ORG))
    expect(lines(rerun.stderr)).toHaveLength(3)
  })
})
