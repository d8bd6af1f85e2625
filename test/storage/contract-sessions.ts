/**
 * The storage contract of Dashboard sessions and one-time sign-in links (storage.ts, tx.sessions), run
 * by contract.ts on every engine: exact round trips, a link used once of two at once, sign-out
 * everywhere by exact email, pruning at or before a time, and all-or-nothing like every other change.
 */
import {describe, expect, it} from 'vitest'

import type {DashboardSession} from '../../src/lib/domain/types.js'
import {OrgctlError} from '../../src/lib/errors.js'
import type {Storage, WriteTx} from '../../src/lib/storage/storage.js'
import {at, membership, org, user} from './records.js'

const ADA = 'ada@acme.test'
const BOB = 'bob@acme.test'
/** Emails a pattern match or a case-folding comparison would confuse ('_' and '.' are wildcards to LIKE and regexes). */
const LOOKALIKES = ['a_b@x.test', 'a.b@x.test', 'axb@x.test', 'a%b@x.test']

let n = 0
/** A record with a fresh 64-hex hash (as the Dashboard stores sha256 of its secrets). */
const session = (email: string, expiresDay: number, kind: DashboardSession['kind'] = 'session', expiresMs = 0): DashboardSession => ({
  hash: (++n).toString(16).padStart(64, '0'),
  kind,
  email,
  createdAt: at(1, n % 1000),
  expiresAt: at(expiresDay, expiresMs),
})

async function caught(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => undefined,
    (error: unknown) => error,
  )
}

export function sessionsContract(storage: () => Storage, scopedStamp: boolean): void {
  const insert = (...records: DashboardSession[]) =>
    storage().write(async (tx) => {
      for (const record of records) await tx.sessions.insert(record)
    })
  const present = (records: DashboardSession[]) =>
    storage().read(async (tx) => {
      const found: string[] = []
      for (const record of records) if (await tx.sessions.byHash(record.hash)) found.push(record.hash)
      return found
    })

  describe('Dashboard sessions and sign-in links', () => {
    it('round trip: byHash gives back every field exactly, a session and a link alike; an unknown hash is undefined', async () => {
      const cookie = {...session(ADA, 2), createdAt: '2026-11-15T23:59:59.999Z', expiresAt: '2026-11-16T07:59:59.999Z'}
      const link = session(ADA, 2, 'link', 123)
      await insert(cookie, link)
      await storage().read(async (tx) => {
        expect(await tx.sessions.byHash(cookie.hash)).toStrictEqual(cookie)
        expect(await tx.sessions.byHash(link.hash)).toStrictEqual(link)
        expect(await tx.sessions.byHash('f'.repeat(64))).toBeUndefined()
      })
      // Nothing handed out is live.
      await storage().write(async (tx) => {
        const read = (await tx.sessions.byHash(cookie.hash))!
        read.email = BOB
        expect((await tx.sessions.byHash(cookie.hash))!.email).toBe(ADA)
      })
    })

    it('a session needs no user record (whoever signs in may not have acted yet), nor an org', async () => {
      const record = session('new@acme.test', 3)
      await insert(record)
      expect(await storage().read((tx) => tx.sessions.byHash(record.hash))).toStrictEqual(record)
      expect(await storage().read((tx) => tx.users.byEmail('new@acme.test'))).toBeUndefined()
    })

    it('a hash stored already is a conflict, and the first record stays', async () => {
      const first = session(ADA, 2)
      await insert(first)
      const error = await caught(insert({...first, email: BOB}))
      expect(error).toBeInstanceOf(OrgctlError)
      expect((error as OrgctlError).id).toBe('conflict')
      expect(await storage().read((tx) => tx.sessions.byHash(first.hash))).toStrictEqual(first)
    })

    it('remove is true once, then false; an unknown hash is false', async () => {
      const link = session(ADA, 2, 'link')
      await insert(link)
      expect(await storage().write((tx) => tx.sessions.remove(link.hash))).toBe(true)
      expect(await storage().write((tx) => tx.sessions.remove(link.hash))).toBe(false)
      expect(await storage().write((tx) => tx.sessions.remove('e'.repeat(64)))).toBe(false)
      expect(await storage().read((tx) => tx.sessions.byHash(link.hash))).toBeUndefined()
    })

    it('a link used by two writes at once: exactly one of them removes it', async () => {
      for (let round = 0; round < 3; round++) {
        const link = session(ADA, 2, 'link')
        await insert(link)
        const used = await Promise.all([0, 1, 2].map(() => storage().write((tx) => tx.sessions.remove(link.hash))))
        expect(used.filter(Boolean)).toHaveLength(1)
        expect(await storage().read((tx) => tx.sessions.byHash(link.hash))).toBeUndefined()
      }
    })

    it('removeOf removes every session and link of that exact email and none of another; how many', async () => {
      const ada = [session(ADA, 2), session(ADA, 3, 'link'), session(ADA, 30)]
      const bob = [session(BOB, 2)]
      // An email that only starts or ends as ada's is another's.
      const longer = [session(`x${ADA}`, 2), session(`${ADA}x`, 2)]
      const lookalikes = LOOKALIKES.map((email) => session(email, 2))
      await insert(...ada, ...bob, ...longer, ...lookalikes)
      expect(await storage().write((tx) => tx.sessions.removeOf(ADA))).toBe(3)
      expect(await present(ada)).toEqual([])
      expect(await present([...bob, ...longer])).toEqual([...bob, ...longer].map((s) => s.hash))
      // Byte-wise equality: '_' and '.' match only themselves.
      expect(await storage().write((tx) => tx.sessions.removeOf('a_b@x.test'))).toBe(1)
      expect(await present(lookalikes)).toEqual(lookalikes.slice(1).map((s) => s.hash))
      expect(await storage().write((tx) => tx.sessions.removeOf('ADA@acme.test'))).toBe(0)
      expect(await storage().write((tx) => tx.sessions.removeOf('nobody@acme.test'))).toBe(0)
    })

    it('prune removes those expired at or before now, keeps the later ones, and says how many', async () => {
      const now = at(10, 500)
      const before = session(ADA, 9)
      const exactly = session(BOB, 10, 'link', 500)
      const justAfter = session(ADA, 10, 'link', 501)
      const later = session(BOB, 11)
      await insert(before, exactly, justAfter, later)
      expect(await storage().write((tx) => tx.sessions.prune(now))).toBe(2)
      expect(await present([before, exactly, justAfter, later])).toEqual([justAfter.hash, later.hash])
      expect(await storage().write((tx) => tx.sessions.prune(now))).toBe(0)
      expect(await storage().write((tx) => tx.sessions.prune(at(20)))).toBe(2)
      expect(await present([justAfter, later])).toEqual([])
    })

    /** Changes of every kind: one inserted, one removed, one email's removed, the expired pruned. */
    const changeSessions = async (tx: WriteTx, records: DashboardSession[]) => {
      await tx.sessions.insert(session(ADA, 5))
      expect(await tx.sessions.remove(records[0]!.hash)).toBe(true)
      expect(await tx.sessions.removeOf(BOB)).toBe(1)
      expect(await tx.sessions.prune(at(4))).toBe(1)
      // The write sees its own changes.
      expect(await tx.sessions.byHash(records[0]!.hash)).toBeUndefined()
    }
    const seedSessions = async () => {
      const records = [session(ADA, 9), session(BOB, 9, 'link'), session(ADA, 3), session(ADA, 9, 'link')]
      await insert(...records)
      return records
    }
    const all = (records: DashboardSession[]) =>
      storage().read(async (tx) => Promise.all(records.map((record) => tx.sessions.byHash(record.hash))))

    it('a dry run sees its own changes, and leaves every session as it was', async () => {
      const records = await seedSessions()
      const before = await all(records)
      const value = await storage().write(
        async (tx) => {
          await changeSessions(tx, records)
          return 'dry'
        },
        {dryRun: true},
      )
      expect(value).toBe('dry')
      expect(await all(records)).toEqual(before)
      expect(before.every(Boolean)).toBe(true)
    })

    it('a write that throws leaves them as they were', async () => {
      const records = await seedSessions()
      const before = await all(records)
      const failure = new Error('changed my mind')
      const error = await caught(
        storage().write(async (tx) => {
          await changeSessions(tx, records)
          throw failure
        }),
      )
      expect(error).toBe(failure)
      expect(await all(records)).toEqual(before)
    })

    it('a nested unit that throws undoes its session changes; one that returns keeps them', async () => {
      const records = await seedSessions()
      const kept = session(BOB, 20)
      await storage().write(async (tx) => {
        expect(await tx.sessions.remove(records[3]!.hash)).toBe(true)
        const failure = new Error('this item fails')
        expect(await caught(tx.nested(async () => (await changeSessions(tx, records), Promise.reject(failure))))).toBe(failure)
        // As before the unit: the removal before it stands, the unit's changes are gone.
        for (const record of records.slice(0, 3)) expect(await tx.sessions.byHash(record.hash)).toStrictEqual(record)
        expect(await tx.sessions.byHash(records[3]!.hash)).toBeUndefined()
        await tx.nested(() => tx.sessions.insert(kept))
      })
      expect(await present([...records, kept])).toEqual([...records.slice(0, 3), kept].map((s) => s.hash))
    })

    it('moves no stamp of an org or app where stamps are kept per org and app', async () => {
      await storage().write(async (tx) => {
        await tx.users.ensure(user(ADA))
        await tx.orgs.insert(org('acme'))
        await tx.members.put('acme', membership(ADA, 'admin'))
      })
      const stamp = () => storage().read((tx) => tx.stamp({org: 'acme'}))
      const before = await stamp()
      const record = session(ADA, 9)
      await insert(record, session(ADA, 1))
      await storage().write((tx) => tx.sessions.prune(at(2)))
      await storage().write((tx) => tx.sessions.removeOf(ADA))
      // Whole-store engines (memory, the JSON file) have one version of everything, which any commit moves.
      if (scopedStamp) expect(await stamp()).toBe(before)
      expect(await storage().read((tx) => tx.members.list('acme'))).toHaveLength(1)
    })
  })
}
