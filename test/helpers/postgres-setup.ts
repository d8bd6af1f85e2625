/**
 * The 'postgres' project's globalSetup: finds or starts ONE database server for the whole run, migrates
 * a template database every test file copies, and hands both to the test files (see postgres.ts).
 * When there is no server it says so in one loud line, and the suites skip; under CI=true or
 * ORGCTL_TEST_PG=require that is a failure instead.
 */
import type {TestProject} from 'vitest/node'

import {parseDatabaseUrl, openPool} from '../../src/lib/storage/postgres/connection.js'
import {migrate} from '../../src/lib/storage/postgres/migrate.js'
import {type Cluster, findPgBin, PASSWORD_ROLE, type PgInfo, startCluster, withClient, withDatabase} from './postgres.js'

let cluster: Cluster | undefined
let cleanup: (() => Promise<void>) | undefined

function skip(project: TestProject, reason: string): void {
  const required = process.env.CI === 'true' || process.env.ORGCTL_TEST_PG === 'require'
  const line = `PostgreSQL suites SKIPPED: ${reason}. Install PostgreSQL 15+ server binaries (Debian: postgresql-15) or set ORGCTL_TEST_DATABASE_URL.`
  if (required) throw new Error(`${line} (a failure here: ${process.env.CI === 'true' ? 'CI=true' : 'ORGCTL_TEST_PG=require'})`)
  process.stderr.write(`\n\x1b[1;33m*** ${line} ***\x1b[0m\n\n`)
  project.provide('orgctlPg', {skipReason: reason, throwaway: false} satisfies PgInfo)
}

async function migrateTemplate(url: string, template: string): Promise<void> {
  await withClient(url, async (client) => {
    await client.query(`DROP DATABASE IF EXISTS "${template}"`)
    await client.query(`CREATE DATABASE "${template}" TEMPLATE template0`)
  })
  const target = parseDatabaseUrl(withDatabase(url, template), 'the test template')
  const pool = await openPool(target, {max: 1})
  try {
    await migrate(pool, target)
  } finally {
    await pool.end()
  }
  // Nobody connects to the template again (a connection to it would make CREATE DATABASE ... TEMPLATE fail).
  await withClient(url, (client) => client.query(`ALTER DATABASE "${template}" WITH IS_TEMPLATE true ALLOW_CONNECTIONS false`))
}

export async function setup(project: TestProject): Promise<void> {
  if (process.env.ORGCTL_TEST_PG === 'off') return skip(project, 'ORGCTL_TEST_PG=off')
  // One per project that uses this setup (postgres, e2e-pg, ...): on a server of your own they share one server.
  const template = `orgctl_template_${process.pid}_${project.name.replace(/[^a-z0-9]/gi, '_')}`
  const given = process.env.ORGCTL_TEST_DATABASE_URL?.trim()
  let url: string
  let throwaway = false
  if (given) {
    url = given
  } else {
    const {bin, looked} = findPgBin()
    if (!bin) return skip(project, `no PostgreSQL server binaries (initdb, pg_ctl, postgres) found in ${looked}`)
    try {
      cluster = startCluster(bin)
    } catch (error) {
      return skip(project, `a throwaway cluster from ${bin} did not start: ${(error as Error).message}`)
    }
    url = cluster.url
    throwaway = true
  }
  try {
    if (throwaway) await withClient(url, (client) => client.query(`CREATE ROLE ${PASSWORD_ROLE} LOGIN PASSWORD 'right-password'`))
    await migrateTemplate(url, template)
  } catch (error) {
    cluster?.stop()
    throw error
  }
  cleanup = async () => {
    if (!given) return
    await withClient(url, async (client) => {
      await client.query(`ALTER DATABASE "${template}" WITH IS_TEMPLATE false ALLOW_CONNECTIONS true`)
      await client.query(`DROP DATABASE IF EXISTS "${template}" WITH (FORCE)`)
    }).catch(() => undefined)
  }
  project.provide('orgctlPg', {url, template, throwaway} satisfies PgInfo)
}

export async function teardown(): Promise<void> {
  try {
    await cleanup?.()
  } finally {
    cluster?.stop()
    cluster = undefined
  }
}
