/**
 * Every cell of PERMISSION_MATRIX (org and app scope), through the CLI.
 * The expected outcome of each cell is read from the matrix itself, so changing
 * the matrix changes these tests; only the command line for each action is
 * written here. Allowed → exit 0; forbidden → exit 4 and the store untouched;
 * no standing → exit 3 (not found) and the store untouched.
 */
import {copyFileSync} from 'node:fs'
import {join} from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {PERMISSION_MATRIX, type Rule, type Standing} from '../../src/lib/domain/permissions.js'
import {type Sandbox, sandbox} from '../helpers/cli.js'
import {copyStore, expectError, expectOk, pool, runOnCopy, show} from './_util.js'

const ORG = 'acme-widgets'
const APP = 'acme-api'
const LOCKED_APP = 'acme-vault'

/** The people of the fixture, each with a standing towards the org and its apps. */
const U = {
  admin: 'admin@acme.test',
  member: 'member@acme.test', // member who has joined no app
  joined: 'joined@acme.test', // member who has joined both apps (view, deploy, operate)
  cfull: 'cfull@partner.test', // collaborator with every permission on both apps
  cview: 'cview@partner.test', // collaborator with view only on both apps
  none: 'outsider@elsewhere.test', // no standing at all
  operator: 'ops@platform.test', // an operator, member of nothing (named in the second fixture only)
  target: 'target@acme.test', // a member, acted upon by members:set/remove
  ctarget: 'ctarget@partner.test', // a collaborator (view), acted upon by access:update/remove
  powner: 'powner@solo.test', // owner of a personal app
  pcollab: 'pcollab@solo.test', // collaborator on that personal app
} as const

const JOINED_PERMS = ['view', 'deploy', 'operate']
const FULL_PERMS = ['view', 'deploy', 'operate', 'manage']

/** A person in a standing, with their permissions on the fixture's apps. */
interface Actor {
  label: string
  email: string
  standing: Standing
  permissions: readonly string[]
}

/** The command line that performs each action, as `actor` (personal app per actor for transfers in). */
const ORG_COMMANDS: Record<string, (actor: Actor) => string[]> = {
  'orgs:info': () => ['orgs:info', '--org', ORG],
  'orgs:usage': () => ['orgs:usage', '--org', ORG],
  'orgs:billing': () => ['orgs:billing', '--org', ORG],
  'orgs:limits': () => ['orgs:limits', '--org', ORG],
  'orgs:limits-set': () => ['orgs:limits', '--org', ORG, '--set', 'apps=40'],
  'orgs:rename': () => ['orgs:rename', ORG, 'acme-renamed'],
  'orgs:destroy': () => ['orgs:destroy', ORG, '--confirm', ORG],
  'members:list': () => ['members', '--org', ORG],
  'members:add': () => ['members:add', 'newbie@acme.test', '--org', ORG],
  'members:set': () => ['members:set', U.target, '--role', 'admin', '--org', ORG],
  'members:remove': () => ['members:remove', U.target, '--org', ORG],
  'apps:list': () => ['apps', '--org', ORG],
  'access:export': () => ['access:export', '--org', ORG],
  'apps:create': () => ['create', 'cell-app', '--org', ORG],
  'apps:transfer-in': (actor) => ['apps:transfer', ORG, '--app', personalAppOf(actor.email)],
  'audit:list': () => ['audit', '--org', ORG],
}

const APP_COMMANDS: Record<string, (app: string) => string[]> = {
  'apps:info': (app) => ['apps:info', '--app', app],
  'access:list': (app) => ['access', '--app', app],
  'access:check': (app) => ['access:check', U.admin, 'view', '--app', app],
  'ps:list': (app) => ['ps', '--app', app],
  'ps:scale': (app) => ['ps:scale', 'web=1', '--app', app],
  'access:add': (app) => ['access:add', 'newbie@partner.test', '--app', app],
  'access:update': (app) => ['access:update', U.ctarget, '--app', app, '--permissions', 'deploy'],
  'access:remove': (app) => ['access:remove', U.ctarget, '--app', app],
  'apps:destroy': (app) => ['apps:destroy', '--app', app, '--confirm', app],
  'apps:join': (app) => ['apps:join', '--app', app],
  'apps:leave': (app) => ['apps:leave', '--app', app],
  'apps:lock': (app) => ['apps:lock', '--app', app],
  'apps:transfer-out': (app) => ['apps:transfer', 'recipient@elsewhere.test', '--app', app, '--confirm', app],
}

function personalAppOf(email: string): string {
  return `p-${email.split('@')[0]}`
}

const ORG_ROWS = PERMISSION_MATRIX.filter((row) => row.scope === 'org')
const APP_ROWS = PERMISSION_MATRIX.filter((row) => row.scope === 'app')

/**
 * Where being allowed is not the end: the fixture's org has apps, so whoever may destroy it gets past
 * the permission check to the refusal of an org with apps (5, nothing changed). test/e2e/operators.test.ts
 * destroys an org without apps.
 */
const ALLOWED_EXIT: Record<string, number> = {'orgs:destroy': 5}

/** The matrix's verdict: 0 allowed, 4 forbidden, 3 when the actor has no standing. */
function expectedExit(rule: Rule, actor: Actor, locked: boolean, lockedAdminsOnly: boolean, action = ''): number {
  let allowed: boolean
  if (rule === 'allow') allowed = true
  else if (rule === 'deny') allowed = false
  else allowed = actor.permissions.includes(rule.needs)
  if (locked && lockedAdminsOnly && actor.standing !== 'admin') allowed = false
  if (allowed) return ALLOWED_EXIT[action] ?? 0
  return actor.standing === 'none' ? 3 : 4
}

/** Who to try for a rule row: every standing, and both sides of a permission rule. */
function actorsFor(rules: Record<Standing, Rule>, scope: 'org' | 'app'): Actor[] {
  const actors: Actor[] = [{label: 'admin', email: U.admin, standing: 'admin', permissions: FULL_PERMS}]
  if (scope === 'app' && typeof rules.member === 'object') {
    actors.push({label: 'member (joined)', email: U.joined, standing: 'member', permissions: JOINED_PERMS})
    actors.push({label: 'member (not joined)', email: U.member, standing: 'member', permissions: []})
  } else {
    actors.push({label: 'member', email: U.member, standing: 'member', permissions: []})
  }
  const cview: Actor = {label: 'collaborator (view)', email: U.cview, standing: 'collaborator', permissions: ['view']}
  const cfull: Actor = {label: 'collaborator (all permissions)', email: U.cfull, standing: 'collaborator', permissions: FULL_PERMS}
  if (scope === 'app' && typeof rules.collaborator === 'object') {
    const needed = rules.collaborator.needs
    // one holding the permission, and one not holding it (when such a collaborator can exist)
    actors.push(cview.permissions.includes(needed) ? cview : cfull)
    if (!cview.permissions.includes(needed)) actors.push(cview)
  } else {
    actors.push(cview)
  }
  actors.push({label: 'non-member', email: U.none, standing: 'none', permissions: []})
  return actors
}

interface Cell {
  name: string
  user: string
  args: string[]
  expected: number
  /** Run on the fixture with an operator named (U.operator). */
  named?: boolean
}

function orgCells(): Cell[] {
  return ORG_ROWS.flatMap((row) => {
    const command = ORG_COMMANDS[row.action]
    if (!command) throw new Error(`No command line for org action ${row.action}: add one to ORG_COMMANDS`)
    return actorsFor(row.rules, 'org').map((actor) => ({
      name: `${row.action} as ${actor.label}`,
      user: actor.email,
      args: command(actor),
      expected: expectedExit(row.rules[actor.standing], actor, false, false, row.action),
    }))
  })
}

function appCells(): Cell[] {
  return APP_ROWS.flatMap((row) => {
    const command = APP_COMMANDS[row.action]
    if (!command) throw new Error(`No command line for app action ${row.action}: add one to APP_COMMANDS`)
    const lockedAdminsOnly = 'lockedAdminsOnly' in row && row.lockedAdminsOnly === true
    const apps = lockedAdminsOnly ? [APP, LOCKED_APP] : [APP]
    return apps.flatMap((app) =>
      actorsFor(row.rules, 'app').map((actor) => ({
        name: `${row.action} on ${app === LOCKED_APP ? 'a locked' : 'an unlocked'} org app as ${actor.label}`,
        user: actor.email,
        args: command(app),
        expected: expectedExit(row.rules[actor.standing], actor, app === LOCKED_APP, lockedAdminsOnly),
      })),
    )
  })
}

/** Personal apps: their owner stands as admin, a user they are shared with as a collaborator (view, deploy, operate). */
const PERSONAL_ACTIONS = ['apps:info', 'access:list', 'ps:list', 'ps:scale', 'access:add', 'access:remove', 'apps:destroy']
function personalCells(): Cell[] {
  const app = personalAppOf(U.powner)
  return APP_ROWS.filter((row) => PERSONAL_ACTIONS.includes(row.action)).flatMap((row) => {
    const actors: Actor[] = [
      {label: 'its owner', email: U.powner, standing: 'admin', permissions: FULL_PERMS},
      {label: 'a collaborator', email: U.pcollab, standing: 'collaborator', permissions: JOINED_PERMS},
      {label: 'a stranger', email: U.none, standing: 'none', permissions: []},
    ]
    return actors.map((actor) => ({
      name: `${row.action} on a personal app as ${actor.label}`,
      user: actor.email,
      args: APP_COMMANDS[row.action]!(app),
      expected: expectedExit(row.rules[actor.standing], actor, false, false),
    }))
  })
}

/**
 * The operator column: on the fixture with an operator named, the operator (a member of nothing) on
 * every org row, and everyone else on the rows only operators may take once one is named; orgs:create
 * (a user row) in both fixtures.
 */
function operatorCells(): Cell[] {
  const operator: Actor = {label: 'an operator (not a member)', email: U.operator, standing: 'none', permissions: []}
  const cells = ORG_ROWS.flatMap((row) => {
    const command = ORG_COMMANDS[row.action]!
    const onlyOperators = 'operatorsOnly' in row && row.operatorsOnly === true
    const byOperator: Cell = {
      name: `${row.action} as ${operator.label}, once named`,
      user: operator.email,
      args: command(operator),
      expected: 'operator' in row ? (ALLOWED_EXIT[row.action] ?? 0) : 3,
      named: true,
    }
    const others = onlyOperators
      ? actorsFor(row.rules, 'org').map((actor) => ({
          name: `${row.action} as ${actor.label}, once an operator is named`,
          user: actor.email,
          args: command(actor),
          expected: actor.standing === 'none' ? 3 : 4,
          named: true,
        }))
      : []
    return [byOperator, ...others]
  })
  const create = (label: string, user: string, named: boolean, expected: number): Cell => ({
    name: `orgs:create as ${label}${named ? ', once an operator is named' : ', no operator named'}`,
    user,
    args: ['orgs:create', 'brand-new-org', '--admin', 'boss@new.test'],
    expected,
    named,
  })
  return [
    ...cells,
    create('an admin', U.admin, false, 0),
    create('a non-member', U.none, false, 0),
    create('an admin', U.admin, true, 4),
    create('a non-member', U.none, true, 4),
    create('an operator', U.operator, true, 0),
  ]
}

describe('permission matrix through the CLI', () => {
  let box: Sandbox
  let base: string
  const outcomes = new Map<string, {result: Awaited<ReturnType<Sandbox['run']>>; changed: boolean}>()
  const cells = [...orgCells(), ...appCells(), ...personalCells(), ...operatorCells()]
  let named: string

  beforeAll(async () => {
    box = sandbox()
    const as = (user: string) => box.as(user)
    const all = async (runs: Promise<Awaited<ReturnType<Sandbox['run']>>>[]) =>
      (await Promise.all(runs)).forEach((r) => expectOk(r, 'fixture'))
    expectOk(await as(U.admin)('orgs:create', ORG))
    await all([
      as(U.admin)('members:add', U.member, '--org', ORG),
      as(U.admin)('members:add', U.joined, '--org', ORG),
      as(U.admin)('members:add', U.target, '--org', ORG),
      as(U.admin)('create', APP, '--org', ORG),
      as(U.admin)('create', LOCKED_APP, '--org', ORG),
      ...[U.admin, U.member, U.cview, U.none, U.powner].map((user) => as(user)('create', personalAppOf(user))),
    ])
    await all([
      as(U.joined)('apps:join', '--app', APP),
      as(U.joined)('apps:join', '--app', LOCKED_APP),
      ...[APP, LOCKED_APP].flatMap((app) => [
        as(U.admin)('access:add', U.cfull, '--app', app, '--permissions', 'deploy,operate,manage'),
        as(U.admin)('access:add', U.cview, '--app', app),
        as(U.admin)('access:add', U.ctarget, '--app', app),
      ]),
      as(U.powner)('access:add', U.pcollab, '--app', personalAppOf(U.powner)),
      as(U.powner)('access:add', U.ctarget, '--app', personalAppOf(U.powner)),
    ])
    expectOk(await as(U.admin)('apps:lock', '--app', LOCKED_APP))
    base = join(box.dir, 'base.json')
    await copyStore(box, base)
    // The same fixture with an operator named, on the storage itself (a file in every mode).
    named = join(box.dir, 'named.json')
    copyFileSync(base, named)
    expectOk(
      await box.onStorage(['operators:add', U.operator], {ORGCTL_STORE: named, ORGCTL_DATABASE_URL: undefined}),
      'naming an operator',
    )

    const results = await pool(
      cells.map((cell) => async () => {
        const {result, changed} = await runOnCopy(box, cell.named ? named : base, cell.user, cell.args)
        return {cell, result, changed}
      }),
      4,
    )
    for (const {cell, result, changed} of results) outcomes.set(cell.name, {result, changed})
  })
  afterAll(() => box.cleanup())

  it('has a command line for every org and app action of the matrix', () => {
    for (const row of ORG_ROWS) expect(ORG_COMMANDS, row.action).toHaveProperty([row.action])
    for (const row of APP_ROWS) expect(APP_COMMANDS, row.action).toHaveProperty([row.action])
    expect(cells.length).toBeGreaterThan(ORG_ROWS.length * 4 + APP_ROWS.length * 4)
  })

  it.each(cells.map((cell) => [cell.name, cell.expected, cell] as const))('%s → exit %i', (_name, _expected, cell) => {
    const {result, changed} = outcomes.get(cell.name)!
    const label = `orgctl ${cell.args.join(' ')}  (as ${cell.user}); expected exit ${cell.expected}`
    if (cell.expected === 0) {
      expectOk(result, label)
      return
    }
    expectError(result, cell.expected, undefined, label)
    expect(changed, `a refused command changed the store\n${show(result, label)}`).toBe(false)
    // someone with no standing learns nothing more than "not found"
    if (cell.expected === 3) expect(result.stderr).toMatch(/Couldn't find|not found/i)
  })
})
