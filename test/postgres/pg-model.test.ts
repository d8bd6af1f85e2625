/**
 * The PostgreSQL engine against the memory engine, the reference: the same random changes applied to
 * both (memberships, collaborators, apps created, moved between orgs and people, removed, formation,
 * usage, tokens), and after each one every derived answer compared (figures, outside collaborators,
 * inOrg, appsInOrg, sinceInOrg, member lists); at the end the whole database, exported, equals the
 * memory engine's state, and survives an import into another database and an export back.
 */
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import type {AppPermission, DynoSize, OrgRole} from '../../src/lib/domain/types.js'
import {MemoryStorage} from '../../src/lib/storage/memory/memory-storage.js'
import type {State} from '../../src/lib/storage/memory/state.js'
import {PostgresStorage} from '../../src/lib/storage/postgres/pg-storage.js'
import type {ReadTx, Storage, WriteTx} from '../../src/lib/storage/storage.js'
import {createTestDatabase, pgInfo, type TestDatabase} from '../helpers/postgres.js'
import {at, collaborator, dyno, membership, org, orgApp, personalApp, token, user} from '../storage/records.js'

const ORGS = ['acme', 'beta', 'gamma']
const APPS = ['app-a', 'app-b', 'app-c', 'app-d', 'app-e', 'app-f']
const EMAILS = ['ann@x.test', 'a.b@x.test', 'a+b@x.test', 'bob@x.test', 'cy@x.test', 'dee@x.test', 'ed@x.test']
const ROLES: OrgRole[] = ['admin', 'member', 'collaborator']
const PERMISSIONS: AppPermission[][] = [['view'], ['view', 'deploy'], ['view', 'deploy', 'operate', 'manage']]
const SIZES: DynoSize[] = ['standard-1x', 'standard-2x', 'performance-m', 'performance-l']

/** A small seeded generator (mulberry32): the same run every time, another with ORGCTL_MODEL_SEED. */
function random(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

async function answers(tx: ReadTx) {
  const out: Record<string, unknown> = {}
  for (const name of ORGS) {
    out[name] = {
      figures: await tx.apps.figures(name),
      outside: await tx.collaborators.outsideMembers(name),
      members: await tx.members.list(name),
      admins: await tx.members.admins(name),
      apps: await tx.apps.ofOrg(name),
      days: await tx.history.days(name),
      ledger: await tx.history.ledger(name),
    }
    for (const email of EMAILS) {
      out[`${name} ${email}`] = [
        await tx.collaborators.inOrg(name, email),
        await tx.collaborators.appsInOrg(name, email),
        await tx.collaborators.sinceInOrg(name, email),
      ]
    }
  }
  for (const email of EMAILS) {
    out[email] = {
      withMember: await tx.orgs.withMember(email),
      withCollaborator: await tx.orgs.withCollaborator(email),
      owned: await tx.apps.ownedBy(email),
      shared: await tx.apps.sharedWith(email),
      tokens: await tx.tokens.of(email),
    }
  }
  for (const name of APPS) out[name] = {collaborators: await tx.collaborators.list(name), formation: await tx.formation.of(name)}
  return out
}

describe.skipIf(!pgInfo().url)('the PostgreSQL engine against the memory engine', () => {
  let database: TestDatabase
  let other: TestDatabase
  beforeAll(async () => {
    database = await createTestDatabase()
    other = await createTestDatabase()
  })
  afterAll(async () => {
    await database?.drop()
    await other?.drop()
  })

  it('gives the same answers after every one of a few hundred random changes, and exports the same state', async () => {
    const seed = Number(process.env.ORGCTL_MODEL_SEED ?? 20261201)
    const next = random(seed)
    const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!
    const memory = new MemoryStorage()
    const pg = await PostgresStorage.open(database.url)
    const both = async (fn: (tx: WriteTx) => Promise<void>) => {
      await memory.write(fn)
      await pg.write(fn)
    }
    try {
      const users = EMAILS.map((email) => user(email))
      const orgs = ORGS.map((name) => org(name))
      await both(async (tx) => {
        for (const record of users) await tx.users.ensure(record)
        for (const record of orgs) await tx.orgs.insert(record)
      })
      let hashes = 0
      for (let step = 0; step < 300; step++) {
        const state = (memory as unknown as {state: State}).state
        const apps = [...state.apps.values()]
        const existing = apps.length > 0 ? pick(apps) : undefined
        const kind = Math.floor(next() * 11)
        const email = pick(EMAILS)
        const time = at(1 + (step % 27), step)
        // Every random choice is made here, before the change runs twice (once per engine).
        const orgName = pick(ORGS)
        let change: (tx: WriteTx) => Promise<void>
        if (kind === 0 || kind === 1) {
          const record = membership(email, pick(ROLES), {createdAt: time, updatedAt: time})
          change = (tx) => tx.members.put(orgName, record)
        } else if (kind === 2) {
          change = (tx) => tx.members.remove(orgName, email)
        } else if ((kind === 3 || kind === 4) && existing) {
          const record = {...collaborator(email, 1 + (step % 27), pick(PERMISSIONS)), createdAt: time}
          change = (tx) => tx.collaborators.put(existing.name, record)
        } else if (kind === 5 && existing) {
          change = next() < 0.8 ? (tx) => tx.collaborators.remove(existing.name, email) : (tx) => tx.collaborators.removeAll(existing.name)
        } else if (kind === 6) {
          const name = pick(APPS)
          if (state.apps.has(name)) {
            change = (tx) => tx.apps.remove(name)
          } else {
            const app = next() < 0.7 ? orgApp(name, orgName) : personalApp(name, email)
            change = (tx) => tx.apps.insert(app)
          }
        } else if (kind === 7 && existing) {
          const owner = next() < 0.7 ? ({kind: 'org', name: orgName} as const) : ({kind: 'user', email} as const)
          const locked = owner.kind === 'org' && next() < 0.3
          change = (tx) => tx.apps.update({...existing, owner, locked, updatedAt: time})
        } else if (kind === 8 && existing) {
          const entries = ['web', 'worker', 'a_b'].filter(() => next() < 0.6).map((type) => dyno(type, Math.floor(next() * 5), pick(SIZES)))
          change = (tx) => tx.formation.replace(existing.name, entries)
        } else if (kind === 9) {
          const day = {date: `2026-11-${String(1 + Math.floor(next() * 9)).padStart(2, '0')}`, apps: step, members: step, dynoUnits: 1}
          const entry = {at: time, app: pick(APPS), dynoUnits: step, monthlyCents: step * 10}
          change = async (tx) => {
            await tx.history.putDay(orgName, day, 4)
            await tx.history.appendLedger(orgName, entry)
          }
        } else {
          const tokens = [...state.tokens.values()]
          const gone = tokens.length > 3 ? pick(tokens) : undefined
          const minted = {...token(email, '0', 1 + (step % 27)), hash: (++hashes * 7919).toString(16).padStart(64, '0')}
          change = async (tx) => {
            if (gone) await tx.tokens.remove(gone.id)
            await tx.tokens.insert(minted)
          }
        }
        await both(change)
        const [expected, got] = [await memory.read(answers), await pg.read(answers)]
        expect(got, `step ${step} (seed ${seed})`).toEqual(expected)
      }
      const exported = await pg.exportState()
      const reference = (memory as unknown as {state: State}).state
      expect(exported).toEqual(reference)

      // The whole of it into another database and out again.
      const copy = await PostgresStorage.open(other.url)
      try {
        await copy.importState(exported, {replace: false})
        expect(await copy.exportState()).toEqual(reference)
        expect(await copy.read(answers)).toEqual(await memory.read(answers))
      } finally {
        await copy.close()
      }
    } finally {
      await pg.close()
      await memory.close()
    }
  })
})

export type {Storage}
