/** Review: the embedded store and the HTTP backend must answer the same command the same way. */
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {twin, type Twin} from './_twin.js'

const ADMIN = 'admin@acme.test'
const MEMBER = 'member@acme.test'
const SOLO = 'solo@home.test'
const OTHER = 'other@home.test'

let t: Twin
let forked: Awaited<ReturnType<Twin['fork']>>

beforeAll(async () => {
  t = twin()
  const admin = t.setup(ADMIN)
  const member = t.setup(MEMBER)
  const solo = t.setup(SOLO)
  const ok = async (p: Promise<{code: number; stderr: string}>) => {
    const r = await p
    if (r.code !== 0) throw new Error(r.stderr)
  }
  await ok(admin('orgs:create', 'acme'))
  await ok(admin('members:add', MEMBER, '--org', 'acme'))
  await ok(admin('create', 'acme-api', '--org', 'acme'))
  await ok(admin('apps:lock', '--app', 'acme-api'))
  // A personal app owned by SOLO, and one shared with SOLO: SOLO's app list has both kinds.
  await ok(solo('create', 'zeta-own'))
  await ok(t.setup(OTHER)('create', 'alpha-shared'))
  await ok(t.setup(OTHER)('access:add', SOLO, '--app', 'alpha-shared'))
  // Five pending transfers sent by SOLO, one after the other (the embedded store lists them newest first).
  for (const name of ['mmm-one', 'aaa-two', 'qqq-three', 'ccc-four', 'xxx-five']) {
    await ok(solo('create', name))
    await ok(solo('apps:transfer', OTHER, '--app', name))
  }
  void member
  forked = await t.fork()
}, 120_000)

afterAll(async () => {
  await forked?.close()
  t?.cleanup()
})

async function both(user: string, ...args: string[]) {
  const [local, http] = await Promise.all([forked.local(user)(...args), forked.http(user)(...args)])
  return {local, http}
}

describe('parity between the embedded store and the HTTP backend', () => {
  it('a member transferring an already-locked org app to its own org with --locked gets the same exit code', async () => {
    const {local, http} = await both(MEMBER, 'apps:transfer', 'acme', '--app', 'acme-api', '--locked')
    expect({code: http.code}).toEqual({code: local.code})
  })

  it('transfers:accept with a long bogus id exits the same way (not found)', async () => {
    const id = 'x'.repeat(120)
    const {local, http} = await both(SOLO, 'transfers:accept', id)
    expect(local.code).toBe(3)
    expect(http.code).toBe(local.code)
  })

  it('apps --json lists the same apps in the same order', async () => {
    const {local, http} = await both(SOLO, 'apps', '--json')
    expect(local.code).toBe(0)
    expect(http.json().map((a: {name: string}) => a.name)).toEqual(local.json().map((a: {name: string}) => a.name))
  })

  it('transfers --json lists the same transfers in the same order', async () => {
    const {local, http} = await both(SOLO, 'transfers', '--json')
    expect(local.code).toBe(0)
    expect(http.json().map((x: {app: {name: string}}) => x.app.name)).toEqual(local.json().map((x: {app: {name: string}}) => x.app.name))
  })
})
