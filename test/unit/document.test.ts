/**
 * The sectioned store file (schema 5): its layout, lazy sections, the kept org app summaries
 * and the slow, safe path for files that do not match their layout. Real JsonStore, real files,
 * real domain operations.
 */
import {mkdtempSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {crc32} from 'node:zlib'

import fc from 'fast-check'
import {afterEach, beforeEach, describe, expect, it} from 'vitest'

import {LocalBackend} from '../../src/lib/backend/local-backend.js'
import {addAccess, removeAccess} from '../../src/lib/domain/access.js'
import {createApp, destroyApp} from '../../src/lib/domain/apps.js'
import {orgStanding} from '../../src/lib/domain/context.js'
import {scale} from '../../src/lib/domain/formation.js'
import {addMember, listMembers, removeMember} from '../../src/lib/domain/members.js'
import {createOrg, destroyOrg, listOrgs, orgUsage, renameOrg} from '../../src/lib/domain/orgs.js'
import {createAuthorization} from '../../src/lib/domain/tokens.js'
import {respondToTransfer, transferApp} from '../../src/lib/domain/transfers.js'
import type {DynoSize, OrgRole} from '../../src/lib/domain/types.js'
import {currentUsage} from '../../src/lib/domain/usage.js'
import {DEFAULT_LIMITS} from '../../src/lib/domain/validation.js'
import {OrgctlError} from '../../src/lib/errors.js'
import {failure} from './fixture.js'
import {SCHEMA_VERSION, SECTIONS} from '../../src/lib/storage/json/codec.js'
import {JsonStorage} from '../../src/lib/storage/json/json-storage.js'
import {JsonStore} from '../../src/lib/storage/json/json-store.js'
import type {OrgAppsSummary, State} from '../../src/lib/storage/memory/state.js'
import {summarizeOrgApps} from '../../src/lib/storage/memory/summaries.js'
import {txCtx} from '../helpers/tx-ctx.js'

const ADMIN = 'admin@acme.test'
const MEMBER = 'member@acme.test'
const OWNER = 'owner@home.test'
const OUTSIDER = 'outsider@elsewhere.test'
const PARTS = [...SECTIONS, 'orgApps'] as const
const clock = {now: () => new Date('2026-11-15T00:00:00.000Z')}
const as = (state: State, email: string) => txCtx(state, email, clock)

let dir: string
let path: string
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'orgctl-document-'))
  path = join(dir, 'store.json')
})
afterEach(() => rmSync(dir, {recursive: true, force: true}))

/** A fresh read by a new store object (no cache): sections decoded lazily. */
const lazyRead = (file = path) => new JsonStore(file).read()

/** A fresh read with the apps decoded first, which switches the kept summaries off. */
async function decodedRead(file = path): Promise<State> {
  const state = await new JsonStore(file).read()
  void state.apps
  expect(state.orgAppsSummaries).toBeUndefined()
  return state
}

interface Layout {
  [part: string]: unknown
  crc32: number
}

/** Each part's bytes, by the file's own layout. */
function slices(bytes: Buffer): Record<(typeof PARTS)[number], Buffer> & {layout: Layout} {
  const doc = JSON.parse(bytes.toString('utf8')) as {layout: Layout}
  const out = {layout: doc.layout} as Record<(typeof PARTS)[number], Buffer> & {layout: Layout}
  for (const part of PARTS) {
    const [start, end] = doc.layout[part] as [number, number]
    out[part] = bytes.subarray(start, end)
  }
  return out
}

/** The file is one JSON document whose layout slices exactly each section, with the crc of apps+orgApps. */
function expectLaidOut(bytes: Buffer): void {
  const doc = JSON.parse(bytes.toString('utf8')) as Record<string, unknown> & {layout: Layout}
  expect(doc.schemaVersion).toBe(SCHEMA_VERSION)
  expect(doc.revision).toMatch(/^[0-9a-f-]{36}$/)
  expect(Object.keys(doc)).toEqual(['schemaVersion', 'revision', ...PARTS, 'layout'])
  expect(Object.keys(doc.layout).slice(0, PARTS.length + 1)).toEqual([...PARTS, 'crc32'])
  const parts = slices(bytes)
  for (const part of PARTS) expect(JSON.parse(parts[part].toString('utf8'))).toEqual(doc[part])
  // Back to back: each range is followed by the next key, the last by the layout.
  for (const [i, part] of PARTS.entries()) {
    const end = (doc.layout[part] as [number, number])[1]
    const next = i + 1 < PARTS.length ? `,"${PARTS[i + 1]}":` : ',"layout":'
    expect(bytes.subarray(end, end + next.length).toString('utf8')).toBe(next)
  }
  expect(doc.layout.crc32).toBe(crc32(parts.orgApps, crc32(parts.apps)))
}

/**
 * Writes the file as an editor would. Its mtime is then later than the commit's (the store trusts
 * the summaries without their crc while the mtime is the one its commit set): made sure of here, so
 * that an edit within the same millisecond as the commit cannot make a test flaky.
 */
function handWrite(bytes: Buffer | string): void {
  const written = (() => {
    try {
      return JSON.parse(readFileSync(path, 'utf8')).layout?.written as number | undefined
    } catch {
      return undefined
    }
  })()
  writeFileSync(path, bytes)
  if (written !== undefined && Math.abs(statSync(path).mtimeMs - written) < 1000) {
    const later = new Date(written + 1000)
    utimesSync(path, later, later)
  }
}

type PlainSummaries = Record<string, {apps: number; dynoUnits: number; collaborators: string[]}>

function plain(summaries: ReadonlyMap<string, OrgAppsSummary> | undefined): PlainSummaries | undefined {
  if (!summaries) return undefined
  const out: PlainSummaries = {}
  for (const [name, {apps, dynoUnits, collaborators}] of [...summaries].sort(([a], [b]) => (a < b ? -1 : 1))) {
    out[name] = {apps, dynoUnits, collaborators: [...collaborators].sort()}
  }
  return out
}

/** A fresh read uses kept summaries, and they equal what the decoded apps add up to. */
async function expectSummariesRight(file = path): Promise<PlainSummaries> {
  const state = await lazyRead(file)
  const kept = plain(state.orgAppsSummaries)
  expect(kept).toBeDefined()
  expect(kept).toEqual(plain(summarizeOrgApps(state.apps.values())))
  // The file's own orgApps (what the layout slices) says the same.
  const onDisk = JSON.parse(readFileSync(file, 'utf8')).orgApps as Record<
    string,
    {apps: number; dynoUnits: number; collaborators: string[]}
  >
  expect(plain(new Map(Object.entries(onDisk).map(([name, s]) => [name, {...s, collaborators: new Set(s.collaborators)}])))).toEqual(kept)
  return kept!
}

async function attempt<T>(run: () => Promise<T>): Promise<{ok: T} | {error: string}> {
  try {
    return {ok: await run()}
  } catch (error) {
    if (error instanceof OrgctlError) return {error: error.id}
    throw error
  }
}

/** Everything the summaries feed, as seen by each of these people. */
async function answers(state: State, people: readonly string[]) {
  const each = async <T>(fn: (email: string) => Promise<T>) =>
    Object.fromEntries(await Promise.all(people.map(async (email) => [email, await fn(email)] as const)))
  const orgs: Record<string, unknown> = {}
  for (const name of [...state.orgs.keys()].sort()) {
    orgs[name] = {
      usage: await currentUsage(as(state, ADMIN), name),
      standing: await each((email) => orgStanding(as(state, email), name, email)),
      members: await each((email) => attempt(() => listMembers(as(state, email), name))),
      orgUsage: await each((email) => attempt(async () => (await orgUsage(as(state, email), name)).usage)),
    }
  }
  const listed = await each(async (email) => (await listOrgs(as(state, email))).map(({org, role}) => [org.name, role]))
  return {orgs, listed}
}

/**
 * acme: ADMIN, MEMBER; apps acme-web (shared with OUTSIDER, scaled) and acme-api (shared with MEMBER).
 * globex: ADMIN; app globex-app shared with OUTSIDER. A personal app of OWNER shared with MEMBER.
 * A pending transfer, and a token whose description is not ASCII (byte offsets differ from characters).
 */
async function seed(store: JsonStore): Promise<void> {
  await store.update(async (state) => {
    await createOrg(as(state, ADMIN), 'acme', DEFAULT_LIMITS)
    await createOrg(as(state, ADMIN), 'globex', DEFAULT_LIMITS)
    await addMember(as(state, ADMIN), 'acme', MEMBER, 'member')
    await createApp(as(state, ADMIN), {name: 'acme-web', org: 'acme', region: 'us'})
    await createApp(as(state, ADMIN), {name: 'acme-api', org: 'acme', region: 'eu'})
    await createApp(as(state, ADMIN), {name: 'globex-app', org: 'globex', region: 'us'})
    await createApp(as(state, OWNER), {name: 'home-app', region: 'us'})
    await addAccess(as(state, ADMIN), 'acme-web', OUTSIDER, ['view', 'deploy'])
    await addAccess(as(state, ADMIN), 'acme-api', MEMBER, ['view'])
    await addAccess(as(state, ADMIN), 'globex-app', OUTSIDER, ['view'])
    await addAccess(as(state, OWNER), 'home-app', MEMBER)
    await scale(as(state, ADMIN), 'acme-web', [{type: 'web', quantity: 2, size: 'standard-2x'}])
    await transferApp(as(state, OWNER), 'home-app', 'friend@home.test')
    await createAuthorization(as(state, ADMIN), 'clé de déploiement ✓')
  })
}

const PEOPLE = [ADMIN, MEMBER, OWNER, OUTSIDER, 'friend@home.test', 'nobody@none.test']

describe('the layout of a committed file', () => {
  it(`is one JSON document, schema ${SCHEMA_VERSION}, whose layout ranges slice exactly each section (and the crc of apps+orgApps)`, async () => {
    const store = new JsonStore(path)
    await seed(store)
    const bytes = readFileSync(path)
    expect(bytes.length).not.toBe(bytes.toString('utf8').length)
    expectLaidOut(bytes)
    const doc = JSON.parse(bytes.toString('utf8'))
    // `since`: when each collaborator was first given access (members --json shows it as created_at).
    const at = '2026-11-15T00:00:00.000Z'
    expect(doc.orgApps).toEqual({
      acme: {apps: 2, dynoUnits: 4, collaborators: [ADMIN, OUTSIDER, MEMBER], since: {[ADMIN]: at, [OUTSIDER]: at, [MEMBER]: at}},
      globex: {apps: 1, dynoUnits: 0, collaborators: [ADMIN, OUTSIDER], since: {[ADMIN]: at, [OUTSIDER]: at}},
    })
    // Every later commit keeps it so, whichever sections it touched.
    await store.update((state) => addMember(as(state, ADMIN), 'globex', 'new@globex.test', 'member'))
    expectLaidOut(readFileSync(path))
    await store.update((state) => scale(as(state, ADMIN), 'globex-app', [{type: 'worker', quantity: 1, size: 'performance-m'}]))
    expectLaidOut(readFileSync(path))
    await store.update((state) => createAuthorization(as(state, MEMBER), 'ci'))
    expectLaidOut(readFileSync(path))
  })

  it('starts a brand new store laid out too', async () => {
    await new JsonStore(path).update((state) => createOrg(as(state, ADMIN), 'acme', DEFAULT_LIMITS))
    expectLaidOut(readFileSync(path))
    expect(JSON.parse(readFileSync(path, 'utf8')).apps).toEqual([])
    expect(await expectSummariesRight()).toEqual({})
  })
})

describe('lazy sections', () => {
  it('lists members, usage and orgs from the kept summaries without decoding the apps', async () => {
    await seed(new JsonStore(path))
    const state = await lazyRead()
    expect(state.orgAppsSummaries).toBeDefined()
    const members = (await listMembers(as(state, ADMIN), 'acme')).map(({email, role}) => [email, role])
    expect(members).toEqual([
      [ADMIN, 'admin'],
      [MEMBER, 'member'],
      [OUTSIDER, 'collaborator'],
    ])
    expect((await orgUsage(as(state, ADMIN), 'acme')).usage).toEqual({apps: 2, members: 3, 'dyno-units': 4})
    expect((await listOrgs(as(state, OUTSIDER))).map(({org, role}) => [org.name, role])).toEqual([
      ['acme', 'collaborator'],
      ['globex', 'collaborator'],
    ])
    expect(await orgStanding(as(state, OUTSIDER), 'acme', OUTSIDER)).toBe('collaborator')
    // Still not decoded: the summaries are still in use.
    expect(state.orgAppsSummaries).toBeDefined()
  })

  it('adds and removes a member (who collaborates on nothing) without decoding the apps: their bytes are copied as they were', async () => {
    const store = new JsonStore(path)
    await seed(store)
    const before = slices(readFileSync(path))
    const undecoded: boolean[] = []
    await store.update(async (state) => {
      await addMember(as(state, ADMIN), 'acme', 'dev@acme.test', 'member')
      undecoded.push(state.orgAppsSummaries !== undefined)
    })
    const added = slices(readFileSync(path))
    expect(added.orgs.equals(before.orgs)).toBe(false)
    expect(added.apps.equals(before.apps)).toBe(true)
    await store.update(async (state) => {
      await removeMember(as(state, ADMIN), 'acme', 'dev@acme.test')
      undecoded.push(state.orgAppsSummaries !== undefined)
    })
    expect(undecoded).toEqual([true, true])
    const after = slices(readFileSync(path))
    expect(after.apps.equals(before.apps)).toBe(true)
    expect(after.orgApps.equals(before.orgApps)).toBe(true)
    expect(after.layout.crc32).toBe(before.layout.crc32)
    expectLaidOut(readFileSync(path))
    await expectSummariesRight()
  })

  it('counts collaborators from the summaries against the members limit', async () => {
    const store = new JsonStore(path)
    await store.update(async (state) => {
      await createOrg(as(state, ADMIN), 'acme', {...DEFAULT_LIMITS, members: 3})
      await createApp(as(state, ADMIN), {name: 'acme-web', org: 'acme', region: 'us'})
      await addAccess(as(state, ADMIN), 'acme-web', OUTSIDER, ['view'])
      await addMember(as(state, ADMIN), 'acme', MEMBER, 'member')
    })
    const before = readFileSync(path)
    let undecoded = false
    const error = await failure(
      store.update(async (state) => {
        try {
          return await addMember(as(state, ADMIN), 'acme', 'fourth@acme.test', 'member')
        } finally {
          undecoded = state.orgAppsSummaries !== undefined
        }
      }),
    )
    expect(error.id).toBe('limit_reached')
    expect(undecoded).toBe(true)
    expect(readFileSync(path).equals(before)).toBe(true)
    // Making the collaborator a member takes no new seat.
    await store.update((state) => addMember(as(state, ADMIN), 'acme', OUTSIDER, 'member'))
    expect((await listMembers(as(await lazyRead(), ADMIN), 'acme')).map(({email, role}) => [email, role])).toEqual([
      [ADMIN, 'admin'],
      [MEMBER, 'member'],
      [OUTSIDER, 'member'],
    ])
  })

  it('switches the summaries off once the apps are read, and counts from the apps', async () => {
    const store = new JsonStore(path)
    await seed(store)
    await store.update(async (state) => {
      expect(state.orgAppsSummaries).toBeDefined()
      // An app change in the same change: what follows counts from the apps, not the stale summary.
      await addAccess(as(state, ADMIN), 'acme-api', 'late@later.test', ['view'])
      expect(state.orgAppsSummaries).toBeUndefined()
      expect((await listMembers(as(state, ADMIN), 'acme')).map(({email}) => email)).toContain('late@later.test')
      expect((await currentUsage(as(state, ADMIN), 'acme')).members).toBe(4)
    })
    expect((await expectSummariesRight()).acme!.collaborators).toContain('late@later.test')
  })
})

describe('kept summaries equal the decoded apps', () => {
  it('gives the same member lists, standings, usage and org lists either way (seeded store)', async () => {
    await seed(new JsonStore(path))
    const lazy = await lazyRead()
    const fromSummaries = await answers(lazy, PEOPLE)
    expect(lazy.orgAppsSummaries).toBeDefined()
    expect(fromSummaries).toEqual(await answers(await decodedRead(), PEOPLE))
  })

  const EMAILS = [ADMIN, MEMBER, OWNER, OUTSIDER, 'eve@y.test']
  const ORGS = ['acme', 'globex', 'initech']
  const APPS = ['app-one', 'app-two', 'app-three', 'app-four']
  const actor = fc.constantFrom(ADMIN, ADMIN, ...EMAILS)
  const op = fc.oneof(
    fc.record({kind: fc.constant('org' as const), actor, org: fc.constantFrom(...ORGS)}),
    fc.record({
      kind: fc.constant('member' as const),
      actor,
      org: fc.constantFrom(...ORGS),
      email: fc.constantFrom(...EMAILS),
      role: fc.constantFrom<OrgRole>('admin', 'member', 'collaborator'),
    }),
    fc.record({kind: fc.constant('unmember' as const), actor, org: fc.constantFrom(...ORGS), email: fc.constantFrom(...EMAILS)}),
    fc.record({
      kind: fc.constant('app' as const),
      actor,
      app: fc.constantFrom(...APPS),
      org: fc.option(fc.constantFrom(...ORGS), {nil: undefined}),
    }),
    fc.record({kind: fc.constant('share' as const), actor, app: fc.constantFrom(...APPS), email: fc.constantFrom(...EMAILS)}),
    fc.record({kind: fc.constant('unshare' as const), actor, app: fc.constantFrom(...APPS), email: fc.constantFrom(...EMAILS)}),
    fc.record({
      kind: fc.constant('scale' as const),
      actor,
      app: fc.constantFrom(...APPS),
      quantity: fc.integer({min: 0, max: 3}),
      size: fc.constantFrom<DynoSize>('standard-1x', 'performance-m'),
    }),
    fc.record({kind: fc.constant('transfer' as const), actor, app: fc.constantFrom(...APPS), to: fc.constantFrom(...ORGS, ...EMAILS)}),
    fc.record({kind: fc.constant('accept' as const), actor}),
    fc.record({kind: fc.constant('destroy' as const), actor, app: fc.constantFrom(...APPS)}),
  )
  type Op = typeof op extends fc.Arbitrary<infer T> ? T : never

  async function run(state: State, o: Op): Promise<unknown> {
    const ctx = as(state, o.actor)
    switch (o.kind) {
      case 'org':
        return createOrg(ctx, o.org, DEFAULT_LIMITS)
      case 'member':
        return addMember(ctx, o.org, o.email, o.role)
      case 'unmember':
        return removeMember(ctx, o.org, o.email)
      case 'app':
        return createApp(ctx, {name: o.app, org: o.org, region: 'us'})
      case 'share':
        return addAccess(ctx, o.app, o.email, ['view', 'deploy'])
      case 'unshare':
        return removeAccess(ctx, o.app, o.email)
      case 'scale':
        return scale(ctx, o.app, [{type: 'web', quantity: o.quantity, size: o.size}])
      case 'transfer':
        return transferApp(ctx, o.app, o.to)
      case 'accept': {
        const pending = [...state.transfers.values()].find((t) => t.to === o.actor && t.state === 'pending')
        return pending ? respondToTransfer(ctx, pending.id, 'accepted') : undefined
      }
      case 'destroy':
        return destroyApp(ctx, o.app)
    }
  }

  it('for random operations, committed one by one or grouped, the summaries match the apps and every answer is the same', async () => {
    let runs = 0
    await fc.assert(
      fc.asyncProperty(fc.array(fc.array(op, {minLength: 1, maxLength: 3}), {minLength: 1, maxLength: 5}), async (batches) => {
        const file = join(dir, `run-${runs++}.json`)
        const store = new JsonStore(file)
        await store.update(async (state) => {
          await createOrg(as(state, ADMIN), 'acme', DEFAULT_LIMITS)
          await createApp(as(state, ADMIN), {name: 'app-one', org: 'acme', region: 'us'})
          await addAccess(as(state, ADMIN), 'app-one', OUTSIDER, ['view'])
        })
        for (const batch of batches) {
          // A batch is committed together (group commit); a failed change in it is replayed out.
          const results = await Promise.allSettled(batch.map((o) => store.update((state) => run(state, o))))
          for (const result of results) {
            if (result.status === 'rejected' && !(result.reason instanceof OrgctlError)) throw result.reason
          }
          expectLaidOut(readFileSync(file))
          await expectSummariesRight(file)
          const lazy = await lazyRead(file)
          const fromSummaries = await answers(lazy, EMAILS)
          expect(lazy.orgAppsSummaries).toBeDefined()
          expect(fromSummaries).toEqual(await answers(await decodedRead(file), EMAILS))
        }
      }),
      {numRuns: 40},
    )
  })
})

describe('summaries after changes to apps', () => {
  it('stay right after sharing, removing a collaborating member, transfers in and out, scaling and destroying', async () => {
    const store = new JsonStore(path)
    await seed(store)
    expect(await expectSummariesRight()).toMatchObject({acme: {apps: 2, dynoUnits: 4}})

    await store.update((state) => addAccess(as(state, ADMIN), 'acme-api', 'contractor@else.test', ['view']))
    expect((await expectSummariesRight()).acme!.collaborators).toContain('contractor@else.test')

    // MEMBER collaborates on acme-api: removing them takes that away too (the apps are rewritten).
    const appsBefore = slices(readFileSync(path)).apps
    await store.update((state) => removeMember(as(state, ADMIN), 'acme', MEMBER))
    expect(slices(readFileSync(path)).apps.equals(appsBefore)).toBe(false)
    expect((await expectSummariesRight()).acme!.collaborators).not.toContain(MEMBER)
    expect((await listMembers(as(await lazyRead(), ADMIN), 'acme')).map(({email}) => email)).not.toContain(MEMBER)
    // Still a collaborator on OWNER's personal app: that is not acme's business.
    expect((await decodedRead()).apps.get('home-app')!.collaborators.has(MEMBER)).toBe(true)

    // A personal app moved in by its owner, once a member.
    await store.update(async (state) => {
      await addMember(as(state, ADMIN), 'globex', OWNER, 'member')
      await scale(as(state, OWNER), 'home-app', [{type: 'web', quantity: 1, size: 'performance-m'}])
    })
    await store.update((state) => transferApp(as(state, OWNER), 'home-app', 'globex'))
    let summaries = await expectSummariesRight()
    expect(summaries.globex).toMatchObject({apps: 2, dynoUnits: 8})
    expect(summaries.globex!.collaborators).toEqual(expect.arrayContaining([OWNER, MEMBER]))
    // The pending personal transfer of home-app was cancelled by the move.
    expect((await lazyRead()).transfers.size).toBe(0)

    // An org app moved to another org.
    await store.update((state) => transferApp(as(state, ADMIN), 'acme-web', 'globex'))
    summaries = await expectSummariesRight()
    expect(summaries.acme).toMatchObject({apps: 1, dynoUnits: 0})
    expect(summaries.acme!.collaborators).not.toContain(OUTSIDER)
    expect(summaries.globex).toMatchObject({apps: 3, dynoUnits: 12})

    // Out of the org to a user: the collaborators go with it.
    await store.update((state) => transferApp(as(state, ADMIN), 'acme-web', 'someone@home.test'))
    summaries = await expectSummariesRight()
    expect(summaries.globex).toMatchObject({apps: 2, dynoUnits: 8})

    await store.update((state) => scale(as(state, ADMIN), 'globex-app', [{type: 'web', quantity: 3, size: 'standard-2x'}]))
    expect((await expectSummariesRight()).globex).toMatchObject({apps: 2, dynoUnits: 14})
    await store.update((state) => scale(as(state, ADMIN), 'globex-app', [{type: 'web', quantity: 0}]))
    expect((await expectSummariesRight()).globex).toMatchObject({apps: 2, dynoUnits: 8})

    await store.update((state) => destroyApp(as(state, ADMIN), 'acme-api'))
    summaries = await expectSummariesRight()
    expect(summaries.acme).toBeUndefined()
    expect((await orgUsage(as(await lazyRead(), ADMIN), 'acme')).usage).toEqual({apps: 0, members: 1, 'dyno-units': 0})
    expect(await answers(await lazyRead(), PEOPLE)).toEqual(await answers(await decodedRead(), PEOPLE))
    expectLaidOut(readFileSync(path))
  })
})

describe('hand edits', () => {
  /** Replaces text inside one part of the file only, keeping its size. */
  function editInside(part: (typeof PARTS)[number], from: string, to: string): void {
    expect(to.length).toBe(from.length)
    const bytes = readFileSync(path)
    const [start, end] = JSON.parse(bytes.toString('utf8')).layout[part] as [number, number]
    const section = bytes.subarray(start, end).toString('utf8')
    expect(section).toContain(from)
    const edited = Buffer.from(section.replaceAll(from, to))
    expect(edited.length).toBe(end - start)
    handWrite(Buffer.concat([bytes.subarray(0, start), edited, bytes.subarray(end)]))
  }

  it('a same-size edit inside the apps: the crc no longer matches, the summaries are ignored and the answers come from the apps', async () => {
    const store = new JsonStore(path)
    await seed(store)
    editInside('apps', `"${OUTSIDER}"`, '"outsidez@elsewhere.test"')
    const state = await lazyRead()
    expect(state.orgAppsSummaries).toBeUndefined()
    const members = (await listMembers(as(state, ADMIN), 'acme')).map(({email, role}) => [email, role])
    expect(members).toContainEqual(['outsidez@elsewhere.test', 'collaborator'])
    expect(members.map(([email]) => email)).not.toContain(OUTSIDER)
    expect(await orgStanding(as(state, OUTSIDER), 'globex', OUTSIDER)).toBe('none')
    expect(await listOrgs(as(state, OUTSIDER))).toEqual([])
    expect(await answers(await lazyRead(), PEOPLE)).toEqual(await answers(await decodedRead(), PEOPLE))
    // The next commit that reads the apps writes summaries that match them again.
    await store.update((state) => addMember(as(state, ADMIN), 'acme', 'dev@acme.test', 'member'))
    expectLaidOut(readFileSync(path))
    expect((await expectSummariesRight()).acme!.collaborators).toContain('outsidez@elsewhere.test')
  })

  it('a same-size corruption inside the apps is found when they are used: a store error naming the file, which is left as it is', async () => {
    const store = new JsonStore(path)
    await seed(store)
    editInside('apps', '"region":"eu"', '"region"\u0000"eu"')
    const before = readFileSync(path)
    const state = await lazyRead()
    // The crc does not match: the member list needs the apps, and they are not JSON.
    expect(state.orgAppsSummaries).toBeUndefined()
    let error: unknown
    try {
      await listMembers(as(state, ADMIN), 'acme')
    } catch (caught) {
      error = caught
    }
    expect((error as OrgctlError).id).toBe('store_error')
    expect((error as OrgctlError).message).toContain(path)
    expect((await failure(store.update((state) => addMember(as(state, ADMIN), 'acme', 'x@acme.test', 'member')))).id).toBe('store_error')
    expect(readFileSync(path).equals(before)).toBe(true)
  })

  it('a commit leaves the file with the mtime its layout names; a copy with another mtime is still trusted through the crc', async () => {
    await seed(new JsonStore(path))
    const written = JSON.parse(readFileSync(path, 'utf8')).layout.written as number
    expect(Math.round(statSync(path).mtimeMs)).toBe(written)
    const copy = join(dir, 'copy.json')
    writeFileSync(copy, readFileSync(path))
    const later = new Date(written + 5000)
    utimesSync(copy, later, later)
    const state = await lazyRead(copy)
    expect(state.orgAppsSummaries).toBeDefined()
    expect(await answers(state, PEOPLE)).toEqual(await answers(await decodedRead(copy), PEOPLE))
  })

  it('a same-size edit of the summaries themselves: ignored (the crc does not match), the answers come from the apps', async () => {
    const store = new JsonStore(path)
    await seed(store)
    editInside('orgApps', `"${OUTSIDER}"`, '"outsidez@elsewhere.test"')
    editInside('orgApps', '"apps":2', '"apps":7')
    const state = await lazyRead()
    expect(state.orgAppsSummaries).toBeUndefined()
    expect((await listMembers(as(state, ADMIN), 'acme')).map(({email}) => email)).toEqual([ADMIN, MEMBER, OUTSIDER])
    expect((await currentUsage(as(state, ADMIN), 'acme')).apps).toBe(2)
    await store.update((state) => addMember(as(state, ADMIN), 'acme', 'dev@acme.test', 'member'))
    await expectSummariesRight()
  })

  it('a same-size edit that breaks a field in a lazily read section is reported with the store path and the field', async () => {
    const store = new JsonStore(path)
    await seed(store)
    editInside('orgs', '"role":"member"', '"role":"membex"')
    const before = readFileSync(path)
    const state = await lazyRead()
    let error: unknown
    try {
      await listMembers(as(state, ADMIN), 'acme')
    } catch (caught) {
      error = caught
    }
    expect(error).toBeInstanceOf(OrgctlError)
    expect((error as OrgctlError).id).toBe('store_error')
    expect((error as OrgctlError).message).toContain(path)
    expect((error as OrgctlError).message).toContain('orgs[0].members[1].role should be one of admin, member, collaborator')
    const written = await failure(store.update((state) => addMember(as(state, ADMIN), 'acme', 'x@acme.test', 'member')))
    expect(written.id).toBe('store_error')
    expect(readFileSync(path).equals(before)).toBe(true)
  })

  it('a reformatted file is read whole: same answers, no summaries; the next real change writes it laid out again', async () => {
    const store = new JsonStore(path)
    await seed(store)
    const expected = await answers(await lazyRead(), PEOPLE)
    const doc = JSON.parse(readFileSync(path, 'utf8'))
    handWrite(JSON.stringify(doc, null, 2))
    const state = await lazyRead()
    expect(state.orgAppsSummaries).toBeUndefined()
    expect(await answers(state, PEOPLE)).toEqual(expected)
    // Nothing changed: nothing written, still the reformatted text.
    const reformatted = readFileSync(path)
    await store.update((state) => addMember(as(state, ADMIN), 'acme', MEMBER, 'member'))
    expect(readFileSync(path).equals(reformatted)).toBe(true)
    await store.update((state) => addMember(as(state, ADMIN), 'acme', 'dev@acme.test', 'member'))
    expectLaidOut(readFileSync(path))
    await expectSummariesRight()
    expect((await listMembers(as(await lazyRead(), ADMIN), 'acme')).map(({email}) => email)).toEqual([
      ADMIN,
      'dev@acme.test',
      MEMBER,
      OUTSIDER,
    ])
  })

  it('a member added by hand (the layout is stale): read whole, the member is there', async () => {
    const store = new JsonStore(path)
    await seed(store)
    const doc = JSON.parse(readFileSync(path, 'utf8'))
    doc.orgs[0].members.push({id: 'hand', email: 'hand@acme.test', role: 'member', createdAt: 'x', updatedAt: 'x'})
    handWrite(JSON.stringify(doc))
    const state = await lazyRead()
    expect(state.orgAppsSummaries).toBeUndefined()
    expect((await listMembers(as(state, ADMIN), 'acme')).map(({email, role}) => [email, role])).toEqual([
      [ADMIN, 'admin'],
      ['hand@acme.test', 'member'],
      [MEMBER, 'member'],
      [OUTSIDER, 'collaborator'],
    ])
    await store.update((state) => createAuthorization(as(state, ADMIN), 'after the edit'))
    expectLaidOut(readFileSync(path))
    expect((await lazyRead()).orgs.get('acme')!.members.has('hand@acme.test')).toBe(true)
    await expectSummariesRight()
  })

  it('a bad field in a reformatted file is reported with the store path and the field path, and the file is left alone', async () => {
    const store = new JsonStore(path)
    await seed(store)
    const doc = JSON.parse(readFileSync(path, 'utf8'))
    doc.orgs[0].members[1].role = 'boss'
    handWrite(JSON.stringify(doc, null, 2))
    const before = readFileSync(path)
    const error = await failure(lazyRead())
    expect(error.id).toBe('store_error')
    expect(error.message).toContain(path)
    expect(error.message).toContain('orgs[0].members[1].role should be one of admin, member, collaborator')
    const written = await failure(store.update((state) => addMember(as(state, ADMIN), 'acme', 'x@acme.test', 'member')))
    expect(written.id).toBe('store_error')
    expect(readFileSync(path).equals(before)).toBe(true)
  })

  it('a garbage or truncated file gives a store error and is left byte for byte', async () => {
    const store = new JsonStore(path)
    await seed(store)
    const good = readFileSync(path)
    for (const bad of [
      Buffer.from('not json at all'),
      good.subarray(0, good.length - 1),
      good.subarray(0, good.length - 20),
      good.subarray(0, Math.floor(good.length / 2)),
      Buffer.concat([good, Buffer.from('\n{}')]),
    ]) {
      handWrite(bad)
      const read = await failure(new JsonStore(path).read())
      expect(read.id).toBe('store_error')
      expect(read.message).toContain(path)
      const written = await failure(new JsonStore(path).update((state) => addMember(as(state, ADMIN), 'acme', 'x@acme.test', 'member')))
      expect(written.id).toBe('store_error')
      expect(readFileSync(path).equals(bad)).toBe(true)
    }
  })
})

describe('a schema 2 document', () => {
  async function writeSchema2(): Promise<{expected: Awaited<ReturnType<typeof answers>>; histories: unknown}> {
    await seed(new JsonStore(path))
    const expected = await answers(await lazyRead(), PEOPLE)
    // As the previous orgctl wrote it: compact, each org with its usage history and ledger, no
    // histories, orgApps or layout.
    const {histories, orgApps: _orgApps, layout: _layout, ...doc} = JSON.parse(readFileSync(path, 'utf8'))
    type History = {org: string; usageHistory: unknown[]; ledger: unknown[]}
    const orgs = (doc.orgs as {name: string}[]).map((org) => {
      const {usageHistory, ledger} = (histories as History[]).find((h) => h.org === org.name)!
      return {...org, usageHistory, ledger}
    })
    writeFileSync(
      path,
      JSON.stringify({
        schemaVersion: 2,
        revision: doc.revision,
        users: doc.users,
        orgs,
        apps: doc.apps,
        transfers: doc.transfers,
        tokens: doc.tokens,
      }),
    )
    return {expected, histories}
  }

  it('reads correctly (whole, without summaries)', async () => {
    const {expected} = await writeSchema2()
    const state = await lazyRead()
    expect(state.orgAppsSummaries).toBeUndefined()
    expect(await answers(state, PEOPLE)).toEqual(expected)
    expect(state.histories.get('acme')!.ledger.map(({app, dynoUnits}) => [app, dynoUnits])).toEqual([
      ['acme-web', 0],
      ['acme-api', 0],
      ['acme-web', 4],
    ])
  })

  it('is not rewritten by a change that changes nothing', async () => {
    await writeSchema2()
    const store = new JsonStore(path)
    const before = readFileSync(path)
    const mtime = statSync(path).mtimeMs
    await store.update((state) => addMember(as(state, ADMIN), 'acme', MEMBER, 'member'))
    await store.update((state) => listMembers(as(state, ADMIN), 'acme'))
    await store.update((state) => addAccess(as(state, ADMIN), 'acme-web', OUTSIDER, ['view', 'deploy']))
    await store.update(async () => undefined)
    expect(readFileSync(path).equals(before)).toBe(true)
    expect(statSync(path).mtimeMs).toBe(mtime)
  })

  it(`is rewritten as schema ${SCHEMA_VERSION} with a layout by a real change, losing nothing`, async () => {
    const {expected, histories} = await writeSchema2()
    const store = new JsonStore(path)
    await store.update((state) => createAuthorization(as(state, MEMBER), 'ci'))
    expectLaidOut(readFileSync(path))
    expect(JSON.parse(readFileSync(path, 'utf8')).histories).toEqual(histories)
    await expectSummariesRight()
    const state = await lazyRead()
    expect(await answers(state, PEOPLE)).toEqual(expected)
    expect([...state.tokens.values()].map((t) => t.description).sort()).toEqual(['ci', 'clé de déploiement ✓'])
  })
})

describe('renaming and destroying orgs in the file', () => {
  it('an org without apps: renamed and destroyed without decoding the apps (their bytes and the summaries copied as they were)', async () => {
    const store = new JsonStore(path)
    await seed(store)
    await store.update((state) => createOrg(as(state, MEMBER), 'bare-org', DEFAULT_LIMITS))
    const before = slices(readFileSync(path))
    const undecoded: boolean[] = []
    await store.update(async (state) => {
      await renameOrg(as(state, MEMBER), 'bare-org', 'bare-two')
      undecoded.push(state.orgAppsSummaries !== undefined)
    })
    await store.update(async (state) => {
      await destroyOrg(as(state, MEMBER), 'bare-two')
      undecoded.push(state.orgAppsSummaries !== undefined)
    })
    expect(undecoded).toEqual([true, true])
    const after = slices(readFileSync(path))
    expect(after.apps.equals(before.apps)).toBe(true)
    expect(after.orgApps.equals(before.orgApps)).toBe(true)
    const state = await lazyRead()
    expect([...state.orgs.keys()].sort()).toEqual(['acme', 'globex'])
    expect([...state.histories.keys()].sort()).toEqual(['acme', 'globex'])
  })

  it('an org with apps: renamed with its apps, their summaries and its history; every answer as before under the new name', async () => {
    const store = new JsonStore(path)
    await seed(store)
    const rename = (value: unknown) => JSON.parse(JSON.stringify(value).replaceAll('"acme"', '"acme-two"'))
    const expected = rename(await answers(await lazyRead(), PEOPLE))
    const history = (await lazyRead()).histories.get('acme')
    await store.update((state) => renameOrg(as(state, ADMIN), 'acme', 'acme-two'))
    const state = await lazyRead()
    expect(rename(await answers(state, PEOPLE))).toEqual(expected)
    expect(state.histories.get('acme-two')).toEqual(history)
    expect(state.histories.has('acme')).toBe(false)
    const summaries = await expectSummariesRight()
    expect(Object.keys(summaries).sort()).toEqual(['acme-two', 'globex'])
  })
})

/** When the records below were made. */
const AT = clock.now().toISOString()

/** The parts a file laid out by an older schema lacks (each came with a later one). */
const OLDER_SCHEMAS: [number, (typeof PARTS)[number][]][] = [
  [3, ['operators', 'sessions']],
  [4, ['sessions']],
]

for (const [version, missing] of OLDER_SCHEMAS) {
  describe(`a schema ${version} document (laid out, without ${missing.join(' or ')})`, () => {
    /** The file as that orgctl committed it: the same sections and layout, but none of `missing`. */
    async function writeOlder(): Promise<Awaited<ReturnType<typeof answers>>> {
      await seed(new JsonStore(path))
      const expected = await answers(await lazyRead(), PEOPLE)
      let bytes = readFileSync(path)
      let layout = (JSON.parse(bytes.toString('utf8')) as {layout: Record<string, unknown>}).layout
      for (const part of missing) {
        const [start, end] = layout[part] as [number, number]
        const key = Buffer.from(`,"${part}":`)
        const cut = end - start + key.length
        const kept: Record<string, unknown> = {}
        for (const [name, value] of Object.entries(layout)) {
          if (name === part) continue
          kept[name] = Array.isArray(value) && (value[0] as number) > start ? value.map((n: number) => n - cut) : value
        }
        const head = Buffer.concat([bytes.subarray(0, start - key.length), bytes.subarray(end, bytes.lastIndexOf(',"layout":'))])
        bytes = Buffer.concat([head, Buffer.from(`,"layout":${JSON.stringify(kept)}}`)])
        layout = kept
      }
      const text = bytes.toString('utf8').replace(`{"schemaVersion":${SCHEMA_VERSION},`, `{"schemaVersion":${version},`)
      expect(text.startsWith(`{"schemaVersion":${version},`)).toBe(true)
      writeFileSync(path, text)
      // As its commit left it: the summaries are trusted by the mtime the layout names.
      const written = (layout.written as number) / 1000
      utimesSync(path, written, written)
      return expected
    }

    it(`is read lazily by its layout (summaries kept, apps unread), with no ${missing.join(' and no ')}`, async () => {
      const expected = await writeOlder()
      const state = await lazyRead()
      expect(state.orgAppsSummaries).toBeDefined()
      for (const part of missing) expect((state[part as keyof State] as Map<string, unknown>).size).toBe(0)
      expect(await answers(state, PEOPLE)).toEqual(expected)
    })

    it(`is not rewritten by a change that changes nothing; a real change writes it as schema ${SCHEMA_VERSION}, losing nothing`, async () => {
      const expected = await writeOlder()
      const store = new JsonStore(path)
      const before = readFileSync(path)
      await store.update((state) => listMembers(as(state, ADMIN), 'acme'))
      await store.update(async (state) => void state.sessions.size)
      expect(readFileSync(path).equals(before)).toBe(true)
      await store.update(async (state) => {
        state.operators.set('ops@platform.test', {email: 'ops@platform.test', createdAt: clock.now().toISOString()})
      })
      expectLaidOut(readFileSync(path))
      const state = await lazyRead()
      expect([...state.operators.keys()]).toEqual(['ops@platform.test'])
      expect(state.sessions.size).toBe(0)
      expect(await answers(state, PEOPLE)).toEqual(expected)
    })

    it(`opens on the storage interface and stores a Dashboard session, then is schema ${SCHEMA_VERSION}`, async () => {
      const expected = await writeOlder()
      const storage = new JsonStorage(path)
      const record = {hash: 'a'.repeat(64), kind: 'link' as const, email: ADMIN, createdAt: AT, expiresAt: '2026-11-15T00:02:00.000Z'}
      try {
        expect(await storage.read((tx) => tx.sessions.byHash(record.hash))).toBeUndefined()
        await storage.write((tx) => tx.sessions.insert(record))
        expect(await storage.read((tx) => tx.sessions.byHash(record.hash))).toStrictEqual(record)
      } finally {
        await storage.close()
      }
      expectLaidOut(readFileSync(path))
      expect(JSON.parse(readFileSync(path, 'utf8')).sessions).toEqual([record])
      expect(await answers(await lazyRead(), PEOPLE)).toEqual(expected)
    })
  })
}

describe('Dashboard sessions in the file', () => {
  const record = {hash: 'b'.repeat(64), kind: 'session', email: ADMIN, createdAt: AT, expiresAt: '2026-11-15T08:00:00.000Z'} as const

  it('a section of their own: a session change copies every other section byte for byte', async () => {
    const store = new JsonStore(path)
    await seed(store)
    const before = slices(readFileSync(path))
    await store.update(async (state) => void state.sessions.set(record.hash, {...record}))
    const after = slices(readFileSync(path))
    for (const part of PARTS) if (part !== 'sessions') expect(after[part].equals(before[part]), part).toBe(true)
    expect(JSON.parse(after.sessions.toString('utf8'))).toEqual([record])
    expectLaidOut(readFileSync(path))
  })

  for (const [what, from, to, message] of [
    ['a kind', '"kind":"session"', '"kind":"sessiox"', 'sessions[0].kind should be one of session, link'],
    ['a time', '"expiresAt":"2026-11-15T08:00:00.000Z"', '"expiresAt":7', 'sessions[0].expiresAt should be a string'],
  ] as const) {
    it(`a malformed sessions section (${what}) is a store error naming the file and the field; the file is left as it is`, async () => {
      const store = new JsonStore(path)
      await seed(store)
      await store.update(async (state) => void state.sessions.set(record.hash, {...record}))
      const doc = JSON.parse(readFileSync(path, 'utf8'))
      handWrite(JSON.stringify(doc).replace(from, to))
      const bad = readFileSync(path)
      const error = await failure(new JsonStorage(path).read((tx) => tx.sessions.byHash(record.hash)))
      expect(error.id).toBe('store_error')
      expect(error.message).toContain(path)
      expect(error.message).toContain(message)
      const written = await failure(new JsonStorage(path).write((tx) => tx.sessions.prune(AT)))
      expect(written.id).toBe('store_error')
      expect(readFileSync(path).equals(bad)).toBe(true)
    })
  }

  it('a same-size edit of the sessions section in a laid-out file is found when it is read (checked: not as its commit left it)', async () => {
    const store = new JsonStore(path)
    await seed(store)
    await store.update(async (state) => void state.sessions.set(record.hash, {...record}))
    const bytes = readFileSync(path)
    const [start, end] = JSON.parse(bytes.toString('utf8')).layout.sessions as [number, number]
    const section = bytes.subarray(start, end).toString('utf8').replace(ADMIN, 'ADMIN@acme.test')
    handWrite(Buffer.concat([bytes.subarray(0, start), Buffer.from(section), bytes.subarray(end)]))
    const error = await failure(new JsonStorage(path).read((tx) => tx.sessions.byHash(record.hash)))
    expect(error.id).toBe('store_error')
    expect(error.message).toContain('sessions[0].email should be written as orgctl stores emails')
    // The members need not read it, and still answer.
    expect((await listMembers(as(await lazyRead(), ADMIN), 'acme')).length).toBe(3)
  })
})

describe('a failed change', () => {
  it('writes nothing, whether it touched the members, the apps or nothing yet', async () => {
    const store = new JsonStore(path)
    await seed(store)
    const before = readFileSync(path)
    const mtime = statSync(path).mtimeMs
    expect((await failure(store.update((state) => createOrg(as(state, ADMIN), 'acme', DEFAULT_LIMITS)))).id).toBe('conflict')
    expect((await failure(store.update((state) => removeMember(as(state, ADMIN), 'globex', ADMIN)))).id).toBe('conflict')
    const halfway = await failure(
      store.update(async (state) => {
        await addMember(as(state, ADMIN), 'acme', 'dev@acme.test', 'member')
        await scale(as(state, ADMIN), 'acme-web', [{type: 'web', quantity: 5}])
        await destroyApp(as(state, ADMIN), 'acme-api')
        await createApp(as(state, ADMIN), {name: 'acme-web', org: 'acme', region: 'us'})
      }),
    )
    expect(halfway.id).toBe('conflict')
    expect(readFileSync(path).equals(before)).toBe(true)
    expect(statSync(path).mtimeMs).toBe(mtime)
    await expectSummariesRight()
  })

  it('in a group commit, leaves no trace of its app changes beside the ones that succeed', async () => {
    const store = new JsonStore(path)
    await seed(store)
    const results = await Promise.allSettled([
      store.update((state) => addMember(as(state, ADMIN), 'acme', 'one@acme.test', 'member')),
      store.update(async (state) => {
        await destroyApp(as(state, ADMIN), 'acme-web')
        await addAccess(as(state, ADMIN), 'acme-api', 'half@else.test', ['view'])
        await createOrg(as(state, ADMIN), 'globex', DEFAULT_LIMITS)
      }),
      store.update((state) => scale(as(state, ADMIN), 'acme-api', [{type: 'web', quantity: 1}])),
    ])
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled'])
    expectLaidOut(readFileSync(path))
    const summaries = await expectSummariesRight()
    expect(summaries.acme).toMatchObject({apps: 2, dynoUnits: 5})
    expect(summaries.acme!.collaborators).not.toContain('half@else.test')
    expect((await listMembers(as(await lazyRead(), ADMIN), 'acme')).map(({email}) => email)).toEqual([
      ADMIN,
      MEMBER,
      'one@acme.test',
      OUTSIDER,
    ])
  })
})

describe('edits at the end of the sections (found by this suite: the last range was not checked to end at the layout)', () => {
  it('a laid-out file with text inserted after its last section (no longer JSON) gives a store error', async () => {
    await seed(new JsonStore(path))
    const bytes = readFileSync(path)
    const end = (JSON.parse(bytes.toString('utf8')).layout.orgApps as [number, number])[1]
    const edited = Buffer.concat([bytes.subarray(0, end), Buffer.from(',this is not JSON'), bytes.subarray(end)])
    handWrite(edited)
    expect(() => JSON.parse(edited.toString('utf8'))).toThrow()
    const error = await failure(lazyRead())
    expect(error.id).toBe('store_error')
  })

  it('a valid hand edit that grows the orgApps section is not cut short: the next commit still writes valid JSON', async () => {
    const store = new JsonStore(path)
    await seed(store)
    const bytes = readFileSync(path)
    const [start, end] = JSON.parse(bytes.toString('utf8')).layout.orgApps as [number, number]
    const old = bytes.subarray(start, end).toString('utf8')
    // Valid JSON, one byte of indentation plus an entry more: the byte at the old end is now a comma.
    const grown = `{ ${old.slice(1, -1)},"zz-org":{"apps":0,"dynoUnits":0,"collaborators":[]}}`
    expect(grown[old.length]).toBe(',')
    handWrite(Buffer.concat([bytes.subarray(0, start), Buffer.from(grown), bytes.subarray(end)]))
    expect(() => JSON.parse(readFileSync(path, 'utf8'))).not.toThrow()
    // A change that does not read the apps copies the orgApps bytes it was given: the first
    // old.length bytes of the edited section, an unclosed object.
    await store.update((state) => createAuthorization(as(state, ADMIN), 'ci'))
    expect(() => JSON.parse(readFileSync(path, 'utf8'))).not.toThrow()
  })
})

describe('a big store: its apps are read from the file only when used', () => {
  const APPS = 1200
  /** An org whose apps section is well over the size read lazily (256 KiB). */
  async function seedBig(store: JsonStore): Promise<void> {
    await store.update(async (state) => {
      const admin = as(state, ADMIN)
      await createOrg(admin, 'acme', {...DEFAULT_LIMITS, apps: 10_000, members: 10_000})
      await addMember(admin, 'acme', MEMBER, 'member')
      for (let i = 0; i < APPS; i++) {
        await createApp(admin, {name: `big-app-${String(i).padStart(4, '0')}`, org: 'acme', region: 'us'})
        await addAccess(admin, `big-app-${String(i).padStart(4, '0')}`, MEMBER, ['view', 'deploy'])
      }
    })
  }

  it('lists members and adds one without the apps, and the copied apps bytes are the same', async () => {
    await seedBig(new JsonStore(path))
    const before = slices(readFileSync(path))
    expect(before.apps.length).toBeGreaterThan(256 * 1024)
    const store = new JsonStore(path)
    const state = await store.read()
    expect((await listMembers(as(state, ADMIN), 'acme')).map(({email}) => email)).toEqual([ADMIN, MEMBER])
    expect(state.orgAppsSummaries?.get('acme')?.apps).toBe(APPS)
    await store.update((s) => addMember(as(s, ADMIN), 'acme', 'new@acme.test', 'member'))
    const after = slices(readFileSync(path))
    expect(after.apps.equals(before.apps)).toBe(true)
    expect(after.orgApps.equals(before.orgApps)).toBe(true)
    expect(() => JSON.parse(readFileSync(path, 'utf8'))).not.toThrow()
    store.close()
  })

  it('reads the apps in when they are used, in a read and in a change', async () => {
    await seedBig(new JsonStore(path))
    const store = new JsonStore(path)
    const state = await store.read()
    expect(state.apps.size).toBe(APPS)
    await store.update((s) => destroyApp(as(s, ADMIN), 'big-app-0000'))
    const fresh = await new JsonStore(path).read()
    expect(fresh.orgAppsSummaries?.get('acme')?.apps).toBe(APPS - 1)
    expect(fresh.apps.size).toBe(APPS - 1)
    store.close()
  })

  it('a state held by a reader stays whole when another process commits a new version', async () => {
    await seedBig(new JsonStore(path))
    const reader = new JsonStore(path)
    const held = await reader.read()
    await new JsonStore(path).update((s) => destroyApp(as(s, ADMIN), 'big-app-0001'))
    const next = await reader.read()
    expect(next.apps.size).toBe(APPS - 1)
    // The old state's apps were read in before its file was let go.
    expect(held.apps.size).toBe(APPS)
    reader.close()
  })

  it('a file cut short in place while its apps are still unread: a store error, not garbage', async () => {
    await seedBig(new JsonStore(path))
    const store = new JsonStore(path)
    const state = await store.read()
    const bytes = readFileSync(path)
    const {apps} = slices(bytes)
    // The same inode, truncated in the middle of the apps (as an editor writing in place might).
    writeFileSync(path, bytes.subarray(0, apps.byteOffset + 10))
    let error: unknown
    try {
      void state.apps
    } catch (caught) {
      error = caught
    }
    expect((error as OrgctlError).id).toBe('store_error')
    store.close()
  })
})

describe('memberships keep their user id', () => {
  it('a member list gives each member their user id, from the membership or, for one written before, from the user', async () => {
    const store = new JsonStore(path)
    await store.update(async (state) => {
      await createOrg(as(state, ADMIN), 'acme', DEFAULT_LIMITS)
      await addMember(as(state, ADMIN), 'acme', MEMBER, 'member')
    })
    // A membership as written before user ids were kept with it.
    const doc = JSON.parse(readFileSync(path, 'utf8'))
    delete doc.orgs[0].members.find((m: {email: string}) => m.email === MEMBER).userId
    delete doc.layout
    writeFileSync(path, JSON.stringify(doc))
    const state = await new JsonStore(path).read()
    const ids = (await new LocalBackend(new JsonStorage(path), ADMIN).listMembers('acme')).map((m) => [m.email, m.user.id])
    expect(ids).toEqual([
      [ADMIN, state.users.get(ADMIN)!.id],
      [MEMBER, state.users.get(MEMBER)!.id],
    ])
    expect(state.orgs.get('acme')!.members.get(ADMIN)!.userId).toBe(state.users.get(ADMIN)!.id)
    expect(state.orgs.get('acme')!.members.get(MEMBER)!.userId).toBeUndefined()
  })

  it('a change that changes nothing writes nothing (memberships are always written with their keys in one order)', async () => {
    const store = new JsonStore(path)
    await store.update(async (state) => {
      await createOrg(as(state, ADMIN), 'acme', DEFAULT_LIMITS)
      await addMember(as(state, ADMIN), 'acme', MEMBER, 'member')
    })
    await store.update((state) => addMember(as(state, ADMIN), 'acme', MEMBER, 'member'))
    const before = readFileSync(path)
    await new JsonStore(path).update((state) => addMember(as(state, ADMIN), 'acme', MEMBER, 'member'))
    expect(readFileSync(path).equals(before)).toBe(true)
  })
})
