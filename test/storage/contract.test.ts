/**
 * The storage contract (contract.ts) on each engine: memory, the embedded JSON file, PostgreSQL (a
 * database of this file's own, emptied before each test). In the `postgres` project, whose globalSetup
 * finds or starts the server; without one, the PostgreSQL run is skipped with the harness's loud line
 * (a failure under CI=true or ORGCTL_TEST_PG=require).
 */
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {afterAll, beforeAll, describe} from 'vitest'

import {JsonStorage} from '../../src/lib/storage/json/json-storage.js'
import {MemoryStorage} from '../../src/lib/storage/memory/memory-storage.js'
import {PostgresStorage} from '../../src/lib/storage/postgres/pg-storage.js'
import {createTestDatabase, pgInfo, type TestDatabase, withClient} from '../helpers/postgres.js'
import {storageContract} from './contract.js'

storageContract({name: 'memory', open: async () => new MemoryStorage(), scopedStamp: false})

const dir = mkdtempSync(join(tmpdir(), 'orgctl-contract-'))
afterAll(() => rmSync(dir, {recursive: true, force: true}))
let files = 0
storageContract({
  name: 'json',
  open: async () => new JsonStorage(join(dir, `store-${++files}.json`)),
  scopedStamp: false,
})

describe.skipIf(!pgInfo().url)('on PostgreSQL', () => {
  let database: TestDatabase
  beforeAll(async () => {
    database = await createTestDatabase()
  })
  afterAll(async () => {
    await database?.drop()
  })
  storageContract({
    name: 'postgres',
    open: async () => {
      await withClient(database.url, (client) =>
        client.query(
          'TRUNCATE users, orgs, memberships, org_people, usage_days, ledger_entries, apps, collaborators, formation, transfers, tokens, operators, audit_events, dashboard_sessions',
        ),
      )
      return PostgresStorage.open(database.url, {source: 'the test database'})
    },
    scopedStamp: true,
  })
})
