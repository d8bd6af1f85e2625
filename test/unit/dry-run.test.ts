/**
 * Dry runs below the commands: the one rolled-back write a dry LocalBackend runs a whole command in
 * (a bulk run's later items see the earlier ones; a failed item leaves nothing; nothing stays), the
 * HTTP client's Dry-Run header, and the action lines in the conditional.
 */

import {afterEach, describe, expect, it} from 'vitest'

import {LocalBackend} from '../../src/lib/backend/local-backend.js'
import {addMember} from '../../src/lib/domain/members.js'
import {createOrg} from '../../src/lib/domain/orgs.js'
import {DEFAULT_LIMITS} from '../../src/lib/domain/validation.js'
import {OrgctlError, conflict} from '../../src/lib/errors.js'
import {type ApiClient, resource} from '../../src/lib/http/api-client.js'
import {type FakeApi, fakeApi} from '../helpers/fake-api.js'
import {conditional, conditionalLine} from '../../src/lib/output/conditional.js'
import {PLAIN} from '../../src/lib/output/palette.js'
import {UI} from '../../src/lib/output/ui.js'
import {DryRunStorage} from '../../src/lib/storage/dry-run.js'
import {addMembers} from '../../src/lib/workflows/members.js'
import {ADMIN, MEMBER, world} from './fixture.js'

function capturedUi(): {ui: UI; stderr: () => string} {
  let err = ''
  const ui = new UI({stdout: {write: () => true}, stderr: {write: (text: string) => (err += text)}, stdin: {}}, false, PLAIN)
  ui.dryRun = true
  return {ui, stderr: () => err}
}

describe('action lines in the conditional', () => {
  it.each([
    ['Adding dev@acme.test to acme-widgets as member', 'done', 'Would add dev@acme.test to acme-widgets as member'],
    ['Removing dev@acme.test from acme', 'done, was not a member', 'Would remove dev@acme.test from acme (was not a member)'],
    ['Transferring api to acme', 'failed: no room', 'Would transfer api to acme... failed: no room'],
    ['Cancelling transfer 1', 'done', 'Would cancel transfer 1'],
    ['Granting x', 'done', 'Would grant x'],
    ['Naming ops@platform.test an operator', 'done', 'Would name ops@platform.test an operator'],
    ['Scaling dynos on api', 'done, now running web at 2:standard-1x', 'Would scale dynos on api (now running web at 2:standard-1x)'],
  ])('%s... %s', (text, status, line) => {
    expect(conditionalLine(text, status)).toBe(line)
  })

  it('says what it does not know how to conjugate', () => {
    expect(conditional('Logged in')).toBe('Would do: Logged in')
  })
})

describe('one rolled-back write for a whole dry run', () => {
  const seeded = async (members: number) => {
    const w = world()
    await w.as(ADMIN).write(createOrg, 'acme', {...DEFAULT_LIMITS, members})
    return w
  }
  const emails = async (w: Awaited<ReturnType<typeof seeded>>) => (await w.look((tx) => tx.members.list('acme'))).map((m) => m.email)

  it('a bulk add: item 3 sees items 1 and 2 (the members limit reached there), and nothing stays', async () => {
    const w = await seeded(3)
    const dry = new LocalBackend(new DryRunStorage(w.storage), ADMIN)
    const {ui, stderr} = capturedUi()
    const entries = ['a@acme.test', 'b@acme.test', 'c@acme.test'].map((email) => ({email, role: 'member' as const}))
    const failure = await addMembers(dry, ui, 'acme', entries).catch((error: unknown) => error)
    expect(failure).toBeInstanceOf(OrgctlError)
    expect((failure as OrgctlError).message).toBe('1 of 3 members would fail: c@acme.test. Nothing was changed (a dry run).')
    expect(((failure as OrgctlError).details!.results as {status: string}[]).map((item) => item.status)).toEqual([
      'added',
      'added',
      'failed',
    ])
    expect(stderr()).toMatch(
      /^Would add a@acme\.test to acme as member\nWould add b@acme\.test to acme as member\nWould add c@acme\.test to acme as member\.\.\. failed: /,
    )
    // Within the run, a read sees its changes; after it, nothing of them.
    expect((await dry.listMembers('acme')).map((m) => m.email)).toEqual(['a@acme.test', ADMIN, 'b@acme.test'])
    await dry.close()
    expect(await emails(w)).toEqual([ADMIN])
  })

  it('a unit that fails leaves nothing of itself; those after it go on', async () => {
    const w = await seeded(50)
    const storage = new DryRunStorage(w.storage)
    await storage.write((tx) => tx.members.put('acme', {id: '1', email: 'a@acme.test', role: 'member', createdAt: 'x', updatedAt: 'x'}))
    const refused = await storage
      .write(async (tx) => {
        await tx.members.put('acme', {id: '2', email: 'b@acme.test', role: 'member', createdAt: 'x', updatedAt: 'x'})
        throw conflict('no')
      })
      .catch((error: unknown) => error)
    expect((refused as OrgctlError).id).toBe('conflict')
    expect((await storage.read((tx) => tx.members.list('acme'))).map((m) => m.email)).toEqual(['a@acme.test', ADMIN])
    await storage.close()
    expect(await emails(w)).toEqual([ADMIN])
  })

  it('an engine failure ends the run: every later unit fails with it, and close still lets go', async () => {
    const w = await seeded(50)
    const storage = new DryRunStorage(w.storage)
    const broken = new Error('the engine broke')
    expect(
      await storage
        .write(async () => {
          throw broken
        })
        .catch((error: unknown) => error),
    ).toBe(broken)
    expect(await storage.read((tx) => tx.members.list('acme')).catch((error: unknown) => error)).toBe(broken)
    await storage.close()
    // The storage under it is free again for real writes.
    await w.as(ADMIN).write(addMember, 'acme', MEMBER, 'member')
    expect(await emails(w)).toEqual([ADMIN, MEMBER])
  })

  it('a run that asked for nothing opens nothing (the storage under it stays free meanwhile)', async () => {
    const w = await seeded(50)
    const storage = new DryRunStorage(w.storage)
    await w.as(ADMIN).write(addMember, 'acme', MEMBER, 'member')
    await storage.close()
    expect(await emails(w)).toEqual([ADMIN, MEMBER])
  })
})

describe('the HTTP client in a dry run', () => {
  let api: FakeApi | undefined
  let client: ApiClient | undefined
  afterEach(async () => {
    await api?.close()
    api = client = undefined
  })

  /** A fake API that records each request's method and Dry-Run header, and answers a member (with the header back, if it takes dry runs). */
  async function start(takesDryRuns: boolean): Promise<{seen: string[]}> {
    const seen: string[] = []
    api = await fakeApi(
      (req, res) => {
        seen.push(`${req.method} ${req.headers['dry-run'] ?? '-'}`)
        const dry = takesDryRuns && req.headers['dry-run'] === 'true'
        res.writeHead(200, {'content-type': 'application/json', ...(dry ? {'dry-run': 'true'} : {})})
        res.end(JSON.stringify({id: 'm1', email: 'a@acme.test'}))
      },
      {dryRun: true},
    )
    client = api.client
    return {seen}
  }
  const member = resource('a member', 'id')

  it('asks once whether the API takes dry runs, then sends Dry-Run: true on every change and on no other read', async () => {
    const {seen} = await start(true)
    await client!.get('/teams/acme/members')
    for (const method of ['POST', 'PUT', 'PATCH', 'DELETE'] as const) await client!.send(method, '/teams/acme/members', {}, member)
    expect(seen).toEqual(['GET -', 'GET true', 'POST true', 'PUT true', 'PATCH true', 'DELETE true'])
  })

  it('an API that does not take dry runs is sent no change at all', async () => {
    const {seen} = await start(false)
    const error = await client!.send('POST', '/teams/acme/members', {}, member).catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(OrgctlError)
    expect((error as OrgctlError).id).toBe('network_error')
    expect((error as OrgctlError).message).toMatch(/does not support dry runs .*: nothing was sent/)
    expect(seen).toEqual(['GET true'])
  })
})
