// What each measuring script (scripts/measure-*.mjs) starts from: the built bin, `--runs N`, and a temp
// dir holding its home, config and cache (never the real ones), with the environment that points there.
import {mkdtempSync} from 'node:fs'
import os from 'node:os'
import {dirname, join, resolve} from 'node:path'
import {fileURLToPath} from 'node:url'

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..')
export const BIN = join(ROOT, 'bin', 'run.js')

/** `--runs N` (default 7), a temp dir named for the script, and the environment its runs get. */
export function measureSetup(name) {
  const runsAt = process.argv.indexOf('--runs')
  const runs = runsAt > 0 ? Number(process.argv[runsAt + 1]) : 7
  const tmp = mkdtempSync(join(os.tmpdir(), `orgctl-measure-${name}-`))
  const env = {
    PATH: process.env.PATH,
    HOME: join(tmp, 'home'),
    ORGCTL_CONFIG_DIR: join(tmp, 'config'),
    ORGCTL_CACHE_DIR: join(tmp, 'cache'),
    OCLIF_SKIP_NEW_VERSION_CHECK: 'true',
  }
  return {runs, tmp, env}
}
