/** A sandboxed environment for running the built CLI in the PostgreSQL tests: never the real home. */
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {afterAll} from 'vitest'

const dirs: string[] = []
afterAll(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, {recursive: true, force: true})
})

export function cliEnv(extra: Record<string, string | undefined> = {}): Record<string, string | undefined> {
  const dir = mkdtempSync(join(tmpdir(), 'orgctl-pg-cli-'))
  dirs.push(dir)
  return {
    PATH: process.env.PATH,
    HOME: dir,
    NO_COLOR: '1',
    ORGCTL_STORE: join(dir, 'store.json'),
    ORGCTL_CONFIG_DIR: join(dir, 'config'),
    ORGCTL_CACHE_DIR: join(dir, 'cache'),
    ...extra,
  }
}
