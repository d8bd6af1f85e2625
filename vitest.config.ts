import {existsSync, readdirSync} from 'node:fs'
import {join} from 'node:path'

import {defineConfig} from 'vitest/config'

/**
 * Whether the run can have a PostgreSQL server, told before any test starts (postgres-setup.ts starts it):
 * ORGCTL_TEST_DATABASE_URL, or server binaries where findPgBin (test/helpers/postgres.ts) looks. Without
 * one, e2e-pg runs a single placeholder instead of the e2e files, skipped with the reason, and the
 * globalSetup prints its loud line; under CI=true or ORGCTL_TEST_PG=require the globalSetup fails the run.
 */
function mayHavePostgres(env = process.env): boolean {
  if (env.ORGCTL_TEST_PG === 'off') return false
  if (env.ORGCTL_TEST_DATABASE_URL?.trim()) return true
  const has = (dir: string) => existsSync(join(dir, 'initdb')) && existsSync(join(dir, 'pg_ctl'))
  if (env.ORGCTL_TEST_PG_BIN) return has(env.ORGCTL_TEST_PG_BIN)
  const root = '/usr/lib/postgresql'
  if (existsSync(root) && readdirSync(root).some((version) => has(join(root, version, 'bin')))) return true
  return (env.PATH ?? '').split(':').some((dir) => dir !== '' && has(dir))
}
const pgRequired = process.env.CI === 'true' || process.env.ORGCTL_TEST_PG === 'require'

export default defineConfig({
  test: {
    testTimeout: 120_000,
    hookTimeout: 180_000,
    // End-to-end tests spawn many processes; two cores are shared between files.
    pool: 'forks',
    maxWorkers: 2,
    projects: [
      // The domain, the matrix, commands in-process, the server in-process or on a port.
      {extends: true, test: {name: 'unit', include: ['test/unit/**/*.test.ts', 'test/server/**/*.test.ts']}},
      // One backend or the binary at a time, grouped by subject: the store file, the CLI's start-up and parity.
      {extends: true, test: {name: 'integration', include: ['test/store/**/*.test.ts', 'test/cli/**/*.test.ts']}},
      // One behaviour suite, run on both backends: the embedded store, and a real `orgctl serve`.
      {extends: true, test: {name: 'e2e-store', include: ['test/e2e/**/*.test.ts'], env: {ORGCTL_TEST_BACKEND: 'local'}}},
      {extends: true, test: {name: 'e2e-http', include: ['test/e2e/**/*.test.ts'], env: {ORGCTL_TEST_BACKEND: 'http'}}},
      // A third time: the CLI through `orgctl serve --database-url` on PostgreSQL, a database per sandbox; and the
      // operator commands (db:*, orgs:create, authorizations:create) directly on PostgreSQL (operator-postgres.test.ts).
      {
        extends: true,
        test: {
          name: 'e2e-pg',
          include: mayHavePostgres() || pgRequired ? ['test/e2e/**/*.test.ts'] : ['test/e2e-pg/unavailable.test.ts'],
          env: {ORGCTL_TEST_BACKEND: 'postgres'},
          globalSetup: ['test/helpers/postgres-setup.ts'],
        },
      },
      // PostgreSQL: one server for the run (a throwaway cluster, or ORGCTL_TEST_DATABASE_URL), a database per file.
      // The storage contract runs here too: on memory, the JSON file and PostgreSQL, in one file.
      {
        extends: true,
        test: {
          name: 'postgres',
          include: ['test/postgres/**/*.test.ts', 'test/storage/**/*.test.ts'],
          globalSetup: ['test/helpers/postgres-setup.ts'],
        },
      },
      // Concurrency, crashes, hostile input, faults, escalation, load: bounded here; ORGCTL_STRESS=3 for longer.
      {extends: true, test: {name: 'stress', include: ['test/stress/**/*.test.ts'], testTimeout: 300_000}},
      // The Dashboard in a real browser (Debian's headless Chromium, playwright-core) against a real `orgctl serve`.
      // One file at a time: a browser and a server each, on two shared cores. No Chromium: the globalSetup
      // prints its loud line and the suites skip (browserSuite); under CI=true or ORGCTL_TEST_BROWSER=require it fails.
      {
        extends: true,
        test: {
          name: 'browser',
          include: ['test/browser/**/*.test.ts'],
          env: {ORGCTL_TEST_BACKEND: 'local'},
          globalSetup: ['test/helpers/browser-setup.ts'],
          maxWorkers: 1,
        },
      },
    ],
  },
})
