/**
 * --dry-run on the governance commands (orgs:limits --set, orgs:rename, orgs:destroy, apply, and on the
 * storage itself operators:add/remove and audit:prune), where the lanes meet: each dry run exits with
 * the real command's code, prints under --json what the real command printed, and leaves the store
 * and its audit log (every file beside it) exactly as they were: no event is recorded. The real
 * command runs on a private copy of the same store (runOnCopy).
 */
import {copyFileSync, existsSync, readdirSync, readFileSync, statSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {HTTP, PG, type RunResult, type Sandbox, sandbox} from '../helpers/cli.js'
import {copyStore, expectOk, expectUnchanged, runOnCopy, show} from './_util.js'

const ORG = 'acme-widgets'
const EMPTY = 'acme-empty'
const ADMIN = 'admin@acme.test'
const DEV = 'dev@acme.test'

/** Every file under the folder with its bytes, mode, inode and mtime (the audit log beside the store among them). */
function folder(dir: string): unknown[] {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const info = statSync(join(dir, name))
      if (info.isDirectory()) return [{name, mode: info.mode}]
      return [{name, mode: info.mode, ino: info.ino, mtimeMs: info.mtimeMs, bytes: readFileSync(join(dir, name)).toString('base64')}]
    })
}

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g
const TIME = /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z/g
const comparable = (result: RunResult) => JSON.stringify(result.json()).replace(UUID, '<id>').replace(TIME, '<time>')

interface Case {
  name: string
  args: () => string[]
  code: number
  /** Directly on the storage (not through a server): the operator commands. */
  onStorage?: boolean
  /** Items that see each other: on a store only (over HTTP each item is its own dry request, as the README says). */
  oneTransaction?: boolean
}

describe('--dry-run on the governance commands', () => {
  let box: Sandbox
  let base: string
  let file: string
  let full: string
  let events: () => Promise<string[]>

  beforeAll(async () => {
    box = sandbox()
    const admin = box.as(ADMIN)
    expectOk(await admin('orgs:create', ORG, '--limit', 'apps=4'))
    expectOk(await admin('orgs:create', EMPTY, '--limit', 'members=2'))
    expectOk(await admin('members:add', DEV, '--org', ORG))
    expectOk(await admin('apps:create', 'acme-api', '--org', ORG))
    file = join(box.dir, 'access.yaml')
    writeFileSync(
      file,
      `version: 1\norgs:\n  ${ORG}:\n    members: {${ADMIN}: admin, ${DEV}: admin, new@acme.test: member}\n    apps:\n      acme-api:\n        locked: true\n`,
    )
    // Room for one more member: the second add fails (limit_reached) after the first, on every backend.
    full = join(box.dir, 'full.yaml')
    writeFileSync(full, `version: 1\norgs:\n  ${EMPTY}:\n    members: {${ADMIN}: admin, a@acme.test: member, b@acme.test: member}\n`)
    base = join(box.dir, 'base.json')
    await copyStore(box, base)
    // The copies the real commands run on keep the log (audit:prune's answer counts it).
    if (!PG) copyFileSync(`${box.store}.audit.jsonl`, `${base}.audit.jsonl`)
    events = async () =>
      expectOk(await admin('audit', '--org', ORG, '--json'))
        .json<{id: string}[]>()
        .map((event) => event.id)
  })
  afterAll(() => box.cleanup())

  let copies = 0
  /** The real command on a copy of the store and (on a file) its log. */
  const realRun = async (args: string[]) => {
    if (PG) return runOnCopy(box, base, ADMIN, [...args, '--json'])
    const store = join(box.dir, `real-${copies++}.json`)
    copyFileSync(base, store)
    copyFileSync(`${base}.audit.jsonl`, `${store}.audit.jsonl`)
    const files = () => [store, `${store}.audit.jsonl`].map((path) => (existsSync(path) ? readFileSync(path).toString('base64') : ''))
    const before = files()
    const result = await box.run(ADMIN, [...args, '--json'], {env: {ORGCTL_STORE: store}})
    return {result, changed: files().join() !== before.join()}
  }

  const CASES: Case[] = [
    {name: 'orgs:limits --set', args: () => ['orgs:limits', '--org', ORG, '--set', 'apps=9', '--set', 'members=20'], code: 0},
    {name: 'orgs:limits --set below the use', args: () => ['orgs:limits', '--org', ORG, '--set', 'apps=0'], code: 5},
    {name: 'orgs:rename', args: () => ['orgs:rename', ORG, 'acme-gadgets'], code: 0},
    {name: 'orgs:rename to a name taken', args: () => ['orgs:rename', ORG, EMPTY], code: 5},
    {name: 'orgs:destroy', args: () => ['orgs:destroy', '--org', EMPTY, '--confirm', EMPTY], code: 0},
    {name: 'orgs:destroy of an org with apps', args: () => ['orgs:destroy', '--org', ORG, '--confirm', ORG], code: 5},
    {name: 'apply', args: () => ['apply', '-f', file, '--yes'], code: 0},
    {name: 'apply with an item that fails (the members limit)', args: () => ['apply', '-f', full, '--yes'], code: 1, oneTransaction: true},
    {name: 'operators:add', args: () => ['operators:add', 'ops@platform.test'], code: 0, onStorage: true},
    {name: 'operators:remove of none', args: () => ['operators:remove', 'ops@platform.test'], code: 0, onStorage: true},
    {name: 'audit:prune', args: () => ['audit:prune', '--before', '2999-01-01'], code: 0, onStorage: true},
  ]

  it.each(CASES.map((c) => [c.name, c] as const))('%s: the real exit code and --json, and not a byte changed', async (_name, c) => {
    // The storage commands run on the file itself (through a server they are refused: audit.test.ts, operators.test.ts).
    if ((c.onStorage || c.oneTransaction) && HTTP) return
    const real = await realRun(c.args())
    expect(real.result.code, show(real.result, 'the real command')).toBe(c.code)
    if (c.code === 0 && !c.name.includes('of none')) expect(real.changed, 'the real command changes the store').toBe(true)
    const logged = await events()
    const before = PG ? undefined : folder(box.dir)
    const dry = await expectUnchanged(box, () => box.run(ADMIN, [...c.args(), '--dry-run', '--json']))
    if (!PG) expect(folder(box.dir), show(dry, 'a file beside the store changed')).toEqual(before)
    expect(dry.code, show(dry)).toBe(c.code)
    expect(comparable(dry), show(dry)).toBe(comparable(real.result))
    expect(await events(), 'a dry run records no event').toEqual(logged)
  })

  it.runIf(!HTTP)('a dry run on a store with no audit log yet creates none', async () => {
    const fresh = sandbox()
    try {
      expectOk(await fresh.run(ADMIN, ['orgs:create', ORG, '--dry-run']))
      expectOk(await fresh.run(ADMIN, ['operators:add', 'ops@platform.test', '--dry-run']))
      expect(readdirSync(fresh.dir).filter((name) => name.includes('store'))).toEqual([])
    } finally {
      await fresh.cleanup()
    }
  })
})
