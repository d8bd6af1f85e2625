/**
 * --dry-run on every command that changes something, on the embedded store and through a server
 * (e2e-store, e2e-http, e2e-pg run this file). Each case runs the real command on a private copy of
 * the same store and the dry run on the sandbox's store: the dry run exits with the real command's
 * code, says in the conditional what it would do (or gives the real error, word for word), prints
 * under --json the resource the real command printed, and leaves the store, and every file beside
 * it, exactly as it was. Bulk runs: on a store, the items are tried in one rolled-back transaction
 * (item 3 sees items 1 and 2); over HTTP each item is its own dry request.
 */
import {readdirSync, readFileSync, statSync} from 'node:fs'
import {join} from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {HTTP, PG, type RunResult, runBin, type Sandbox, sandbox} from '../helpers/cli.js'
import {createTestDatabase, withClient} from '../helpers/postgres.js'
import {copyStore, expectError, expectOk, expectUnchanged, lines, runOnCopy, show} from './_util.js'

const ORG = 'acme-widgets'
const ADMIN = 'admin@acme.test'
const DEV = 'dev@acme.test'
const CONTRACTOR = 'contractor@ext.test'
const OUTSIDER = 'outsider@elsewhere.test'

/** Every file under the folder with its bytes, mode, inode and mtime (the store's folder holds the sandbox's config too). */
function folder(dir: string, prefix = ''): unknown[] {
  return readdirSync(join(dir, prefix))
    .sort()
    .flatMap((name) => {
      const path = join(prefix, name)
      const info = statSync(join(dir, path))
      if (info.isDirectory()) return [{path, mode: info.mode}, ...folder(dir, path)]
      return [{path, mode: info.mode, ino: info.ino, mtimeMs: info.mtimeMs, bytes: readFileSync(join(dir, path)).toString('base64')}]
    })
}

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g
const TIME = /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z/g
/** A resource with what differs between two runs of one change (new ids, times, a minted token) left out. */
const comparable = (result: RunResult) =>
  JSON.stringify(result.json())
    .replace(UUID, '<id>')
    .replace(TIME, '<time>')
    .replace(/orgctl_[\w-]+/g, '<token>')

interface Case {
  name: string
  user: string
  args: () => string[]
  /** The real command's exit code. */
  code: number
  /** A success's action line(s) in a dry run, on stderr. */
  says?: () => string[]
  /** A success's stdout in a dry run (default: nothing). */
  prints?: string
}

describe('--dry-run', () => {
  let box: Sandbox
  let base: string
  let transfer: string
  let authorization: string
  /** What the sandbox's store folder holds, checked unchanged after every dry run (not on PostgreSQL: its file is written out to compare). */
  const nothingChanged = async (run: () => Promise<RunResult>): Promise<RunResult> => {
    const before = PG ? undefined : folder(box.dir)
    const result = await expectUnchanged(box, run)
    if (!PG) expect(folder(box.dir), show(result, 'a file beside the store changed')).toEqual(before)
    return result
  }

  beforeAll(async () => {
    box = sandbox()
    const admin = box.as(ADMIN)
    const dev = box.as(DEV)
    expectOk(await admin('orgs:create', ORG, '--limit', 'members=5', '--limit', 'apps=4', '--limit', 'dyno-units=10'))
    expectOk(await admin('members:add', DEV, '--org', ORG))
    expectOk(await admin('apps:create', 'acme-api', '--org', ORG))
    expectOk(await admin('apps:create', 'acme-vault', '--org', ORG))
    expectOk(await admin('apps:lock', '--app', 'acme-vault'))
    expectOk(await admin('access:add', CONTRACTOR, '--app', 'acme-api', '--permissions', 'deploy'))
    expectOk(await admin('ps:scale', 'web=1', '--app', 'acme-api'))
    for (const app of ['dev-tool', 'dev-gift', 't-one', 't-two', 't-three']) expectOk(await dev('apps:create', app))
    expectOk(await dev('apps:transfer', ADMIN, '--app', 'dev-gift'))
    transfer = expectOk(await admin('transfers', '--json')).json<{id: string}[]>()[0]!.id
    authorization = expectOk(await admin('authorizations:create', '--description', 'spare', '--json')).json<{id: string}>().id
    // Every user has been seen once (through a server, each gets a token minted into the store at first use).
    for (const user of [CONTRACTOR, OUTSIDER]) await box.run(user, ['whoami'])
    base = join(box.dir, 'base.json')
    await copyStore(box, base)
  })
  afterAll(() => box.cleanup())

  const SUCCESSES: Case[] = [
    {
      name: 'members:add',
      user: ADMIN,
      args: () => ['members:add', 'new@acme.test', '--org', ORG],
      code: 0,
      says: () => [`Would add new@acme.test to ${ORG} as member`],
    },
    {
      name: 'members:set',
      user: ADMIN,
      args: () => ['members:set', DEV, '--role', 'admin', '--org', ORG],
      code: 0,
      says: () => [`Would set ${DEV} in ${ORG} to admin`],
    },
    {
      name: 'members:remove',
      user: ADMIN,
      args: () => ['members:remove', DEV, '--org', ORG],
      code: 0,
      says: () => [`Would remove ${DEV} from ${ORG}`],
    },
    {
      name: 'members:remove of someone not there',
      user: ADMIN,
      args: () => ['members:remove', 'nobody@acme.test', '--org', ORG],
      code: 0,
      says: () => [`Would remove nobody@acme.test from ${ORG} (was not a member)`],
    },
    {
      name: 'access:add',
      user: ADMIN,
      args: () => ['access:add', 'x@ext.test', '--app', 'acme-api', '--permissions', 'deploy'],
      code: 0,
      says: () => ['Would add x@ext.test access to the app acme-api with view, deploy permissions'],
    },
    {
      name: 'sharing:add (the alias)',
      user: ADMIN,
      args: () => ['sharing:add', 'y@ext.test', '--app', 'acme-api'],
      code: 0,
      says: () => ['Would add y@ext.test access to the app acme-api'],
    },
    {
      name: 'access:update',
      user: ADMIN,
      args: () => ['access:update', CONTRACTOR, '--app', 'acme-api', '--permissions', 'deploy,operate'],
      code: 0,
      says: () => [`Would update ${CONTRACTOR} in application acme-api with view,deploy,operate permissions`],
    },
    {
      name: 'access:remove',
      user: ADMIN,
      args: () => ['access:remove', CONTRACTOR, '--app', 'acme-api'],
      code: 0,
      says: () => [`Would remove ${CONTRACTOR} access from the app acme-api`],
    },
    {
      name: 'create (apps:create)',
      user: ADMIN,
      args: () => ['create', 'new-app', '--org', ORG],
      code: 0,
      says: () => [`Would create new-app in org ${ORG}`],
    },
    {
      name: 'apps:destroy',
      user: ADMIN,
      args: () => ['apps:destroy', '--app', 'acme-api', '--confirm', 'acme-api'],
      code: 0,
      says: () => ['Would destroy acme-api'],
    },
    {name: 'apps:lock', user: ADMIN, args: () => ['apps:lock', '--app', 'acme-api'], code: 0, says: () => ['Would lock acme-api']},
    {
      name: 'apps:unlock',
      user: ADMIN,
      args: () => ['apps:unlock', '--app', 'acme-vault'],
      code: 0,
      says: () => ['Would unlock acme-vault'],
    },
    {name: 'apps:join', user: DEV, args: () => ['apps:join', '--app', 'acme-api'], code: 0, says: () => ['Would join acme-api']},
    {name: 'apps:leave', user: CONTRACTOR, args: () => ['apps:leave', '--app', 'acme-api'], code: 0, says: () => ['Would leave acme-api']},
    {
      name: 'apps:transfer into the org',
      user: DEV,
      args: () => ['apps:transfer', ORG, '--app', 'dev-tool'],
      code: 0,
      says: () => [`Would transfer dev-tool to ${ORG}`],
    },
    {
      name: 'sharing:transfer to a user (pending)',
      user: DEV,
      args: () => ['sharing:transfer', OUTSIDER, '--app', 'dev-tool'],
      code: 0,
      says: () => [`Would transfer dev-tool to ${OUTSIDER} (pending until ${OUTSIDER} accepts it)`],
    },
    {
      name: 'transfers:accept',
      user: ADMIN,
      args: () => ['transfers:accept', transfer],
      code: 0,
      says: () => [`Would accept transfer ${transfer}`],
    },
    {
      name: 'transfers:decline',
      user: ADMIN,
      args: () => ['transfers:decline', transfer],
      code: 0,
      says: () => [`Would decline transfer ${transfer}`],
    },
    {
      name: 'transfers:cancel',
      user: DEV,
      args: () => ['transfers:cancel', transfer],
      code: 0,
      says: () => [`Would cancel transfer ${transfer}`],
    },
    {
      name: 'ps:scale',
      user: ADMIN,
      args: () => ['ps:scale', 'web=2', '--app', 'acme-api'],
      code: 0,
      says: () => ['Would scale dynos on acme-api (now running web at 2:standard-1x)'],
    },
    {name: 'orgs:create', user: ADMIN, args: () => ['orgs:create', 'beta-org'], code: 0, says: () => ['Would create org beta-org']},
    {
      name: 'authorizations:create (no token shown: none was minted)',
      user: ADMIN,
      args: () => ['authorizations:create', '--description', 'ci'],
      code: 0,
      says: () => ['Would create OAuth Authorization'],
      prints: `Description\tci\nUser\t${ADMIN}\n`,
    },
    {
      name: 'authorizations:revoke',
      user: ADMIN,
      args: () => ['authorizations:revoke', authorization],
      code: 0,
      says: () => [`Would revoke authorization ${authorization}`],
    },
  ]

  const REFUSALS: Case[] = [
    {name: 'members:add by a member (permission)', user: DEV, args: () => ['members:add', 'new@acme.test', '--org', ORG], code: 4},
    {
      name: 'members:set demoting the last admin',
      user: ADMIN,
      args: () => ['members:set', ADMIN, '--role', 'member', '--org', ORG],
      code: 5,
    },
    {name: 'members:remove of the last admin', user: ADMIN, args: () => ['members:remove', ADMIN, '--org', ORG], code: 5},
    {
      name: 'members:add with another role (conflict)',
      user: ADMIN,
      args: () => ['members:add', DEV, '--role', 'admin', '--org', ORG],
      code: 5,
    },
    {name: 'access:add on a locked app by a member', user: DEV, args: () => ['access:add', 'x@ext.test', '--app', 'acme-vault'], code: 4},
    {
      name: 'access:update by a member (permission)',
      user: DEV,
      args: () => ['access:update', CONTRACTOR, '--app', 'acme-api', '--permissions', 'manage'],
      code: 4,
    },
    {name: 'create with a name taken', user: ADMIN, args: () => ['create', 'acme-api', '--org', ORG], code: 5},
    {
      name: 'apps:destroy with a wrong --confirm',
      user: ADMIN,
      args: () => ['apps:destroy', '--app', 'acme-api', '--confirm', 'acme-apx'],
      code: 2,
    },
    {name: 'apps:destroy by a member', user: DEV, args: () => ['apps:destroy', '--app', 'acme-api', '--confirm', 'acme-api'], code: 4},
    {name: 'apps:lock by a member', user: DEV, args: () => ['apps:lock', '--app', 'acme-api'], code: 4},
    {name: 'apps:join of a locked app', user: DEV, args: () => ['apps:join', '--app', 'acme-vault'], code: 4},
    {name: 'apps:leave by someone who cannot see the app', user: OUTSIDER, args: () => ['apps:leave', '--app', 'acme-api'], code: 3},
    {name: "apps:transfer of someone else's app", user: ADMIN, args: () => ['apps:transfer', ORG, '--app', 'dev-tool'], code: 3},
    {name: 'transfers:cancel by a stranger', user: OUTSIDER, args: () => ['transfers:cancel', transfer], code: 3},
    {name: 'ps:scale past the dyno-units limit', user: ADMIN, args: () => ['ps:scale', 'web=11', '--app', 'acme-api'], code: 6},
    {name: 'orgs:create with a name taken', user: ADMIN, args: () => ['orgs:create', ORG], code: 5},
    {
      name: 'authorizations:revoke of an unknown token',
      user: ADMIN,
      args: () => ['authorizations:revoke', '00000000-0000-4000-8000-000000000000'],
      code: 3,
    },
    {
      name: 'a bad flag value (checked before anything)',
      user: ADMIN,
      args: () => ['members:add', 'x@acme.test', '--role', 'boss', '--org', ORG],
      code: 2,
    },
  ]

  it.each(SUCCESSES.map((c) => [c.name, c] as const))(
    '%s: says what it would do, prints the real resource, changes nothing',
    async (_name, c) => {
      const real = await runOnCopy(box, base, c.user, [...c.args(), '--json'])
      expect(real.result.code, show(real.result, 'the real command')).toBe(c.code)
      // (Through a server the store's tokens are left out of the comparison: see storeBytes.)
      const seen = !c.name.includes('not there') && !(HTTP && c.name.startsWith('authorizations:'))
      if (seen) expect(real.changed, 'the real command changes the store').toBe(true)
      const json = await nothingChanged(() => box.run(c.user, [...c.args(), '--dry-run', '--json']))
      expect(json.code, show(json)).toBe(c.code)
      expect(json.stderr, show(json)).toBe('')
      // A token a dry run "minted" was never stored: none is shown (access_token null), under --json too.
      expect(comparable(json)).toBe(comparable(real.result).replace(/"access_token":\{[^}]*\}/, '"access_token":null'))
      const human = await nothingChanged(() => box.run(c.user, [...c.args(), '--dry-run']))
      expect(human.code, show(human)).toBe(c.code)
      expect(lines(human.stderr), show(human)).toEqual(c.says?.())
      expect(human.stdout, show(human)).toBe(c.prints ?? '')
    },
  )

  it.each(REFUSALS.map((c) => [c.name, c] as const))(
    '%s: refused with the real error and exit code, changing nothing',
    async (_name, c) => {
      const real = await runOnCopy(box, base, c.user, c.args())
      expect(real.result.code, show(real.result, 'the real command')).toBe(c.code)
      expect(real.changed).toBe(false)
      const dry = await nothingChanged(() => box.run(c.user, [...c.args(), '--dry-run']))
      expectError(dry, c.code)
      // The same words, the usage line aside (it names --dry-run among the flags either way).
      expect(dry.stderr).toBe(real.result.stderr)
    },
  )

  it('apps:destroy asks nothing in a dry run (it changes nothing); without --confirm a script gets the line', async () => {
    const dry = await nothingChanged(() => box.run(ADMIN, ['apps:destroy', '--app', 'acme-api', '--dry-run']))
    expectOk(dry)
    expect(lines(dry.stderr)).toEqual(['Would destroy acme-api'])
    // The real command refuses to go on without the confirmation, so the difference is on purpose.
    expectError(await runOnCopy(box, base, ADMIN, ['apps:destroy', '--app', 'acme-api']).then((run) => run.result), 2, /--confirm acme-api/)
  })

  it('members:add in bulk: on a store the third of three sees the first two and finds the members limit reached', async () => {
    // The org has room for two more members (admin, dev and the contractor of acme-api count: 3 of 5).
    const args = ['members:add', 'a@acme.test', 'b@acme.test', 'c@acme.test', '--org', ORG]
    const real = await runOnCopy(box, base, ADMIN, [...args, '--json'])
    expect(real.result.code, show(real.result)).toBe(1)
    const statuses = (run: RunResult) =>
      run
        .json<{results: {email: string; status: string; error?: {id: string}}[]}>()
        .results.map((item) => `${item.email}:${item.status}:${item.error?.id ?? ''}`)
    expect(statuses(real.result)).toEqual(['a@acme.test:added:', 'b@acme.test:added:', 'c@acme.test:failed:limit_reached'])
    const json = await nothingChanged(() => box.run(ADMIN, [...args, '--dry-run', '--json']))
    const human = await nothingChanged(() => box.run(ADMIN, [...args, '--dry-run']))
    if (HTTP) {
      // Over HTTP each item is its own dry request, rolled back before the next: none sees another.
      expectOk(json)
      expect(json.json<{status: string}[]>().map((item) => item.status)).toEqual(['added', 'added', 'added'])
      expect(lines(human.stderr)).toEqual(['a', 'b', 'c'].map((who) => `Would add ${who}@acme.test to ${ORG} as member`))
      return
    }
    expect(json.code, show(json)).toBe(1)
    expect(statuses(json)).toEqual(statuses(real.result))
    expect(human.code).toBe(1)
    expect(lines(human.stderr)).toEqual([
      `Would add a@acme.test to ${ORG} as member`,
      `Would add b@acme.test to ${ORG} as member`,
      expect.stringMatching(new RegExp(`^Would add c@acme\\.test to ${ORG} as member\\.\\.\\. failed: .*limit`)),
      'Error: 1 of 3 members would fail: c@acme.test. Nothing was changed (a dry run).',
    ])
  })

  it('apps:transfer in bulk: on a store the third app finds the apps limit reached by the first two', async () => {
    // Room for two apps (acme-api and acme-vault: 2 of 4).
    const args = ['apps:transfer', ORG, '-a', 't-one', '-a', 't-two', '-a', 't-three']
    const real = await runOnCopy(box, base, DEV, [...args, '--json'])
    expect(real.result.code, show(real.result)).toBe(1)
    const dry = await nothingChanged(() => box.run(DEV, [...args, '--dry-run', '--json']))
    const statuses = (run: RunResult) => run.json<{results?: {status: string}[]}>().results?.map((item) => item.status)
    if (HTTP) {
      expectOk(dry)
      expect(dry.json<{status: string}[]>().map((item) => item.status)).toEqual(['moved', 'moved', 'moved'])
      return
    }
    expect(dry.code, show(dry)).toBe(1)
    expect(statuses(dry)).toEqual(['moved', 'moved', 'failed'])
    expect(statuses(dry)).toEqual(statuses(real.result))
  })
})

describe.runIf(PG)('--dry-run directly on PostgreSQL (ORGCTL_DATABASE_URL)', () => {
  it('a bulk add is one rolled-back transaction: the third add finds the members limit; not a row written', async () => {
    const db = await createTestDatabase()
    const box = sandbox()
    try {
      const run = (...args: string[]) =>
        runBin(args, {
          PATH: process.env.PATH,
          HOME: join(box.dir, 'home'),
          ORGCTL_CONFIG_DIR: box.configDir,
          ORGCTL_DATABASE_URL: db.url,
          ORGCTL_USER: ADMIN,
          NO_COLOR: '1',
        })
      expectOk(await run('orgs:create', ORG, '--limit', 'members=3'))
      const rows = () =>
        withClient(db.url, async (client) => {
          const counted = await client.query(
            "SELECT (SELECT count(*) FROM users) AS users, (SELECT count(*) FROM memberships) AS members, (SELECT string_agg(name || version || member_count, ',') FROM orgs) AS orgs",
          )
          return counted.rows[0]
        })
      const before = await rows()
      const dry = await run('members:add', 'a@acme.test', 'b@acme.test', 'c@acme.test', '--org', ORG, '--dry-run')
      expect(dry.code, show(dry)).toBe(1)
      expect(lines(dry.stderr).slice(0, 2)).toEqual([
        `Would add a@acme.test to ${ORG} as member`,
        `Would add b@acme.test to ${ORG} as member`,
      ])
      expect(lines(dry.stderr)[2]).toMatch(/^Would add c@acme\.test to acme-widgets as member\.\.\. failed: .*limit/)
      expect(await rows()).toEqual(before)
      expect(expectOk(await run('members:add', 'a@acme.test', '--org', ORG, '--dry-run', '--json')).json().email).toBe('a@acme.test')
      expect(await rows()).toEqual(before)
    } finally {
      await box.cleanup()
      await db.drop()
    }
  })
})
