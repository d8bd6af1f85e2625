/**
 * Bad input of every kind: each is refused with the right exit code, exactly one
 * `Error: ` line and no stack trace, and leaves the store byte-identical. Under
 * --json the error is one JSON document {id, message}; with DEBUG=1 a stack appears.
 */
import {readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {HTTP, PG, type Sandbox, sandbox} from '../helpers/cli.js'
import {ADMIN, DEV, NO_USER, ORG, copyStore, expectError, expectOk, pool, runOnCopy, show} from './_util.js'

const APP = 'acme-api'
const LONG = 'a'.repeat(200)

interface Case {
  name: string
  args: string[]
  code: number
  message?: RegExp
  /** undefined: no acting user at all */
  user?: string | null
  env?: Record<string, string>
  /** the JSON error id expected under --json (also run with --json when set) */
  id?: string
}

const CASES: Case[] = [
  // emails
  {name: 'invalid email', args: ['members:add', 'not-an-email', '--org', ORG], code: 2, message: /Invalid email/, id: 'invalid_params'},
  {name: 'email with a space', args: ['members:add', 'dev @acme.test', '--org', ORG], code: 2, message: /Invalid email/},
  {name: 'email without a domain', args: ['access:add', 'dev@', '--app', APP], code: 2, message: /Invalid email/},
  {
    name: 'email that is 300 characters',
    args: ['members:add', `${'x'.repeat(290)}@acme.test`, '--org', ORG],
    code: 2,
    message: /Invalid email/,
  },
  // roles and permissions
  {
    name: 'unknown role on members:add',
    args: ['members:add', 'new@acme.test', '--org', ORG, '--role', 'superuser'],
    code: 2,
    message: /Unknown role/,
    id: 'invalid_params',
  },
  {name: 'unknown role on members:set', args: ['members:set', DEV, '--org', ORG, '--role', 'boss'], code: 2, message: /Unknown role/},
  {name: 'unknown role on members --role', args: ['members', '--org', ORG, '--role', 'ghost'], code: 2, message: /Unknown role/},
  {
    name: 'unknown permission on access:add',
    args: ['access:add', 'new@partner.test', '--app', APP, '--permissions', 'deploy,fly'],
    code: 2,
    message: /Unknown permission/,
  },
  {
    name: 'unknown permission on access:update',
    args: ['access:update', DEV, '--app', APP, '--permissions', 'root'],
    code: 2,
    message: /Unknown permission/,
  },
  // app names
  {name: 'uppercase app name', args: ['create', 'Acme-Api'], code: 2, message: /Invalid app name/, id: 'invalid_params'},
  {name: 'too short app name', args: ['create', 'ab'], code: 2, message: /Invalid app name/},
  {name: 'path trick as app name', args: ['create', '../x'], code: 2, message: /Invalid app name/},
  {name: 'path trick as --app', args: ['apps:info', '--app', '../../etc/passwd'], code: 2, message: /Invalid app name/},
  {name: 'unicode app name', args: ['create', 'café-app'], code: 2, message: /Invalid app name/},
  {name: '200-character app name', args: ['create', LONG], code: 2, message: /Invalid app name/},
  {name: 'app name with a slash', args: ['create', 'acme/api', '--org', ORG], code: 2, message: /Invalid app name/},
  // org names
  {name: 'uppercase org name', args: ['orgs:create', 'ACME'], code: 2, message: /Invalid org name/},
  {name: 'too short org name', args: ['orgs:create', 'ab'], code: 2, message: /Invalid org name/},
  {name: 'path trick as org name', args: ['orgs:create', '../x'], code: 2, message: /Invalid org name/},
  {name: 'path trick as --org', args: ['members', '--org', '../acme-widgets'], code: 2, message: /Invalid org name/},
  {name: 'unicode org name', args: ['orgs:create', 'acmé-widgets'], code: 2, message: /Invalid org name/},
  {name: '200-character org name', args: ['orgs:create', LONG], code: 2, message: /Invalid org name/},
  // unknown things
  {name: 'unknown org', args: ['members', '--org', 'ghost-org'], code: 3, id: 'not_found'},
  {name: 'unknown org on members:add', args: ['members:add', 'new@acme.test', '--org', 'ghost-org'], code: 3},
  {name: 'unknown app', args: ['apps:info', '--app', 'ghost-app'], code: 3, id: 'not_found'},
  {name: 'unknown app on access:add', args: ['access:add', 'new@partner.test', '--app', 'ghost-app'], code: 3},
  {name: 'unknown app on ps:scale', args: ['ps:scale', 'web=1', '--app', 'ghost-app'], code: 3},
  {name: 'unknown transfer', args: ['transfers:accept', 'no-such-transfer'], code: 3},
  // missing and unknown flags
  {name: 'no --org and no ORGCTL_ORG (members)', args: ['members'], code: 2, message: /--org/, id: 'invalid_params'},
  {name: 'no --org and no ORGCTL_ORG (members:add)', args: ['members:add', 'new@acme.test'], code: 2, message: /--org/},
  {name: 'no --org and no ORGCTL_ORG (orgs:usage)', args: ['orgs:usage'], code: 2, message: /--org/},
  {name: 'no --app', args: ['apps:info'], code: 2, message: /--app/},
  {name: 'no email argument', args: ['members:add', '--org', ORG], code: 2},
  {name: 'unknown flag', args: ['members', '--org', ORG, '--bogus'], code: 2, id: 'invalid_params'},
  {name: 'unknown flag on create', args: ['create', 'new-app', '--colour', 'red'], code: 2},
  {name: 'flag without its value', args: ['members', '--org'], code: 2},
  // other values
  {name: 'unknown region', args: ['create', 'new-app', '--region', 'mars'], code: 2, message: /region/i},
  {name: 'bad limit name', args: ['orgs:create', 'new-org', '--limit', 'widgets=3'], code: 2, message: /limit/i},
  {name: 'negative limit', args: ['orgs:create', 'new-org', '--limit', 'apps=-1'], code: 2, message: /limit/i},
  {name: 'unknown dyno size', args: ['ps:scale', 'web=2:huge-9x', '--app', APP], code: 2, message: /dyno size/i},
  {name: 'too many dynos', args: ['ps:scale', 'web=999', '--app', APP], code: 2},
  {name: 'garbage scale', args: ['ps:scale', '=', '--app', APP], code: 2},
  {name: 'bad transfer recipient', args: ['apps:transfer', 'Not An Org!', '--app', APP], code: 2},
  // who is acting
  {name: 'no acting user (orgs)', args: ['orgs'], user: null, code: 4, message: NO_USER, id: 'unauthorized'},
  {name: 'no acting user (members)', args: ['members', '--org', ORG], user: null, code: 4, message: NO_USER},
  {name: 'no acting user (orgs:create)', args: ['orgs:create', 'new-org'], user: null, code: 4, message: NO_USER},
  // Only the embedded store reads ORGCTL_USER; through the API the token says who is acting.
  ...(HTTP ? [] : [{name: 'ORGCTL_USER that is not an email', args: ['orgs'], user: 'root', code: 2, message: /ORGCTL_USER/}]),
  // conflicts and limits, for their JSON ids
  {name: 'taken app name', args: ['create', APP], code: 5, id: 'conflict'},
  {name: 'forbidden for a member', args: ['members:add', 'new@acme.test', '--org', ORG], user: DEV, code: 4, id: 'forbidden'},
]

describe('bad input', () => {
  let box: Sandbox
  let base: string
  type Outcome = Awaited<ReturnType<typeof runOnCopy>>
  const plain = new Map<string, Outcome>()
  const json = new Map<string, Outcome>()

  beforeAll(async () => {
    box = sandbox()
    const admin = box.as(ADMIN)
    expectOk(await admin('orgs:create', ORG))
    for (const r of await Promise.all([admin('members:add', DEV, '--org', ORG), admin('create', APP, '--org', ORG)])) expectOk(r)
    base = join(box.dir, 'base.json')
    await copyStore(box, base)
    const userOf = (c: Case) => (c.user === null ? undefined : (c.user ?? ADMIN))
    const tasks = [
      ...CASES.map((c) => async () => plain.set(c.name, await runOnCopy(box, base, userOf(c), c.args, c.env))),
      ...CASES.filter((c) => c.id).map(
        (c) => async () => json.set(c.name, await runOnCopy(box, base, userOf(c), [...c.args, '--json'], c.env)),
      ),
    ]
    await pool(tasks, 4)
  })
  afterAll(() => box.cleanup())

  it.each(CASES.map((c) => [c.name, c.code, c] as const))('%s → exit %i, one Error line, store untouched', (_name, _code, c) => {
    const {result, changed} = plain.get(c.name)!
    const line = expectError(result, c.code, c.message, `orgctl ${c.args.join(' ')}`)
    expect(changed, show(result, 'store changed')).toBe(false)
    expect(line.length, 'the error line quotes long values shortened').toBeLessThan(400)
    expect(result.stdout).toBe('')
  })

  it.each(CASES.filter((c) => c.id).map((c) => [c.name, c.id!, c] as const))(
    '%s under --json → one document {id: %s, message}',
    (_name, id, c) => {
      const {result, changed} = json.get(c.name)!
      const context = show(result, `orgctl ${[...c.args, '--json'].join(' ')}`)
      expectError(result, c.code, undefined, context)
      expect(changed).toBe(false)
      let body: any
      expect(() => (body = result.json()), context).not.toThrow()
      expect(Object.keys(body).sort(), context).toEqual(['id', 'message'])
      expect(body.id, context).toBe(id)
      expect(`Error: ${body.message}`, context).toBe(result.stderr.trimEnd().split('\n').at(-1))
    },
  )

  it('a missing org can come from ORGCTL_ORG', async () => {
    const {result} = await runOnCopy(box, base, ADMIN, ['members', '--json'], {ORGCTL_ORG: ORG})
    expect(
      expectOk(result)
        .json()
        .map((m: any) => m.email),
    ).toEqual([ADMIN, DEV])
  })

  it('DEBUG=1 adds a stack trace to the error', async () => {
    const {result, changed} = await runOnCopy(box, base, ADMIN, ['members:add', 'not-an-email', '--org', ORG], {DEBUG: '1'})
    expect(result.code).toBe(2)
    expect(result.stderr).toMatch(/^Error: Invalid email/m)
    expect(result.stderr, show(result)).toMatch(/^\s+at /m)
    expect(changed).toBe(false)
  })

  // A corrupt JSON file: nothing a database can be.
  it.skipIf(PG)(
    'a corrupt store is reported (exit 7; through a server, its failure: exit 1, no path) and left exactly as it was',
    async () => {
      const corrupt = join(box.dir, 'corrupt.json')
      writeFileSync(corrupt, '{"schemaVersion": 2, "users": [', {mode: 0o600})
      const result = await box.run(ADMIN, ['members:add', 'new@acme.test', '--org', ORG], {env: {ORGCTL_STORE: corrupt}})
      if (HTTP) {
        expectError(result, 1, /The server could not read or write its store: its operator can see why in the server's log/)
        expect(result.stderr).not.toContain(corrupt)
      } else expectError(result, 7, /store/)
      expect(readFileSync(corrupt, 'utf8')).toBe('{"schemaVersion": 2, "users": [')
    },
  )
})
