/**
 * The audit log as the rules record it: each change exactly its one event, with who, what and the
 * before and after; a rerun and a refused change record nothing; an org's log is its own by id; no token.
 */
import {describe, expect, it} from 'vitest'

import {addAccess, removeAccess, updateAccess} from '../../src/lib/domain/access.js'
import {createApp, destroyApp, joinApp, leaveApp, setLocked} from '../../src/lib/domain/apps.js'
import {listOperatorEvents, listOrgEvents, pruneEvents, recordLimitsEvent} from '../../src/lib/domain/audit.js'
import {parseAuditFilter, parseAuditTime} from '../../src/lib/domain/audit-filter.js'
import {Ctx} from '../../src/lib/domain/context.js'
import {scale} from '../../src/lib/domain/formation.js'
import {addMember, removeMember, setMember} from '../../src/lib/domain/members.js'
import {addOperator} from '../../src/lib/domain/operators.js'
import {createOrg} from '../../src/lib/domain/orgs.js'
import {createAuthorization, revokeAuthorization} from '../../src/lib/domain/tokens.js'
import {cancelTransfer, respondToTransfer, transferApp} from '../../src/lib/domain/transfers.js'
import type {StoredAuditEvent} from '../../src/lib/domain/types.js'
import {DEFAULT_LIMITS, parseScaleChange} from '../../src/lib/domain/validation.js'
import type {ReadTx} from '../../src/lib/storage/storage.js'
import {ADMIN, COLLAB, failure, MEMBER, OUTSIDER, world, type World} from './fixture.js'

const ALL = {limit: 1000}

async function orgEvents(w: World, org = 'acme'): Promise<StoredAuditEvent[]> {
  return w.as(ADMIN).read(listOrgEvents, org, ALL)
}

/** The events recorded by one step, oldest first: those appended after the last one before it. */
async function recorded(w: World, step: () => Promise<unknown>): Promise<StoredAuditEvent[]> {
  const last = Math.max(0, ...(await w.look(allEvents)).map((e) => e.seq))
  await step()
  return (await w.look(allEvents)).filter((e) => e.seq > last).reverse()
}

/** Every event of the fixture's orgs and of no org, newest first. */
async function allEvents(tx: ReadTx): Promise<StoredAuditEvent[]> {
  const out: StoredAuditEvent[] = [...(await tx.audit.list({orgId: null, limit: 1000}))]
  for (const name of ['acme', 'other']) {
    const org = await tx.orgs.byName(name)
    if (org) out.push(...(await tx.audit.list({orgId: org.id, limit: 1000})))
  }
  return out.sort((a, b) => b.seq - a.seq)
}

const brief = (e: StoredAuditEvent) => ({
  action: e.action,
  actor: e.actor.email,
  target: `${e.target.type} ${e.target.name}`,
  team: e.org?.name ?? null,
  app: e.app?.name ?? null,
  before: e.data.before,
  after: e.data.after,
})

async function acme(): Promise<World> {
  const w = world()
  await w.as(ADMIN).write(createOrg, 'acme', DEFAULT_LIMITS)
  await w.as(ADMIN).write(addMember, 'acme', MEMBER, 'member')
  await w.as(ADMIN).write(createApp, {name: 'acme-api', org: 'acme', region: 'us'})
  return w
}

describe('every rule records exactly its event', () => {
  it('orgs and members: create, update, destroy, with before and after', async () => {
    const w = world()
    expect((await recorded(w, () => w.as(ADMIN).write(createOrg, 'acme', DEFAULT_LIMITS))).map(brief)).toEqual([
      {
        action: 'team.create',
        actor: ADMIN,
        target: 'team acme',
        team: 'acme',
        app: null,
        before: null,
        after: {name: 'acme', admin: ADMIN, limits: DEFAULT_LIMITS},
      },
    ])
    expect((await recorded(w, () => w.as(ADMIN).write(addMember, 'acme', MEMBER, 'member'))).map(brief)).toEqual([
      {
        action: 'team-member.create',
        actor: ADMIN,
        target: `team-member ${MEMBER}`,
        team: 'acme',
        app: null,
        before: null,
        after: {email: MEMBER, role: 'member'},
      },
    ])
    expect((await recorded(w, () => w.as(ADMIN).write(setMember, 'acme', MEMBER, 'admin'))).map(brief)).toEqual([
      {
        action: 'team-member.update',
        actor: ADMIN,
        target: `team-member ${MEMBER}`,
        team: 'acme',
        app: null,
        before: {email: MEMBER, role: 'member'},
        after: {email: MEMBER, role: 'admin'},
      },
    ])
    await w.as(ADMIN).write(createApp, {name: 'acme-api', org: 'acme', region: 'us'})
    await w.as(MEMBER).write(joinApp, 'acme-api')
    expect((await recorded(w, () => w.as(ADMIN).write(removeMember, 'acme', MEMBER))).map(brief)).toEqual([
      {
        action: 'team-member.destroy',
        actor: ADMIN,
        target: `team-member ${MEMBER}`,
        team: 'acme',
        app: null,
        before: {email: MEMBER, role: 'admin', apps: ['acme-api']},
        after: null,
      },
    ])
  })

  it('apps: create, lock, unlock, destroy; the destroyed app stays readable by name', async () => {
    const w = await acme()
    expect((await recorded(w, () => w.as(ADMIN).write(setLocked, 'acme-api', true))).map(brief)).toEqual([
      {
        action: 'app.lock',
        actor: ADMIN,
        target: 'app acme-api',
        team: 'acme',
        app: 'acme-api',
        before: {locked: false},
        after: {locked: true},
      },
    ])
    expect((await recorded(w, () => w.as(ADMIN).write(setLocked, 'acme-api', false))).map((e) => e.action)).toEqual(['app.unlock'])
    const [destroyed] = await recorded(w, () => w.as(ADMIN).write(destroyApp, 'acme-api'))
    expect(brief(destroyed!)).toEqual({
      action: 'app.destroy',
      actor: ADMIN,
      target: 'app acme-api',
      team: 'acme',
      app: 'acme-api',
      before: {name: 'acme-api', owner: 'acme', region: 'us', locked: false},
      after: null,
    })
    expect((await orgEvents(w)).map((e) => e.action)).toEqual([
      'app.destroy',
      'app.unlock',
      'app.lock',
      'app.create',
      'team-member.create',
      'team.create',
    ])
  })

  it('collaborators: create, update, destroy; joining and leaving as the actor', async () => {
    const w = await acme()
    expect((await recorded(w, () => w.as(ADMIN).write(addAccess, 'acme-api', COLLAB, ['deploy']))).map(brief)).toEqual([
      {
        action: 'collaborator.create',
        actor: ADMIN,
        target: `collaborator ${COLLAB}`,
        team: 'acme',
        app: 'acme-api',
        before: null,
        after: {email: COLLAB, permissions: ['view', 'deploy']},
      },
    ])
    expect((await recorded(w, () => w.as(ADMIN).write(updateAccess, 'acme-api', COLLAB, ['deploy', 'operate']))).map(brief)).toEqual([
      {
        action: 'collaborator.update',
        actor: ADMIN,
        target: `collaborator ${COLLAB}`,
        team: 'acme',
        app: 'acme-api',
        before: {email: COLLAB, permissions: ['view', 'deploy']},
        after: {email: COLLAB, permissions: ['view', 'deploy', 'operate']},
      },
    ])
    expect((await recorded(w, () => w.as(ADMIN).write(removeAccess, 'acme-api', COLLAB))).map((e) => [e.action, e.data.after])).toEqual([
      ['collaborator.destroy', null],
    ])
    expect((await recorded(w, () => w.as(MEMBER).write(joinApp, 'acme-api'))).map((e) => [e.action, e.actor.email])).toEqual([
      ['collaborator.create', MEMBER],
    ])
    expect((await recorded(w, () => w.as(MEMBER).write(leaveApp, 'acme-api'))).map((e) => [e.action, e.actor.email])).toEqual([
      ['collaborator.destroy', MEMBER],
    ])
  })

  it('formation: the dynos before and after, only when they change', async () => {
    const w = await acme()
    expect((await recorded(w, () => w.as(ADMIN).write(scale, 'acme-api', [parseScaleChange('web=2')]))).map(brief)).toEqual([
      {
        action: 'formation.update',
        actor: ADMIN,
        target: 'formation acme-api',
        team: 'acme',
        app: 'acme-api',
        before: [],
        after: [{type: 'web', quantity: 2, size: 'standard-1x'}],
      },
    ])
    expect(await recorded(w, () => w.as(ADMIN).write(scale, 'acme-api', [parseScaleChange('web=2')]))).toEqual([])
  })

  it('transfers: into an org, between orgs (in both logs), out to a person; personal transfers belong to no org', async () => {
    const w = await acme()
    await w.as(ADMIN).write(createOrg, 'other', DEFAULT_LIMITS)
    await w.as(ADMIN).write(createApp, {name: 'mine', region: 'us'})
    expect((await recorded(w, () => w.as(ADMIN).write(transferApp, 'mine', 'acme'))).map((e) => [e.action, e.org?.name])).toEqual([
      ['app.transfer', 'acme'],
    ])
    const between = await recorded(w, () => w.as(ADMIN).write(transferApp, 'mine', 'other'))
    expect(
      between.map((e) => [e.action, e.org?.name, (e.data.before as {owner: string}).owner, (e.data.after as {owner: string}).owner]),
    ).toEqual([
      ['app.transfer', 'acme', 'acme', 'other'],
      ['app.transfer', 'other', 'acme', 'other'],
    ])
    expect((await recorded(w, () => w.as(ADMIN).write(transferApp, 'mine', OUTSIDER))).map((e) => [e.action, e.org?.name])).toEqual([
      ['app.transfer', 'other'],
    ])
    const sent = await recorded(w, () => w.as(OUTSIDER).write(transferApp, 'mine', COLLAB))
    expect(sent.map((e) => [e.action, e.org, e.app?.name, e.actor.email])).toEqual([['app-transfer.create', undefined, 'mine', OUTSIDER]])
    const id = sent[0]!.target.name
    expect((await recorded(w, () => w.as(COLLAB).write(respondToTransfer, id, 'declined'))).map((e) => [e.action, e.data.after])).toEqual([
      ['app-transfer.decline', {id, app: 'mine', from: OUTSIDER, to: COLLAB, state: 'declined'}],
    ])
    const again = await w.as(OUTSIDER).write(transferApp, 'mine', MEMBER)
    expect((await recorded(w, () => w.as(MEMBER).write(respondToTransfer, again.transfer!.id, 'accepted'))).map((e) => e.action)).toEqual([
      'app-transfer.accept',
    ])
    const third = await w.as(MEMBER).write(transferApp, 'mine', OUTSIDER)
    expect((await recorded(w, () => w.as(MEMBER).write(cancelTransfer, third.transfer!.id))).map((e) => e.action)).toEqual([
      'app-transfer.cancel',
    ])
  })

  it('authorizations: id and description only, never the token or its hash; of no org', async () => {
    const w = world()
    let token = ''
    const [created] = await recorded(w, async () => {
      token = (await w.as(ADMIN).write(createAuthorization, 'ci')).token
    })
    expect(brief(created!)).toMatchObject({
      action: 'authorization.create',
      team: null,
      before: null,
      after: {id: created!.target.name, description: 'ci'},
    })
    const [revoked] = await recorded(w, () => w.as(ADMIN).write(revokeAuthorization, {id: created!.target.name}))
    expect(revoked!.action).toBe('authorization.destroy')
    const all = JSON.stringify(await w.look((tx) => tx.audit.list({orgId: null, limit: 1000})))
    expect(all).not.toContain(token)
    const record = await w.look((tx) => tx.tokens.of(ADMIN))
    expect(record).toEqual([])
    expect(all).not.toMatch(/[0-9a-f]{64}/)
  })
})

describe('team.limits-update, for the rule that changes limits', () => {
  it('records the limits before and after', async () => {
    const w = world()
    await w.as(ADMIN).write(createOrg, 'acme', DEFAULT_LIMITS)
    const org = (await w.look((tx) => tx.orgs.byName('acme')))!
    const after = {...DEFAULT_LIMITS, apps: 5}
    const [event] = await recorded(w, () => w.as(ADMIN).write((ctx) => recordLimitsEvent(ctx, org, DEFAULT_LIMITS, after)))
    expect(brief(event!)).toEqual({
      action: 'team.limits-update',
      actor: ADMIN,
      target: 'team acme',
      team: 'acme',
      app: null,
      before: {limits: DEFAULT_LIMITS},
      after: {limits: after},
    })
  })
})

describe('a change that changes nothing, or is refused, records nothing', () => {
  it('reruns record nothing', async () => {
    const w = await acme()
    await w.as(ADMIN).write(addAccess, 'acme-api', COLLAB, ['deploy'])
    for (const rerun of [
      () => w.as(ADMIN).write(addMember, 'acme', MEMBER, 'member'),
      () => w.as(ADMIN).write(setMember, 'acme', MEMBER, 'member'),
      () => w.as(ADMIN).write(removeMember, 'acme', 'nobody@acme.test'),
      () => w.as(ADMIN).write(setLocked, 'acme-api', false),
      () => w.as(ADMIN).write(addAccess, 'acme-api', COLLAB, ['deploy']),
      () => w.as(ADMIN).write(updateAccess, 'acme-api', COLLAB, ['deploy']),
      () => w.as(ADMIN).write(removeAccess, 'acme-api', 'nobody@acme.test'),
      () => w.as(MEMBER).write(leaveApp, 'acme-api'),
      () => w.as(ADMIN).write(transferApp, 'acme-api', 'acme'),
      () => w.as(ADMIN).write(joinApp, 'acme-api'),
    ]) {
      expect(await recorded(w, rerun)).toEqual([])
    }
  })

  it('refused changes record nothing (the transaction rolls back with the event)', async () => {
    const w = await acme()
    const before = await orgEvents(w)
    await failure(w.as(MEMBER).write(addMember, 'acme', OUTSIDER, 'member'))
    await failure(w.as(ADMIN).write(removeMember, 'acme', ADMIN))
    await failure(w.as(ADMIN).write(createOrg, 'acme', DEFAULT_LIMITS))
    await failure(w.as(ADMIN).write(createApp, {name: 'acme-api', org: 'acme', region: 'us'}))
    await failure(w.as(MEMBER).write(setLocked, 'acme-api', true))
    await failure(w.as(ADMIN).write(scale, 'acme-api', [parseScaleChange('web=100:performance-l')]))
    expect(await orgEvents(w)).toEqual(before)
  })
})

describe('reading and pruning the log', () => {
  it('an org by id: created again under an old name, it starts with an empty log', async () => {
    const w = world()
    await w.as(ADMIN).write(createOrg, 'acme', DEFAULT_LIMITS)
    await w.as(ADMIN).write(addMember, 'acme', MEMBER, 'member')
    const old = (await w.look((tx) => tx.orgs.byName('acme')))!
    // As if the org were destroyed (another lane's command): gone from the memory engine's state.
    ;(w.storage as unknown as {state: {orgs: Map<string, unknown>}}).state.orgs.delete('acme')
    await w.as(MEMBER).write(createOrg, 'acme', DEFAULT_LIMITS)
    expect((await w.as(MEMBER).read(listOrgEvents, 'acme', ALL)).map((e) => [e.action, e.actor.email])).toEqual([['team.create', MEMBER]])
    expect((await w.look((tx) => tx.audit.list({orgId: old.id, limit: 10}))).map((e) => e.action)).toEqual([
      'team-member.create',
      'team.create',
    ])
  })

  it('admins only; filters; the request id kept', async () => {
    const w = await acme()
    expect((await failure(w.as(MEMBER).read(listOrgEvents, 'acme', ALL))).id).toBe('forbidden')
    expect((await failure(w.as(OUTSIDER).read(listOrgEvents, 'acme', ALL))).id).toBe('not_found')
    const now = new Date('2026-11-15T00:00:00.000Z')
    const filter = parseAuditFilter({action: 'team*', actor: ADMIN}, now)
    expect((await w.as(ADMIN).read(listOrgEvents, 'acme', filter)).map((e) => e.action)).toEqual(['team-member.create', 'team.create'])
    await w.storage.write((tx) => addMember(new Ctx(tx, ADMIN, {now: () => now}, {requestId: 'req-42'}), 'acme', COLLAB, 'member'))
    expect((await orgEvents(w))[0]).toMatchObject({action: 'team-member.create', requestId: 'req-42'})
  })

  it('prune removes what is older and records itself, of no org', async () => {
    const w = world('2026-11-01T00:00:00.000Z')
    await w.as(ADMIN).write(createOrg, 'acme', DEFAULT_LIMITS)
    await w.as(ADMIN, '2026-11-10T00:00:00.000Z').write(addMember, 'acme', MEMBER, 'member')
    expect(await w.as(ADMIN, '2026-11-20T00:00:00.000Z').write(pruneEvents, '2026-11-05T00:00:00.000Z')).toBe(1)
    expect((await orgEvents(w)).map((e) => e.action)).toEqual(['team-member.create'])
    expect((await w.as(ADMIN).read(listOperatorEvents, ALL)).map((e) => [e.action, e.data.after])).toEqual([
      ['audit.prune', {before: '2026-11-05T00:00:00.000Z', removed: 1}],
    ])
    // Again: nothing left to remove, nothing recorded.
    expect(await w.as(ADMIN, '2026-11-21T00:00:00.000Z').write(pruneEvents, '2026-11-05T00:00:00.000Z')).toBe(0)
    expect(await w.as(ADMIN).read(listOperatorEvents, ALL)).toHaveLength(1)
  })
})

describe('the platform log once operators are named', () => {
  it('only operators prune it or read the events of no org; the one who names them is recorded', async () => {
    const w = world('2026-11-01T00:00:00.000Z')
    await w.as(ADMIN).write(createOrg, 'acme', DEFAULT_LIMITS)
    await w.as(OUTSIDER).write(addOperator, OUTSIDER)
    const refused = await failure(w.as(ADMIN).write(pruneEvents, '2026-11-05T00:00:00.000Z'))
    expect(refused.id).toBe('forbidden')
    expect((await failure(w.as(ADMIN).read(listOperatorEvents, ALL))).id).toBe('forbidden')
    // team.create (acme's log) and operator.create (no org's) are both older.
    expect(await w.as(OUTSIDER, '2026-11-20T00:00:00.000Z').write(pruneEvents, '2026-11-05T00:00:00.000Z')).toBe(2)
    expect((await w.as(OUTSIDER).read(listOperatorEvents, ALL)).map((e) => [e.action, e.actor.email])).toEqual([['audit.prune', OUTSIDER]])
  })
})

describe('the filters as given', () => {
  const now = new Date('2026-11-15T12:00:00.000Z')
  it('dates, times and times ago', () => {
    expect(parseAuditTime('2026-11-01', now, '--since')).toBe('2026-11-01T00:00:00.000Z')
    expect(parseAuditTime('2026-11-01T09:30:00Z', now, '--since')).toBe('2026-11-01T09:30:00.000Z')
    expect(parseAuditTime('2026-11-01T09:30', now, '--since')).toBe('2026-11-01T09:30:00.000Z')
    expect(parseAuditTime('2026-11-01T09:30:00+02:00', now, '--since')).toBe('2026-11-01T07:30:00.000Z')
    expect(parseAuditTime('7d', now, '--since')).toBe('2026-11-08T12:00:00.000Z')
    expect(parseAuditTime('24h', now, '--since')).toBe('2026-11-14T12:00:00.000Z')
    expect(parseAuditTime('30m', now, '--since')).toBe('2026-11-15T11:30:00.000Z')
  })

  it('bad values: one line each, a usage error', () => {
    const bad = (raw: Parameters<typeof parseAuditFilter>[0]) => {
      try {
        parseAuditFilter(raw, now)
      } catch (error) {
        return [(error as {id: string}).id, (error as Error).message]
      }
      return ['ok']
    }
    for (const since of ['yesterday', '2026-02-30', '2026-13-01', '7w', '']) {
      expect(bad({since})).toEqual(['invalid_params', expect.stringMatching(/^Invalid --since .*: give a date \(2026-11-15\)/)])
    }
    for (const limit of ['0', '1001', 'ten', '-1', '1.5']) {
      expect(bad({limit})).toEqual(['invalid_params', expect.stringMatching(/^Invalid --limit .*: give a whole number from 1 to 1000\.$/)])
    }
    for (const action of ['team member', 'x;drop', '%', 'a_b']) expect(bad({action})[0]).toBe('invalid_params')
    expect(bad({since: '2026-11-10', until: '2026-11-01'})).toEqual([
      'invalid_params',
      expect.stringMatching(/^--since .* must be before --until/),
    ])
    expect(bad({actor: 'not-an-email'})[0]).toBe('invalid_params')
    expect(bad({limit: '1000', action: 'team-member.*', since: '7d'})).toEqual(['ok'])
  })
})
