import {describe, expect, it} from 'vitest'

import {addAccess, listAccess, removeAccess, updateAccess} from '../../src/lib/domain/access.js'
import {createApp, destroyApp, joinApp, leaveApp, listApps, setLocked} from '../../src/lib/domain/apps.js'
import {scale} from '../../src/lib/domain/formation.js'
import {addMember, listMembers, removeMember, setMember} from '../../src/lib/domain/members.js'
import {createOrg, listOrgs, orgBilling, orgUsage} from '../../src/lib/domain/orgs.js'
import {cancelTransfer, listTransfers, respondToTransfer, transferApp} from '../../src/lib/domain/transfers.js'
import {DEFAULT_LIMITS, parseScaleChange} from '../../src/lib/domain/validation.js'
import type {OrgctlError} from '../../src/lib/errors.js'
import {ADMIN, COLLAB, MEMBER, names, OUTSIDER, world} from './fixture.js'

function errorId(fn: () => unknown): string {
  try {
    fn()
    return 'ok'
  } catch (error) {
    return (error as OrgctlError).id
  }
}

function acme(limits = DEFAULT_LIMITS) {
  const w = world()
  createOrg(w.as(ADMIN), 'acme', limits)
  addMember(w.as(ADMIN), 'acme', MEMBER, 'member')
  createApp(w.as(ADMIN), {name: 'acme-api', org: 'acme', region: 'us'})
  addAccess(w.as(ADMIN), 'acme-api', COLLAB, ['deploy'])
  return w
}

describe('orgs and members', () => {
  it('creates an org with its creator as the only admin', () => {
    const w = world()
    createOrg(w.as(ADMIN), 'acme', DEFAULT_LIMITS)
    expect(listMembers(w.as(ADMIN), 'acme').map((m) => [m.email, m.role])).toEqual([[ADMIN, 'admin']])
    expect(errorId(() => createOrg(w.as(MEMBER), 'acme', DEFAULT_LIMITS))).toBe('conflict')
  })

  it('lists people an org app is shared with as collaborators', () => {
    const w = acme()
    expect(listMembers(w.as(ADMIN), 'acme').map((m) => [m.email, m.role])).toEqual([
      [ADMIN, 'admin'],
      [COLLAB, 'collaborator'],
      [MEMBER, 'member'],
    ])
    expect(listOrgs(w.as(COLLAB)).map((v) => [v.org.name, v.role])).toEqual([['acme', 'collaborator']])
  })

  it('treats adding with the same role as done, and another role as a conflict', () => {
    const w = acme()
    expect(addMember(w.as(ADMIN), 'acme', MEMBER, 'member').role).toBe('member')
    expect(errorId(() => addMember(w.as(ADMIN), 'acme', MEMBER, 'admin'))).toBe('conflict')
  })

  it('refuses to remove or demote the last admin', () => {
    const w = acme()
    expect(errorId(() => removeMember(w.as(ADMIN), 'acme', ADMIN))).toBe('conflict')
    expect(errorId(() => setMember(w.as(ADMIN), 'acme', ADMIN, 'member'))).toBe('conflict')
    setMember(w.as(ADMIN), 'acme', MEMBER, 'admin')
    expect(removeMember(w.as(ADMIN), 'acme', ADMIN)?.role).toBe('admin')
  })

  it('takes all app access away from a removed member at once', () => {
    const w = acme()
    joinApp(w.as(MEMBER), 'acme-api')
    removeMember(w.as(ADMIN), 'acme', MEMBER)
    expect(w.state.apps.get('acme-api')!.collaborators.has(MEMBER)).toBe(false)
    expect(errorId(() => listApps(w.as(MEMBER), 'acme'))).toBe('not_found')
  })

  it('counts members against the limit, app-only collaborators included', () => {
    const w = acme({...DEFAULT_LIMITS, members: 3})
    expect(errorId(() => addMember(w.as(ADMIN), 'acme', 'new@acme.test', 'member'))).toBe('limit_reached')
    expect(errorId(() => addAccess(w.as(ADMIN), 'acme-api', 'new@acme.test', []))).toBe('limit_reached')
    expect(addMember(w.as(ADMIN), 'acme', COLLAB, 'member').role).toBe('member')
  })
})

describe('apps, locking and joining', () => {
  it('refuses an app past the apps limit and changes nothing', () => {
    const w = acme({...DEFAULT_LIMITS, apps: 1})
    expect(errorId(() => createApp(w.as(MEMBER), {name: 'acme-web', org: 'acme', region: 'us'}))).toBe('limit_reached')
    expect(w.state.apps.has('acme-web')).toBe(false)
  })

  it('generates a free name when none is given', () => {
    const w = acme()
    const app = createApp(w.as(MEMBER), {org: 'acme', region: 'eu', generateName: names})
    expect(app.name).toMatch(/^gen-app-/)
    expect(app.collaborators.get(MEMBER)?.permissions).toEqual(['view', 'deploy', 'operate', 'manage'])
  })

  it('lets members join unlocked apps only', () => {
    const w = acme()
    setLocked(w.as(ADMIN), 'acme-api', true)
    expect(errorId(() => joinApp(w.as(MEMBER), 'acme-api'))).toBe('forbidden')
    expect(errorId(() => addAccess(w.as(MEMBER), 'acme-api', OUTSIDER, []))).toBe('forbidden')
    setLocked(w.as(ADMIN), 'acme-api', false)
    expect(joinApp(w.as(MEMBER), 'acme-api').permissions).toEqual(['view', 'deploy', 'operate'])
    expect(leaveApp(w.as(MEMBER), 'acme-api')?.email).toBe(MEMBER)
    expect(leaveApp(w.as(MEMBER), 'acme-api')).toBeUndefined()
  })

  it('keeps collaborators from granting permissions they do not hold', () => {
    const w = acme()
    updateAccess(w.as(ADMIN), 'acme-api', COLLAB, ['manage'])
    expect(errorId(() => addAccess(w.as(COLLAB), 'acme-api', OUTSIDER, ['operate']))).toBe('forbidden')
    expect(addAccess(w.as(COLLAB), 'acme-api', OUTSIDER, ['manage']).permissions).toEqual(['view', 'manage'])
  })

  it('lists admins with every permission in the access list', () => {
    const w = acme()
    const {access} = listAccess(w.as(COLLAB), 'acme-api')
    expect(access.map((row) => [row.email, row.role, row.permissions.join(',')])).toEqual([
      [ADMIN, 'admin', 'view,deploy,operate,manage'],
      [COLLAB, 'collaborator', 'view,deploy'],
    ])
    expect(removeAccess(w.as(COLLAB), 'acme-api', COLLAB)?.email).toBe(COLLAB)
  })

  it('destroys an app and cancels its pending transfers', () => {
    const w = world()
    createApp(w.as(OUTSIDER), {name: 'mine', region: 'us'})
    transferApp(w.as(OUTSIDER), 'mine', COLLAB)
    destroyApp(w.as(OUTSIDER), 'mine')
    expect(listTransfers(w.as(COLLAB))).toEqual([])
  })
})

describe('transfers', () => {
  it('moves a personal app into an org its owner belongs to, keeping the owner as collaborator', () => {
    const w = acme()
    createApp(w.as(MEMBER), {name: 'side-project', region: 'us'})
    const outcome = transferApp(w.as(MEMBER), 'side-project', 'acme')
    expect(outcome.moved).toBe(true)
    expect(outcome.app.owner).toEqual({kind: 'org', name: 'acme'})
    expect(outcome.app.collaborators.get(MEMBER)?.permissions).toContain('manage')
    expect(transferApp(w.as(MEMBER), 'side-project', 'acme').moved).toBe(false)
  })

  it('lets only admins move apps out of an org, removing every collaborator', () => {
    const w = acme()
    expect(errorId(() => transferApp(w.as(MEMBER), 'acme-api', MEMBER))).toBe('forbidden')
    const outcome = transferApp(w.as(ADMIN), 'acme-api', OUTSIDER)
    expect(outcome.app.owner).toEqual({kind: 'user', email: OUTSIDER})
    expect(outcome.app.collaborators.size).toBe(0)
  })

  it('makes a pending transfer between users that the recipient answers', () => {
    const w = world()
    createApp(w.as(OUTSIDER), {name: 'mine', region: 'us'})
    const {transfer} = transferApp(w.as(OUTSIDER), 'mine', COLLAB)
    expect(transfer?.state).toBe('pending')
    expect(errorId(() => respondToTransfer(w.as(OUTSIDER), transfer!.id, 'accepted'))).toBe('forbidden')
    expect(errorId(() => respondToTransfer(w.as(MEMBER), transfer!.id, 'accepted'))).toBe('not_found')
    respondToTransfer(w.as(COLLAB), transfer!.id, 'accepted')
    expect(w.state.apps.get('mine')!.owner).toEqual({kind: 'user', email: COLLAB})
    expect(respondToTransfer(w.as(COLLAB), transfer!.id, 'accepted').state).toBe('accepted')
    expect(errorId(() => cancelTransfer(w.as(OUTSIDER), transfer!.id))).toBe('conflict')
  })

  it('checks the target org limits before moving anything', () => {
    const w = acme({...DEFAULT_LIMITS, apps: 1})
    createApp(w.as(MEMBER), {name: 'side-project', region: 'us'})
    expect(errorId(() => transferApp(w.as(MEMBER), 'side-project', 'acme'))).toBe('limit_reached')
    expect(w.state.apps.get('side-project')!.owner).toEqual({kind: 'user', email: MEMBER})
  })

  it('needs admin in the target org to lock on transfer', () => {
    const w = acme()
    createApp(w.as(MEMBER), {name: 'side-project', region: 'us'})
    expect(errorId(() => transferApp(w.as(MEMBER), 'side-project', 'acme', {locked: true}))).toBe('forbidden')
    expect(transferApp(w.as(MEMBER), 'side-project', 'acme').app.locked).toBe(false)
  })
})

describe('dynos, usage and billing', () => {
  it('scales within the dyno-unit limit, all changes or none', () => {
    const w = acme({...DEFAULT_LIMITS, 'dyno-units': 4})
    joinApp(w.as(MEMBER), 'acme-api')
    scale(w.as(MEMBER), 'acme-api', [parseScaleChange('web=2:standard-2x')])
    expect(errorId(() => scale(w.as(MEMBER), 'acme-api', [parseScaleChange('worker=1'), parseScaleChange('web+1')]))).toBe('limit_reached')
    expect([...w.state.apps.get('acme-api')!.formation.values()].map((f) => [f.type, f.quantity, f.size])).toEqual([
      ['web', 2, 'standard-2x'],
    ])
    expect(orgUsage(w.as(ADMIN), 'acme').usage['dyno-units']).toBe(4)
  })

  it('keeps daily peaks as history', () => {
    const w = acme()
    const day1 = orgUsage(w.as(ADMIN), 'acme').history
    expect(day1.at(-1)).toMatchObject({date: '2026-11-15', apps: 1, members: 3})
    removeMember(w.as(ADMIN, '2026-11-16T10:00:00.000Z'), 'acme', MEMBER)
    const history = orgUsage(w.as(ADMIN), 'acme').history
    expect(history.map((d) => [d.date, d.members])).toEqual([
      ['2026-11-15', 3],
      ['2026-11-16', 2],
    ])
  })

  it('estimates the month from the time each app ran at each rate', () => {
    const w = acme()
    // From the 15th 00:00 to the 16th 00:00 at $50/month, then nothing: one day of a 30-day month.
    scale(w.as(ADMIN, '2026-11-15T00:00:00.000Z'), 'acme-api', [parseScaleChange('web=1:standard-2x')])
    scale(w.as(ADMIN, '2026-11-16T00:00:00.000Z'), 'acme-api', [parseScaleChange('web=0')])
    const {billing} = orgBilling(w.as(ADMIN, '2026-11-20T00:00:00.000Z'), 'acme')
    expect(billing.month).toBe('2026-11')
    expect(billing.apps).toEqual([{app: 'acme-api', dynoUnits: 0, monthlyCents: 0, toDateCents: 167, projectedCents: 167}])
    expect(errorId(() => orgBilling(w.as(MEMBER), 'acme'))).toBe('forbidden')
  })
})
