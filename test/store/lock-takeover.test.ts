/** Review: the embedded store under two writers. */
import {spawn} from 'node:child_process'
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join, resolve} from 'node:path'

import {expect, it} from 'vitest'

import {JsonStore} from '../../src/lib/storage/json/json-store.js'

const BUILT_STORE = resolve(import.meta.dirname, '../../dist/lib/storage/json/json-store.js')

it('a writer whose lock was taken over as stale does not commit over the other writer (lost update)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'orgctl-lock-'))
  const path = join(dir, 'store.json')
  try {
    const store = new JsonStore(path, {staleMs: 2000})
    await store.update(
      async (state) => void state.users.set('seed@x.test', {id: 'seed', email: 'seed@x.test', createdAt: '2020-01-01T00:00:00.000Z'}),
    )
    let child: ReturnType<typeof spawn> | undefined
    const childDone = new Promise<number>((resolveChild) => {
      void store
        .update(async (state) => {
          // A second orgctl starts a change while this one holds the lock...
          const script = `import(${JSON.stringify(BUILT_STORE)}).then(async ({JsonStore}) => {
          await new JsonStore(${JSON.stringify(path)}, {staleMs: 2000}).update(async (s) => void s.users.set('child@x.test', {id: 'child', email: 'child@x.test', createdAt: '2020-01-01T00:00:00.000Z'}))
        })`
          child = spawn(process.execPath, ['--input-type=module', '-e', script], {stdio: 'inherit'})
          child.on('exit', (code) => resolveChild(code ?? -1))
          // ... and this one stalls past the stale threshold (a slow disk, a huge store, a paused process).
          const until = Date.now() + 4500
          while (Date.now() < until) {
            // busy: the lock's mtime is not refreshed
          }
          state.users.set('parent@x.test', {id: 'parent', email: 'parent@x.test', createdAt: '2020-01-01T00:00:00.000Z'})
        })
        .catch(() => undefined)
    })
    expect(await childDone).toBe(0)
    await new Promise((r) => setTimeout(r, 500))
    const users = [...(await new JsonStore(path).read()).users.keys()].sort()
    // Either both changes are in, or the stalled writer failed: never one silently overwriting the other.
    expect(users).toEqual(expect.arrayContaining(['child@x.test', 'seed@x.test']))
    void child
  } finally {
    rmSync(dir, {recursive: true, force: true})
  }
}, 30_000)
