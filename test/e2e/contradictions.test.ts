/** Contradictory input is refused (a usage error naming both values, nothing changed), never resolved silently. */
import {writeFileSync} from 'node:fs'
import {join} from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {type RunResult, type Sandbox, sandbox} from '../helpers/cli.js'
import {ADMIN, ORG, expectError, expectOk, expectUnchanged} from './_util.js'

type Runner = (...args: string[]) => Promise<RunResult>

describe('contradictory input', () => {
  let box: Sandbox
  let admin: Runner
  beforeAll(async () => {
    box = sandbox()
    admin = box.as(ADMIN)
    expectOk(await admin('orgs:create', ORG))
    expectOk(await admin('orgs:create', 'beta-org'))
    expectOk(await admin('create', 'app-one', '--org', ORG))
    expectOk(await admin('create', 'app-two', '--org', ORG))
  })
  afterAll(() => box.cleanup())

  const refused = async (args: string[], ...named: RegExp[]) => {
    const result = await expectUnchanged(box, () => admin(...args))
    const line = expectError(result, 2, undefined, args.join(' '))
    for (const name of named) expect(line, args.join(' ')).toMatch(name)
  }

  it('create --personal with --org', () => refused(['create', '--personal', '-o', ORG, 'new-app'], /--personal/, new RegExp(ORG)))

  it('a name as the argument and another as the flag', async () => {
    await refused(['apps:info', 'app-one', '-a', 'app-two'], /app-one/, /app-two/)
    await refused(['apps:destroy', 'app-one', '--app', 'app-two', '--confirm', 'app-one'], /app-one/, /app-two/)
    await refused(['orgs:info', ORG, '--org', 'beta-org'], new RegExp(ORG), /beta-org/)
    // The same value twice is no contradiction.
    expectOk(await admin('apps:info', 'app-one', '-a', 'app-one'))
    expectOk(await admin('orgs:info', ORG, '--org', ORG))
  })

  it('a limit given twice', async () => {
    await refused(['orgs:create', 'gamma-org', '--limit', 'apps=5', '--limit', 'apps=7'], /apps=5/, /apps=7/)
    expectOk(await admin('orgs:create', 'delta-org', '--limit', 'apps=5', '--limit', 'apps=5'))
  })

  it('a dyno type scaled twice', () => refused(['ps:scale', 'web=1', 'web=3', '--app', 'app-one'], /web=1/, /web=3/))

  it('an email given twice with different roles (file and arguments)', async () => {
    const file = join(box.dir, 'twice.csv')
    writeFileSync(file, 'dup@acme.test,member\nother@acme.test\nDUP@acme.test,admin\n')
    await refused(['members:add', '--org', ORG, '--file', file], /dup@acme\.test/, /member/, /admin/)
    const single = join(box.dir, 'once.csv')
    writeFileSync(single, 'dup@acme.test,admin\n')
    await refused(['members:add', 'dup@acme.test', '--org', ORG, '--file', single], /dup@acme\.test/, /member/, /admin/)
  })

  it('apps --all with --org, and --bulk with --app', async () => {
    await refused(['apps', '--all', '--org', ORG], /--all/, /--org/)
    await refused(['apps:transfer', 'beta-org', '--bulk', '--app', 'app-one'], /--bulk/, /--app/)
  })
})
