/**
 * Review harness: one scenario, set up once on the embedded store, then the same
 * command run on a copy through the embedded store and on another copy through a
 * real `orgctl serve` (HTTP backend), so their answers can be compared.
 */
import {copyFileSync, mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {createAuthorization} from '../../src/lib/domain/tokens.js'
import {JsonStore} from '../../src/lib/storage/json/json-store.js'
import {type RunResult, runBin, startServer, stopServer} from '../helpers/cli.js'
import {txCtx} from '../helpers/tx-ctx.js'

type Runner = (user: string) => (...args: string[]) => Promise<RunResult>

export interface Twin {
  dir: string
  setupStore: string
  /** Runs on the setup store (embedded), for building the scenario. */
  setup: Runner
  /** Copies the setup store into fresh local and http stores; returns runners for both. */
  fork(): Promise<{local: Runner; http: Runner; localStore: string; httpStore: string; close(): Promise<void>}>
  cleanup(): void
}

export function twin(): Twin {
  const dir = mkdtempSync(join(tmpdir(), 'orgctl-twin-'))
  const setupStore = join(dir, 'setup.json')
  const baseEnv = () => ({
    PATH: process.env.PATH,
    HOME: join(dir, 'home'),
    XDG_DATA_HOME: join(dir, 'data'),
    XDG_CONFIG_HOME: join(dir, 'xdg-config'),
    ORGCTL_CONFIG_DIR: join(dir, 'config'),
    NO_COLOR: '1',
  })
  let forks = 0
  const setup: Runner =
    (user) =>
    (...args) =>
      runBin(args, {...baseEnv(), ORGCTL_STORE: setupStore, ORGCTL_USER: user})
  return {
    dir,
    setupStore,
    setup,
    async fork() {
      const n = forks++
      const localStore = join(dir, `local-${n}.json`)
      const httpStore = join(dir, `http-${n}.json`)
      copyFileSync(setupStore, localStore)
      copyFileSync(setupStore, httpStore)
      const server = await startServer(httpStore, baseEnv())
      const tokens = new Map<string, string>()
      const tokenFor = async (user: string) => {
        let token = tokens.get(user)
        if (!token) {
          token = await new JsonStore(httpStore).update(async (state) => (await createAuthorization(txCtx(state, user), 'review')).token)
          tokens.set(user, token)
        }
        return token
      }
      return {
        localStore,
        httpStore,
        local:
          (user) =>
          (...args) =>
            runBin(args, {...baseEnv(), ORGCTL_CONFIG_DIR: join(dir, `cfg-l-${n}`), ORGCTL_STORE: localStore, ORGCTL_USER: user}),
        http:
          (user) =>
          async (...args) =>
            runBin(args, {
              ...baseEnv(),
              ORGCTL_CONFIG_DIR: join(dir, `cfg-h-${n}`),
              ORGCTL_API_URL: server.url,
              ORGCTL_API_KEY: await tokenFor(user),
              ...(process.env.REVIEW_DEBUG ? {DEBUG: '1'} : {}),
            }),
        close: () => stopServer(server),
      }
    },
    cleanup: () => rmSync(dir, {recursive: true, force: true}),
  }
}
