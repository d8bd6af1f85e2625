/**
 * A whole store into and out of PostgreSQL (the engine's part of db:import and db:export): one
 * transaction, an occupied database refused unless replaced, ids, times, hashes, days and ledgers kept,
 * users made for the emails records name without one.
 */
import {afterAll, afterEach, beforeAll, beforeEach, describe, expect, it} from 'vitest'

import {OrgctlError} from '../../src/lib/errors.js'
import {MemoryStorage} from '../../src/lib/storage/memory/memory-storage.js'
import {cloneState, emptyState, type State} from '../../src/lib/storage/memory/state.js'
import {PostgresStorage} from '../../src/lib/storage/postgres/pg-storage.js'
import {createTestDatabase, pgInfo, type TestDatabase, withClient} from '../helpers/postgres.js'
import {at, collaborator, dyno, membership, org, orgApp, personalApp, token, transfer, user} from '../storage/records.js'

const ADA = 'ada@acme.test'
const BOB = 'bob@acme.test'
const CY = 'cy@acme.test'

/** A store with one of everything, built through the memory engine. */
async function sample(): Promise<State> {
  const memory = new MemoryStorage()
  await memory.write(async (tx) => {
    for (const email of [ADA, BOB, CY]) await tx.users.ensure(user(email))
    await tx.orgs.insert(org('acme'))
    await tx.orgs.insert(org('zeta'))
    await tx.members.put('acme', membership(ADA, 'admin', {userId: (await tx.users.byEmail(ADA))!.id}))
    await tx.members.put('acme', membership(BOB))
    await tx.apps.insert(orgApp('web', 'acme', {locked: true}))
    await tx.apps.insert(personalApp('mine', ADA))
    await tx.collaborators.put('web', collaborator(CY, 4, ['view', 'deploy']))
    await tx.collaborators.put('mine', collaborator(BOB))
    await tx.formation.replace('web', [dyno('web', 2, 'standard-2x'), dyno('worker', 1)])
    const mine = (await tx.apps.byName('mine'))!
    await tx.transfers.insert(transfer(mine, ADA, BOB, 6, 'declined'))
    await tx.transfers.insert(transfer(mine, ADA, CY, 7, 'pending'))
    await tx.tokens.insert(token(ADA, 'a'))
    await tx.tokens.insert(token(BOB, 'b'))
    await tx.history.putDay('acme', {date: '2026-11-01', apps: 1, members: 2, dynoUnits: 5}, 10)
    await tx.history.putDay('acme', {date: '2026-11-02', apps: 1, members: 3, dynoUnits: 5}, 10)
    await tx.history.appendLedger('acme', {at: at(2, 5), app: 'web', dynoUnits: 5, monthlyCents: 12_500})
    await tx.history.appendLedger('acme', {at: at(1, 9), app: 'gone', dynoUnits: 0, monthlyCents: 0})
    // An operator need not be a user.
    await tx.operators.add({email: 'ops@platform.test', createdAt: at(1, 3)})
    await tx.operators.add({email: ADA, createdAt: at(2)})
  })
  return (memory as unknown as {state: State}).state
}

describe.skipIf(!pgInfo().url)('importState and exportState', () => {
  let database: TestDatabase
  let storage: PostgresStorage
  beforeAll(async () => {
    database = await createTestDatabase()
  })
  afterAll(async () => {
    await database?.drop()
  })
  beforeEach(async () => {
    await withClient(database.url, (client) =>
      client.query(
        'TRUNCATE users, orgs, memberships, org_people, usage_days, ledger_entries, apps, collaborators, formation, transfers, tokens, operators, dashboard_sessions',
      ),
    )
    storage = await PostgresStorage.open(database.url)
  })
  afterEach(async () => {
    await storage?.close()
  })

  it('a round trip State -> database -> State is exact, and the database answers as the memory engine does', async () => {
    const state = await sample()
    await storage.importState(state, {replace: false})
    expect(await storage.exportState()).toEqual(state)
    const memory = new MemoryStorage(cloneState(state))
    const ask = (s: PostgresStorage | MemoryStorage) =>
      s.read(async (tx) => ({
        figures: await tx.apps.figures('acme'),
        outside: await tx.collaborators.outsideMembers('acme'),
        token: await tx.tokens.byHash('a'.repeat(64)),
        pending: await tx.transfers.pendingFor((await tx.apps.byName('mine'))!.id),
        ledger: await tx.history.ledger('acme'),
        oldest: await tx.history.oldestLedgerAt('acme'),
      }))
    expect(await ask(storage)).toEqual(await ask(memory))
    expect((await ask(storage)).figures).toEqual({apps: 1, members: 3, dynoUnits: 5})
    // And writes go on from there, the kept member-list size included.
    await storage.write((tx) => tx.collaborators.remove('web', CY))
    expect((await storage.read((tx) => tx.apps.figures('acme'))).members).toBe(2)
  })

  it('an empty State into an empty database, and out again', async () => {
    await storage.importState(emptyState(), {replace: false})
    expect(await storage.exportState()).toEqual(emptyState())
  })

  it('refuses a database holding any org, app, user or token unless replace; replace empties it in the same transaction', async () => {
    await storage.write((tx) => tx.users.ensure(user('someone@else.test')))
    const state = await sample()
    const error = await storage.importState(state, {replace: false}).catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(OrgctlError)
    expect((error as OrgctlError).id).toBe('conflict')
    expect((error as OrgctlError).message).toMatch(/already holds data: pass --replace to empty it/)
    expect(await storage.read((tx) => tx.users.byEmail('someone@else.test'))).toBeDefined()
    await storage.importState(state, {replace: true})
    expect(await storage.exportState()).toEqual(state)
  })

  it('a replace that fails half-way changes nothing (one transaction)', async () => {
    const first = await sample()
    await storage.importState(first, {replace: false})
    const broken = cloneState(first)
    // A role the schema refuses, met after the database was emptied and refilled in part.
    broken.orgs.get('zeta')!.members.set(CY, {...membership(CY), role: 'owner' as never})
    const error = await storage.importState(broken, {replace: true}).catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(OrgctlError)
    expect((error as OrgctlError).id).toBe('store_error')
    expect(await storage.exportState()).toEqual(first)
  })

  it('makes a user for every email a record names without one (a membership keeps its user id)', async () => {
    const state = await sample()
    const partial = cloneState(state)
    partial.users.clear()
    await storage.importState(partial, {replace: false})
    const exported = await storage.exportState()
    expect([...exported.users.keys()].sort()).toEqual([ADA, BOB, CY])
    expect(exported.users.get(ADA)!.id).toBe(state.orgs.get('acme')!.members.get(ADA)!.userId)
    exported.users.clear()
    expect(exported).toEqual(partial)
  })

  it('a replace gives versions no cache can hold from before (ids are kept, versions must not start again)', async () => {
    const state = await sample()
    await storage.importState(state, {replace: false})
    const before = await storage.read((tx) => tx.stamp({org: 'acme', app: 'web'}))
    await storage.importState(state, {replace: true})
    expect(await storage.read((tx) => tx.stamp({org: 'acme', app: 'web'}))).not.toBe(before)
  })
  it('Dashboard sessions are not org data: the export leaves them out, and an import (replacing or not) leaves none', async () => {
    const session = (email: string, hash: string) => ({
      hash: hash.repeat(64),
      kind: 'session' as const,
      email,
      createdAt: at(1),
      expiresAt: at(2),
    })
    const signIn = (...records: ReturnType<typeof session>[]) =>
      storage.write(async (tx) => {
        for (const record of records) await tx.sessions.insert(record)
      })
    const sessions = () =>
      withClient(database.url, async (client) => (await client.query('SELECT count(*)::int AS n FROM dashboard_sessions')).rows[0].n)
    // A database holding only sessions is not refused (nothing of a team to lose), and they do not outlive the import.
    await signIn(session('early@acme.test', 'e'))
    const state = await sample()
    await storage.importState(state, {replace: false})
    expect(await sessions()).toBe(0)
    await signIn(session(ADA, 'a'), session(BOB, 'b'))
    const exported = await storage.exportState()
    expect(exported.sessions.size).toBe(0)
    expect(exported).toEqual(state)
    // A replaced database's users may be gone: --replace signs everyone out.
    await storage.importState(state, {replace: true})
    expect(await sessions()).toBe(0)
    // A State that holds some (the memory engine's) does not carry them in either.
    const withSessions = cloneState(state)
    withSessions.sessions.set('c'.repeat(64), session(CY, 'c'))
    await storage.importState(withSessions, {replace: true})
    expect(await sessions()).toBe(0)
  })
})
