/**
 * `mkdir -p`, one folder at a time. Node's own `mkdir(path, {recursive: true})` loops for ever where a
 * file system answers ENOENT for a folder whose parent is there (/proc, /sys): and synchronously in
 * conf, so not even a signal ends it. Here each missing folder is made once, and any refusal is thrown
 * as the operating system gave it (a file in the way is ENOTDIR).
 */
import {mkdir, stat} from 'node:fs/promises'
import {dirname, resolve} from 'node:path'

import {osCode} from './os-errors.js'

export async function makeFolders(path: string, mode: number): Promise<void> {
  const missing: string[] = []
  for (let at = resolve(path); ; at = dirname(at)) {
    try {
      if ((await stat(at)).isDirectory()) break
      throw Object.assign(new Error(`${at} is not a folder`), {code: 'ENOTDIR', path: at})
    } catch (error) {
      if (osCode(error) !== 'ENOENT') throw error
    }
    missing.push(at)
    if (dirname(at) === at) break
  }
  for (const folder of missing.reverse()) {
    try {
      await mkdir(folder, {mode})
    } catch (error) {
      // Made meanwhile by another process: what was wanted.
      if (osCode(error) !== 'EEXIST') throw error
    }
  }
}
