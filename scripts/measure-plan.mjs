#!/usr/bin/env node
// Measures `orgctl plan` on an org of 2,000 members and 500 apps (4 collaborators each), on the
// embedded store and over HTTP (`orgctl serve` on the same file), and counts the requests plan sends.
// With PostgreSQL server binaries (scripts/bench/postgres.mjs finds them), also over HTTP to
// `orgctl serve --database-url` on a throwaway cluster with the same data.
// Usage: npm run build && node scripts/measure-plan.mjs [--runs N]. Everything in a temp dir; loopback only.
import {spawnSync} from 'node:child_process'
import {rmSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'

import {findPgBin, startCluster} from './bench/postgres.mjs'
import {BIN, measureSetup, ROOT} from './bench/measure-setup.mjs'
import {serveOrgctl, stopAll} from './bench/serve.mjs'
import {ADMIN, ORG, buildDatabase, buildStore, loadDomain} from './bench/stores.mjs'

const {runs: RUNS, tmp: TMP, env} = measureSetup('plan')
const store = join(TMP, 'store.json')
const SHAPE = {members: 2000, apps: 500, collaboratorsPerApp: 4, tokensFor: [ADMIN]}
let cluster

function run(args, extra) {
  const started = process.hrtime.bigint()
  const result = spawnSync(process.execPath, [BIN, ...args], {env: {...env, ...extra}, encoding: 'utf8', maxBuffer: 64 << 20})
  return {...result, ms: Number(process.hrtime.bigint() - started) / 1e6}
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]

function time(label, args, extra) {
  run(args, extra) // warm the code cache and the file cache
  const times = []
  for (let i = 0; i < RUNS; i++) {
    const result = run(args, extra)
    if (result.status !== 0) throw new Error(`${label}: exit ${result.status}\n${result.stderr}`)
    times.push(result.ms)
  }
  return median(times)
}

try {
  const domain = await loadDomain(ROOT)
  const {tokens} = await buildStore(domain, store, SHAPE)
  const local = {ORGCTL_STORE: store, ORGCTL_USER: ADMIN}
  const exported = run(['access:export', '--org', ORG], local)
  if (exported.status !== 0) throw new Error(exported.stderr)
  const file = join(TMP, 'access.yaml')
  writeFileSync(file, exported.stdout)
  const version = time('version', ['--version'], local)
  const onStore = time('plan on the store', ['plan', '-f', file], local)

  const url = await serveOrgctl(BIN, ['serve'], {...env, ORGCTL_STORE: store})
  const http = {ORGCTL_API_URL: url, ORGCTL_API_KEY: tokens[ADMIN]}
  const overHttp = time('plan over HTTP', ['plan', '-f', file], http)
  const traced = run(['plan', '-f', file], {...http, DEBUG: '1'})
  const requests = traced.stderr.split('\n').filter((line) => line.startsWith('orgctl:http -->'))
  const answers = traced.stderr.split('\n').filter((line) => line.startsWith('orgctl:http <--'))
  console.log(`plan on ${ORG}: 2,000 members, 500 apps, 2,000 collaborator records (${exported.stdout.length} bytes of YAML)`)
  console.log(`  orgctl --version (start-up floor): ${version.toFixed(0)} ms`)
  console.log(`  plan on the store:                 ${onStore.toFixed(0)} ms (median of ${RUNS})`)
  console.log(`  plan over HTTP:                    ${overHttp.toFixed(0)} ms (median of ${RUNS}), ${requests.length} request(s):`)
  for (const line of [...requests, ...answers]) console.log(`    ${line.replace(/^orgctl:http /, '')}`)
  const pgBin = findPgBin()
  if (!pgBin) console.log('  PostgreSQL: skipped (no server binaries)')
  else {
    cluster = startCluster(pgBin)
    cluster.psql('CREATE DATABASE measure_plan')
    const databaseUrl = cluster.urlOf('measure_plan')
    const migrated = run(['db:migrate', '--database-url', databaseUrl], {})
    if (migrated.status !== 0) throw new Error(migrated.stderr)
    const {tokens: pgTokens} = await buildDatabase(domain, databaseUrl, SHAPE)
    const pgUrl = await serveOrgctl(BIN, ['serve', '--database-url', databaseUrl], env)
    const onPg = time('plan over HTTP on PostgreSQL', ['plan', '-f', file], {ORGCTL_API_URL: pgUrl, ORGCTL_API_KEY: pgTokens[ADMIN]})
    console.log(
      `  plan over HTTP on PostgreSQL:      ${onPg.toFixed(0)} ms (median of ${RUNS}), the same request (3 SQL reads for the org's state)`,
    )
  }
} finally {
  stopAll()
  cluster?.stop()
  rmSync(TMP, {recursive: true, force: true})
}
