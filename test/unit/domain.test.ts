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

async function errorId(promise: Promise<unknown>): Promise<string> {
  try {
    await promise
    return 'ok'
  } catch (error) {
    return (error as OrgctlError).id
  }
}

async function acme(limits = DEFAULT_LIMITS) {
  const w = world()
  await w.as(ADMIN).write(createOrg, 'acme', limits)
  await w.as(ADMIN).write(addMember, 'acme', MEMBER, 'member')
  await w.as(ADMIN).write(createApp, {name: 'acme-api', org: 'acme', region: 'us'})
  await w.as(ADMIN).write(addAccess, 'acme-api', COLLAB, ['deploy'])
  return w
}

describe('orgs and members', () => {
  it('creates an org with its creator as the only admin', async () => {
    const w = world()
    await w.as(ADMIN).write(createOrg, 'acme', DEFAULT_LIMITS)
    expect((await w.as(ADMIN).read(listMembers, 'acme')).map((m) => [m.email, m.role])).toEqual([[ADMIN, 'admin']])
    expect(await errorId(w.as(MEMBER).write(createOrg, 'acme', DEFAULT_LIMITS))).toBe('conflict')
  })

  it('lists people an org app is shared with as collaborators', async () => {
    const w = await acme()
    expect((await w.as(ADMIN).read(listMembers, 'acme')).map((m) => [m.email, m.role])).toEqual([
      [ADMIN, 'admin'],
      [COLLAB, 'collaborator'],
      [MEMBER, 'member'],
    ])
    expect((await w.as(COLLAB).read(listOrgs)).map((v) => [v.org.name, v.role])).toEqual([['acme', 'collaborator']])
  })

  it('treats adding with the same role as done, and another role as a conflict', async () => {
    const w = await acme()
    expect((await w.as(ADMIN).write(addMember, 'acme', MEMBER, 'member')).role).toBe('member')
    expect(await errorId(w.as(ADMIN).write(addMember, 'acme', MEMBER, 'admin'))).toBe('conflict')
  })

  it('refuses to remove or demote the last admin', async () => {
    const w = await acme()
    expect(await errorId(w.as(ADMIN).write(removeMember, 'acme', ADMIN))).toBe('conflict')
    expect(await errorId(w.as(ADMIN).write(setMember, 'acme', ADMIN, 'member'))).toBe('conflict')
    await w.as(ADMIN).write(setMember, 'acme', MEMBER, 'admin')
    expect((await w.as(ADMIN).write(removeMember, 'acme', ADMIN))?.role).toBe('admin')
  })

  it('takes all app access away from a removed member at once', async () => {
    const w = await acme()
    await w.as(MEMBER).write(joinApp, 'acme-api')
    await w.as(ADMIN).write(removeMember, 'acme', MEMBER)
    expect(await w.look((tx) => tx.collaborators.get('acme-api', MEMBER))).toBeUndefined()
    expect(await errorId(w.as(MEMBER).read(listApps, 'acme'))).toBe('not_found')
  })

  it('counts members against the limit, app-only collaborators included', async () => {
    const w = await acme({...DEFAULT_LIMITS, members: 3})
    expect(await errorId(w.as(ADMIN).write(addMember, 'acme', 'new@acme.test', 'member'))).toBe('limit_reached')
    expect(await errorId(w.as(ADMIN).write(addAccess, 'acme-api', 'new@acme.test', []))).toBe('limit_reached')
    expect((await w.as(ADMIN).write(addMember, 'acme', COLLAB, 'member')).role).toBe('member')
  })
})

describe('apps, locking and joining', () => {
  it('refuses an app past the apps limit and changes nothing', async () => {
    const w = await acme({...DEFAULT_LIMITS, apps: 1})
    expect(await errorId(w.as(MEMBER).write(createApp, {name: 'acme-web', org: 'acme', region: 'us'}))).toBe('limit_reached')
    expect(await w.look((tx) => tx.apps.byName('acme-web'))).toBeUndefined()
  })

  it('generates a free name when none is given', async () => {
    const w = await acme()
    const app = await w.as(MEMBER).write(createApp, {org: 'acme', region: 'eu', generateName: names})
    expect(app.name).toMatch(/^gen-app-/)
    expect((await w.look((tx) => tx.collaborators.get(app.name, MEMBER)))?.permissions).toEqual(['view', 'deploy', 'operate', 'manage'])
  })

  it('lets members join unlocked apps only', async () => {
    const w = await acme()
    await w.as(ADMIN).write(setLocked, 'acme-api', true)
    expect(await errorId(w.as(MEMBER).write(joinApp, 'acme-api'))).toBe('forbidden')
    expect(await errorId(w.as(MEMBER).write(addAccess, 'acme-api', OUTSIDER, []))).toBe('forbidden')
    await w.as(ADMIN).write(setLocked, 'acme-api', false)
    expect((await w.as(MEMBER).write(joinApp, 'acme-api')).collaborator.permissions).toEqual(['view', 'deploy', 'operate'])
    expect((await w.as(MEMBER).write(leaveApp, 'acme-api')).removed?.email).toBe(MEMBER)
    expect((await w.as(MEMBER).write(leaveApp, 'acme-api')).removed).toBeUndefined()
  })

  it('keeps collaborators from granting permissions they do not hold', async () => {
    const w = await acme()
    await w.as(ADMIN).write(updateAccess, 'acme-api', COLLAB, ['manage'])
    expect(await errorId(w.as(COLLAB).write(addAccess, 'acme-api', OUTSIDER, ['operate']))).toBe('forbidden')
    expect((await w.as(COLLAB).write(addAccess, 'acme-api', OUTSIDER, ['manage'])).permissions).toEqual(['view', 'manage'])
  })

  it('lists admins with every permission in the access list', async () => {
    const w = await acme()
    const {access} = await w.as(COLLAB).read(listAccess, 'acme-api')
    expect(access.map((row) => [row.user.email, row.role, row.permissions.join(',')])).toEqual([
      [ADMIN, 'admin', 'view,deploy,operate,manage'],
      [COLLAB, 'collaborator', 'view,deploy'],
    ])
    expect((await w.as(COLLAB).write(removeAccess, 'acme-api', COLLAB)).collaborator?.email).toBe(COLLAB)
  })

  it('destroys an app and cancels its pending transfers', async () => {
    const w = world()
    await w.as(OUTSIDER).write(createApp, {name: 'mine', region: 'us'})
    await w.as(OUTSIDER).write(transferApp, 'mine', COLLAB)
    await w.as(OUTSIDER).write(destroyApp, 'mine')
    expect(await w.as(COLLAB).read(listTransfers)).toEqual([])
  })
})

describe('transfers', () => {
  it('moves a personal app into an org its owner belongs to, keeping the owner as collaborator', async () => {
    const w = await acme()
    await w.as(MEMBER).write(createApp, {name: 'side-project', region: 'us'})
    const outcome = await w.as(MEMBER).write(transferApp, 'side-project', 'acme')
    expect(outcome.moved).toBe(true)
    expect(outcome.app.owner).toEqual({kind: 'org', name: 'acme'})
    expect((await w.look((tx) => tx.collaborators.get('side-project', MEMBER)))?.permissions).toContain('manage')
    expect((await w.as(MEMBER).write(transferApp, 'side-project', 'acme')).moved).toBe(false)
  })

  it('lets only admins move apps out of an org, removing every collaborator', async () => {
    const w = await acme()
    expect(await errorId(w.as(MEMBER).write(transferApp, 'acme-api', MEMBER))).toBe('forbidden')
    const outcome = await w.as(ADMIN).write(transferApp, 'acme-api', OUTSIDER)
    expect(outcome.app.owner).toEqual({kind: 'user', email: OUTSIDER})
    expect(await w.look((tx) => tx.collaborators.list('acme-api'))).toEqual([])
  })

  it('makes a pending transfer between users that the recipient answers', async () => {
    const w = world()
    await w.as(OUTSIDER).write(createApp, {name: 'mine', region: 'us'})
    const {transfer} = await w.as(OUTSIDER).write(transferApp, 'mine', COLLAB)
    expect(transfer?.state).toBe('pending')
    expect(await errorId(w.as(OUTSIDER).write(respondToTransfer, transfer!.id, 'accepted'))).toBe('forbidden')
    expect(await errorId(w.as(MEMBER).write(respondToTransfer, transfer!.id, 'accepted'))).toBe('not_found')
    await w.as(COLLAB).write(respondToTransfer, transfer!.id, 'accepted')
    expect((await w.look((tx) => tx.apps.byName('mine')))!.owner).toEqual({kind: 'user', email: COLLAB})
    expect((await w.as(COLLAB).write(respondToTransfer, transfer!.id, 'accepted')).state).toBe('accepted')
    expect(await errorId(w.as(OUTSIDER).write(cancelTransfer, transfer!.id))).toBe('conflict')
  })

  it('checks the target org limits before moving anything', async () => {
    const w = await acme({...DEFAULT_LIMITS, apps: 1})
    await w.as(MEMBER).write(createApp, {name: 'side-project', region: 'us'})
    expect(await errorId(w.as(MEMBER).write(transferApp, 'side-project', 'acme'))).toBe('limit_reached')
    expect((await w.look((tx) => tx.apps.byName('side-project')))!.owner).toEqual({kind: 'user', email: MEMBER})
  })

  it('needs admin in the target org to lock on transfer', async () => {
    const w = await acme()
    await w.as(MEMBER).write(createApp, {name: 'side-project', region: 'us'})
    expect(await errorId(w.as(MEMBER).write(transferApp, 'side-project', 'acme', {locked: true}))).toBe('forbidden')
    expect((await w.as(MEMBER).write(transferApp, 'side-project', 'acme')).app.locked).toBe(false)
  })
})

describe('dynos, usage and billing', () => {
  it('scales within the dyno-unit limit, all changes or none', async () => {
    const w = await acme({...DEFAULT_LIMITS, 'dyno-units': 4})
    await w.as(MEMBER).write(joinApp, 'acme-api')
    await w.as(MEMBER).write(scale, 'acme-api', [parseScaleChange('web=2:standard-2x')])
    expect(await errorId(w.as(MEMBER).write(scale, 'acme-api', [parseScaleChange('worker=1'), parseScaleChange('web+1')]))).toBe(
      'limit_reached',
    )
    expect((await w.look((tx) => tx.formation.of('acme-api'))).map((f) => [f.type, f.quantity, f.size])).toEqual([
      ['web', 2, 'standard-2x'],
    ])
    expect((await w.as(ADMIN).read(orgUsage, 'acme')).usage['dyno-units']).toBe(4)
  })

  it('keeps daily peaks as history', async () => {
    const w = await acme()
    const day1 = (await w.as(ADMIN).read(orgUsage, 'acme')).history
    expect(day1.at(-1)).toMatchObject({date: '2026-11-15', apps: 1, members: 3})
    await w.as(ADMIN, '2026-11-16T10:00:00.000Z').write(removeMember, 'acme', MEMBER)
    const {history} = await w.as(ADMIN).read(orgUsage, 'acme')
    expect(history.map((d) => [d.date, d.members])).toEqual([
      ['2026-11-15', 3],
      ['2026-11-16', 2],
    ])
  })

  it('estimates the month from the time each app ran at each rate', async () => {
    const w = await acme()
    // From the 15th 00:00 to the 16th 00:00 at $50/month, then nothing: one day of a 30-day month.
    await w.as(ADMIN, '2026-11-15T00:00:00.000Z').write(scale, 'acme-api', [parseScaleChange('web=1:standard-2x')])
    await w.as(ADMIN, '2026-11-16T00:00:00.000Z').write(scale, 'acme-api', [parseScaleChange('web=0')])
    const {billing} = await w.as(ADMIN, '2026-11-20T00:00:00.000Z').read(orgBilling, 'acme')
    expect(billing.month).toBe('2026-11')
    expect(billing.apps).toEqual([{app: 'acme-api', dynoUnits: 0, monthlyCents: 0, toDateCents: 167, projectedCents: 167}])
    expect(await errorId(w.as(MEMBER).read(orgBilling, 'acme'))).toBe('forbidden')
  })
})
