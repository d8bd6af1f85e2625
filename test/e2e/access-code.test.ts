/**
 * Access as code through the CLI, on the store and over HTTP alike (e2e-store / e2e-http run this
 * file): export, edit, plan (exit 8), apply, plan exits 0; the removal cap; the last admin;
 * --allow-self; two applies at once; the file's errors and the usage errors.
 */
import {readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {parse} from 'yaml'

import {type Sandbox, sandbox} from '../helpers/cli.js'
import {ADMIN, DEV, ORG, expectError, expectOk, expectUnchanged, lines, show} from './_util.js'

const API = 'acme-api'
const WEB = 'acme-web'
const LEAD = 'lead@acme.test'
const CONTRACTOR = 'contractor@ext.test'

type Runner = (...args: string[]) => ReturnType<Sandbox['run']>

describe('access as code', () => {
  let box: Sandbox
  let admin: Runner
  const file = (name: string) => join(box.dir, name)
  const write = (name: string, text: string) => {
    writeFileSync(file(name), text)
    return file(name)
  }

  beforeAll(async () => {
    box = sandbox()
    admin = box.as(ADMIN)
    expectOk(await admin('orgs:create', ORG))
    for (const args of [
      ['members:add', LEAD, '--org', ORG],
      ['members:add', 'old@acme.test', '--org', ORG],
      ['create', API, '--org', ORG],
      ['create', WEB, '--org', ORG],
      ['access:add', CONTRACTOR, '--app', API, '--permissions', 'deploy'],
      ['orgs:create', 'acme-labs'],
    ])
      expectOk(await admin(...args), args.join(' '))
  })
  afterAll(() => box.cleanup())

  it('exports a file that plans nothing, in YAML or JSON', async () => {
    const exported = expectOk(await admin('access:export', '--org', ORG))
    expect(parse(exported.stdout)).toEqual({
      version: 1,
      orgs: {
        [ORG]: {
          members: {[ADMIN]: 'admin', [LEAD]: 'member', 'old@acme.test': 'member'},
          apps: {
            [API]: {locked: false, collaborators: {[ADMIN]: ['view', 'deploy', 'operate', 'manage'], [CONTRACTOR]: ['view', 'deploy']}},
            [WEB]: {locked: false, collaborators: {[ADMIN]: ['view', 'deploy', 'operate', 'manage']}},
          },
          prune: {members: false, collaborators: false},
        },
      },
    })
    expect(exported.stdout).toContain(`${CONTRACTOR}: [view, deploy]`)
    const yaml = write('today.yaml', exported.stdout)
    const plan = expectOk(await admin('plan', '-f', yaml))
    expect(plan.stdout).toBe(`No changes: ${ORG} matches ${yaml}.\n`)
    expectOk(await admin('access:export', '--org', ORG, '--output', file('today.json')))
    expect(JSON.parse(readFileSync(file('today.json'), 'utf8'))).toEqual(parse(exported.stdout))
    expect(expectOk(await admin('plan', '-f', file('today.json'), '--json')).json()).toEqual({
      changes: [],
      summary: {create: 0, update: 0, destroy: 0},
    })
    expect(expectOk(await admin('access:export', '--org', ORG, '--json')).json()).toEqual(parse(exported.stdout))
  })

  it('plans an edit (exit 8), applies it, and then plans nothing', async () => {
    const edited = write(
      'edited.yaml',
      `version: 1
orgs:
  ${ORG}:
    members: {${ADMIN}: admin, ${LEAD}: admin, ${DEV.toUpperCase()}: member, old@acme.test: member}
    apps:
      ${API}:
        locked: true
        collaborators: {${ADMIN}: [deploy, operate, manage], bot@ci.test: [deploy]}
    prune: {members: false, collaborators: true}
`,
    )
    const plan = await admin('plan', '-f', edited)
    expect(plan.code, show(plan)).toBe(8)
    expect(lines(plan.stdout)).toEqual([
      `${ORG}:`,
      `  + member ${DEV} member`,
      `  ~ member ${LEAD} member -> admin`,
      `  ~ app ${API} locked false -> true`,
      `  + collaborator bot@ci.test ${API} view,deploy`,
      `  - collaborator ${CONTRACTOR} ${API}`,
      'Plan: 2 to create, 2 to update, 1 to destroy.',
    ])
    const json = await admin('plan', '-f', edited, '--json')
    expect(json.code).toBe(8)
    expect(json.json()).toEqual({
      changes: [
        {action: 'create', type: 'team-member', org: ORG, app: null, email: DEV, before: null, after: 'member'},
        {action: 'update', type: 'team-member', org: ORG, app: null, email: LEAD, before: 'member', after: 'admin'},
        {action: 'update', type: 'app', org: ORG, app: API, email: null, before: false, after: true},
        {action: 'create', type: 'collaborator', org: ORG, app: API, email: 'bot@ci.test', before: null, after: ['view', 'deploy']},
        {action: 'destroy', type: 'collaborator', org: ORG, app: API, email: CONTRACTOR, before: ['view', 'deploy'], after: null},
      ],
      summary: {create: 2, update: 2, destroy: 1},
    })
    // A script must say --yes; nothing is changed without it.
    await expectUnchanged(box, async () => {
      const refused = await admin('apply', '-f', edited)
      expectError(refused, 2, /re-run with --yes/)
      return refused
    })
    const applied = expectOk(await admin('apply', '-f', edited, '--yes'))
    // Promotions and additions first, the lock last.
    expect(lines(applied.stderr)).toEqual([
      `+ member ${DEV} member... done`,
      `~ member ${LEAD} member -> admin... done`,
      `+ collaborator bot@ci.test ${API} view,deploy... done`,
      `- collaborator ${CONTRACTOR} ${API}... done`,
      `~ app ${API} locked false -> true... done`,
    ])
    expect(expectOk(await admin('plan', '-f', edited)).stdout).toBe(`No changes: ${ORG} matches ${edited}.\n`)
    expect(expectOk(await admin('apply', '-f', edited)).stderr).toBe(`No changes: ${ORG} matches ${edited}.\n`)
    expect(expectOk(await admin('access:check', 'bot@ci.test', 'deploy', '--app', API)).code).toBe(0)
  })

  it('removes members only where prune says so, never more than the cap, and demotes in a safe order', async () => {
    const state = parse(expectOk(await admin('access:export', '--org', ORG)).stdout)
    const org = state.orgs[ORG]
    org.prune = {members: true, collaborators: false}
    delete org.members['old@acme.test']
    delete org.members[DEV]
    const pruned = write('pruned.json', JSON.stringify(state))
    // 2 removals of 7 members and collaborators: above the default cap (25%: 1), and above 1; 30% (2) lets them through.
    await expectUnchanged(box, async () => {
      const refused = await admin('apply', '-f', pruned, '--yes', '--max-removals', '1')
      expectError(
        refused,
        5,
        /The plan removes 2 of the \d+ members and collaborators of acme-widgets, more than --max-removals allows \(1\)/,
      )
      return refused
    })
    expectError(await admin('apply', '-f', pruned, '--yes', '--max-removals', 'lots'), 2, /Invalid --max-removals "lots"/)
    const applied = expectOk(await admin('apply', '-f', pruned, '--yes', '--max-removals', '30%'), 'at the cap')
    expect(lines(applied.stderr)).toEqual([`- member ${DEV} member... done`, '- member old@acme.test member... done'])
    expect(await admin('plan', '-f', pruned)).toMatchObject({code: 0})
  })

  it('refuses to leave an org without an admin, and to demote the person applying without --allow-self', async () => {
    const noAdmin = write('no-admin.yaml', `version: 1\norgs:\n  ${ORG}:\n    members: {${ADMIN}: member, ${LEAD}: member}\n`)
    await expectUnchanged(box, async () => {
      const refused = await admin('apply', '-f', noAdmin, '--yes', '--allow-self')
      expectError(refused, 5, /The plan leaves acme-widgets without an admin/)
      return refused
    })
    const demoteMe = write('demote-me.yaml', `version: 1\norgs:\n  ${ORG}:\n    members: {${ADMIN}: member}\n`)
    await expectUnchanged(box, async () => {
      const refused = await admin('apply', '-f', demoteMe, '--yes')
      expectError(
        refused,
        5,
        /would take access from you \(admin@acme\.test\): ~ member admin@acme\.test admin -> member\. Nothing was changed: pass --allow-self/,
      )
      return refused
    })
    expectOk(await admin('apply', '-f', demoteMe, '--yes', '--allow-self'))
    const members = expectOk(await box.as(LEAD)('members', '--org', ORG, '--json')).json()
    expect(members.find((m: {email: string}) => m.email === ADMIN).role).toBe('member')
    // The last-admin rule of the domain still holds under apply: the lead is the one admin left.
    const lastAdmin = write('last-admin.yaml', `version: 1\norgs:\n  ${ORG}:\n    members: {${LEAD}: member, ${ADMIN}: admin}\n`)
    expectOk(await box.as(LEAD)('apply', '-f', lastAdmin, '--yes', '--allow-self'))
    expect(await admin('plan', '-f', lastAdmin)).toMatchObject({code: 0})
  })

  it('names what the file lists but does not exist, and bad files, by line', async () => {
    const ghost = write('ghost.yaml', `version: 1\norgs:\n  ${ORG}:\n    apps:\n      ghost-app: {locked: true}\n`)
    expectError(await admin('plan', '-f', ghost), 3, new RegExp(`ghost\\.yaml line 5: ghost-app is not an app of ${ORG}`))
    const noOrg = write('no-org.yaml', 'version: 1\norgs:\n  acme-ghosts: {}\n')
    expectError(await admin('plan', '-f', noOrg), 3, /no-org\.yaml line 3: Couldn't find org acme-ghosts/)
    const typo = write('typo.yaml', `version: 1\norgs:\n  ${ORG}:\n    members:\n      ${ADMIN}: admin\n    aps: {}\n`)
    expectError(await admin('plan', '-f', typo), 2, /typo\.yaml line 6: unknown key "aps" in org acme-widgets: use members, apps, prune\./)
    expectError(await admin('apply', '-f', typo, '--yes'), 2, /typo\.yaml line 6/)
    expectError(await admin('plan', '-f', file('missing.yaml')), 2, /Cannot read .*missing\.yaml/)
    expectError(await admin('plan'), 2, /Missing required flag --file/)
    // An app of another org: not this org's to manage.
    expectOk(await admin('create', 'labs-app', '--org', 'acme-labs'))
    const other = write('other.yaml', `version: 1\norgs:\n  ${ORG}:\n    apps:\n      labs-app: {}\n`)
    expectError(await admin('plan', '-f', other), 3, /labs-app is not an app of acme-widgets/)
  })

  it('carries on past a failure, exits 1 naming it, and finishes on a rerun once the cause is fixed', async () => {
    expectOk(await admin('orgs:create', 'acme-small', '--limit', 'members=2'))
    expectOk(await admin('create', 'small-app', '--org', 'acme-small'))
    const full = write(
      'full.yaml',
      `version: 1
orgs:
  acme-small:
    members: {${ADMIN}: admin, one@acme.test: member, two@acme.test: member}
    apps:
      small-app: {locked: true}
`,
    )
    const failed = await admin('apply', '-f', full, '--yes', '--json')
    expectError(failed, 1, /1 of 3 changes failed: \+ member two@acme\.test member\. Fix the cause and rerun apply/)
    const body = failed.json()
    expect(body.id).toBe('partial_failure')
    expect(body.changes.map((c: {email: string | null; status: string}) => [c.email, c.status])).toEqual([
      ['one@acme.test', 'done'],
      ['two@acme.test', 'failed'],
      [null, 'done'],
    ])
    expect(body.changes[1].error.id).toBe('limit_reached')
    expect(body.summary).toEqual({create: 2, update: 1, destroy: 0})
    const left = await admin('plan', '-f', full)
    expect(left.code).toBe(8)
    expect(lines(left.stdout)).toEqual(['acme-small:', '  + member two@acme.test member', 'Plan: 1 to create, 0 to update, 0 to destroy.'])
  })

  it('reads the file from stdin', async () => {
    const exported = expectOk(await admin('access:export', '--org', ORG)).stdout
    const result = await box.run(ADMIN, ['plan', '-f', '-'], {input: exported})
    expect(result.code, show(result)).toBe(0)
  })

  it('lets two applies run at once: both finish, and the state is the file', async () => {
    const state = parse(expectOk(await admin('access:export', '--org', ORG)).stdout)
    const org = state.orgs[ORG]
    for (let i = 0; i < 6; i++) org.members[`new${i}@acme.test`] = i % 2 ? 'admin' : 'member'
    org.apps[WEB] = {locked: true, collaborators: {[ADMIN]: ['view'], 'web-bot@ci.test': ['view', 'operate']}}
    const both = write('both.yaml', JSON.stringify(state))
    const [one, two] = await Promise.all([
      admin('apply', '-f', both, '--yes', '--allow-self'),
      admin('apply', '-f', both, '--yes', '--allow-self'),
    ])
    expectOk(one, 'first apply')
    expectOk(two, 'second apply')
    expect(await admin('plan', '-f', both)).toMatchObject({code: 0})
  })
})
