/**
 * What the e2e-pg project runs when the machine has no PostgreSQL (vitest.config.ts): one skipped test
 * naming why, beside postgres-setup.ts's loud line. Under CI=true or ORGCTL_TEST_PG=require it never runs:
 * the project runs the e2e files and the globalSetup fails the run.
 */
import {it} from 'vitest'

import {pgInfo} from '../helpers/postgres.js'

it.skip(
  `the end-to-end suite on PostgreSQL: SKIPPED, ${pgInfo().skipReason ?? 'no PostgreSQL server binaries or ORGCTL_TEST_DATABASE_URL'}`,
)
