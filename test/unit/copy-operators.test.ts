/** db:export / db:import's file side carries the operators: a State written as a store file and read back. */
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {afterEach, expect, it} from 'vitest'

import {countState, readStoreFile, writeStoreFile} from '../../src/lib/storage/copy.js'
import {emptyState} from '../../src/lib/storage/memory/state.js'

let dir: string | undefined
afterEach(() => {
  if (dir) rmSync(dir, {recursive: true, force: true})
})

it('writes and reads the operators of a store, and counts them', async () => {
  dir = mkdtempSync(join(tmpdir(), 'orgctl-copy-'))
  const state = emptyState()
  state.operators.set('ops@platform.test', {email: 'ops@platform.test', createdAt: '2026-11-15T00:00:00.000Z'})
  state.operators.set('a-ops@platform.test', {email: 'a-ops@platform.test', createdAt: '2026-11-16T00:00:00.000Z'})
  const file = join(dir, 'store.json')
  await writeStoreFile(file, state, {force: false})
  const read = await readStoreFile(file)
  expect([...read.operators.values()]).toEqual([...state.operators.values()])
  expect(countState(read).operators).toBe(2)
})
