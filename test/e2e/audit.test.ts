/**
 * The audit log end to end, on the store and over HTTP (the same file runs in both projects): the
 * guide's walk-through, then `audit` shows each change in order with the right actor; the filters;
 * admins only; bad input; audit:prune and the events of no org directly on the storage only.
 */
import {appendFileSync, copyFileSync, readFileSync, statSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {HTTP, PG, type Sandbox, sandbox} from '../helpers/cli.js'
import {ADMIN, DEV, ORG, expectError, expectOk, expectUnchanged} from './_util.js'

const LEAD = 'lead@acme.test'
const EXT = 'contractor@ext.test'
const VIEWER = 'viewer@acme.test'

/** The guide's steps, each as [who, args], and the event each records: [action, actor, target name]. */
const WALK: [string, string[], [string, string, string]][] = [
  [ADMIN, ['orgs:create', ORG], ['team.create', ADMIN, ORG]],
  [ADMIN, ['members:add', DEV, '--org', ORG], ['team-member.create', ADMIN, DEV]],
  [ADMIN, ['members:add', LEAD, '--org', ORG, '--role', 'member'], ['team-member.create', ADMIN, LEAD]],
  [ADMIN, ['members:add', VIEWER, '--org', ORG], ['team-member.create', ADMIN, VIEWER]],
  [ADMIN, ['members:set', LEAD, '--role', 'admin', '--org', ORG], ['team-member.update', ADMIN, LEAD]],
  [LEAD, ['create', 'acme-api', '--org', ORG], ['app.create', LEAD, 'acme-api']],
  [DEV, ['apps:join', '--app', 'acme-api'], ['collaborator.create', DEV, DEV]],
  [LEAD, ['access:add', EXT, '--app', 'acme-api', '--permissions', 'deploy'], ['collaborator.create', LEAD, EXT]],
  [LEAD, ['access:update', EXT, '--app', 'acme-api', '--permissions', 'deploy,operate'], ['collaborator.update', LEAD, EXT]],
  [DEV, ['ps:scale', 'web=2', '--app', 'acme-api'], ['formation.update', DEV, 'acme-api']],
  [ADMIN, ['apps:lock', '--app', 'acme-api'], ['app.lock', ADMIN, 'acme-api']],
  [LEAD, ['access:remove', EXT, '--app', 'acme-api'], ['collaborator.destroy', LEAD, EXT]],
  [ADMIN, ['members:remove', DEV, '--org', ORG], ['team-member.destroy', ADMIN, DEV]],
]

describe('the audit log of the guide walk-through', () => {
  let box: Sandbox
  beforeAll(async () => {
    box = sandbox()
    for (const [who, args] of WALK) expectOk(await box.as(who)(...args), args.join(' '))
    // Reruns and refusals record nothing.
    expectOk(await box.as(ADMIN)('members:add', LEAD, '--org', ORG, '--role', 'admin'))
    expectOk(await box.as(ADMIN)('apps:lock', '--app', 'acme-api'))
    expectError(await box.as(VIEWER)('members:add', 'someone@acme.test', '--org', ORG), 4)
  }, 120_000)
  afterAll(() => box.cleanup())

  it('audit --json shows each change, newest first, with the right actor, org and names', async () => {
    const events = expectOk(await box.as(ADMIN)('audit', '--org', ORG, '--json')).json()
    expect(events.map((e: any) => [e.action, e.actor.email, e.target.name])).toEqual(WALK.map(([, , event]) => event).reverse())
    for (const event of events) {
      expect(event).toMatchObject({id: expect.any(String), created_at: expect.any(String), team: {name: ORG, id: expect.any(String)}})
      expect(Object.keys(event)).toEqual(['id', 'created_at', 'action', 'actor', 'target', 'team', 'app', 'data', 'request_id'])
      // Over HTTP each change keeps the id of the request that made it; on the store there is none.
      if (HTTP) expect(event.request_id).toEqual(expect.any(String))
      else expect(event.request_id).toBeNull()
    }
    const times = events.map((e: any) => e.created_at)
    expect([...times].sort().reverse()).toEqual(times)
    const byAction = (action: string) => events.find((e: any) => e.action === action)
    expect(byAction('team-member.update').data).toEqual({before: {email: LEAD, role: 'member'}, after: {email: LEAD, role: 'admin'}})
    expect(byAction('collaborator.update').data).toEqual({
      before: {email: EXT, permissions: ['view', 'deploy']},
      after: {email: EXT, permissions: ['view', 'deploy', 'operate']},
    })
    // The removed member's history stays readable.
    expect(byAction('team-member.destroy').data).toEqual({before: {email: DEV, role: 'member', apps: ['acme-api']}, after: null})
    expect(byAction('formation.update')).toMatchObject({app: {name: 'acme-api'}, data: {before: [], after: [{type: 'web', quantity: 2}]}})
  })

  it('filters: --action pattern, --actor, --app, --limit, --since and --until', async () => {
    const admin = box.as(ADMIN)
    const actions = async (...args: string[]) =>
      expectOk(await admin('audit', '--org', ORG, '--json', ...args))
        .json()
        .map((e: any) => e.action)
    expect(await actions('--action', 'team-member.*')).toEqual([
      'team-member.destroy',
      'team-member.update',
      'team-member.create',
      'team-member.create',
      'team-member.create',
    ])
    expect(await actions('--actor', DEV)).toEqual(['formation.update', 'collaborator.create'])
    expect(await actions('--app', 'acme-api', '--action', 'collaborator.*')).toEqual([
      'collaborator.destroy',
      'collaborator.update',
      'collaborator.create',
      'collaborator.create',
    ])
    expect(await actions('--limit', '2')).toEqual(['team-member.destroy', 'collaborator.destroy'])
    expect(await actions('--since', '1d')).toHaveLength(WALK.length)
    expect(await actions('--until', '2020-01-01')).toEqual([])
    expect(await actions('--since', '2999-01-01')).toEqual([])
  })

  it('a piped table: tab-separated rows, newest first', async () => {
    const piped = expectOk(await box.as(ADMIN)('audit', '--org', ORG, '--limit', '1'))
    expect(piped.stdout).toMatch(
      new RegExp(
        `^\\d{4}-\\d{2}-\\d{2}T[^\\t]+\\t${ADMIN}\\tteam-member\\.destroy\\tteam-member ${DEV}\\t\\twas: role member, apps acme-api\\n$`,
      ),
    )
  })

  it('admins only: a member is refused (exit 4), an outsider is told nothing (exit 3)', async () => {
    expectError(await box.as(VIEWER)('audit', '--org', ORG), 4, /You cannot see org acme-widgets's audit log: that needs an admin/)
    expectError(await box.as('outsider@else.test')('audit', '--org', ORG), 3)
  })

  it('bad input: one line and exit 2, each', async () => {
    const admin = box.as(ADMIN)
    expectError(await admin('audit', '--org', ORG, '--since', 'yesterday'), 2, /Invalid --since "yesterday": give a date/)
    expectError(await admin('audit', '--org', ORG, '--until', '2026-02-30'), 2, /Invalid --until/)
    expectError(await admin('audit', '--org', ORG, '--limit', '0'), 2, /Invalid --limit "0": give a whole number from 1 to 1000/)
    expectError(await admin('audit', '--org', ORG, '--limit', '1001'), 2, /from 1 to 1000/)
    expectError(await admin('audit', '--org', ORG, '--action', 'team member'), 2, /Invalid --action/)
    expectError(await admin('audit', '--org', ORG, '--actor', 'nobody'), 2)
    expectError(await admin('audit', '--org', ORG, '--since', '2026-11-10', '--until', '2026-11-01'), 2, /must be before --until/)
    expectError(await admin('audit:prune'), 2, /--before/)
  })

  it('the events of no org and audit:prune: directly on the storage only', async () => {
    const admin = box.as(ADMIN)
    if (HTTP) {
      expectError(await admin('audit'), 2, /Missing org: give --org ORG/)
      expectError(await expectUnchanged(box, () => admin('audit:prune', '--before', '2999-01-01')), 2, /runs directly on the storage/)
      return
    }
    expectOk(await admin('authorizations:create', '--description', 'ci'))
    const none = expectOk(await admin('audit', '--json')).json()
    expect(none.map((e: any) => [e.action, e.team, e.data.after?.description])).toEqual([['authorization.create', null, 'ci']])
    expect(JSON.stringify(none)).not.toMatch(/orgctl_/)
    const pruned = expectOk(await admin('audit:prune', '--before', '2999-01-01', '--json')).json()
    expect(pruned).toEqual({before: '2999-01-01T00:00:00.000Z', removed: WALK.length + 1})
    expect(expectOk(await admin('audit', '--org', ORG, '--json')).json()).toEqual([])
    expect(
      expectOk(await admin('audit', '--json'))
        .json()
        .map((e: any) => e.action),
    ).toEqual(['audit.prune'])
  })
})

describe('an org renamed or destroyed: its log follows its id (on the store, over HTTP, on PostgreSQL)', () => {
  let box: Sandbox
  beforeAll(async () => {
    box = sandbox()
  })
  afterAll(() => box.cleanup())
  const actions = async (org: string) =>
    expectOk(await box.as(ADMIN)('audit', '--org', org, '--json'))
      .json()
      .map((e: any) => [e.action, e.team.name])

  it('rename: the history from before is the new name’s; the old name is unknown, its answers not served again', async () => {
    const admin = box.as(ADMIN)
    expectOk(await admin('orgs:create', 'acme-old', '--limit', 'apps=7'))
    expectOk(await admin('members:add', DEV, '--org', 'acme-old'))
    expectOk(await admin('create', 'old-api', '--org', 'acme-old'))
    // Read through the server first (its answer cache holds these), then renamed.
    expectOk(await admin('members', '--org', 'acme-old'))
    expectOk(await admin('audit', '--org', 'acme-old'))
    expectOk(await admin('orgs:rename', 'acme-old', 'acme-new'))
    expect(await actions('acme-new')).toEqual([
      ['team.update', 'acme-new'],
      ['app.create', 'acme-old'],
      ['team-member.create', 'acme-old'],
      ['team.create', 'acme-old'],
    ])
    expectError(await admin('audit', '--org', 'acme-old'), 3)
    expectError(await admin('members', '--org', 'acme-old'), 3)
    const members = expectOk(await admin('members', '--org', 'acme-new', '--json')).json()
    expect(members.map((m: any) => m.email)).toEqual([ADMIN, DEV])
    expect(
      expectOk(await admin('apps', '--org', 'acme-new', '--json'))
        .json()
        .map((a: any) => a.name),
    ).toEqual(['old-api'])
    const limits = expectOk(await admin('orgs:limits', '--org', 'acme-new', '--json')).json()
    expect(limits.resources.find((r: any) => r.name === 'apps')).toEqual({name: 'apps', used: 1, limit: 7})
  })

  it('destroy, then create under the same name: an empty log but its own team.create', async () => {
    const admin = box.as(ADMIN)
    expectOk(await admin('orgs:create', 'acme-gone'))
    expectOk(await admin('members:add', DEV, '--org', 'acme-gone'))
    expectOk(await admin('audit', '--org', 'acme-gone'))
    expectOk(await admin('orgs:destroy', '--org', 'acme-gone', '--confirm', 'acme-gone'))
    expectError(await admin('audit', '--org', 'acme-gone'), 3)
    expectOk(await admin('orgs:create', 'acme-gone'))
    expect(await actions('acme-gone')).toEqual([['team.create', 'acme-gone']])
    expect(
      expectOk(await admin('members', '--org', 'acme-gone', '--json'))
        .json()
        .map((m: any) => m.email),
    ).toEqual([ADMIN])
  })
})

describe.skipIf(HTTP || PG)('the embedded store keeps the log in a file of its own', () => {
  let box: Sandbox
  beforeAll(async () => {
    box = sandbox()
    expectOk(await box.as(ADMIN)('orgs:create', ORG))
    expectOk(await box.as(ADMIN)('members:add', DEV, '--org', ORG))
  })
  afterAll(() => box.cleanup())
  const log = () => `${box.store}.audit.jsonl`

  it('appends: the log grows by lines, never rewritten; the store records its committed length', async () => {
    const before = readFileSync(log())
    expectOk(await box.as(ADMIN)('members:set', DEV, '--role', 'admin', '--org', ORG))
    const after = readFileSync(log())
    expect(after.subarray(0, before.length).equals(before)).toBe(true)
    expect(after.toString().trim().split('\n')).toHaveLength(3)
    expect(JSON.parse(readFileSync(box.store, 'utf8')).layout.audit).toEqual([0, after.length, 3])
    expect(statSync(log()).mode & 0o777).toBe(0o600)
  })

  it('a tail beyond the recorded length (a crash before the store was renamed in) is ignored, then cut off', async () => {
    const committed = readFileSync(log())
    const ghost = {id: 'ghost', seq: 99, createdAt: '2026-01-01T00:00:00.000Z', action: 'team.create', actor: {email: 'x@x.test'}}
    appendFileSync(log(), `${JSON.stringify(ghost)}\n{"half a line`)
    const events = expectOk(await box.as(ADMIN)('audit', '--org', ORG, '--json')).json()
    expect(events.map((e: any) => e.id)).not.toContain('ghost')
    expect(events).toHaveLength(3)
    expectOk(await box.as(ADMIN)('members:set', DEV, '--role', 'member', '--org', ORG))
    const now = readFileSync(log())
    expect(now.subarray(0, committed.length).equals(committed)).toBe(true)
    expect(now.toString()).not.toContain('ghost')
    expect(now.toString().trim().split('\n')).toHaveLength(4)
    expect(expectOk(await box.as(ADMIN)('audit', '--org', ORG, '--json')).json()[0].action).toBe('team-member.update')
  })

  it('a copy of the store file without its log has no history, and starts a log of its own', async () => {
    const copy = join(box.dir, 'copy.json')
    copyFileSync(box.store, copy)
    const onCopy = (...args: string[]) => box.run(ADMIN, args, {env: {ORGCTL_STORE: copy}})
    expect(expectOk(await onCopy('audit', '--org', ORG, '--json')).json()).toEqual([])
    expectOk(await onCopy('members:add', 'copied@acme.test', '--org', ORG))
    expect(
      expectOk(await onCopy('audit', '--org', ORG, '--json'))
        .json()
        .map((e: any) => e.target.name),
    ).toEqual(['copied@acme.test'])
    // The original keeps its own.
    expect(expectOk(await box.as(ADMIN)('audit', '--org', ORG, '--json')).json()).toHaveLength(4)
  })

  it('a command that does not read the log does not open it: garbage in it goes unnoticed until audit reads it', async () => {
    const good = readFileSync(log())
    writeFileSync(log(), Buffer.alloc(good.length, 'x'))
    try {
      expectOk(await box.as(ADMIN)('members', '--org', ORG))
      expectOk(await box.as(ADMIN)('orgs:info', '--org', ORG))
      // A change appends its line after the committed bytes without reading them.
      expectOk(await box.as(ADMIN)('members:add', 'late@acme.test', '--org', ORG))
      expect(readFileSync(log()).subarray(0, good.length).equals(Buffer.alloc(good.length, 'x'))).toBe(true)
      expectError(await box.as(ADMIN)('audit', '--org', ORG), 7, /The audit log .* cannot be used: line 1 is not an event/)
    } finally {
      writeFileSync(log(), good)
    }
  })
})
