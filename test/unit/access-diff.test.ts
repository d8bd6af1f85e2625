/** plan's diff, apply's order and its safety checks, on hand-made org states. */
import {describe, expect, it} from 'vitest'

import {allowedRemovals, checkSafety, ordered, parseRemovalCap} from '../../src/lib/access-code/apply.js'
import {type Change, describeChange, diff} from '../../src/lib/access-code/diff.js'
import {planLines} from '../../src/lib/access-code/plan.js'
import {parseAccessFile} from '../../src/lib/access-code/schema.js'
import type {TeamAccess} from '../../src/lib/api/resources.js'
import type {OrgctlError} from '../../src/lib/errors.js'

const ORG = 'acme-widgets'

function state(): TeamAccess {
  return {
    team: {id: 't1', name: ORG},
    members: [
      {email: 'boss@acme.test', role: 'admin'},
      {email: 'dev@acme.test', role: 'member'},
      {email: 'old@acme.test', role: 'member'},
    ],
    apps: [
      {
        id: 'a1',
        name: 'acme-api',
        locked: false,
        collaborators: [
          {email: 'contractor@ext.test', permissions: ['view', 'deploy']},
          {email: 'old@acme.test', permissions: ['view']},
        ],
      },
      {id: 'a2', name: 'acme-web', locked: true, collaborators: [{email: 'old@acme.test', permissions: ['view', 'operate']}]},
    ],
  }
}

const plan = (yaml: string, current = state()) =>
  diff(parseAccessFile(`version: 1\norgs:\n  ${ORG}:\n${yaml}`, 'a.yaml'), new Map([[ORG, current]]))
const shown = (changes: Change[]) => changes.map(describeChange)

describe('diff', () => {
  it('adds and changes members, and removes only with prune', () => {
    const members = '    members: {boss@acme.test: admin, dev@acme.test: admin, new@acme.test: member}\n'
    expect(shown(plan(members))).toEqual(['~ member dev@acme.test member -> admin', '+ member new@acme.test member'])
    expect(shown(plan(`${members}    prune: {members: true}\n`))).toEqual([
      '~ member dev@acme.test member -> admin',
      '+ member new@acme.test member',
      '- member old@acme.test member',
    ])
    // a removed member's access goes with them: shown on the apps the file lists
    expect(shown(plan(`${members}    apps:\n      acme-api: {}\n    prune: {members: true}\n`)).slice(-1)).toEqual([
      '- collaborator old@acme.test acme-api',
    ])
  })

  it('leaves unlisted sections alone, prune or not', () => {
    expect(plan('    prune: {members: true, collaborators: true}\n')).toEqual([])
    expect(plan('    apps:\n      acme-api: {}\n    prune: {members: true, collaborators: true}\n')).toEqual([])
  })

  it('changes locks and collaborators of the listed apps only', () => {
    const changes = plan(`    apps:
      acme-api:
        locked: true
        collaborators: {contractor@ext.test: [deploy, operate], bot@ci.test: []}
    prune: {collaborators: true}
`)
    expect(shown(changes)).toEqual([
      '~ app acme-api locked false -> true',
      '+ collaborator bot@ci.test acme-api view',
      '~ collaborator contractor@ext.test acme-api view,deploy -> view,deploy,operate',
      '- collaborator old@acme.test acme-api',
    ])
    expect(changes[2]).toEqual({
      action: 'update',
      type: 'collaborator',
      org: ORG,
      app: 'acme-api',
      email: 'contractor@ext.test',
      before: ['view', 'deploy'],
      after: ['view', 'deploy', 'operate'],
    })
  })

  it('gives back access a removed member keeps in the file (removing them takes it)', () => {
    const changes = plan(`    members: {boss@acme.test: admin, dev@acme.test: member}
    apps:
      acme-web:
        collaborators: {old@acme.test: [operate]}
    prune: {members: true}
`)
    expect(shown(changes)).toEqual(['- member old@acme.test member', '+ collaborator old@acme.test acme-web view,operate'])
  })

  it('takes someone an app is shared with as in the member list already (role collaborator)', () => {
    expect(
      plan('    members: {boss@acme.test: admin, dev@acme.test: member, old@acme.test: member, contractor@ext.test: collaborator}\n'),
    ).toEqual([])
  })

  it('names an app the org does not have, with its line', () => {
    try {
      plan('    apps:\n      ghost-app: {}\n')
      throw new Error('expected a failure')
    } catch (error) {
      expect((error as OrgctlError).id).toBe('not_found')
      expect((error as Error).message).toMatch(/^a\.yaml line 5: ghost-app is not an app of acme-widgets/)
    }
  })
})

describe('apply order', () => {
  it('adds and promotes before it demotes and removes, unlocks before collaborators, locks last', () => {
    const current = state()
    current.members.push({email: 'lead@acme.test', role: 'admin'})
    const changes = plan(
      `    members: {boss@acme.test: member, dev@acme.test: admin, new@acme.test: member, lead@acme.test: collaborator}
    apps:
      acme-api: {locked: true, collaborators: {bot@ci.test: []}}
      acme-web: {locked: false}
    prune: {members: true, collaborators: true}
`,
      current,
    )
    expect(ordered(changes).map(describeChange)).toEqual([
      '~ member dev@acme.test member -> admin',
      '+ member new@acme.test member',
      '~ member boss@acme.test admin -> member',
      '~ member lead@acme.test admin -> collaborator',
      '- member old@acme.test member',
      '~ app acme-web locked true -> false',
      '+ collaborator bot@ci.test acme-api view',
      '- collaborator contractor@ext.test acme-api',
      '- collaborator old@acme.test acme-api',
      '- collaborator old@acme.test acme-web',
      '~ app acme-api locked false -> true',
    ])
  })
})

describe('safety', () => {
  const states = new Map([[ORG, state()]])
  const refusal = (changes: Change[], options: Partial<Parameters<typeof checkSafety>[2]> = {}) => {
    try {
      checkSafety(changes, states, {me: 'boss@acme.test', cap: {percent: 25}, allowSelf: false, ...options})
      return undefined
    } catch (error) {
      expect((error as OrgctlError).id).toBe('conflict')
      return (error as Error).message
    }
  }
  const removals = plan('    members: {boss@acme.test: admin}\n    prune: {members: true}\n')

  it('caps removals: 25% of the members and collaborators by default, at least 1', () => {
    // 3 members + 3 collaborator records = 6: 25% is 1; the plan removes 2 members
    expect(allowedRemovals({percent: 25}, state())).toEqual({allowed: 1, of: 6})
    expect(allowedRemovals({percent: 1}, state()).allowed).toBe(1)
    expect(allowedRemovals({count: 0}, state()).allowed).toBe(0)
    // Asked for in so many words, 0% is none (the floor of 1 is for a share that rounds down to 0).
    expect(allowedRemovals({percent: 0}, state()).allowed).toBe(0)
    expect(refusal(removals, {cap: {percent: 0}})).toMatch(/allows \(0, 0% of them\)/)
    expect(refusal(removals)).toMatch(
      /removes 2 of the 6 members and collaborators of acme-widgets, more than --max-removals allows \(1, 25% of them\)/,
    )
    expect(refusal(removals, {cap: {count: 2}})).toBeUndefined()
    expect(refusal(removals, {cap: {count: 1}})).toMatch(/allows \(1\)/)
    expect(refusal(removals, {cap: {percent: 50}})).toBeUndefined()
  })

  it('refuses to take from the person applying without --allow-self', () => {
    const demote = plan('    members: {boss@acme.test: member, dev@acme.test: admin}\n')
    expect(refusal(demote)).toMatch(/take access from you \(boss@acme\.test\): ~ member boss@acme\.test admin -> member/)
    expect(refusal(demote, {allowSelf: true})).toBeUndefined()
    const narrow = plan('    apps:\n      acme-api: {collaborators: {contractor@ext.test: []}}\n')
    expect(refusal(narrow, {me: 'contractor@ext.test'})).toMatch(/view,deploy -> view/)
    expect(refusal(narrow)).toBeUndefined()
  })

  it('refuses a plan that leaves an org without an admin, even with --allow-self', () => {
    expect(refusal(plan('    members: {boss@acme.test: member}\n'), {allowSelf: true})).toMatch(/leaves acme-widgets without an admin/)
  })

  it('parses --max-removals', () => {
    expect(parseRemovalCap('10')).toEqual({count: 10})
    expect(parseRemovalCap('30%')).toEqual({percent: 30})
    for (const bad of ['', '-1', '101%', '1.5', 'ten']) expect(() => parseRemovalCap(bad)).toThrow(/Invalid --max-removals/)
  })
})

describe('the plan as a person reads it', () => {
  const noChanges = (orgs: string) => {
    const file = parseAccessFile(`version: 1\norgs:\n${orgs}`, 'a.yaml')
    return planLines({file, states: new Map(), changes: [], summary: {create: 0, update: 0, destroy: 0}})
  }

  it('says the orgs match the file, in good grammar for one org or several', () => {
    expect(noChanges(`  ${ORG}: {}\n`)).toEqual([`No changes: ${ORG} matches a.yaml.`])
    expect(noChanges(`  ${ORG}: {}\n  acme-other: {}\n`)).toEqual([`No changes: ${ORG}, acme-other match a.yaml.`])
  })
})
