/** A dry run on the embedded file: the checks and the lock of a write, and not one byte written, beside the file either. */
import {chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {afterEach, beforeEach, describe, expect, it} from 'vitest'

import {OrgctlError} from '../../src/lib/errors.js'
import {DryRunStorage} from '../../src/lib/storage/dry-run.js'
import {JsonStorage} from '../../src/lib/storage/json/json-storage.js'
import {membership, org, user} from '../storage/records.js'

let dir: string
let path: string
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'orgctl-dry-'))
  path = join(dir, 'store.json')
})
afterEach(() => rmSync(dir, {recursive: true, force: true}))

/** Every entry of the folder with its bytes, mode and times: what "left exactly as it was" means. */
function folder(at: string): unknown {
  return readdirSync(at)
    .sort()
    .map((name) => {
      const info = statSync(join(at, name))
      return {
        name,
        mode: info.mode,
        mtimeMs: info.mtimeMs,
        ino: info.ino,
        bytes: info.isFile() ? readFileSync(join(at, name)).toString('base64') : null,
      }
    })
}

const seed = (storage: JsonStorage) =>
  storage.write(async (tx) => {
    await tx.users.ensure(user('ada@acme.test'))
    await tx.orgs.insert(org('acme'))
    await tx.members.put('acme', membership('ada@acme.test', 'admin'))
  })

describe('a dry run on the JSON store', () => {
  it('changes nothing in the folder: the file, its mode and times, no lock left; its value comes back', async () => {
    const storage = new JsonStorage(path)
    await seed(storage)
    const before = folder(dir)
    const value = await storage.write(
      async (tx) => {
        await tx.users.ensure(user('bob@acme.test'))
        await tx.members.put('acme', membership('bob@acme.test'))
        return (await tx.members.list('acme')).length
      },
      {dryRun: true},
    )
    expect(value).toBe(2)
    expect(folder(dir)).toEqual(before)
    // A fresh storage reads the file as it was (no cache of this process hides a write).
    expect(await new JsonStorage(path).read((tx) => tx.members.list('acme'))).toHaveLength(1)
    storage.store.close()
  })

  it('on a store that does not exist, creates neither the file nor its folder', async () => {
    const missing = join(dir, 'not-yet', 'store.json')
    const storage = new JsonStorage(missing)
    expect(await seed(new JsonStorage(missing)).then(() => 'seeded')).toBe('seeded')
    rmSync(join(dir, 'not-yet'), {recursive: true})
    const value = await storage.write(async (tx) => (await tx.orgs.insert(org('acme')), 'would create'), {dryRun: true})
    expect(value).toBe('would create')
    expect(existsSync(join(dir, 'not-yet'))).toBe(false)
    // Nor a store file in a folder that is there.
    expect(await new JsonStorage(path).write(async (tx) => tx.orgs.insert(org('acme')), {dryRun: true})).toBeUndefined()
    expect(readdirSync(dir)).toEqual([])
  })

  it('refuses a change to a read-only file as the real write does; a change that changes nothing passes', async () => {
    const storage = new JsonStorage(path)
    await seed(storage)
    chmodSync(path, 0o444)
    const change = (tx: Parameters<Parameters<JsonStorage['write']>[0]>[0]) => tx.orgs.insert(org('zeta'))
    const real = await storage.write(change).catch((error: unknown) => error)
    const dry = await storage.write(change, {dryRun: true}).catch((error: unknown) => error)
    expect(real).toBeInstanceOf(OrgctlError)
    expect(dry).toBeInstanceOf(OrgctlError)
    expect((dry as OrgctlError).message).toBe((real as OrgctlError).message)
    expect(await storage.write(async (tx) => (await tx.orgs.byName('acme'))?.name, {dryRun: true})).toBe('acme')
    storage.store.close()
  })

  it('in a whole dry run (DryRunStorage), the unit that would change a read-only file is refused then, as its real commit is', async () => {
    await seed(new JsonStorage(path))
    chmodSync(path, 0o444)
    const real = await new JsonStorage(path).write((tx) => tx.orgs.insert(org('zeta'))).catch((error: unknown) => error)
    const dry = new DryRunStorage(new JsonStorage(path), {closeInner: true})
    // A unit that changes nothing (a read, a rerun) passes, as a real one writes nothing.
    expect(await dry.write(async (tx) => (await tx.orgs.byName('acme'))?.name)).toBe('acme')
    const refused = await dry.write((tx) => tx.orgs.insert(org('zeta'))).catch((error: unknown) => error)
    expect(refused).toBeInstanceOf(OrgctlError)
    expect((refused as OrgctlError).message).toBe((real as OrgctlError).message)
    await dry.close()
    expect(statSync(path).mode & 0o777).toBe(0o444)
  })
})
