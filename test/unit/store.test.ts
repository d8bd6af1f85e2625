import {mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, chmodSync, existsSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {afterEach, beforeEach, describe, expect, it} from 'vitest'

import {addMember} from '../../src/lib/domain/members.js'
import {createOrg} from '../../src/lib/domain/orgs.js'
import {DEFAULT_LIMITS} from '../../src/lib/domain/validation.js'
import {failure} from './fixture.js'
import {SCHEMA_VERSION} from '../../src/lib/storage/json/codec.js'
import {JsonStore} from '../../src/lib/storage/json/json-store.js'
import {txCtx} from '../helpers/tx-ctx.js'

let dir: string
let path: string
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'orgctl-store-'))
  path = join(dir, 'nested', 'store.json')
})
afterEach(() => rmSync(dir, {recursive: true, force: true}))

const ADMIN = 'admin@acme.test'
const seed = (store: JsonStore) => store.update((state) => createOrg(txCtx(state, ADMIN), 'acme', DEFAULT_LIMITS))

describe('the JSON store', () => {
  it('reads as empty before the first write, without creating the file', async () => {
    const store = new JsonStore(path)
    expect((await store.read()).orgs.size).toBe(0)
    expect(existsSync(path)).toBe(false)
  })

  it('creates the file 0600 with a schema version, and round-trips the state', async () => {
    const store = new JsonStore(path)
    await seed(store)
    expect(statSync(path).mode & 0o777).toBe(0o600)
    expect(JSON.parse(readFileSync(path, 'utf8')).schemaVersion).toBe(SCHEMA_VERSION)
    const state = await store.read()
    expect(state.orgs.get('acme')?.members.get(ADMIN)?.role).toBe('admin')
  })

  it('writes nothing when a change fails, or changes nothing', async () => {
    const store = new JsonStore(path)
    await seed(store)
    const before = readFileSync(path, 'utf8')
    const mtime = statSync(path).mtimeMs
    await failure(store.update((state) => createOrg(txCtx(state, ADMIN), 'acme', DEFAULT_LIMITS)))
    await store.update((state) => addMember(txCtx(state, ADMIN), 'acme', ADMIN, 'admin'))
    expect(readFileSync(path, 'utf8')).toBe(before)
    expect(statSync(path).mtimeMs).toBe(mtime)
  })

  it('loses no update when many writers share the store', async () => {
    const stores = Array.from({length: 4}, () => new JsonStore(path))
    await seed(stores[0]!)
    await Promise.all(
      Array.from({length: 40}, (_, i) =>
        stores[i % 4]!.update((state) => addMember(txCtx(state, ADMIN), 'acme', `user${i}@acme.test`, 'member')),
      ),
    )
    expect((await stores[0]!.read()).orgs.get('acme')!.members.size).toBe(41)
  })

  it("sees another writer's commit at once, even one of the same size", async () => {
    const reader = new JsonStore(path)
    const writer = new JsonStore(path)
    await seed(writer)
    await writer.update((state) => addMember(txCtx(state, ADMIN), 'acme', 'aaaa@acme.test', 'member'))
    expect((await reader.read()).orgs.get('acme')!.members.has('aaaa@acme.test')).toBe(true)
    const size = statSync(path).size
    await writer.update(async (state) => {
      const org = state.orgs.get('acme')!
      const member = org.members.get('aaaa@acme.test')!
      org.members.delete(member.email)
      org.members.set('bbbb@acme.test', {...member, email: 'bbbb@acme.test'})
    })
    expect(statSync(path).size).toBe(size)
    const members = (await reader.read()).orgs.get('acme')!.members
    expect([members.has('aaaa@acme.test'), members.has('bbbb@acme.test')]).toEqual([false, true])
  })

  it('names the file and leaves it alone when it is corrupt', async () => {
    const store = new JsonStore(path)
    await seed(store)
    writeFileSync(path, '{"schemaVersion": 2, "orgs": [tru')
    const error = await failure(store.read())
    expect(error.id).toBe('store_error')
    expect(error.message).toContain(path)
    expect(readFileSync(path, 'utf8')).toBe('{"schemaVersion": 2, "orgs": [tru')
    const written = await failure(seed(store))
    expect(written.id).toBe('store_error')
  })

  it('rejects a document with a bad field, naming where', async () => {
    writeFileSync(
      join(dir, 'bad.json'),
      JSON.stringify({
        schemaVersion: 2,
        users: [],
        orgs: [{id: 1, limits: {apps: 1, members: 1, 'dyno-units': 1}}],
        apps: [],
        transfers: [],
        tokens: [],
      }),
    )
    const error = await failure(new JsonStore(join(dir, 'bad.json')).read())
    expect(error.message).toContain('orgs[0].id should be a string')
  })

  it('refuses a store written by a newer orgctl', async () => {
    writeFileSync(join(dir, 'new.json'), JSON.stringify({schemaVersion: SCHEMA_VERSION + 1}))
    const error = await failure(new JsonStore(join(dir, 'new.json')).read())
    expect(error.message).toContain('upgrade orgctl')
  })

  it('migrates a version 1 store forward on load, and writes it back as the current version', async () => {
    const v1 = {
      schemaVersion: 1,
      users: [{id: 'u1', email: ADMIN, createdAt: '2026-01-01T00:00:00.000Z'}],
      orgs: [
        {
          id: 'o1',
          name: 'acme',
          createdAt: '2026-01-01T00:00:00.000Z',
          updatedAt: '2026-01-01T00:00:00.000Z',
          limits: {apps: 5, members: 5, 'dyno-units': 5},
          members: [{id: 'm1', email: ADMIN, role: 'admin', createdAt: '2026-01-01T00:00:00.000Z', updatedAt: '2026-01-01T00:00:00.000Z'}],
        },
      ],
      apps: [],
      transfers: [],
      tokens: [],
    }
    const file = join(dir, 'v1.json')
    writeFileSync(file, JSON.stringify(v1))
    const store = new JsonStore(file)
    expect((await store.read()).histories.get('acme')?.usageHistory).toEqual([])
    await store.update((state) => addMember(txCtx(state, ADMIN), 'acme', 'dev@acme.test', 'member'))
    expect(JSON.parse(readFileSync(file, 'utf8')).schemaVersion).toBe(SCHEMA_VERSION)
  })

  it('reports a read-only store clearly and keeps the old state', async () => {
    if (process.getuid?.() === 0) {
      // root ignores file modes: use a store whose folder is a file instead.
      writeFileSync(join(dir, 'file-not-dir'), '')
      const error = await failure(seed(new JsonStore(join(dir, 'file-not-dir', 'store.json'))))
      expect(error.id).toBe('store_error')
      expect(error.message).toContain('file-not-dir')
      return
    }
    const store = new JsonStore(path)
    await seed(store)
    chmodSync(join(dir, 'nested'), 0o500)
    try {
      expect((await failure(store.update((state) => addMember(txCtx(state, ADMIN), 'acme', 'x@acme.test', 'member')))).id).toBe(
        'store_error',
      )
    } finally {
      chmodSync(join(dir, 'nested'), 0o700)
    }
    expect((await store.read()).orgs.get('acme')!.members.size).toBe(1)
  })

  it('takes over a lock abandoned by a killed process once it is stale', async () => {
    const store = new JsonStore(path, {staleMs: 2000, lockWaitMs: 10_000})
    await seed(store)
    const {mkdirSync, utimesSync} = await import('node:fs')
    mkdirSync(`${path}.lock`)
    const old = new Date(Date.now() - 60_000)
    utimesSync(`${path}.lock`, old, old)
    await store.update((state) => addMember(txCtx(state, ADMIN), 'acme', 'late@acme.test', 'member'))
    expect((await store.read()).orgs.get('acme')!.members.has('late@acme.test')).toBe(true)
    expect(existsSync(`${path}.lock`)).toBe(false)
  })
})

describe('group commit', () => {
  it('commits concurrent changes together, each all or nothing', async () => {
    const store = new JsonStore(path)
    await seed(store)
    const results = await Promise.allSettled([
      store.update((state) => addMember(txCtx(state, ADMIN), 'acme', 'one@acme.test', 'member')),
      store.update(async (state) => {
        // Changes something, then fails: none of it may be written.
        await addMember(txCtx(state, ADMIN), 'acme', 'half@acme.test', 'member')
        throw new Error('fails halfway')
      }),
      store.update((state) => addMember(txCtx(state, ADMIN), 'acme', 'two@acme.test', 'member')),
      store.update((state) => createOrg(txCtx(state, ADMIN), 'acme', DEFAULT_LIMITS)),
    ])
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'rejected'])
    const members = (await new JsonStore(path).read()).orgs.get('acme')!.members
    expect([...members.keys()].sort()).toEqual([ADMIN, 'one@acme.test', 'two@acme.test'])
  })

  it('writes nothing of a lone change that fails halfway', async () => {
    const store = new JsonStore(path)
    await seed(store)
    const before = readFileSync(path, 'utf8')
    await expect(
      store.update(async (state) => {
        await addMember(txCtx(state, ADMIN), 'acme', 'half@acme.test', 'member')
        throw new Error('fails halfway')
      }),
    ).rejects.toThrow('fails halfway')
    expect(readFileSync(path, 'utf8')).toBe(before)
  })
})
