/**
 * The storage contract of operators and of an org's rename and removal (storage.ts), run by
 * contract.ts on every engine: a rename carries everything the engines key by the org's name.
 */
import {describe, expect, it} from 'vitest'

import {OrgctlError} from '../../src/lib/errors.js'
import type {Storage, WriteTx} from '../../src/lib/storage/storage.js'
import {at, collaborator, dyno, membership, org, orgApp, personalApp, transfer, user} from './records.js'

const ADA = 'ada@acme.test'
const BOB = 'bob@acme.test'
const CY = 'cy@acme.test'
const OPS = ['ops@platform.test', 'a-ops@platform.test', 'a.ops@platform.test', 'aops@platform.test']

async function caught(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => undefined,
    (error: unknown) => error,
  )
}

export function orgsContract(storage: () => Storage, scopedStamp: boolean): void {
  const ensure = (tx: WriteTx, ...emails: string[]) => Promise.all(emails.map((email) => tx.users.ensure(user(email))))
  const day = {date: '2026-11-20', apps: 2, members: 3, dynoUnits: 4}
  const entry = {at: at(20), app: 'api', dynoUnits: 2, monthlyCents: 5000}

  /** acme: ada admin, bob member, web (shared with cy) and api (2 dynos), a usage day and a ledger entry; zeta; ada's personal app with a pending transfer to bob. */
  const seed = () =>
    storage().write(async (tx) => {
      await ensure(tx, ADA, BOB, CY)
      await tx.orgs.insert(org('acme', {apps: 5, members: 6, 'dyno-units': 7}))
      await tx.orgs.insert(org('zeta'))
      await tx.members.put('acme', membership(ADA, 'admin'))
      await tx.members.put('acme', membership(BOB))
      await tx.apps.insert(orgApp('web', 'acme'))
      await tx.apps.insert(orgApp('api', 'acme'))
      await tx.collaborators.put('web', collaborator(CY))
      await tx.formation.replace('api', [dyno('web', 2)])
      await tx.history.putDay('acme', day, 10)
      await tx.history.appendLedger('acme', entry)
      const mine = personalApp('mine', ADA)
      await tx.apps.insert(mine)
      await tx.transfers.insert(transfer(mine, ADA, BOB, 6, 'pending', 'tr-mine'))
    })

  /** Everything the engines answer about an org under a name. */
  const about = (name: string) =>
    storage().read(async (tx) => {
      const found = await tx.orgs.byName(name)
      return {
        org: found,
        byId: found && (await tx.orgs.byId(found.id)),
        members: await tx.members.list(name),
        admins: (await tx.members.admins(name)).map((m) => m.email),
        apps: (await tx.apps.ofOrg(name)).map((app) => [app.name, app.owner]),
        figures: await tx.apps.figures(name),
        inList: [...(await tx.members.inList(name, [ADA, BOB, CY]))].sort(),
        outside: await tx.collaborators.outsideMembers(name),
        cyApps: await tx.collaborators.appsInOrg(name, CY),
        days: await tx.history.days(name),
        ledger: await tx.history.ledger(name),
      }
    })

  describe('operators', () => {
    it('none at first; add, has, list by email byte-wise; adding again keeps the first; remove says whether it removed', async () => {
      await storage().read(async (tx) => {
        expect(await tx.operators.list()).toEqual([])
        expect(await tx.operators.has(OPS[0]!)).toBe(false)
      })
      const added = await storage().write(async (tx) => {
        const results: boolean[] = []
        for (const [i, email] of OPS.entries()) results.push(await tx.operators.add({email, createdAt: at(1, i)}))
        results.push(await tx.operators.add({email: OPS[0]!, createdAt: at(9)}))
        return results
      })
      expect(added).toEqual([true, true, true, true, false])
      await storage().read(async (tx) => {
        expect(await tx.operators.list()).toEqual([
          {email: 'a-ops@platform.test', createdAt: at(1, 1)},
          {email: 'a.ops@platform.test', createdAt: at(1, 2)},
          {email: 'aops@platform.test', createdAt: at(1, 3)},
          {email: 'ops@platform.test', createdAt: at(1, 0)},
        ])
        expect(await tx.operators.has('ops@platform.test')).toBe(true)
        expect(await tx.operators.has('nobody@platform.test')).toBe(false)
      })
      expect(await storage().write((tx) => tx.operators.remove('ops@platform.test'))).toBe(true)
      expect(await storage().write((tx) => tx.operators.remove('ops@platform.test'))).toBe(false)
      expect((await storage().read((tx) => tx.operators.list())).map((o) => o.email)).toEqual([
        'a-ops@platform.test',
        'a.ops@platform.test',
        'aops@platform.test',
      ])
    })

    it('a write that throws leaves no operator added or removed', async () => {
      await storage().write((tx) => tx.operators.add({email: OPS[0]!, createdAt: at(1)}))
      const failure = new Error('no')
      const error = await caught(
        storage().write(async (tx) => {
          await tx.operators.add({email: OPS[1]!, createdAt: at(2)})
          await tx.operators.remove(OPS[0]!)
          throw failure
        }),
      )
      expect(error).toBe(failure)
      expect(await storage().read((tx) => tx.operators.list())).toEqual([{email: OPS[0], createdAt: at(1)}])
    })
  })

  describe('orgs.rename', () => {
    it('carries the id, limits, members, apps, collaborators, figures, usage history and ledger; the old name is free', async () => {
      await seed()
      const before = await about('acme')
      await storage().write((tx) => tx.orgs.rename('acme', 'acme-two'))
      const after = await about('acme-two')
      expect(after).toEqual({
        ...before,
        org: {...before.org, name: 'acme-two'},
        byId: {...before.byId, name: 'acme-two'},
        apps: [
          ['api', {kind: 'org', name: 'acme-two'}],
          ['web', {kind: 'org', name: 'acme-two'}],
        ],
      })
      expect(after.figures).toEqual({apps: 2, members: 3, dynoUnits: 2})
      expect(after.days).toEqual([day])
      expect(after.ledger).toEqual([entry])
      await storage().read(async (tx) => {
        expect(await tx.orgs.byName('acme')).toBeUndefined()
        expect((await tx.apps.byName('web'))!.owner).toEqual({kind: 'org', name: 'acme-two'})
        expect((await tx.orgs.withMember(ADA)).map((found) => found.org.name)).toEqual(['acme-two'])
        expect((await tx.orgs.withCollaborator(CY)).map((found) => found.name)).toEqual(['acme-two'])
        expect(await tx.collaborators.inOrg('acme-two', CY)).toBe(true)
        expect(await tx.collaborators.inOrg('acme', CY)).toBe(false)
        expect(await tx.members.get('acme', ADA)).toBeUndefined()
        // Transfers never name an org (a move into an org is immediate): the pending one is as it was.
        expect((await tx.transfers.byId('tr-mine'))!.state).toBe('pending')
      })
      const empty = await about('acme')
      expect(empty).toMatchObject({
        org: undefined,
        members: [],
        apps: [],
        days: [],
        ledger: [],
        figures: {apps: 0, members: 0, dynoUnits: 0},
      })
      // The old name can be had again, by a new org with nothing of the old one's.
      await storage().write((tx) => tx.orgs.insert(org('acme')))
      expect(await about('acme')).toMatchObject({members: [], apps: [], days: [], ledger: []})
      expect((await about('acme-two')).members).toHaveLength(2)
    })

    it('a taken name is a conflict, and nothing moves; renaming to its own name changes nothing', async () => {
      await seed()
      const before = await about('acme')
      const error = await caught(storage().write((tx) => tx.orgs.rename('acme', 'zeta')))
      expect(error).toBeInstanceOf(OrgctlError)
      expect((error as OrgctlError).id).toBe('conflict')
      expect((error as OrgctlError).message).toBe('The org name zeta is already taken: choose another name.')
      expect(await about('acme')).toEqual(before)
      await storage().write((tx) => tx.orgs.rename('acme', 'acme'))
      expect(await about('acme')).toEqual(before)
    })

    it('a rename later in a write that throws is undone with it', async () => {
      await seed()
      const before = await about('acme')
      await caught(
        storage().write(async (tx) => {
          await tx.orgs.rename('acme', 'acme-two')
          await tx.members.put('acme-two', membership(CY))
          throw new Error('no')
        }),
      )
      expect(await about('acme')).toEqual(before)
      expect((await about('acme-two')).org).toBeUndefined()
    })

    it('changes the stamp of both names', async () => {
      await seed()
      const stamps = () => storage().read(async (tx) => [await tx.stamp({org: 'acme'}), await tx.stamp({org: 'acme-two'})])
      const before = await stamps()
      await storage().write((tx) => tx.orgs.rename('acme', 'acme-two'))
      const after = await stamps()
      expect(after[0]).not.toBe(before[0])
      expect(after[1]).not.toBe(before[1])
      if (scopedStamp) expect(after[0]).toBe(before[1])
    })
  })

  describe('orgs.remove', () => {
    it('refuses an org that still has apps, changing nothing; once they are gone, takes its members and history', async () => {
      await seed()
      const before = await about('acme')
      expect(await caught(storage().write((tx) => tx.orgs.remove('acme')))).toBeInstanceOf(Error)
      expect(await about('acme')).toEqual(before)
      const id = before.org!.id
      await storage().write(async (tx) => {
        await tx.apps.remove('web')
        await tx.apps.remove('api')
        await tx.orgs.remove('acme')
      })
      expect(await about('acme')).toMatchObject({org: undefined, members: [], admins: [], days: [], ledger: [], inList: []})
      await storage().read(async (tx) => {
        expect(await tx.orgs.byId(id)).toBeUndefined()
        expect(await tx.orgs.withMember(ADA)).toEqual([])
        expect(await tx.orgs.byName('zeta')).toBeDefined()
        expect(await tx.users.byEmail(ADA)).toBeDefined()
      })
      // Removing what is not there is no error; the name is free again, empty.
      await storage().write((tx) => tx.orgs.remove('acme'))
      await storage().write((tx) => tx.orgs.insert(org('acme')))
      expect(await about('acme')).toMatchObject({members: [], days: [], ledger: []})
    })
  })
}
