/** makeFolders: mkdir -p that always ends, where Node's recursive mkdir loops for ever (/proc). */
import {mkdtempSync, statSync, writeFileSync} from 'node:fs'
import os from 'node:os'
import {join} from 'node:path'

import {describe, expect, it} from 'vitest'

import {makeFolders} from '../../src/lib/folders.js'

describe('makeFolders', () => {
  const root = () => mkdtempSync(join(os.tmpdir(), 'orgctl-folders-'))

  it('makes every missing folder with the mode asked, and is a no-op when they are there', async () => {
    const base = root()
    const deep = join(base, 'a', 'b', 'c')
    await makeFolders(deep, 0o700)
    expect(statSync(deep).isDirectory()).toBe(true)
    expect(statSync(join(base, 'a')).mode & 0o777).toBe(0o700)
    await makeFolders(deep, 0o700)
  })

  it('says ENOTDIR when a file is in the way', async () => {
    const base = root()
    writeFileSync(join(base, 'file'), '')
    await expect(makeFolders(join(base, 'file'), 0o700)).rejects.toMatchObject({code: 'ENOTDIR'})
    await expect(makeFolders(join(base, 'file', 'x'), 0o700)).rejects.toMatchObject({code: 'ENOTDIR'})
  })

  it.runIf(process.platform === 'linux')('ends with ENOENT under /proc, where a recursive mkdir never returns', async () => {
    await expect(makeFolders('/proc/orgctl-nope/x', 0o700)).rejects.toMatchObject({code: 'ENOENT'})
  })
})
