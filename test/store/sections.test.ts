/** Review: the sectioned store layout (summaries, lazy reads, the descriptor kept open) and the server's answer cache. */
import {mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {afterEach, describe, expect, it, vi} from 'vitest'

import {addAccess} from '../../src/lib/domain/access.js'
import {createApp} from '../../src/lib/domain/apps.js'
import {listMembers, removeMember} from '../../src/lib/domain/members.js'
import {createOrg} from '../../src/lib/domain/orgs.js'
import {createAuthorization} from '../../src/lib/domain/tokens.js'
import {DEFAULT_LIMITS} from '../../src/lib/domain/validation.js'
import {buildServer} from '../../src/lib/server/server.js'
import {JsonStore} from '../../src/lib/storage/json/json-store.js'
import {txCtx} from '../helpers/tx-ctx.js'
import {JsonStorage} from '../../src/lib/storage/json/json-storage.js'

const ADMIN = 'admin@acme.test'

const cleanups: (() => Promise<void> | void)[] = []
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!()
})

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'orgctl-layout-'))
  cleanups.push(() => rmSync(dir, {recursive: true, force: true}))
  return dir
}

/** A store whose apps section is big enough to be left unread by load() (> 256 KiB). */
async function bigStore(path: string): Promise<void> {
  const store = new JsonStore(path)
  await store.update(async (state) => {
    const admin = txCtx(state, ADMIN)
    await createOrg(admin, 'acme', {...DEFAULT_LIMITS, apps: 100_000})
    for (let i = 0; i < 1500; i++) await createApp(admin, {name: `app-${i}`, org: 'acme', region: 'us'})
  })
  store.close()
}

const openDescriptors = () => readdirSync('/proc/self/fd').length

describe('org app summaries (orgApps) after a hand edit', () => {
  it('a commit that does not read the apps must not make a summary that failed its crc32 check trusted again', async () => {
    const path = join(tempDir(), 'store.json')
    const store = new JsonStore(path)
    await store.update(async (state) => {
      const admin = txCtx(state, ADMIN)
      await createOrg(admin, 'acme', {...DEFAULT_LIMITS})
      await createApp(admin, {name: 'acme-api', org: 'acme', region: 'us'})
      await addAccess(admin, 'acme-api', 'bob@acme.test', ['view'])
    })
    store.close()

    // A hand edit in place of one app's collaborator (same length: the layout still tiles the file).
    let text = readFileSync(path, 'utf8')
    const layout = JSON.parse(text.slice(text.lastIndexOf(',"layout":') + ',"layout":'.length, -1)) as {apps: [number, number]}
    const [start, end] = layout.apps
    text = text.slice(0, start) + text.slice(start, end).replaceAll('bob@acme.test', 'bab@acme.test') + text.slice(end)
    writeFileSync(path, text)

    const members = async () => {
      const reader = new JsonStore(path)
      try {
        return (await listMembers(txCtx(await reader.read(), ADMIN), 'acme')).map((view) => view.email).sort()
      } finally {
        reader.close()
      }
    }
    // Right after the edit, the crc32 no longer matches: the summary is not used, the apps are counted.
    expect(await members()).toEqual([ADMIN, 'bab@acme.test'])

    // Any commit that leaves the apps unread (here: minting a token) copies apps, orgApps and the old
    // crc32, and sets the file's mtime to its `written`: the next reader trusts the stale summary unchecked.
    const writer = new JsonStore(path)
    await writer.update((state) => createAuthorization(txCtx(state, ADMIN), 'ci'))
    writer.close()

    expect(await members()).toEqual([ADMIN, 'bab@acme.test'])
    // And removing the real collaborator must take their app access away (the stale summary says they have none).
    const remover = new JsonStore(path)
    await remover.update((state) => removeMember(txCtx(state, ADMIN), 'acme', 'bab@acme.test'))
    remover.close()
    const after = new JsonStore(path)
    const app = (await after.read()).apps.get('acme-api')!
    after.close()
    expect([...app.collaborators.keys()]).toEqual([ADMIN])
  })
})

/** A big store (its apps read lazily) and a small valid store to restore over it in place. */
async function bigStoreAndBackup(): Promise<{path: string; backup: string}> {
  const dir = tempDir()
  const path = join(dir, 'store.json')
  await bigStore(path)
  const backup = join(dir, 'backup.json')
  const small = new JsonStore(backup)
  await small.update((state) => createOrg(txCtx(state, ADMIN), 'restored', {...DEFAULT_LIMITS}))
  small.close()
  return {path, backup}
}

describe('the descriptor kept open for the cache, when the file is rewritten in place', () => {
  it('a long-lived reader (the server) reads the new content, without failing or leaking the old descriptor', async () => {
    const {path, backup} = await bigStoreAndBackup()

    const reader = new JsonStore(path)
    cleanups.push(() => reader.close())
    expect([...(await reader.read()).orgs.keys()]).toEqual(['acme'])
    const before = openDescriptors()

    // A restore in place (`cat backup.json > store.json`): same inode, a shorter file.
    writeFileSync(path, readFileSync(backup))

    // The new file is whole and valid: the next read must return it (the old state, whose apps were
    // never read, was once "materialized" from the same, now shorter, inode, and failed).
    let failure: unknown
    try {
      expect([...(await reader.read()).orgs.keys()]).toEqual(['restored'])
    } catch (error) {
      failure = error
    }
    expect(failure).toBeUndefined()
    // And the old descriptor must have been closed (one kept open for the cache, as before).
    expect(openDescriptors()).toBe(before)
  })

  it('a commit that was written is not reported as failed because the previous cached state could not be materialized', async () => {
    const {path, backup} = await bigStoreAndBackup()

    const server = new JsonStore(path)
    cleanups.push(() => server.close())
    await server.read()
    writeFileSync(path, readFileSync(backup))

    let failure: unknown
    try {
      await server.update((state) => createOrg(txCtx(state, ADMIN), 'after', {...DEFAULT_LIMITS}))
    } catch (error) {
      failure = error
    }
    const fresh = new JsonStore(path)
    const orgs = [...(await fresh.read()).orgs.keys()].sort()
    fresh.close()
    // Either the change is in and the caller was told so, or it is not in and the caller was told that:
    // here it is written, and the caller is told it failed ("run the command again" would add it twice).
    expect({written: orgs.includes('after'), failure: failure === undefined ? undefined : (failure as Error).message}).toEqual({
      written: true,
      failure: undefined,
    })
  })

  it('a failure to read the unread apps in is reported as such, not as a corrupt store to restore from a backup', async () => {
    const path = join(tempDir(), 'store.json')
    await bigStore(path)
    const reader = new JsonStore(path)
    const state = await reader.read()
    // The descriptor goes (close() does not read the unread parts in, by design): reading the apps
    // now fails with EBADF, an I/O failure. StoreState.parse() reads the bytes in inside the try
    // that turns JSON.parse failures into "not valid JSON", so the store, intact, is called corrupt.
    reader.close()
    let message = ''
    try {
      void state.apps.size
    } catch (error) {
      message = (error as Error).message
    }
    expect(message).toContain(path)
    expect(message).not.toContain('not valid JSON')
    // The file itself is fine.
    const fresh = new JsonStore(path)
    expect((await fresh.read()).apps.size).toBe(1500)
    fresh.close()
  })
})

describe('server answer cache byte budget', () => {
  it('keeps at most 32 MiB of bodies, counted in bytes, also for non-ASCII answers encoded at their first hit', async () => {
    const store = new JsonStore(join(tempDir(), 'store.json'))
    let token = ''
    await store.update(async (state) => {
      // A token description of 1M "é": the answer is ~1M UTF-16 units, ~2 MB once encoded.
      token = (await createAuthorization(txCtx(state, ADMIN), 'é'.repeat(1_000_000))).token
    })
    const storage = new JsonStorage(store)
    const server = await buildServer({storage, rateLimitPerHour: 100_000})
    cleanups.push(() => server.close())
    // Every request reads once (its token and the stamp of its data); a miss runs its handler, which reads again.
    const reads = vi.spyOn(storage, 'read')
    const get = (i: number) =>
      // A Range of its own makes each answer distinct (the server refuses unknown query parameters).
      server.inject({
        method: 'GET',
        url: '/oauth/authorizations',
        headers: {authorization: `Bearer ${token}`, range: `id ..; max=${i + 1}`},
      })
    // 60 distinct answers, each asked twice (a miss that keeps it, then a hit that encodes it).
    for (let i = 0; i < 60; i++) {
      expect((await get(i)).statusCode).toBe(200)
      await get(i)
    }
    // Within 32 MiB, at most 16 of these ~2 MB answers can still be kept: the one asked 25 answers
    // ago must be gone (its handler runs again, reading the store). With the budget counted in UTF-16
    // units when kept and in bytes when evicted, the count drifts down and far more are kept.
    let before = reads.mock.calls.length
    expect((await get(59)).statusCode).toBe(200)
    expect(reads.mock.calls.length).toBe(before + 1)
    before = reads.mock.calls.length
    expect((await get(35)).statusCode).toBe(200)
    expect(reads.mock.calls.length).toBe(before + 2)
  })
})
