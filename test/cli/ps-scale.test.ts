/** Review: defects in the CLI itself (the built bin/run.js on a temp embedded store). */
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {scale} from '../../src/lib/domain/formation.js'
import {JsonStore} from '../../src/lib/storage/json/json-store.js'
import {type Sandbox, sandbox} from '../helpers/cli.js'
import {txCtx} from '../helpers/tx-ctx.js'

const ADMIN = 'admin@acme.test'
const MEMBER = 'member@acme.test'

let box: Sandbox

beforeAll(async () => {
  box = sandbox()
  const admin = box.as(ADMIN)
  for (const args of [
    ['orgs:create', 'acme'],
    ['members:add', MEMBER, '--org', 'acme'],
    ['create', 'acme-api', '--org', 'acme'],
    ['create', 'own-app'],
  ]) {
    const result = await admin(...args)
    if (result.code !== 0) throw new Error(result.stderr)
  }
}, 120_000)

afterAll(() => box?.cleanup())

describe('ps:scale', () => {
  it('accepts the documented TYPE-N form (web-1) after scaling up', async () => {
    const admin = box.as(ADMIN)
    expect((await admin('ps:scale', 'web=2', '--app', 'own-app')).code).toBe(0)
    const down = await admin('ps:scale', 'web-1', '--app', 'own-app', '--json')
    expect(down.stderr).toBe('')
    expect(down.code).toBe(0)
    expect(down.json()).toMatchObject([{type: 'web', quantity: 1}])
  })

  it('keeps to at most 100 dynos of one type when relative changes add up', async () => {
    const result = await box.as(ADMIN)('ps:scale', 'worker+100', 'worker+100', 'worker+100', '--app', 'own-app', '--json')
    expect(result.code).toBe(2)
  })
})

describe('terminal output of data other users control', () => {
  it('refuses a dyno type with control characters, and never prints them raw from a store that has one', async () => {
    await expect(
      new JsonStore(box.store).update((state) => scale(txCtx(state, ADMIN), 'acme-api', [{type: '\u001b]0;owned\u0007', quantity: 1}])),
    ).rejects.toThrow(/Invalid dyno type/)
    // A store written by something else (or an older orgctl) may still hold one: output stays printable.
    await new JsonStore(box.store).update(async (state) => {
      const at = new Date().toISOString()
      state.apps.get('acme-api')!.formation.set('x', {
        id: 'f1',
        type: '\u001b]0;owned\u0007\u001b[2J',
        quantity: 1,
        size: 'standard-1x',
        createdAt: at,
        updatedAt: at,
      })
    })
    const result = await box.as(ADMIN)('ps', '--app', 'acme-api')
    expect(result.code).toBe(0)
    expect(result.stdout).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f]/)
  })
})
