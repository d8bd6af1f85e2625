/** db:export / db:import's file side leaves Dashboard sessions out: they are not org data, and a copy signs nobody in. */
import {mkdtempSync, readFileSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {afterEach, expect, it} from 'vitest'

import {countState, readStoreFile, writeStoreFile} from '../../src/lib/storage/copy.js'
import {JsonStorage} from '../../src/lib/storage/json/json-storage.js'
import {emptyState} from '../../src/lib/storage/memory/state.js'

let dir: string | undefined
afterEach(() => {
  if (dir) rmSync(dir, {recursive: true, force: true})
})

const session = (hash: string, email: string) =>
  ({hash: hash.repeat(64), kind: 'session', email, createdAt: '2026-11-15T00:00:00.000Z', expiresAt: '2026-11-15T08:00:00.000Z'}) as const

it('a store file read for an import has no sessions, and one written by an export has none', async () => {
  dir = mkdtempSync(join(tmpdir(), 'orgctl-copy-'))
  const source = join(dir, 'source.json')
  const storage = new JsonStorage(source)
  await storage.write(async (tx) => {
    await tx.operators.add({email: 'ops@platform.test', createdAt: '2026-11-15T00:00:00.000Z'})
    await tx.sessions.insert(session('a', 'ops@platform.test'))
  })
  await storage.close()
  const read = await readStoreFile(source)
  expect(read.sessions.size).toBe(0)
  expect(read.operators.size).toBe(1)
  expect(Object.keys(countState(read))).not.toContain('sessions')

  const state = emptyState()
  state.sessions.set('b'.repeat(64), session('b', 'ada@acme.test'))
  const exported = join(dir, 'exported.json')
  await writeStoreFile(exported, state, {force: false})
  expect(JSON.parse(readFileSync(exported, 'utf8')).sessions).toEqual([])
  expect((await readStoreFile(exported)).sessions.size).toBe(0)
})

it('an export of nothing (an empty database, or one holding only sessions) is an empty store that opens', async () => {
  dir = mkdtempSync(join(tmpdir(), 'orgctl-copy-'))
  const file = join(dir, 'empty.json')
  await writeStoreFile(file, emptyState(), {force: false})
  expect(countState(await readStoreFile(file))).toEqual(countState(emptyState()))
  const storage = new JsonStorage(file)
  try {
    await storage.write((tx) => tx.sessions.insert(session('c', 'ada@acme.test')))
    expect(await storage.read((tx) => tx.sessions.byHash('c'.repeat(64)))).toBeDefined()
  } finally {
    await storage.close()
  }
})
