/**
 * The storage contract (src/lib/storage/storage.ts), written once and run on every engine
 * (contract.test.ts): round trips of every record kind, every order, the derived answers in their
 * tricky cases, all-or-nothing writes, conflicts, and stamps.
 */
import {afterEach, beforeEach, describe, expect, it} from 'vitest'

import {conflict, OrgctlError} from '../../src/lib/errors.js'
import {DryRunStorage} from '../../src/lib/storage/dry-run.js'
import {orgsContract} from './contract-orgs.js'
import {sessionsContract} from './contract-sessions.js'
import type {AuditEvent} from '../../src/lib/domain/types.js'
import type {AuditQuery, Storage, WriteTx} from '../../src/lib/storage/storage.js'
import {at, collaborator, dyno, membership, org, orgApp, personalApp, token, transfer, user} from './records.js'

export interface EngineUnderTest {
  name: string
  /** A new, empty storage. */
  open(): Promise<Storage>
  /**
   * Whether `stamp` is kept per org and app (PostgreSQL), rather than one version of the whole store
   * (memory, JSON file: any change anywhere changes every stamp, which is right, only coarser).
   */
  scopedStamp: boolean
}

const ADA = 'ada@acme.test'
const BOB = 'bob@acme.test'
const CY = 'cy@acme.test'
const DEE = 'dee@acme.test'
/** Byte-wise: '+' < '-' < '.' < '@' < '_' < letters (a locale's order would differ). */
const TRICKY_EMAILS = ['ab@x.test', 'a_b@x.test', 'a@x.test', 'a.b@x.test', 'a-b@x.test', 'a+b@x.test']
const TRICKY_EMAILS_SORTED = ['a+b@x.test', 'a-b@x.test', 'a.b@x.test', 'a@x.test', 'a_b@x.test', 'ab@x.test']

async function thrown(promise: Promise<unknown>): Promise<OrgctlError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  )
  expect(error).toBeInstanceOf(OrgctlError)
  return error as OrgctlError
}

export function storageContract(engine: EngineUnderTest): void {
  describe(`the storage contract on ${engine.name}`, () => {
    let storage: Storage
    beforeEach(async () => {
      storage = await engine.open()
    })
    afterEach(async () => {
      await storage?.close()
    })

    const ensure = (tx: WriteTx, ...emails: string[]) => Promise.all(emails.map((email) => tx.users.ensure(user(email))))
    /** acme with ada (admin) and bob (member); apps web and api in acme; ada's personal app. */
    const seed = () =>
      storage.write(async (tx) => {
        await ensure(tx, ADA, BOB, CY, DEE)
        await tx.orgs.insert(org('acme'))
        await tx.orgs.insert(org('zeta'))
        await tx.members.put('acme', membership(ADA, 'admin'))
        await tx.members.put('acme', membership(BOB))
        await tx.apps.insert(orgApp('web', 'acme'))
        await tx.apps.insert(orgApp('api', 'acme'))
        await tx.apps.insert(personalApp('mine', ADA))
      })

    it('reports its kind and a location', () => {
      expect(storage.kind).toBe(engine.name)
      expect(typeof storage.location).toBe('string')
    })

    describe('users', () => {
      it('ensure keeps the first record for an email, twice or in two writes, never a conflict', async () => {
        const first = user(ADA, 1)
        const second = user(ADA, 9)
        const [a, b] = await storage.write(async (tx) => [await tx.users.ensure(first), await tx.users.ensure(second)])
        expect(a).toEqual(first)
        expect(b).toEqual(first)
        expect(await storage.write((tx) => tx.users.ensure(user(ADA, 20)))).toEqual(first)
        await storage.read(async (tx) => {
          expect(await tx.users.byEmail(ADA)).toEqual(first)
          expect(await tx.users.byId(first.id)).toEqual(first)
          expect(await tx.users.byId(second.id)).toBeUndefined()
          expect(await tx.users.byEmail(BOB)).toBeUndefined()
          expect(await tx.users.idsByEmail([ADA, BOB])).toEqual(new Map([[ADA, first.id]]))
          expect(await tx.users.idsByEmail([])).toEqual(new Map())
        })
      })
    })

    describe('orgs', () => {
      it('round trip, update of limits and updatedAt, lookups by name and id', async () => {
        const acme = org('acme', {apps: 3, members: 4, 'dyno-units': 5})
        await storage.write((tx) => tx.orgs.insert(acme))
        await storage.write((tx) => tx.orgs.update({...acme, updatedAt: at(9, 123), limits: {apps: 7, members: 8, 'dyno-units': 9}}))
        await storage.read(async (tx) => {
          const expected = {...acme, updatedAt: at(9, 123), limits: {apps: 7, members: 8, 'dyno-units': 9}}
          expect(await tx.orgs.byName('acme')).toEqual(expected)
          expect(await tx.orgs.byId(acme.id)).toEqual(expected)
          expect(await tx.orgs.byName('nope')).toBeUndefined()
          expect(await tx.orgs.byId('nope')).toBeUndefined()
        })
      })

      it('a taken org name is a conflict, in one write or across two; nothing of the failed write stays', async () => {
        await storage.write((tx) => tx.orgs.insert(org('acme')))
        const across = await thrown(storage.write((tx) => tx.orgs.insert(org('acme'))))
        expect(across.id).toBe('conflict')
        expect(across.message).toBe('The org name acme is already taken: choose another name.')
        const within = await thrown(
          storage.write(async (tx) => {
            await tx.orgs.insert(org('beta'))
            await tx.orgs.insert(org('beta'))
          }),
        )
        expect(within.message).toBe('The org name beta is already taken: choose another name.')
        expect(await storage.read((tx) => tx.orgs.byName('beta'))).toBeUndefined()
      })

      it('withMember and withCollaborator: by org name, byte-wise', async () => {
        const names = ['zz-b', 'zzab', 'zz0b', 'zzb']
        await storage.write(async (tx) => {
          await ensure(tx, ADA, BOB)
          for (const name of names) {
            await tx.orgs.insert(org(name))
            await tx.members.put(name, membership(ADA, 'admin'))
            await tx.apps.insert(orgApp(`${name}-app`, name))
            await tx.collaborators.put(`${name}-app`, collaborator(BOB))
          }
        })
        await storage.read(async (tx) => {
          const withMember = await tx.orgs.withMember(ADA)
          expect(withMember.map((entry) => entry.org.name)).toEqual(['zz-b', 'zz0b', 'zzab', 'zzb'])
          expect(withMember[0]!.membership).toMatchObject({email: ADA, role: 'admin'})
          expect((await tx.orgs.withCollaborator(BOB)).map((entry) => entry.name)).toEqual(['zz-b', 'zz0b', 'zzab', 'zzb'])
          expect(await tx.orgs.withMember(BOB)).toEqual([])
          expect(await tx.orgs.withCollaborator(ADA)).toEqual([])
        })
      })
    })

    describe('members', () => {
      it('round trip with and without a userId; a put replaces; list and admins by email, byte-wise', async () => {
        const ada = membership(ADA, 'admin', {userId: 'user-ada'})
        await storage.write(async (tx) => {
          await tx.users.ensure({id: 'user-ada', email: ADA, createdAt: at(1)})
          await ensure(tx, ...TRICKY_EMAILS)
          await tx.orgs.insert(org('acme'))
          await tx.members.put('acme', ada)
          for (const email of TRICKY_EMAILS) await tx.members.put('acme', membership(email, email.startsWith('a.') ? 'admin' : 'member'))
        })
        await storage.read(async (tx) => {
          const got = await tx.members.get('acme', ADA)
          expect(got).toEqual(ada)
          const plain = await tx.members.get('acme', 'ab@x.test')
          expect(plain).not.toHaveProperty('userId')
          expect((await tx.members.list('acme')).map((m) => m.email)).toEqual([...TRICKY_EMAILS_SORTED, ADA].sort())
          expect((await tx.members.list('acme')).map((m) => m.email)).toEqual([
            'a+b@x.test',
            'a-b@x.test',
            'a.b@x.test',
            'a@x.test',
            'a_b@x.test',
            'ab@x.test',
            ADA,
          ])
          expect((await tx.members.admins('acme')).map((m) => m.email)).toEqual(['a.b@x.test', ADA])
          expect(await tx.members.list('nope')).toEqual([])
          expect(await tx.members.get('nope', ADA)).toBeUndefined()
        })
        const demoted = {...ada, role: 'member' as const, updatedAt: at(10, 7)}
        await storage.write((tx) => tx.members.put('acme', demoted))
        await storage.write((tx) => tx.members.remove('acme', 'a.b@x.test'))
        await storage.write((tx) => tx.members.remove('acme', 'not-there@x.test'))
        await storage.read(async (tx) => {
          expect(await tx.members.get('acme', ADA)).toEqual(demoted)
          expect(await tx.members.admins('acme')).toEqual([])
          expect(await tx.members.get('acme', 'a.b@x.test')).toBeUndefined()
          expect(await tx.members.list('acme')).toHaveLength(6)
        })
      })

      it('records handed out are copies: changing one changes nothing stored', async () => {
        await seed()
        await storage.read(async (tx) => {
          const got = (await tx.members.get('acme', ADA))!
          got.role = 'member'
          const acme = (await tx.orgs.byName('acme'))!
          acme.limits.apps = 0
        })
        await storage.read(async (tx) => {
          expect((await tx.members.get('acme', ADA))!.role).toBe('admin')
          expect((await tx.orgs.byName('acme'))!.limits.apps).toBe(100)
        })
      })
    })

    describe('apps', () => {
      it('round trip of org and personal apps; ofOrg, ownedBy, sharedWith by name', async () => {
        const names = ['zz-b', 'zzab', 'zz0b', 'zzb']
        await storage.write(async (tx) => {
          await ensure(tx, ADA, BOB)
          await tx.orgs.insert(org('acme'))
          for (const name of names) await tx.apps.insert(orgApp(`o${name}`, 'acme'))
          for (const name of names) await tx.apps.insert(personalApp(`p${name}`, ADA))
          for (const name of [...names].reverse()) await tx.collaborators.put(`p${name}`, collaborator(BOB))
          await tx.collaborators.put('ozzb', collaborator(BOB))
        })
        await storage.read(async (tx) => {
          expect((await tx.apps.ofOrg('acme')).map((a) => a.name)).toEqual(['ozz-b', 'ozz0b', 'ozzab', 'ozzb'])
          expect((await tx.apps.ownedBy(ADA)).map((a) => a.name)).toEqual(['pzz-b', 'pzz0b', 'pzzab', 'pzzb'])
          expect((await tx.apps.sharedWith(BOB)).map((a) => a.name)).toEqual(['ozzb', 'pzz-b', 'pzz0b', 'pzzab', 'pzzb'])
          const app = (await tx.apps.byName('ozzb'))!
          expect(app).toMatchObject({name: 'ozzb', owner: {kind: 'org', name: 'acme'}, region: 'us', locked: false, createdAt: at(3)})
          expect(await tx.apps.byId(app.id)).toEqual(app)
          expect((await tx.apps.byName('pzzb'))!.owner).toEqual({kind: 'user', email: ADA})
          expect(await tx.apps.byName('nope')).toBeUndefined()
          expect(await tx.apps.ofOrg('nope')).toEqual([])
        })
      })

      it('a taken app name is a conflict, in one write or across two', async () => {
        await seed()
        const across = await thrown(storage.write((tx) => tx.apps.insert(orgApp('web', 'zeta'))))
        expect(across.id).toBe('conflict')
        expect(across.message).toBe('The app name web is already taken: choose another, or leave it out to get a generated one.')
        const within = await thrown(
          storage.write(async (tx) => {
            await tx.apps.insert(personalApp('twice', BOB))
            await tx.apps.insert(orgApp('twice', 'zeta'))
          }),
        )
        expect(within.message).toBe('The app name twice is already taken: choose another, or leave it out to get a generated one.')
        expect(await storage.read((tx) => tx.apps.byName('twice'))).toBeUndefined()
      })

      it('update changes owner, locked and updatedAt; remove takes collaborators and formation with it', async () => {
        await seed()
        const web = (await storage.read((tx) => tx.apps.byName('web')))!
        await storage.write(async (tx) => {
          await tx.collaborators.put('web', collaborator(CY))
          await tx.formation.replace('web', [dyno('web', 2)])
          await tx.apps.update({...web, locked: true, updatedAt: at(11)})
        })
        expect(await storage.read((tx) => tx.apps.byName('web'))).toEqual({...web, locked: true, updatedAt: at(11)})
        await storage.write((tx) => tx.apps.update({...web, owner: {kind: 'org', name: 'zeta'}, locked: false, updatedAt: at(12)}))
        await storage.read(async (tx) => {
          expect((await tx.apps.ofOrg('zeta')).map((a) => a.name)).toEqual(['web'])
          expect((await tx.apps.ofOrg('acme')).map((a) => a.name)).toEqual(['api'])
        })
        await storage.write((tx) => tx.apps.update({...web, owner: {kind: 'user', email: BOB}, locked: false, updatedAt: at(13)}))
        expect((await storage.read((tx) => tx.apps.ownedBy(BOB))).map((a) => a.name)).toEqual(['web'])
        await storage.write((tx) => tx.apps.remove('web'))
        await storage.write((tx) => tx.apps.remove('never-was'))
        await storage.read(async (tx) => {
          expect(await tx.apps.byName('web')).toBeUndefined()
          expect(await tx.collaborators.list('web')).toEqual([])
          expect(await tx.formation.of('web')).toEqual([])
          expect(await tx.apps.sharedWith(CY)).toEqual([])
        })
        // The name is free again.
        await storage.write((tx) => tx.apps.insert(orgApp('web', 'acme')))
      })
    })

    describe('collaborators and the member list', () => {
      it('round trip; a put replaces; list by email, byte-wise; remove and removeAll', async () => {
        await seed()
        const cy = collaborator(CY, 4, ['view', 'deploy'])
        await storage.write(async (tx) => {
          await ensure(tx, ...TRICKY_EMAILS)
          for (const email of TRICKY_EMAILS) await tx.collaborators.put('mine', collaborator(email))
          await tx.collaborators.put('web', cy)
        })
        await storage.read(async (tx) => {
          expect(await tx.collaborators.get('web', CY)).toEqual(cy)
          expect((await tx.collaborators.list('mine')).map((c) => c.email)).toEqual(TRICKY_EMAILS_SORTED)
          expect(await tx.collaborators.get('web', ADA)).toBeUndefined()
        })
        const changed = {...cy, permissions: ['view' as const, 'deploy' as const, 'operate' as const, 'manage' as const], updatedAt: at(14)}
        await storage.write((tx) => tx.collaborators.put('web', changed))
        expect(await storage.read((tx) => tx.collaborators.get('web', CY))).toEqual(changed)
        await storage.write((tx) => tx.collaborators.remove('mine', 'a@x.test'))
        expect(await storage.read((tx) => tx.collaborators.list('mine'))).toHaveLength(5)
        await storage.write((tx) => tx.collaborators.removeAll('mine'))
        expect(await storage.read((tx) => tx.collaborators.list('mine'))).toEqual([])
      })

      it('ofOrg: every app of the org, by app name then email, byte-wise; not another org, not a personal app', async () => {
        await seed()
        await storage.write(async (tx) => {
          await ensure(tx, ...TRICKY_EMAILS)
          await tx.apps.insert(orgApp('zeta-app', 'zeta'))
          for (const email of TRICKY_EMAILS) await tx.collaborators.put('web', collaborator(email))
          await tx.collaborators.put('api', collaborator(CY, 2, ['view', 'operate']))
          await tx.collaborators.put('mine', collaborator(BOB))
          await tx.collaborators.put('zeta-app', collaborator(BOB))
        })
        await storage.read(async (tx) => {
          const all = await tx.collaborators.ofOrg('acme')
          expect(all.map(({app, collaborator}) => `${app} ${collaborator.email}`)).toEqual([
            `api ${CY}`,
            ...TRICKY_EMAILS_SORTED.map((email) => `web ${email}`),
          ])
          expect(all[0]!.collaborator).toEqual(await tx.collaborators.get('api', CY))
          expect(await tx.collaborators.ofOrg('nobody')).toEqual([])
          expect((await tx.collaborators.ofOrg('zeta')).map(({app}) => app)).toEqual(['zeta-app'])
        })
      })

      it('byEmails and inList: a membership, a collaborator on an org app, both, neither; another org, a personal app', async () => {
        await seed()
        await storage.write(async (tx) => {
          await tx.collaborators.put('web', collaborator(CY))
          await tx.collaborators.put('api', collaborator(BOB))
          await tx.collaborators.put('mine', collaborator(DEE))
          await tx.members.put('zeta', membership(DEE))
        })
        await storage.read(async (tx) => {
          const everyone = [DEE, CY, BOB, ADA, 'nobody@x.test', BOB]
          expect((await tx.members.byEmails('acme', everyone)).map((m) => [m.email, m.role])).toEqual([
            [ADA, 'admin'],
            [BOB, 'member'],
          ])
          expect([...(await tx.members.inList('acme', everyone))].sort()).toEqual([ADA, BOB, CY].sort())
          expect([...(await tx.members.inList('zeta', everyone))]).toEqual([DEE])
          expect(await tx.members.byEmails('acme', [])).toEqual([])
          expect((await tx.members.inList('acme', [])).size).toBe(0)
          expect((await tx.members.inList('no-such-org', everyone)).size).toBe(0)
        })
      })

      it('figures, inOrg, appsInOrg, sinceInOrg and outsideMembers in the tricky cases', async () => {
        await seed()
        const look = () =>
          storage.read(async (tx) => ({
            figures: await tx.apps.figures('acme'),
            zeta: await tx.apps.figures('zeta'),
            outside: await tx.collaborators.outsideMembers('acme'),
            cyIn: await tx.collaborators.inOrg('acme', CY),
            cyApps: await tx.collaborators.appsInOrg('acme', CY),
            cySince: await tx.collaborators.sinceInOrg('acme', CY),
            bobIn: await tx.collaborators.inOrg('acme', BOB),
            bobSince: await tx.collaborators.sinceInOrg('acme', BOB),
          }))
        expect(await look()).toEqual({
          figures: {apps: 2, members: 2, dynoUnits: 0},
          zeta: {apps: 0, members: 0, dynoUnits: 0},
          outside: [],
          cyIn: false,
          cyApps: [],
          cySince: undefined,
          bobIn: false,
          bobSince: undefined,
        })
        // A member who is also a collaborator counts once; a collaborator on two apps counts once, since the earliest.
        await storage.write(async (tx) => {
          await tx.collaborators.put('web', collaborator(BOB, 8))
          await tx.collaborators.put('web', collaborator(CY, 9))
          await tx.collaborators.put('api', collaborator(CY, 7))
          // A personal app's collaborators are nobody's member list.
          await tx.collaborators.put('mine', collaborator(DEE, 5))
        })
        expect(await look()).toEqual({
          figures: {apps: 2, members: 3, dynoUnits: 0},
          zeta: {apps: 0, members: 0, dynoUnits: 0},
          outside: [{email: CY, since: at(7)}],
          cyIn: true,
          cyApps: ['api', 'web'],
          cySince: at(7),
          bobIn: true,
          bobSince: at(8),
        })
        // Inside the write that changes them, the figures are already the new ones.
        const inside = await storage.write(async (tx) => {
          await tx.members.put('acme', membership(CY))
          const withCy = await tx.apps.figures('acme')
          await tx.members.remove('acme', BOB)
          return [withCy, await tx.apps.figures('acme')]
        })
        expect(inside).toEqual([
          {apps: 2, members: 3, dynoUnits: 0},
          {apps: 2, members: 3, dynoUnits: 0},
        ])
        expect((await look()).outside).toEqual([{email: BOB, since: at(8)}])
        // The app moves to zeta: its people go with it (cy stays in acme as a member; bob leaves acme).
        const web = (await storage.read((tx) => tx.apps.byName('web')))!
        await storage.write((tx) => tx.apps.update({...web, owner: {kind: 'org', name: 'zeta'}}))
        let seen = await look()
        expect(seen.figures).toEqual({apps: 1, members: 2, dynoUnits: 0})
        expect(seen.zeta).toEqual({apps: 1, members: 2, dynoUnits: 0})
        expect(seen.outside).toEqual([])
        expect(seen.cyApps).toEqual(['api'])
        expect(seen.bobIn).toBe(false)
        expect(await storage.read((tx) => tx.collaborators.outsideMembers('zeta'))).toEqual([
          {email: BOB, since: at(8)},
          {email: CY, since: at(9)},
        ])
        // ... and back to a person, then to acme again.
        await storage.write((tx) => tx.apps.update({...web, owner: {kind: 'user', email: DEE}}))
        expect(await storage.read((tx) => tx.apps.figures('zeta'))).toEqual({apps: 0, members: 0, dynoUnits: 0})
        await storage.write((tx) => tx.apps.update({...web, owner: {kind: 'org', name: 'acme'}}))
        seen = await look()
        expect(seen.figures).toEqual({apps: 2, members: 3, dynoUnits: 0})
        // A member leaving who still collaborates stays in the list, as an outside collaborator.
        await storage.write((tx) => tx.members.remove('acme', CY))
        seen = await look()
        expect(seen.figures.members).toBe(3)
        expect(seen.outside).toEqual([
          {email: BOB, since: at(8)},
          {email: CY, since: at(7)},
        ])
        // Removing an app, then all collaborators of the other: only the memberships are left.
        await storage.write((tx) => tx.apps.remove('web'))
        seen = await look()
        expect(seen.figures).toEqual({apps: 1, members: 2, dynoUnits: 0})
        expect(seen.outside).toEqual([{email: CY, since: at(7)}])
        await storage.write((tx) => tx.collaborators.removeAll('api'))
        seen = await look()
        expect(seen.figures).toEqual({apps: 1, members: 1, dynoUnits: 0})
        expect(seen.outside).toEqual([])
        expect(seen.cyIn).toBe(false)
        await storage.write((tx) => tx.collaborators.remove('api', 'nobody@acme.test'))
        expect((await look()).figures.members).toBe(1)
      })

      it('a collaborator put twice on one app counts once; its replacement moves `since`', async () => {
        await seed()
        await storage.write((tx) => tx.collaborators.put('web', collaborator(CY, 9)))
        await storage.write((tx) => tx.collaborators.put('web', collaborator(CY, 3)))
        await storage.read(async (tx) => {
          expect((await tx.apps.figures('acme')).members).toBe(3)
          expect(await tx.collaborators.sinceInOrg('acme', CY)).toBe(at(3))
        })
      })
    })

    describe('formation', () => {
      it('replace and of (by type, byte-wise); dyno units in the figures of the owner org only', async () => {
        await seed()
        await storage.write(async (tx) => {
          await tx.formation.replace('web', [dyno('ab', 1), dyno('a_b', 2, 'standard-2x'), dyno('a0', 0), dyno('a-b', 3, 'performance-m')])
          await tx.formation.replace('mine', [dyno('web', 5)])
        })
        await storage.read(async (tx) => {
          expect((await tx.formation.of('web')).map((entry) => entry.type)).toEqual(['a-b', 'a0', 'a_b', 'ab'])
          expect((await tx.formation.of('web'))[0]).toMatchObject({type: 'a-b', quantity: 3, size: 'performance-m', createdAt: at(5)})
          expect(await tx.apps.figures('acme')).toEqual({apps: 2, members: 2, dynoUnits: 1 + 4 + 0 + 24})
        })
        const kept = dyno('web', 2)
        await storage.write((tx) => tx.formation.replace('web', [kept]))
        expect(await storage.read((tx) => tx.formation.of('web'))).toEqual([kept])
        // The same entry (id and type) again: a replace, not a duplicate.
        await storage.write((tx) => tx.formation.replace('web', [{...kept, quantity: 4}]))
        expect(await storage.read((tx) => tx.apps.figures('acme'))).toEqual({apps: 2, members: 2, dynoUnits: 4})
        await storage.write((tx) => tx.formation.replace('web', []))
        expect(await storage.read((tx) => tx.formation.of('web'))).toEqual([])
        expect(await storage.read((tx) => tx.formation.of('nope'))).toEqual([])
      })
    })

    describe('transfers', () => {
      it('round trip; pendingFor; involving oldest first, the id breaking ties; update and remove', async () => {
        await seed()
        const mine = (await storage.read((tx) => tx.apps.byName('mine')))!
        const first = transfer(mine, ADA, BOB, 6, 'declined', 'tr-b')
        const tie = transfer(mine, BOB, ADA, 6, 'accepted', 'tr-a')
        const pending = transfer(mine, ADA, CY, 5, 'pending', 'tr-z')
        await storage.write(async (tx) => {
          await tx.transfers.insert(first)
          await tx.transfers.insert(tie)
          await tx.transfers.insert(pending)
        })
        await storage.read(async (tx) => {
          expect(await tx.transfers.byId('tr-b')).toEqual(first)
          expect(await tx.transfers.pendingFor(mine.id)).toEqual(pending)
          expect(await tx.transfers.pendingFor('nope')).toBeUndefined()
          expect((await tx.transfers.involving(ADA)).map((t) => t.id)).toEqual(['tr-z', 'tr-a', 'tr-b'])
          expect((await tx.transfers.involving(BOB)).map((t) => t.id)).toEqual(['tr-a', 'tr-b'])
          expect(await tx.transfers.involving(DEE)).toEqual([])
        })
        await storage.write((tx) => tx.transfers.update({...pending, state: 'accepted', updatedAt: at(15)}))
        await storage.read(async (tx) => {
          expect(await tx.transfers.byId('tr-z')).toEqual({...pending, state: 'accepted', updatedAt: at(15)})
          expect(await tx.transfers.pendingFor(mine.id)).toBeUndefined()
        })
        await storage.write((tx) => tx.transfers.remove('tr-b'))
        expect(await storage.read((tx) => tx.transfers.byId('tr-b'))).toBeUndefined()
      })

      it('a second pending transfer of one app is a conflict', async () => {
        await seed()
        const mine = (await storage.read((tx) => tx.apps.byName('mine')))!
        await storage.write((tx) => tx.transfers.insert(transfer(mine, ADA, BOB)))
        const error = await thrown(storage.write((tx) => tx.transfers.insert(transfer(mine, ADA, CY))))
        expect(error.id).toBe('conflict')
        expect(error.message).toMatch(/^mine already has a pending transfer/)
      })
    })

    describe('tokens', () => {
      it('round trip; byHash; of(email) oldest first, the id breaking ties; remove', async () => {
        await seed()
        const late = token(ADA, 'c', 9, 'tok-a')
        const early = token(ADA, 'a', 7, 'tok-z')
        const tie = token(ADA, 'b', 7, 'tok-m')
        await storage.write(async (tx) => {
          await tx.tokens.insert(late)
          await tx.tokens.insert(early)
          await tx.tokens.insert(tie)
          await tx.tokens.insert(token(BOB, 'd'))
        })
        await storage.read(async (tx) => {
          expect(await tx.tokens.byHash('a'.repeat(64))).toEqual(early)
          expect(await tx.tokens.byHash('f'.repeat(64))).toBeUndefined()
          expect((await tx.tokens.of(ADA)).map((t) => t.id)).toEqual(['tok-m', 'tok-z', 'tok-a'])
          expect(await tx.tokens.of(CY)).toEqual([])
        })
        await storage.write((tx) => tx.tokens.remove('tok-z'))
        await storage.read(async (tx) => {
          expect(await tx.tokens.byHash('a'.repeat(64))).toBeUndefined()
          expect(await tx.tokens.of(ADA)).toEqual([tie, late])
        })
      })
    })

    describe('usage history and ledger', () => {
      const day = (date: string, members: number) => ({date, apps: 1, members, dynoUnits: 2})

      it('putDay keeps days by date, replaces the same date, and trims the oldest beyond `keep`', async () => {
        await seed()
        await storage.write(async (tx) => {
          await tx.history.putDay('acme', day('2026-11-03', 1), 3)
          await tx.history.putDay('acme', day('2026-11-01', 2), 3)
          await tx.history.putDay('acme', day('2026-11-02', 3), 3)
          await tx.history.putDay('acme', day('2026-11-03', 4), 3)
        })
        await storage.read(async (tx) => {
          expect(await tx.history.days('acme')).toEqual([day('2026-11-01', 2), day('2026-11-02', 3), day('2026-11-03', 4)])
          expect(await tx.history.lastDay('acme')).toEqual(day('2026-11-03', 4))
          expect(await tx.history.days('zeta')).toEqual([])
          expect(await tx.history.lastDay('zeta')).toBeUndefined()
        })
        await storage.write((tx) => tx.history.putDay('acme', day('2026-11-04', 5), 3))
        expect(await storage.read((tx) => tx.history.days('acme'))).toEqual([
          day('2026-11-02', 3),
          day('2026-11-03', 4),
          day('2026-11-04', 5),
        ])
        await storage.write((tx) => tx.history.putDay('acme', day('2026-12-01', 6), 2))
        expect(await storage.read((tx) => tx.history.days('acme'))).toEqual([day('2026-11-04', 5), day('2026-12-01', 6)])
      })

      it('ledger: append in order, replace whole, oldest entry', async () => {
        await seed()
        const entry = (ms: number, app: string) => ({at: at(20, ms), app, dynoUnits: ms, monthlyCents: ms * 100})
        await storage.write(async (tx) => {
          await tx.history.appendLedger('acme', entry(5, 'web'))
          await tx.history.appendLedger('acme', entry(1, 'api'))
          await tx.history.appendLedger('acme', entry(3, 'gone'))
        })
        await storage.read(async (tx) => {
          expect(await tx.history.ledger('acme')).toEqual([entry(5, 'web'), entry(1, 'api'), entry(3, 'gone')])
          expect(await tx.history.oldestLedgerAt('acme')).toBe(at(20, 5))
          expect(await tx.history.ledger('zeta')).toEqual([])
          expect(await tx.history.oldestLedgerAt('zeta')).toBeUndefined()
        })
        await storage.write((tx) => tx.history.replaceLedger('acme', [entry(9, 'b'), entry(8, 'a')]))
        expect(await storage.read((tx) => tx.history.ledger('acme'))).toEqual([entry(9, 'b'), entry(8, 'a')])
        await storage.write((tx) => tx.history.replaceLedger('acme', []))
        expect(await storage.read((tx) => tx.history.oldestLedgerAt('acme'))).toBeUndefined()
      })
    })

    orgsContract(() => storage, engine.scopedStamp)
    sessionsContract(() => storage, engine.scopedStamp)
    describe('audit log', () => {
      const ORG_A = {id: 'org-a-id', name: 'acme'}
      const ORG_B = {id: 'org-b-id', name: 'acme'} // the same name again: another org, another log
      let n = 0
      const event = (overrides: Partial<AuditEvent> = {}): AuditEvent => ({
        id: `event-${++n}-${Math.random().toString(36).slice(2)}`,
        createdAt: at(n),
        action: 'team-member.create',
        actor: {email: ADA, id: 'ada-id'},
        target: {type: 'team-member', name: BOB},
        org: ORG_A,
        data: {before: null, after: {email: BOB, role: 'member'}},
        ...overrides,
      })
      const list = (query: Partial<AuditQuery> = {}) => storage.read((tx) => tx.audit.list({orgId: ORG_A.id, limit: 1000, ...query}))
      const ids = (events: readonly {id: string}[]) => events.map((e) => e.id)

      it('round trip, newest first, each with a larger seq than the one before; data keeps its keys in order', async () => {
        const first = event({app: {id: 'app-id', name: 'web'}, requestId: 'req-1', data: {before: {zeta: 1, alpha: [1, 'x']}, after: null}})
        const second = event({actor: {email: BOB}})
        await storage.write(async (tx) => {
          await tx.audit.append(first)
          await tx.audit.append(second)
        })
        const found = await list()
        expect(ids(found)).toEqual([second.id, first.id])
        expect(found[0]!.seq).toBeGreaterThan(found[1]!.seq)
        const {seq: _a, ...back} = found[1]!
        expect(back).toEqual(first)
        expect(JSON.stringify(back.data)).toBe(JSON.stringify(first.data))
        const {seq: _b, ...other} = found[0]!
        expect(other).toEqual(second)
      })

      it('an org by id: another org of the same name has its own log; events of no org are their own', async () => {
        const a = event()
        const b = event({org: ORG_B})
        const none = event({org: undefined, action: 'authorization.create', target: {type: 'authorization', name: 'token-id'}})
        await storage.write(async (tx) => {
          for (const e of [a, b, none]) await tx.audit.append(e)
        })
        expect(ids(await list())).toEqual([a.id])
        expect(ids(await list({orgId: ORG_B.id}))).toEqual([b.id])
        expect(ids(await list({orgId: null}))).toEqual([none.id])
        expect(await list({orgId: 'no-such-org'})).toEqual([])
      })

      it('filters by app, actor, action (exact or a pattern), since (inclusive) and until (exclusive), and limits', async () => {
        const events = [
          event({action: 'team.create', target: {type: 'team', name: 'acme'}}),
          event({action: 'team-member.create'}),
          event({action: 'team-member.update', actor: {email: BOB}}),
          event({action: 'collaborator.create', app: {id: 'w', name: 'web'}}),
          event({action: 'app.create', app: {id: 'a', name: 'api'}, actor: {email: BOB}}),
          event({action: 'team-member.destroy'}),
        ]
        await storage.write(async (tx) => {
          for (const e of events) await tx.audit.append(e)
        })
        const [e0, e1, e2, e3, e4, e5] = events.map((e) => e.id)
        expect(ids(await list())).toEqual([e5, e4, e3, e2, e1, e0])
        expect(ids(await list({app: 'web'}))).toEqual([e3])
        expect(ids(await list({actor: BOB}))).toEqual([e4, e2])
        expect(ids(await list({action: 'team-member.*'}))).toEqual([e5, e2, e1])
        expect(ids(await list({action: '*.create'}))).toEqual([e4, e3, e1, e0])
        expect(ids(await list({action: 'team.create'}))).toEqual([e0])
        expect(ids(await list({action: 'team'}))).toEqual([])
        expect(ids(await list({since: events[2]!.createdAt, until: events[4]!.createdAt}))).toEqual([e3, e2])
        expect(ids(await list({limit: 2}))).toEqual([e5, e4])
        expect(ids(await list({actor: BOB, action: 'app.*', app: 'api'}))).toEqual([e4])
      })

      it('pages with beforeSeq: every event once, newest first', async () => {
        const events = Array.from({length: 7}, () => event())
        await storage.write(async (tx) => {
          for (const e of events) await tx.audit.append(e)
        })
        const seen: string[] = []
        let before: number | undefined
        for (;;) {
          const page = await list({limit: 3, beforeSeq: before})
          if (page.length === 0) break
          seen.push(...ids(page))
          before = page.at(-1)!.seq
        }
        expect(seen).toEqual(ids(events).reverse())
      })

      it('pages back with afterSeq: the events right after a seq, newest first, filters kept', async () => {
        const events = Array.from({length: 7}, (_, i) => event(i % 2 === 0 ? {actor: {email: BOB}} : {}))
        await storage.write(async (tx) => {
          for (const e of events) await tx.audit.append(e)
        })
        const all = await list({limit: 100})
        const seqOf = (i: number) => all.find((found) => found.id === events[i]!.id)!.seq
        // The three right after event 1, not the three newest.
        expect(ids(await list({limit: 3, afterSeq: seqOf(1)}))).toEqual(ids([events[4]!, events[3]!, events[2]!]))
        expect(ids(await list({limit: 3, afterSeq: seqOf(5)}))).toEqual(ids([events[6]!]))
        expect(ids(await list({limit: 3, afterSeq: seqOf(6)}))).toEqual([])
        expect(ids(await list({limit: 2, afterSeq: seqOf(0), actor: BOB}))).toEqual(ids([events[4]!, events[2]!]))
        expect(ids(await list({limit: 9, afterSeq: seqOf(1), beforeSeq: seqOf(4)}))).toEqual(ids([events[3]!, events[2]!]))
      })

      it('prune removes the events created before a time and says how many; later events still come after', async () => {
        const events = [event(), event(), event({org: undefined}), event()]
        await storage.write(async (tx) => {
          for (const e of events) await tx.audit.append(e)
        })
        expect(await storage.write((tx) => tx.audit.prune(events[2]!.createdAt))).toBe(2)
        expect(ids(await list())).toEqual([events[3]!.id])
        expect(ids(await list({orgId: null}))).toEqual([events[2]!.id])
        expect(await storage.write((tx) => tx.audit.prune(events[0]!.createdAt))).toBe(0)
        const later = event()
        await storage.write((tx) => tx.audit.append(later))
        const found = await list()
        expect(ids(found)).toEqual([later.id, events[3]!.id])
        expect(found[0]!.seq).toBeGreaterThan(found[1]!.seq)
      })

      it('a write that throws leaves no event and prunes nothing', async () => {
        const kept = event()
        await storage.write((tx) => tx.audit.append(kept))
        const failure = new Error('boom')
        await expect(
          storage.write(async (tx) => {
            await tx.audit.append(event())
            await tx.audit.prune('9999-01-01T00:00:00.000Z')
            throw failure
          }),
        ).rejects.toBe(failure)
        expect(ids(await list())).toEqual([kept.id])
      })

      it('a nested unit that throws takes its events and its prune with it; the rest of the write keeps theirs', async () => {
        const kept = event()
        await storage.write((tx) => tx.audit.append(kept))
        const mine = event()
        const after = event()
        const failure = new Error('this item fails')
        await storage.write(async (tx) => {
          await tx.audit.append(mine)
          const error = await tx
            .nested(async () => {
              await tx.audit.append(event())
              await tx.audit.prune('9999-01-01T00:00:00.000Z')
              await tx.audit.append(event())
              throw failure
            })
            .catch((caught: unknown) => caught)
          expect(error).toBe(failure)
          expect(ids(await tx.audit.list({orgId: ORG_A.id, limit: 1000}))).toEqual([mine.id, kept.id])
          await tx.nested(() => tx.audit.append(after))
        })
        const found = await list()
        expect(ids(found)).toEqual([after.id, mine.id, kept.id])
        expect(found[0]!.seq).toBeGreaterThan(found[1]!.seq)
      })

      it('a dry run records nothing, nested units or not', async () => {
        const kept = event()
        await storage.write((tx) => tx.audit.append(kept))
        await storage.write(
          async (tx) => {
            await tx.audit.append(event())
            await tx.nested(() => tx.audit.append(event()))
            await tx.nested(() => tx.audit.prune('9999-01-01T00:00:00.000Z'))
            expect(await tx.audit.list({orgId: ORG_A.id, limit: 1000})).toEqual([])
          },
          {dryRun: true},
        )
        expect(ids(await list())).toEqual([kept.id])
      })
    })

    describe('units of work', () => {
      it('a write that throws after several changes leaves nothing of them, and rethrows its error', async () => {
        await seed()
        const before = await storage.read(async (tx) => ({figures: await tx.apps.figures('acme'), members: await tx.members.list('acme')}))
        const failure = new Error('changed my mind')
        const error = await storage
          .write(async (tx) => {
            await ensure(tx, 'new@acme.test')
            await tx.members.put('acme', membership('new@acme.test'))
            await tx.members.remove('acme', BOB)
            await tx.apps.insert(orgApp('extra', 'acme'))
            await tx.collaborators.put('web', collaborator(CY))
            await tx.formation.replace('web', [dyno('web', 3)])
            await tx.history.putDay('acme', {date: '2026-11-30', apps: 1, members: 1, dynoUnits: 1}, 10)
            await tx.tokens.insert(token(ADA, 'e'))
            throw failure
          })
          .catch((caught: unknown) => caught)
        expect(error).toBe(failure)
        await storage.read(async (tx) => {
          expect({figures: await tx.apps.figures('acme'), members: await tx.members.list('acme')}).toEqual(before)
          expect(await tx.users.byEmail('new@acme.test')).toBeUndefined()
          expect(await tx.apps.byName('extra')).toBeUndefined()
          expect(await tx.collaborators.list('web')).toEqual([])
          expect(await tx.formation.of('web')).toEqual([])
          expect(await tx.history.days('acme')).toEqual([])
          expect(await tx.tokens.of(ADA)).toEqual([])
        })
        // And the storage goes on working.
        await storage.write((tx) => tx.members.put('acme', membership(CY)))
        expect((await storage.read((tx) => tx.apps.figures('acme'))).members).toBe(3)
      })

      it('a write returns what its function returns; a write sees its own changes; a read after it sees them', async () => {
        const value = await storage.write(async (tx) => {
          await tx.users.ensure(user(ADA))
          await tx.orgs.insert(org('acme'))
          await tx.members.put('acme', membership(ADA, 'admin'))
          return (await tx.members.list('acme')).map((m) => m.email)
        })
        expect(value).toEqual([ADA])
        expect((await storage.read((tx) => tx.members.list('acme'))).map((m) => m.email)).toEqual([ADA])
      })

      it('times come back exactly as they were put', async () => {
        await storage.write(async (tx) => {
          await tx.users.ensure({id: 'u-1', email: ADA, createdAt: '2026-11-15T00:00:00.000Z'})
          await tx.orgs.insert({...org('acme'), createdAt: '2026-11-15T23:59:59.999Z', updatedAt: '2027-01-01T00:00:00.001Z'})
        })
        await storage.read(async (tx) => {
          expect((await tx.users.byEmail(ADA))!.createdAt).toBe('2026-11-15T00:00:00.000Z')
          expect(await tx.orgs.byName('acme')).toMatchObject({createdAt: '2026-11-15T23:59:59.999Z', updatedAt: '2027-01-01T00:00:00.001Z'})
        })
      })
    })

    describe('dry runs and nested units', () => {
      /** Everything the seed and the tests below touch, as the engine reports it. */
      const snapshot = () =>
        storage.read(async (tx) => ({
          figures: await tx.apps.figures('acme'),
          members: await tx.members.list('acme'),
          apps: await tx.apps.ofOrg('acme'),
          web: await tx.collaborators.list('web'),
          formation: await tx.formation.of('web'),
          users: await tx.users.idsByEmail([ADA, BOB, CY, DEE, 'new@acme.test']),
          tokens: await tx.tokens.of(ADA),
          extra: await tx.orgs.byName('extra'),
          stamps: [await tx.stamp({org: 'acme'}), await tx.stamp({app: 'web'}), await tx.stamp({org: 'acme', app: 'web'})],
        }))
      const changeMuch = async (tx: WriteTx) => {
        await ensure(tx, 'new@acme.test')
        await tx.members.put('acme', membership('new@acme.test'))
        await tx.members.remove('acme', BOB)
        await tx.orgs.insert(org('extra'))
        await tx.apps.insert(orgApp('extra', 'acme'))
        await tx.collaborators.put('web', collaborator(CY))
        await tx.formation.replace('web', [dyno('web', 3)])
        await tx.tokens.insert(token(ADA, 'e'))
      }

      it('a dry run sees its own changes and gives back its value; nothing of it stays, and the stamps hold still', async () => {
        await seed()
        const before = await snapshot()
        const value = await storage.write(
          async (tx) => {
            await changeMuch(tx)
            return {members: (await tx.members.list('acme')).map((m) => m.email), figures: await tx.apps.figures('acme')}
          },
          {dryRun: true},
        )
        expect(value).toEqual({members: [ADA, 'new@acme.test'], figures: {apps: 3, members: 3, dynoUnits: 3}})
        expect(await snapshot()).toEqual(before)
        // And the storage goes on working.
        await storage.write((tx) => tx.members.put('acme', membership(CY)))
        expect((await storage.read((tx) => tx.apps.figures('acme'))).members).toBe(3)
      })

      it('a dry run that throws rethrows its error; a conflict is found as in a real write', async () => {
        await seed()
        const before = await snapshot()
        const failure = new Error('changed my mind')
        const error = await storage
          .write(
            async (tx) => {
              await changeMuch(tx)
              throw failure
            },
            {dryRun: true},
          )
          .catch((caught: unknown) => caught)
        expect(error).toBe(failure)
        const taken = await thrown(storage.write((tx) => tx.apps.insert(orgApp('web', 'acme')), {dryRun: true}))
        expect(taken.id).toBe('conflict')
        expect(await snapshot()).toEqual(before)
      })

      it('a dry run on a storage never written leaves it empty', async () => {
        const value = await storage.write(
          async (tx) => {
            await tx.users.ensure(user(ADA))
            await tx.orgs.insert(org('acme'))
            return (await tx.orgs.byName('acme'))?.name
          },
          {dryRun: true},
        )
        expect(value).toBe('acme')
        expect(await storage.read((tx) => tx.orgs.byName('acme'))).toBeUndefined()
        expect(await storage.read((tx) => tx.users.byEmail(ADA))).toBeUndefined()
      })

      it('a nested unit that throws leaves nothing of itself; the rest of the write stands and commits', async () => {
        await seed()
        const failure = new Error('this item fails')
        const seen = await storage.write(async (tx) => {
          await tx.members.put('acme', membership(CY))
          const error = await tx
            .nested(async () => {
              await changeMuch(tx)
              throw failure
            })
            .catch((caught: unknown) => caught)
          expect(error).toBe(failure)
          // After the failed unit: as before it, the first change still there (and counted once).
          expect((await tx.members.list('acme')).map((m) => m.email)).toEqual([ADA, BOB, CY])
          expect(await tx.apps.figures('acme')).toEqual({apps: 2, members: 3, dynoUnits: 0})
          expect(await tx.apps.byName('extra')).toBeUndefined()
          expect(await tx.users.byEmail('new@acme.test')).toBeUndefined()
          // A unit that returns keeps its changes.
          expect(await tx.nested(async () => (await tx.members.put('acme', membership(DEE)), 'kept'))).toBe('kept')
          return tx.apps.figures('acme')
        })
        expect(seen).toEqual({apps: 2, members: 4, dynoUnits: 0})
        await storage.read(async (tx) => {
          expect((await tx.members.list('acme')).map((m) => m.email)).toEqual([ADA, BOB, CY, DEE])
          expect(await tx.apps.figures('acme')).toEqual({apps: 2, members: 4, dynoUnits: 0})
          expect(await tx.collaborators.list('web')).toEqual([])
          expect(await tx.tokens.of(ADA)).toEqual([])
        })
      })

      it('a conflict inside a nested unit leaves the transaction usable', async () => {
        await seed()
        await storage.write(async (tx) => {
          const error = await thrown(
            tx.nested(async () => {
              await tx.members.put('acme', membership(CY))
              await tx.apps.insert(orgApp('web', 'acme'))
            }),
          )
          expect(error.id).toBe('conflict')
          await tx.members.put('acme', membership(DEE))
        })
        expect((await storage.read((tx) => tx.members.list('acme'))).map((m) => m.email)).toEqual([ADA, BOB, DEE])
      })

      it('nested units in one dry run: each sees those before it, a failed one only itself undone; nothing stays', async () => {
        await seed()
        const before = await snapshot()
        // A members limit with room for two more: the third add, seeing the first two, is over it.
        const add = (tx: WriteTx, email: string) =>
          tx.nested(async () => {
            await ensure(tx, email)
            await tx.members.put('acme', membership(email))
            if ((await tx.apps.figures('acme')).members > 4) throw new Error(`no room for ${email}`)
            return email
          })
        const results = await storage.write(
          async (tx) => {
            const outcomes: string[] = []
            for (const email of [CY, DEE, 'new@acme.test']) outcomes.push(await add(tx, email).catch((error: Error) => error.message))
            outcomes.push(String((await tx.apps.figures('acme')).members))
            return outcomes
          },
          {dryRun: true},
        )
        expect(results).toEqual([CY, DEE, 'no room for new@acme.test', '4'])
        expect(await snapshot()).toEqual(before)
      })
    })

    describe('a whole dry run (DryRunStorage over the engine)', () => {
      it('units in turn in one rolled-back write: each sees those before, a refused one is undone, nothing stays', async () => {
        await seed()
        const dry = new DryRunStorage(storage)
        const put = (email: string) =>
          dry.write(async (tx) => {
            await ensure(tx, email)
            await tx.members.put('acme', membership(email))
            if ((await tx.apps.figures('acme')).members > 4) throw conflict(`no room for ${email}`)
            return email
          })
        expect(await put(CY)).toBe(CY)
        expect(await put(DEE)).toBe(DEE)
        expect((await thrown(put('new@acme.test'))).message).toBe('no room for new@acme.test')
        expect(await dry.read(async (tx) => (await tx.members.list('acme')).map((m) => m.email))).toEqual([ADA, BOB, CY, DEE])
        expect(await dry.read((tx) => tx.users.byEmail('new@acme.test'))).toBeUndefined()
        await dry.close()
        expect((await storage.read((tx) => tx.members.list('acme'))).map((m) => m.email)).toEqual([ADA, BOB])
        expect(await storage.read((tx) => tx.users.byEmail(CY))).toBeDefined()
        // The engine is free for real writes again.
        await storage.write((tx) => tx.members.put('acme', membership(CY)))
        expect((await storage.read((tx) => tx.apps.figures('acme'))).members).toBe(3)
      })
    })

    describe('stamps', () => {
      const stamps = () =>
        storage.read(async (tx) => ({
          acme: await tx.stamp({org: 'acme'}),
          zeta: await tx.stamp({org: 'zeta'}),
          web: await tx.stamp({app: 'web'}),
          mine: await tx.stamp({app: 'mine'}),
          both: await tx.stamp({org: 'acme', app: 'web'}),
        }))

      it('a scope naming nothing holds still; scoped engines: no scope is undefined, nothing named a fixed string', async () => {
        const nothing = await storage.read((tx) => tx.stamp({org: 'nope', app: 'nope'}))
        expect(await storage.read((tx) => tx.stamp({org: 'nope', app: 'nope'}))).toBe(nothing)
        // Whole-store engines may answer any scope with their one version (or undefined for a store not yet written).
        if (engine.scopedStamp) {
          expect(await storage.read((tx) => tx.stamp({}))).toBeUndefined()
          expect(typeof nothing).toBe('string')
        }
      })

      it('holds still without a change, and changes with every change to the org, its apps, or the app', async () => {
        await seed()
        let last = await stamps()
        expect(await stamps()).toEqual(last)
        const changes: [string, (tx: WriteTx) => Promise<unknown>, ('acme' | 'web' | 'mine' | 'both')[]][] = [
          ['a member added', (tx) => tx.members.put('acme', membership(CY)), ['acme', 'both']],
          ['a member removed', (tx) => tx.members.remove('acme', CY), ['acme', 'both']],
          [
            'limits changed',
            async (tx) => tx.orgs.update({...(await tx.orgs.byName('acme'))!, limits: {apps: 1, members: 1, 'dyno-units': 1}}),
            ['acme', 'both'],
          ],
          ['a collaborator on an app of the org', (tx) => tx.collaborators.put('web', collaborator(DEE)), ['acme', 'web', 'both']],
          ['its formation', (tx) => tx.formation.replace('web', [dyno('web', 1)]), ['acme', 'web', 'both']],
          ['locked', async (tx) => tx.apps.update({...(await tx.apps.byName('web'))!, locked: true}), ['acme', 'web', 'both']],
          ['another app of the org', (tx) => tx.collaborators.put('api', collaborator(DEE)), ['acme', 'both']],
          ['an app added to the org', (tx) => tx.apps.insert(orgApp('new-app', 'acme')), ['acme', 'both']],
          ['an app of the org removed', (tx) => tx.apps.remove('new-app'), ['acme', 'both']],
          ['a personal app shared', (tx) => tx.collaborators.put('mine', collaborator(DEE)), ['mine']],
          ['collaborators all removed', (tx) => tx.collaborators.removeAll('web'), ['acme', 'web', 'both']],
          [
            'usage recorded',
            (tx) => tx.history.putDay('acme', {date: '2026-11-20', apps: 2, members: 2, dynoUnits: 1}, 5),
            ['acme', 'both'],
          ],
        ]
        for (const [what, change, named] of changes) {
          // An app's answers depend on its owner org too: web's stamp follows acme's.
          const changed = named.includes('acme') && !named.includes('web') ? [...named, 'web' as const] : named
          await storage.write(change)
          const now = await stamps()
          for (const key of changed) expect(now[key], `${what}: ${key}`).not.toBe(last[key])
          // Only where stamps are kept per org and app can a change leave another's stamp as it was.
          if (engine.scopedStamp) {
            for (const key of ['acme', 'zeta', 'web', 'mine', 'both'] as const) {
              if (!(changed as string[]).includes(key)) expect(now[key], `${what}: ${key} unchanged`).toBe(last[key])
            }
          }
          last = now
        }
      })

      it('an app moved between orgs changes the stamps of both orgs and the app; a removed app named again is another stamp', async () => {
        await seed()
        const before = await stamps()
        const web = (await storage.read((tx) => tx.apps.byName('web')))!
        await storage.write((tx) => tx.apps.update({...web, owner: {kind: 'org', name: 'zeta'}}))
        const moved = await stamps()
        for (const key of ['acme', 'zeta', 'web'] as const) expect(moved[key]).not.toBe(before[key])
        await storage.write((tx) => tx.apps.remove('web'))
        const gone = await stamps()
        await storage.write((tx) => tx.apps.insert(orgApp('web', 'zeta')))
        const again = await stamps()
        expect(again.web).not.toBe(gone.web)
        expect(again.web).not.toBe(moved.web)
        expect(again.web).not.toBe(before.web)
      })
    })
  })
}
