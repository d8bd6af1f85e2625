import {describe, expect, it} from 'vitest'

import {OrgctlError} from '../../src/lib/errors.js'
import {
  authorize,
  describeOperator,
  isAllowed,
  PERMISSION_MATRIX,
  STANDINGS,
  type Subject,
  whoMay,
} from '../../src/lib/domain/permissions.js'
import {APP_PERMISSIONS, type AppPermission} from '../../src/lib/domain/types.js'

const subject = (standing: Subject['standing'], permissions: AppPermission[] = [], locked = false): Subject => ({
  standing,
  permissions,
  locked,
  target: 'app x',
})

function outcome(fn: () => void): string {
  try {
    fn()
    return 'ok'
  } catch (error) {
    return (error as OrgctlError).id
  }
}

describe('the permission matrix', () => {
  it('has one row per action and a rule for every standing', () => {
    const actions = PERMISSION_MATRIX.map((rule) => rule.action)
    expect(new Set(actions).size).toBe(actions.length)
    for (const rule of PERMISSION_MATRIX) for (const standing of STANDINGS) expect(rule.rules[standing]).toBeDefined()
  })

  it('gives admins everything', () => {
    for (const rule of PERMISSION_MATRIX) expect(isAllowed(rule.action, subject('admin', [...APP_PERMISSIONS], true))).toBe(true)
  })

  it('hides orgs and apps from people with no standing: not found, never forbidden', () => {
    for (const rule of PERMISSION_MATRIX.filter((r) => r.scope !== 'user')) {
      expect(outcome(() => authorize(rule.action, subject('none')))).toBe('not_found')
    }
  })

  // Every cell: each standing, with each permission held alone and with none.
  for (const rule of PERMISSION_MATRIX) {
    for (const standing of STANDINGS) {
      const cell = rule.rules[standing]
      for (const held of [[], ...APP_PERMISSIONS.map((p) => [p])] as AppPermission[][]) {
        const expected =
          cell === 'allow'
            ? 'ok'
            : cell === 'deny'
              ? standing === 'none'
                ? 'not_found'
                : 'forbidden'
              : held.includes(cell.needs)
                ? 'ok'
                : 'forbidden'
        it(`${rule.action}: ${standing} holding [${held.join(',')}] -> ${expected}`, () => {
          if (standing === 'none' && expected !== 'ok')
            expect(outcome(() => authorize(rule.action, subject('none', held)))).toBe('not_found')
          else expect(outcome(() => authorize(rule.action, subject(standing, held)))).toBe(expected)
        })
      }
    }
  }

  // The operator column, cell by cell: an operator with no standing (not a member), and everyone else once operators are named.
  for (const rule of PERMISSION_MATRIX) {
    // Where the operator column says no, an operator stands as anyone with no standing does.
    const operatorExpected = 'operator' in rule && rule.operator === 'allow' ? 'ok' : outcome(() => authorize(rule.action, subject('none')))
    it(`${rule.action}: an operator who is not a member -> ${operatorExpected}`, () => {
      expect(outcome(() => authorize(rule.action, {...subject('none'), operator: true, operatorsNamed: true}))).toBe(operatorExpected)
    })
    for (const standing of STANDINGS) {
      const onlyOperators = 'operatorsOnly' in rule && rule.operatorsOnly === true
      const unnamed = outcome(() => authorize(rule.action, subject(standing, [...APP_PERMISSIONS])))
      const expected = !onlyOperators ? unnamed : standing === 'none' && rule.scope !== 'user' ? 'not_found' : 'forbidden'
      it(`${rule.action}: ${standing} once an operator is named -> ${expected}`, () => {
        expect(outcome(() => authorize(rule.action, {...subject(standing, [...APP_PERMISSIONS]), operatorsNamed: true}))).toBe(expected)
        // And an operator holding that standing too may do what the operator column allows, or what the standing allows.
        const asOperator = outcome(() =>
          authorize(rule.action, {...subject(standing, [...APP_PERMISSIONS]), operator: true, operatorsNamed: true}),
        )
        expect(asOperator).toBe('operator' in rule ? 'ok' : expected)
      })
    }
  }

  it('marks exactly the provisioning rows for operators', () => {
    const rows = (key: 'operator' | 'operatorsOnly') => PERMISSION_MATRIX.filter((rule) => key in rule).map((rule) => rule.action)
    expect(rows('operator')).toEqual(['orgs:create', 'audit:prune', 'orgs:limits', 'orgs:limits-set'])
    expect(rows('operatorsOnly')).toEqual(['orgs:create', 'audit:prune', 'orgs:limits-set'])
    expect(describeOperator(PERMISSION_MATRIX.find((r) => r.action === 'audit:prune')!)).toBe('yes; once named, only them')
    expect(whoMay(PERMISSION_MATRIX.find((r) => r.action === 'orgs:limits-set')!)).toBe('an admin, or an operator')
    expect(describeOperator(PERMISSION_MATRIX.find((r) => r.action === 'orgs:limits')!)).toBe('yes')
    expect(describeOperator(PERMISSION_MATRIX.find((r) => r.action === 'orgs:create')!)).toBe('yes; once named, only them')
    expect(describeOperator(PERMISSION_MATRIX.find((r) => r.action === 'orgs:rename')!)).toBe('')
  })

  it('lets only admins act on locked apps for the rows marked so', () => {
    const locked = PERMISSION_MATRIX.filter((rule) => 'lockedAdminsOnly' in rule)
    expect(locked.map((rule) => rule.action).sort()).toEqual(['access:add', 'apps:join'])
    for (const rule of locked) {
      expect(isAllowed(rule.action, subject('member', [...APP_PERMISSIONS], true))).toBe(false)
      expect(isAllowed(rule.action, subject('collaborator', [...APP_PERMISSIONS], true))).toBe(false)
      expect(isAllowed(rule.action, subject('admin', [], true))).toBe(true)
    }
  })

  it('says which role or permission would do', () => {
    expect(() => authorize('members:add', {standing: 'member', permissions: [], target: 'org acme'})).toThrow(
      'You cannot add members in org acme: that needs an admin (you are a member).',
    )
    // The target is named once, in place of "the app" / "the org" where the action says it.
    expect(() => authorize('apps:lock', {standing: 'member', permissions: ['view'], target: 'app acme-api'})).toThrow(
      /^You cannot lock or unlock app acme-api: that needs an admin \(you are a member/,
    )
    expect(() => authorize('orgs:rename', {standing: 'member', permissions: [], target: 'org acme'})).toThrow(
      /^You cannot rename org acme: that needs an admin/,
    )
    expect(() => authorize('orgs:usage', {standing: 'member', permissions: [], target: 'org acme'})).toThrow(
      /^You cannot see org acme's usage: /,
    )
    expect(whoMay(PERMISSION_MATRIX.find((r) => r.action === 'ps:scale')!)).toBe('an admin, or the operate permission on the app')
    expect(() => authorize('ps:scale', subject('member', ['view']))).toThrow(/Join it first/)
    expect(() => authorize('apps:join', subject('member', [], true))).toThrow(/locked, so only an admin can/)
  })
})
