/**
 * The store is validated on load with the rules of every other edge (emails, org and app names,
 * roles, no record twice): a file not as orgctl left it (a hand edit, a copy) is refused with a
 * store error naming the file and the record, never loaded into a state with a member no command
 * can reach. A file as its commit left it (its mtime the one its layout names) is trusted and read
 * lazily, as before.
 */
import {mkdtempSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {afterEach, beforeEach, describe, expect, it} from 'vitest'

import {addMember, listMembers} from '../../src/lib/domain/members.js'
import {createApp} from '../../src/lib/domain/apps.js'
import {addAccess} from '../../src/lib/domain/access.js'
import {createOrg} from '../../src/lib/domain/orgs.js'
import {DEFAULT_LIMITS} from '../../src/lib/domain/validation.js'
import type {OrgctlError} from '../../src/lib/errors.js'
import {JsonStore} from '../../src/lib/storage/json/json-store.js'
import type {State} from '../../src/lib/storage/memory/state.js'
import {failure} from './fixture.js'
import {txCtx} from '../helpers/tx-ctx.js'

const ADMIN = 'admin@acme.test'
const clock = {now: () => new Date('2026-11-15T00:00:00.000Z')}
const as = (state: State, email: string) => txCtx(state, email, clock)

let dir: string
let path: string
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'orgctl-validation-'))
  path = join(dir, 'store.json')
})
afterEach(() => rmSync(dir, {recursive: true, force: true}))

async function seed(): Promise<JsonStore> {
  const store = new JsonStore(path)
  await store.update(async (state) => {
    await createOrg(as(state, ADMIN), 'acme', DEFAULT_LIMITS)
    await addMember(as(state, ADMIN), 'acme', 'mem2@acme.test', 'member')
    await createApp(as(state, ADMIN), {name: 'acme-api', org: 'acme', region: 'us'})
    await addAccess(as(state, ADMIN), 'acme-api', 'friend@home.test', ['view'])
  })
  return store
}

/** What a reader of the whole state meets: every section decoded. */
async function readAll(file = path): Promise<State> {
  const state = await new JsonStore(file).read()
  for (const section of ['users', 'orgs', 'histories', 'apps', 'transfers', 'tokens'] as const) void state[section]
  return state
}

async function refusal(read: Promise<unknown>): Promise<string> {
  let error: unknown
  try {
    await read
  } catch (caught) {
    error = caught
  }
  expect(error, 'the store was loaded').toBeDefined()
  expect((error as OrgctlError).id).toBe('store_error')
  expect((error as OrgctlError).message).toContain(path)
  return (error as OrgctlError).message
}

/** The file rewritten as an editor would: reformatted (so it no longer matches its layout). */
function editWhole(edit: (doc: any) => void): void {
  const doc = JSON.parse(readFileSync(path, 'utf8'))
  edit(doc)
  writeFileSync(path, JSON.stringify(doc, null, 2))
}

/** A same-size edit in place: the layout still tiles, only the mtime tells. */
function editInPlace(from: string, to: string): void {
  expect(to.length).toBe(from.length)
  const bytes = readFileSync(path, 'utf8')
  const written = JSON.parse(bytes).layout.written as number
  expect(bytes).toContain(from)
  writeFileSync(path, bytes.replace(from, to))
  const later = new Date(written + 5000)
  utimesSync(path, later, later)
}

const orgMembers = (doc: any) => doc.orgs.find((o: any) => o.name === 'acme').members

describe('a hand-edited store (parsed whole) is checked whole', () => {
  it('an email not in the case orgctl stores: refused, naming the record and what to write', async () => {
    await seed()
    editWhole((doc) => (orgMembers(doc)[1].email = 'Mem2@Acme.test'))
    const message = await refusal(readAll())
    expect(message).toContain('orgs[0].members[1].email')
    expect(message).toContain('"mem2@acme.test"')
  })

  it('a duplicated membership: refused, naming both records', async () => {
    await seed()
    editWhole((doc) => orgMembers(doc).push({...orgMembers(doc)[1]}))
    const message = await refusal(readAll())
    expect(message).toContain('orgs[0].members[2]')
    expect(message).toContain('orgs[0].members[1]')
  })

  it('two records that differ only in case are the same member: refused', async () => {
    await seed()
    editWhole((doc) => orgMembers(doc).push({...orgMembers(doc)[1], id: 'x', email: 'MEM2@acme.test'}))
    expect(await refusal(readAll())).toContain('orgs[0].members[2].email')
  })

  it.each([
    ['a user email that is no email', (doc: any) => (doc.users[0].email = 'not-an-email'), 'users[0].email'],
    ['a duplicated user', (doc: any) => doc.users.push({...doc.users[0]}), 'users[3]'],
    ['an org name the CLI refuses', (doc: any) => (doc.orgs[0].name = 'Acme Corp'), 'orgs[0].name'],
    ['a duplicated org', (doc: any) => doc.orgs.push({...doc.orgs[0]}), 'orgs[1]'],
    ['an app name the CLI refuses', (doc: any) => (doc.apps[0].name = 'API_1'), 'apps[0].name'],
    [
      'a collaborator email in capitals',
      (doc: any) => (doc.apps[0].collaborators[0].email = 'Friend@home.test'),
      'apps[0].collaborators[0].email',
    ],
    [
      'a duplicated collaborator',
      (doc: any) => doc.apps[0].collaborators.push({...doc.apps[0].collaborators[0]}),
      'apps[0].collaborators[2]',
    ],
    ['a personal owner in capitals', (doc: any) => (doc.apps[0].owner = {kind: 'user', email: 'Admin@acme.test'}), 'apps[0].owner.email'],
    [
      'an app owned by an org that does not exist',
      (doc: any) => (doc.apps[0].owner = {kind: 'org', name: 'ghost-org'}),
      'apps[0].owner.name',
    ],
    ["a team owner's address as a member", (doc: any) => (orgMembers(doc)[1].email = 'acme@herokumanager.com'), 'orgs[0].members[1].email'],
  ])('%s: refused, naming %s', async (_name, edit, record) => {
    await seed()
    editWhole(edit)
    const message = await refusal(readAll())
    expect(message).toContain(record)
    expect(message).toMatch(/fix|restore/i)
  })

  it('a refused store is left byte for byte as it is, and a write to it is refused too', async () => {
    const store = await seed()
    editWhole((doc) => (orgMembers(doc)[1].email = 'Mem2@Acme.test'))
    const before = readFileSync(path)
    await failure(store.update((state) => addMember(as(state, ADMIN), 'acme', 'x@acme.test', 'member')))
    expect(readFileSync(path).equals(before)).toBe(true)
  })

  it('a valid hand-edited store still loads', async () => {
    await seed()
    editWhole((doc) => (orgMembers(doc)[1].role = 'admin'))
    const state = await readAll()
    expect((await listMembers(as(state, ADMIN), 'acme')).find((m) => m.email === 'mem2@acme.test')?.role).toBe('admin')
  })
})

describe('a same-size edit in place (the layout still tiles; the mtime is not the commit’s)', () => {
  it('an email in capitals: refused when the section is read, naming the record', async () => {
    await seed()
    // The membership (the user record, which comes first, is left alone).
    editInPlace('"email":"mem2@acme.test","userId"', '"email":"Mem2@Acme.test","userId"')
    const state = await new JsonStore(path).read()
    let error: unknown
    try {
      await listMembers(as(state, ADMIN), 'acme')
    } catch (caught) {
      error = caught
    }
    expect((error as OrgctlError).id).toBe('store_error')
    expect((error as OrgctlError).message).toContain(path)
    expect((error as OrgctlError).message).toContain('orgs[0].members[1].email')
  })

  it('a commit of a touched file checks every section, so an unread edited one is not blessed with a new mtime', async () => {
    const store = await seed()
    // Only the users section is edited; adding a member reads the orgs, not necessarily every user.
    editInPlace('"email":"friend@home.test"', '"email":"Friend@home.test"')
    const before = readFileSync(path)
    const error = await failure(store.update((state) => addMember(as(state, ADMIN), 'acme', 'x@acme.test', 'member')))
    expect(error.id).toBe('store_error')
    expect(readFileSync(path).equals(before)).toBe(true)
  })

  it('a file as its commit left it is trusted: sections decode lazily without the checks', async () => {
    await seed()
    const written = JSON.parse(readFileSync(path, 'utf8')).layout.written as number
    expect(Math.round(statSync(path).mtimeMs)).toBe(written)
    const state = await new JsonStore(path).read()
    expect((await listMembers(as(state, ADMIN), 'acme')).map((m) => m.email)).toContain('mem2@acme.test')
  })
})
