import {defineConfig} from 'vitest/config'

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
    ],
  },
})
