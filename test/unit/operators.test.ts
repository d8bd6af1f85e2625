/**
 * Who provisions orgs, and their limits: operators against admins, members, collaborators and
 * outsiders, with and without an operator named; limits below use; rename and destroy.
 */
import {describe, expect, it} from 'vitest'

import {addAccess} from '../../src/lib/domain/access.js'
import {createApp, destroyApp} from '../../src/lib/domain/apps.js'
import {addMember, listMembers} from '../../src/lib/domain/members.js'
import {addOperator, listOperators, operatorStatus, removeOperator} from '../../src/lib/domain/operators.js'
import {createOrg, destroyOrg, listOrgs, orgLimits, orgUsage, renameOrg, setOrgLimits} from '../../src/lib/domain/orgs.js'
import {transferApp} from '../../src/lib/domain/transfers.js'
import {DEFAULT_LIMITS} from '../../src/lib/domain/validation.js'
import {ADMIN, COLLAB, failure, MEMBER, OUTSIDER, world} from './fixture.js'

const OPS = 'ops@platform.test'
const BOSS = 'boss@new.test'

/** acme: admin, member, and an app shared with a collaborator (view); apps limit 5. */
async function acme(operator = false) {
  const w = world()
  await w.as(ADMIN).write(createOrg, 'acme', {...DEFAULT_LIMITS, apps: 5, members: 10})
  await w.as(ADMIN).write(addMember, 'acme', MEMBER, 'member')
  await w.as(ADMIN).write(createApp, {name: 'acme-api', org: 'acme', region: 'us'})
  await w.as(ADMIN).write(addAccess, 'acme-api', COLLAB, ['view'])
  if (operator) await w.as(OUTSIDER).write(addOperator, OPS)
  return w
}

const outcome = async (promise: Promise<unknown>): Promise<string> =>
  promise.then(
    () => 'ok',
    (error: {id?: string}) => error.id ?? String(error),
  )

describe('operators', () => {
  it('are named once (case-folded), listed by email, and removed; the last one too', async () => {
    const w = world()
    expect(await w.as(ADMIN).read(operatorStatus)).toEqual({operator: false, operatorsNamed: false})
    expect(await w.as(ADMIN).write(addOperator, 'OPS@Platform.test')).toMatchObject({email: OPS, changed: true, remaining: 1})
    expect(await w.as(ADMIN).write(addOperator, OPS)).toMatchObject({changed: false, remaining: 1})
    await w.as(ADMIN).write(addOperator, 'a-ops@platform.test')
    expect((await w.as(ADMIN).read(listOperators)).map((o) => o.email)).toEqual(['a-ops@platform.test', OPS])
    expect(await w.as(OPS).read(operatorStatus)).toEqual({operator: true, operatorsNamed: true})
    expect(await w.as(ADMIN).read(operatorStatus)).toEqual({operator: false, operatorsNamed: true})
    expect(await w.as(ADMIN).write(removeOperator, OPS)).toMatchObject({changed: true, remaining: 1})
    expect(await w.as(ADMIN).write(removeOperator, OPS)).toMatchObject({changed: false, remaining: 1})
    expect(await w.as(ADMIN).write(removeOperator, 'a-ops@platform.test')).toMatchObject({changed: true, remaining: 0})
    expect(await w.as(ADMIN).read(operatorStatus)).toEqual({operator: false, operatorsNamed: false})
    expect((await failure(w.as(ADMIN).write(addOperator, 'not an email'))).id).toBe('invalid_params')
  })
})

describe('orgs:create', () => {
  it('with no operator named: anyone, as its admin; --admin names someone else (the creator is then not a member)', async () => {
    const w = world()
    expect((await w.as(ADMIN).write(createOrg, 'acme', DEFAULT_LIMITS)).role).toBe('admin')
    const made = await w.as(OUTSIDER).write(createOrg, 'beta', DEFAULT_LIMITS, {admin: 'Boss@New.test'})
    expect(made.role).toBeNull()
    expect((await w.as(BOSS).read(listMembers, 'beta')).map((m) => [m.email, m.role])).toEqual([[BOSS, 'admin']])
    expect(await w.as(OUTSIDER).read(listOrgs)).toEqual([])
  })

  it('once an operator is named: only operators, for the admin they name; everyone else is forbidden, nothing made', async () => {
    const w = await acme(true)
    for (const who of [ADMIN, MEMBER, COLLAB, OUTSIDER]) {
      const error = await failure(w.as(who).write(createOrg, 'beta', DEFAULT_LIMITS))
      expect(error.id).toBe('forbidden')
      expect(error.message).toMatch(/^You cannot create an org: operators are named on this platform, and only an operator can/)
    }
    expect(await w.look((tx) => tx.orgs.byName('beta'))).toBeUndefined()
    const made = await w.as(OPS).write(createOrg, 'beta', {...DEFAULT_LIMITS, apps: 3}, {admin: BOSS})
    expect(made).toMatchObject({role: null, org: {name: 'beta', limits: {apps: 3}}})
    expect((await w.as(BOSS).read(listMembers, 'beta')).map((m) => m.email)).toEqual([BOSS])
    // The operator is not a member: the org is not among theirs.
    expect(await w.as(OPS).read(listOrgs)).toEqual([])
    expect((await failure(w.as(OPS).write(createOrg, 'beta', DEFAULT_LIMITS, {admin: BOSS}))).id).toBe('conflict')
  })
})

describe('orgs:limits', () => {
  it('shows limits with their use to its members, admins and operators; hides the org from others', async () => {
    const w = await acme(true)
    for (const who of [ADMIN, MEMBER, OPS]) {
      const view = await w.as(who).read(orgLimits, 'acme')
      expect(view.org.limits).toMatchObject({apps: 5, members: 10})
      expect(view.usage).toEqual({apps: 1, members: 3, 'dyno-units': 0})
      expect(view.setBy).toBe('operators')
    }
    expect((await failure(w.as(COLLAB).read(orgLimits, 'acme'))).id).toBe('forbidden')
    expect((await failure(w.as(OUTSIDER).read(orgLimits, 'acme'))).id).toBe('not_found')
    expect((await failure(w.as(OPS).read(orgLimits, 'nope'))).id).toBe('not_found')
  })

  it('with no operator named: the org’s admins change them (set by admins); members and others cannot', async () => {
    const w = await acme()
    expect((await w.as(ADMIN).read(orgLimits, 'acme')).setBy).toBe('admins')
    const changed = await w.as(ADMIN).write(setOrgLimits, 'acme', {apps: 8})
    expect(changed).toMatchObject({changed: true, before: {apps: 5}, org: {limits: {apps: 8, members: 10}}})
    expect(await outcome(w.as(MEMBER).write(setOrgLimits, 'acme', {apps: 9}))).toBe('forbidden')
    expect(await outcome(w.as(COLLAB).write(setOrgLimits, 'acme', {apps: 9}))).toBe('forbidden')
    expect(await outcome(w.as(OUTSIDER).write(setOrgLimits, 'acme', {apps: 9}))).toBe('not_found')
    expect((await w.look((tx) => tx.orgs.byName('acme')))!.limits.apps).toBe(8)
  })

  it('once an operator is named: only operators, on any org; an admin cannot raise their own', async () => {
    const w = await acme(true)
    const error = await failure(w.as(ADMIN).write(setOrgLimits, 'acme', {apps: 50}))
    expect(error.id).toBe('forbidden')
    expect(error.message).toMatch(/^You cannot change org acme's limits: operators are named/)
    expect(await outcome(w.as(MEMBER).write(setOrgLimits, 'acme', {apps: 50}))).toBe('forbidden')
    expect(await outcome(w.as(OUTSIDER).write(setOrgLimits, 'acme', {apps: 50}))).toBe('not_found')
    const changed = await w.as(OPS).write(setOrgLimits, 'acme', {apps: 50, 'dyno-units': 7})
    expect(changed).toMatchObject({changed: true, before: {apps: 5}, setBy: 'operators'})
    expect(changed.org.limits).toEqual({apps: 50, members: 10, 'dyno-units': 7})
    // The same again changes nothing.
    expect((await w.as(OPS).write(setOrgLimits, 'acme', {apps: 50})).changed).toBe(false)
  })

  it('a limit below the current use is refused naming the use; nothing changes', async () => {
    const w = await acme(true)
    const error = await failure(w.as(OPS).write(setOrgLimits, 'acme', {members: 2, apps: 9}))
    expect(error.id).toBe('conflict')
    expect(error.message).toMatch(/^members is at 3: a limit of 2 is below it \(org acme\)/)
    expect((await w.look((tx) => tx.orgs.byName('acme')))!.limits).toMatchObject({apps: 5, members: 10})
    // At the use exactly is fine.
    expect((await w.as(OPS).write(setOrgLimits, 'acme', {members: 3})).org.limits.members).toBe(3)
  })

  it('a limit reached says who can raise it: an operator once named, else the org’s admins', async () => {
    const w = await acme()
    await w.as(ADMIN).write(setOrgLimits, 'acme', {apps: 1})
    const byAdmins = await failure(w.as(ADMIN).write(createApp, {name: 'acme-two', org: 'acme', region: 'us'}))
    expect(byAdmins.id).toBe('limit_reached')
    expect(byAdmins.message).toMatch(/or an admin of acme can raise it \(orgctl orgs:limits --org acme --set apps=2\)\.$/)
    await w.as(ADMIN).write(addOperator, OPS)
    const byOperators = await failure(w.as(ADMIN).write(createApp, {name: 'acme-two', org: 'acme', region: 'us'}))
    expect(byOperators.message).toMatch(/or ask an operator to raise it \(orgctl orgs:limits --org acme --set apps=2\)\.$/)
  })
})

describe('orgs:rename', () => {
  it('admins rename; the id, members, apps, usage history and limits go with it; the old name is free', async () => {
    const w = await acme()
    const before = (await w.look((tx) => tx.orgs.byName('acme')))!
    const history = (await w.as(ADMIN).read(orgUsage, 'acme')).history
    const renamed = await w.as(ADMIN).write(renameOrg, 'acme', 'acme-two')
    expect(renamed).toMatchObject({from: 'acme', changed: true, org: {id: before.id, name: 'acme-two', limits: before.limits}})
    expect((await w.as(ADMIN).read(listMembers, 'acme-two')).map((m) => m.email)).toEqual([ADMIN, COLLAB, MEMBER])
    expect((await w.look((tx) => tx.apps.byName('acme-api')))!.owner).toEqual({kind: 'org', name: 'acme-two'})
    expect((await w.as(ADMIN).read(orgUsage, 'acme-two')).history).toEqual(history)
    expect((await w.as(COLLAB).read(listOrgs)).map((view) => view.org.name)).toEqual(['acme-two'])
    expect((await failure(w.as(ADMIN).read(orgLimits, 'acme'))).id).toBe('not_found')
    await w.as(OUTSIDER).write(createOrg, 'acme', DEFAULT_LIMITS)
    expect((await w.as(OUTSIDER).read(listMembers, 'acme')).map((m) => m.email)).toEqual([OUTSIDER])
  })

  it('refuses a taken or invalid name, and anyone but an admin (operators included); renaming to its own name changes nothing', async () => {
    const w = await acme(true)
    await w.as(OPS).write(createOrg, 'zeta', DEFAULT_LIMITS, {admin: BOSS})
    const taken = await failure(w.as(ADMIN).write(renameOrg, 'acme', 'zeta'))
    expect([taken.id, taken.message]).toEqual(['conflict', 'The org name zeta is already taken: choose another name.'])
    expect((await failure(w.as(ADMIN).write(renameOrg, 'acme', 'Not A Name'))).id).toBe('invalid_params')
    expect(await outcome(w.as(MEMBER).write(renameOrg, 'acme', 'acme-two'))).toBe('forbidden')
    expect(await outcome(w.as(COLLAB).write(renameOrg, 'acme', 'acme-two'))).toBe('forbidden')
    expect(await outcome(w.as(OUTSIDER).write(renameOrg, 'acme', 'acme-two'))).toBe('not_found')
    expect(await outcome(w.as(OPS).write(renameOrg, 'acme', 'acme-two'))).toBe('not_found')
    expect((await w.as(ADMIN).write(renameOrg, 'acme', 'acme')).changed).toBe(false)
    expect(await w.look((tx) => tx.orgs.byName('acme'))).toBeDefined()
  })
})

describe('orgs:destroy', () => {
  it('refuses an org with apps, naming them; once they are moved out, admins destroy it with its members', async () => {
    const w = await acme()
    const refused = await failure(w.as(ADMIN).write(destroyOrg, 'acme'))
    expect(refused.id).toBe('conflict')
    expect(refused.message).toBe('acme still has 1 app (acme-api): move them out with orgctl apps:transfer, or destroy them, first.')
    expect(await outcome(w.as(MEMBER).write(destroyOrg, 'acme'))).toBe('forbidden')
    await w.as(ADMIN).write(transferApp, 'acme-api', ADMIN)
    expect(await outcome(w.as(MEMBER).write(destroyOrg, 'acme'))).toBe('forbidden')
    expect(await outcome(w.as(OUTSIDER).write(destroyOrg, 'acme'))).toBe('not_found')
    const destroyed = await w.as(ADMIN).write(destroyOrg, 'acme')
    expect(destroyed).toMatchObject({members: 2, org: {name: 'acme'}})
    expect(await w.look((tx) => tx.orgs.byName('acme'))).toBeUndefined()
    expect(await w.as(MEMBER).read(listOrgs)).toEqual([])
    // The app moved out is untouched; the name is free again, with nothing of the old org's.
    expect((await w.look((tx) => tx.apps.byName('acme-api')))!.owner).toEqual({kind: 'user', email: ADMIN})
    await w.as(MEMBER).write(createOrg, 'acme', DEFAULT_LIMITS)
    expect((await w.as(MEMBER).read(orgUsage, 'acme')).history).toHaveLength(1)
    await w.as(ADMIN).write(destroyApp, 'acme-api')
  })
})
