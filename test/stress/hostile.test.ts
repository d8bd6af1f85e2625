/**
 * Hostile input, property-based (fast-check): the validators and domain operations
 * in-process, the store loader on hostile files, every server route in-process, and a
 * smaller number of runs of the CLI binary. Every case ends in a typed error (an
 * OrgctlError; over HTTP a JSON {id, message} with a 4xx) or a correct result: never a
 * 5xx, a crash, a hang, or a partial write (refused cases leave the store file as it was).
 *
 * Needs fast-check (npm install -D fast-check@^4).
 */
import {request as httpRequest} from 'node:http'
import {copyFileSync, readFileSync, renameSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'

import fc from 'fast-check'
import type {FastifyInstance} from 'fastify'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {addAccess, removeAccess, updateAccess} from '../../src/lib/domain/access.js'
import {createApp, destroyApp, getApp, joinApp, leaveApp, setLocked} from '../../src/lib/domain/apps.js'
import type {WriteCtx} from '../../src/lib/domain/context.js'
import {scale} from '../../src/lib/domain/formation.js'
import {addMember, listMembers, putMember, removeMember, setMember} from '../../src/lib/domain/members.js'
import {createOrg, orgBilling, orgInfo, orgUsage} from '../../src/lib/domain/orgs.js'
import {createAuthorization, revokeAuthorization} from '../../src/lib/domain/tokens.js'
import {cancelTransfer, respondToTransfer, transferApp} from '../../src/lib/domain/transfers.js'
import {APP_PERMISSIONS, ORG_ROLES} from '../../src/lib/domain/types.js'
import type {State} from '../../src/lib/storage/memory/state.js'
import {
  looksLikeEmail,
  parseAppName,
  parseDynoSize,
  parseEmail,
  parseLimits,
  parseOrgName,
  parsePermissions,
  parseRegion,
  parseRole,
  parseScaleChange,
} from '../../src/lib/domain/validation.js'
import {OrgctlError} from '../../src/lib/errors.js'
import {type Route, routerPath, ROUTES as ROUTE_TABLE} from '../../src/lib/api/routes.js'
import {buildServer} from '../../src/lib/server/server.js'
import {JsonStorage} from '../../src/lib/storage/json/json-storage.js'
import {JsonStore} from '../../src/lib/storage/json/json-store.js'
import {type Box, box, isOneLineError, loadStore, pool, report, run, scaled, SEED, seed, show} from './_util.js'
import {txCtx} from '../helpers/tx-ctx.js'

const ORG = 'acme-hostile'
const OTHER = 'other-org'
const ADMIN = 'admin@hostile.test'
const MEMBER = 'member@hostile.test'
const COLLAB = 'collab@hostile.test'
const STRANGER = 'stranger@hostile.test'
const ACTORS = [ADMIN, MEMBER, COLLAB, STRANGER]
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f]/

// ---------------------------------------------------------------------------------------------
// Arbitraries
// ---------------------------------------------------------------------------------------------

const TRICKS = [
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'hasOwnProperty',
  'valueOf',
  '__defineGetter__',
  '../../etc/passwd',
  '..',
  '.',
  '/',
  '\\',
  'C:\\Windows',
  '%2e%2e%2f',
  '%00',
  'a\u0000b',
  '\u202eppa-live',
  'ａｃｍｅ',
  'ACME-HOSTILE',
  ' acme-hostile ',
  'acme-hostile\n',
  'acme-hostile\r\nX-Injected: 1',
  '\u001b[31mred\u001b[0m',
  '\u001b]0;pwned\u0007',
  '',
  ' ',
  '-',
  '--help',
  '-h',
  '--json',
  '$(touch /tmp/pwned)',
  '`id`',
  "'; DROP TABLE apps; --",
  '{"$gt": ""}',
  'null',
  'undefined',
  'NaN',
  '1e309',
  '-1',
  '0x10',
  'dev@acme.test',
  'DEV@ACME.TEST',
  'dev@acme.test ',
  'dev..x@acme.test',
  '.dev@acme.test',
  'dev@acme',
  'dev@-acme.test',
  'a@b.cd',
  'acme@herokumanager.com',
  'other-org@herokumanager.com',
  ADMIN,
  MEMBER,
  COLLAB,
  STRANGER,
  ORG,
  OTHER,
  'org-app',
  'own-app',
  'locked-app',
  'other-app',
  'x'.repeat(30),
  'x'.repeat(31),
  'a'.repeat(300),
  `${'a'.repeat(245)}@acme.test`,
  `${'a'.repeat(64)}@${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(60)}.test`,
  'view,deploy,operate,manage',
  'manage',
  'admin',
  'owner',
  'viewer',
  'Admin',
  'apps=1',
  'apps=1000001',
  'apps=-1',
  'members=0',
  'dyno-units=9999999',
  'web=2',
  'web+1',
  'web-1',
  'web=101',
  'web=2:performance-l',
  'web=standard-2x',
]

/** Values that exist or are valid, so that generated operations also get past validation. */
const KNOWN = [
  ORG,
  OTHER,
  'org-app',
  'own-app',
  'locked-app',
  'other-app',
  'new-app-1',
  'new-org-1',
  ADMIN,
  MEMBER,
  COLLAB,
  STRANGER,
  'new@hostile.test',
  'admin',
  'member',
  'collaborator',
  'deploy',
  'view,manage',
  'us',
  'eu',
  'apps=5',
  'web=1',
  'web=3:standard-2x',
]

const hostileString: fc.Arbitrary<string> = fc.oneof(
  {weight: 4, arbitrary: fc.constantFrom(...TRICKS)},
  {weight: 4, arbitrary: fc.constantFrom(...KNOWN)},
  {weight: 2, arbitrary: fc.string({maxLength: 40})},
  {weight: 2, arbitrary: fc.string({unit: 'binary', maxLength: 40})},
  {weight: 1, arbitrary: fc.string({unit: 'binary', minLength: 200, maxLength: 3000})},
  {weight: 2, arbitrary: fc.emailAddress()},
  {weight: 1, arbitrary: fc.stringMatching(/^[a-z][a-z0-9-]{1,28}[a-z0-9]$/)},
  {weight: 1, arbitrary: fc.tuple(fc.constantFrom(...TRICKS), fc.string({unit: 'binary', maxLength: 8})).map(([a, b]) => a + b)},
)

const hostileList = fc.array(hostileString, {maxLength: 6})

// ---------------------------------------------------------------------------------------------
// A seeded store
// ---------------------------------------------------------------------------------------------

const boxes: Box[] = []
afterAll(() => {
  for (const b of boxes) b.cleanup()
})

let seedBytes: Buffer
let tokens: Record<string, string> = {}

async function seedStore(path: string): Promise<void> {
  const minted: Record<string, string> = {}
  await seed(path, async (_state, as) => {
    const admin = as(ADMIN)
    await createOrg(admin, ORG, {apps: 10, members: 10, 'dyno-units': 40})
    await addMember(admin, ORG, MEMBER, 'member')
    await createApp(admin, {name: 'org-app', org: ORG, region: 'us'})
    await createApp(admin, {name: 'locked-app', org: ORG, region: 'us'})
    await setLocked(admin, 'locked-app', true)
    await addAccess(admin, 'org-app', COLLAB, ['view'])
    await createApp(admin, {name: 'own-app', region: 'us'})
    const other = as(STRANGER)
    await createOrg(other, OTHER, {apps: 10, members: 10, 'dyno-units': 40})
    await createApp(other, {name: 'other-app', org: OTHER, region: 'eu'})
    await transferApp(admin, 'own-app', STRANGER)
    for (const email of ACTORS) minted[email] = (await createAuthorization(as(email), 'hostile')).token
  })
  tokens = minted
}

/** What must hold in every committed state. */
function invariants(state: State): string[] {
  const bad: string[] = []
  for (const org of state.orgs.values()) {
    if (![...org.members.values()].some((m) => m.role === 'admin')) bad.push(`org ${org.name} has no admin`)
    if (!/^[a-z][a-z0-9-]{1,28}[a-z0-9]$/.test(org.name)) bad.push(`org name ${JSON.stringify(org.name)} is invalid`)
    for (const email of org.members.keys()) if (!looksLikeEmail(email)) bad.push(`member ${JSON.stringify(email)} is not an email`)
  }
  for (const app of state.apps.values()) {
    if (!/^[a-z][a-z0-9-]{1,28}[a-z0-9]$/.test(app.name)) bad.push(`app name ${JSON.stringify(app.name)} is invalid`)
    for (const c of app.collaborators.values()) {
      if (!looksLikeEmail(c.email)) bad.push(`collaborator ${JSON.stringify(c.email)} is not an email`)
      if (!c.permissions.includes('view') || c.permissions.some((p) => !(APP_PERMISSIONS as readonly string[]).includes(p)))
        bad.push(`bad permissions ${c.permissions}`)
    }
    for (const f of app.formation.values())
      if (!Number.isInteger(f.quantity) || f.quantity < 0 || f.quantity > 100) bad.push(`bad quantity ${f.quantity}`)
  }
  for (const user of state.users.keys()) if (!looksLikeEmail(user)) bad.push(`user ${JSON.stringify(user)} is not an email`)
  return bad
}

function typedError(error: unknown): string | undefined {
  if (!(error instanceof OrgctlError)) return `not an OrgctlError: ${(error as Error)?.stack ?? String(error)}`
  if (error.id === 'internal_error' || error.id === 'store_error') return `unexpected ${error.id}: ${error.message}`
  return undefined
}

/** Error messages that carry raw control characters from the input (terminal escapes, CR/LF): collected by the domain test. */
const controlMessages: string[] = []
let domainRefused = 0

// ---------------------------------------------------------------------------------------------
// 1. Validators
// ---------------------------------------------------------------------------------------------

describe('hostile input', () => {
  it('validators: every input is refused as invalid_params or parsed into a value that is valid', () => {
    const runs = scaled(2000)
    const problems: string[] = []
    const check = (what: string, input: unknown, fn: () => unknown, ok: (value: any) => boolean) => {
      let value: unknown
      try {
        value = fn()
      } catch (error) {
        if (!(error instanceof OrgctlError) || error.id !== 'invalid_params')
          problems.push(`${what}(${JSON.stringify(input)}) threw ${String(error)}`)
        else if (CONTROL.test(error.message))
          problems.push(`${what}(${JSON.stringify(input)}): control characters in ${JSON.stringify(error.message)}`)
        return
      }
      if (!ok(value)) problems.push(`${what}(${JSON.stringify(input)}) accepted as ${JSON.stringify(value)}`)
    }
    const NAME = /^[a-z][a-z0-9-]{1,28}[a-z0-9]$/
    fc.assert(
      fc.property(hostileString, hostileList, (s, list) => {
        check(
          'parseEmail',
          s,
          () => parseEmail(s),
          (v: string) =>
            looksLikeEmail(v) && v === v.toLowerCase() && !CONTROL.test(v) && v.length <= 254 && !v.endsWith('@herokumanager.com'),
        )
        check(
          'parseAppName',
          s,
          () => parseAppName(s),
          (v: string) => NAME.test(v),
        )
        check(
          'parseOrgName',
          s,
          () => parseOrgName(s),
          (v: string) => NAME.test(v),
        )
        check(
          'parseRole',
          s,
          () => parseRole(s),
          (v: string) => (ORG_ROLES as readonly string[]).includes(v),
        )
        check(
          'parsePermissions',
          s,
          () => parsePermissions(s),
          (v: string[]) =>
            v[0] === 'view' && v.every((p) => (APP_PERMISSIONS as readonly string[]).includes(p)) && new Set(v).size === v.length,
        )
        check(
          'parsePermissions[]',
          list,
          () => parsePermissions(list),
          (v: string[]) => v[0] === 'view' && v.every((p) => (APP_PERMISSIONS as readonly string[]).includes(p)),
        )
        check(
          'parseLimits',
          list,
          () => parseLimits(list),
          (v: Record<string, number>) =>
            Object.keys(v).length === 3 && Object.values(v).every((n) => Number.isInteger(n) && n >= 0 && n <= 1_000_000),
        )
        check(
          'parseRegion',
          s,
          () => parseRegion(s),
          (v: string) => v === 'us' || v === 'eu',
        )
        check(
          'parseDynoSize',
          s,
          () => parseDynoSize(s),
          (v: string) => ['standard-1x', 'standard-2x', 'performance-m', 'performance-l'].includes(v),
        )
        check(
          'parseScaleChange',
          s,
          () => parseScaleChange(s),
          (v: {type: string; quantity?: number; delta?: number}) =>
            /^[a-z][a-z0-9_-]{0,29}$/.test(v.type) &&
            (v.quantity === undefined || (Number.isInteger(v.quantity) && v.quantity >= 0 && v.quantity <= 100)) &&
            (v.delta === undefined || Math.abs(v.delta) <= 100),
        )
      }),
      {numRuns: runs, seed: SEED},
    )
    report('hostile', `validators: ${runs} generated inputs x 10 parsers (seed ${SEED}), ${problems.length} accepted-invalid or untyped`, {
      cases: runs * 10,
      problems: problems.length,
    })
    expect(problems.slice(0, 20), problems.slice(0, 20).join('\n')).toEqual([])
  })

  // -------------------------------------------------------------------------------------------
  // 2. Domain operations on the store
  // -------------------------------------------------------------------------------------------

  it('domain operations in-process: a typed error with the store file untouched, or a correct result', async () => {
    const runs = scaled(400)
    const b = box('hostile-domain')
    boxes.push(b)
    await seedStore(b.store)
    const seedBytesDomain = readFileSync(b.store)
    const store = new JsonStore(b.store)
    const problems: string[] = []
    let refused = 0
    let accepted = 0

    type Op = {name: string; run: (ctx: WriteCtx) => Promise<unknown>; after?: (state: State) => boolean}
    const opArb: fc.Arbitrary<Op> = fc.oneof(
      fc.tuple(hostileString, hostileList).map(([name, limits]) => ({
        name: `createOrg(${JSON.stringify(name)}, ${JSON.stringify(limits)})`,
        run: async (ctx: WriteCtx) => createOrg(ctx, name, parseLimits(limits)),
        after: (s: State) => s.orgs.has(name),
      })),
      fc
        .tuple(hostileString, hostileString, hostileString, fc.constantFrom('add', 'set', 'put', 'remove'))
        .map(([org, email, role, how]) => ({
          name: `${how}Member(${JSON.stringify(org)}, ${JSON.stringify(email)}, ${JSON.stringify(role)})`,
          run: async (ctx: WriteCtx) => {
            const e = parseEmail(email)
            if (how === 'remove') return removeMember(ctx, org, e)
            const r = parseRole(role)
            return how === 'add' ? addMember(ctx, org, e, r) : how === 'set' ? setMember(ctx, org, e, r) : putMember(ctx, org, e, r)
          },
        })),
      fc
        .tuple(fc.option(hostileString, {nil: undefined}), fc.option(hostileString, {nil: undefined}), hostileString)
        .map(([name, org, region]) => ({
          name: `createApp(${JSON.stringify(name)}, ${JSON.stringify(org)}, ${JSON.stringify(region)})`,
          run: async (ctx: WriteCtx) => createApp(ctx, {name, org, region: parseRegion(region), generateName: (n) => `gen-${n}-app`}),
          after: (s: State) => name === undefined || s.apps.has(name),
        })),
      fc.tuple(hostileString, fc.constantFrom('destroy', 'get', 'join', 'leave', 'lock', 'unlock')).map(([app, how]) => ({
        name: `${how}App(${JSON.stringify(app)})`,
        run: async (ctx: WriteCtx) =>
          how === 'destroy'
            ? destroyApp(ctx, app)
            : how === 'get'
              ? getApp(ctx, app)
              : how === 'join'
                ? joinApp(ctx, app)
                : how === 'leave'
                  ? leaveApp(ctx, app)
                  : setLocked(ctx, app, how === 'lock'),
      })),
      fc
        .tuple(hostileString, hostileString, fc.oneof(hostileString, hostileList), fc.constantFrom('add', 'update', 'remove'))
        .map(([app, email, permissions, how]) => ({
          name: `${how}Access(${JSON.stringify(app)}, ${JSON.stringify(email)}, ${JSON.stringify(permissions)})`,
          run: async (ctx: WriteCtx) => {
            const e = parseEmail(email)
            if (how === 'remove') return removeAccess(ctx, app, e)
            const p = parsePermissions(permissions)
            return how === 'add' ? addAccess(ctx, app, e, p) : updateAccess(ctx, app, e, p)
          },
        })),
      fc.tuple(hostileString, hostileString, fc.boolean()).map(([app, recipient, locked]) => ({
        name: `transferApp(${JSON.stringify(app)}, ${JSON.stringify(recipient)}, ${locked})`,
        run: async (ctx: WriteCtx) => transferApp(ctx, app, recipient, {locked}),
      })),
      fc.tuple(hostileString, hostileList).map(([app, specs]) => ({
        name: `scale(${JSON.stringify(app)}, ${JSON.stringify(specs)})`,
        run: async (ctx: WriteCtx) =>
          await scale(
            ctx,
            app,
            specs.map((spec) => parseScaleChange(spec)),
          ),
      })),
      fc.tuple(hostileString, fc.constantFrom('members', 'info', 'usage', 'billing')).map(([org, how]) => ({
        name: `${how}(${JSON.stringify(org)})`,
        run: async (ctx: WriteCtx) =>
          how === 'members'
            ? listMembers(ctx, org)
            : how === 'info'
              ? orgInfo(ctx, org)
              : how === 'usage'
                ? orgUsage(ctx, org)
                : orgBilling(ctx, org),
      })),
      fc.tuple(hostileString, fc.constantFrom('accepted', 'declined', 'cancel', 'revoke', 'mint')).map(([id, how]) => ({
        name: `${how}(${JSON.stringify(id)})`,
        run: async (ctx: WriteCtx) =>
          how === 'cancel'
            ? cancelTransfer(ctx, id)
            : how === 'revoke'
              ? revokeAuthorization(ctx, {id})
              : how === 'mint'
                ? (await createAuthorization(ctx, id)).record
                : respondToTransfer(ctx, id, how as 'accepted' | 'declined'),
      })),
    )

    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...ACTORS), opArb, async (actor, op) => {
        writeFileSync(`${b.store}.next`, seedBytesDomain)
        renameSync(`${b.store}.next`, b.store)
        const label = `${actor}: ${op.name}`.slice(0, 400)
        try {
          await store.update((state) => op.run(txCtx(state, actor)))
          accepted++
          const state = await loadStore(b.store)
          problems.push(...invariants(state).map((v) => `${label} -> ${v}`))
          if (op.after && !op.after(state)) problems.push(`${label} succeeded but its result is not in the store`)
        } catch (error) {
          refused++
          const why = typedError(error)
          if (why) problems.push(`${label} -> ${why}`)
          else if (CONTROL.test((error as Error).message))
            controlMessages.push(`${label} -> ${JSON.stringify((error as Error).message).slice(0, 300)}`)
          if (!readFileSync(b.store).equals(seedBytesDomain)) problems.push(`${label} was refused but changed the store`)
        }
      }),
      {numRuns: runs, seed: SEED},
    )
    domainRefused = refused
    report(
      'hostile',
      `domain in-process: ${runs} generated operations x 4 actors (seed ${SEED}): ${accepted} accepted, ${refused} refused with a typed error, ${problems.length} untyped/partial/invalid`,
      {
        cases: runs,
        accepted,
        refused,
        problems: problems.length,
      },
    )
    expect(problems.slice(0, 20), problems.slice(0, 20).join('\n')).toEqual([])
  })

  it('error messages never echo raw control characters from the input (the product quote()s values elsewhere)', () => {
    const samples = controlMessages.slice(0, 5)
    report(
      'hostile',
      `error messages: ${controlMessages.length} of ${domainRefused} refused domain operations echoed raw control characters (ESC, CR/LF, NUL) from a name`,
      {
        refused: domainRefused,
        withControlCharacters: controlMessages.length,
      },
    )
    expect(samples, samples.join('\n')).toEqual([])
  })

  it('the store loader on hostile files: a state or store_error (exit 7), never a crash', async () => {
    const runs = scaled(300)
    const b = box('hostile-codec')
    boxes.push(b)
    await seedStore(b.store)
    const good = JSON.parse(readFileSync(b.store, 'utf8'))
    const problems: string[] = []
    let loaded = 0
    let refused = 0
    // A valid document with one value somewhere replaced by something hostile, or a hostile document.
    const paths: (string | number)[][] = []
    const walk = (value: unknown, path: (string | number)[]) => {
      paths.push(path)
      if (Array.isArray(value)) value.forEach((v, i) => walk(v, [...path, i]))
      else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) walk(v, [...path, k])
    }
    walk(good, [])
    const hostileValue = fc.oneof(
      fc.jsonValue({maxDepth: 3}),
      hostileString,
      fc.constantFrom(null, -1, 1e308, 0.5, [], {}, {__proto__: null}, true),
      fc.constant('__PROTO__'),
    )
    await fc.assert(
      fc.asyncProperty(
        fc.nat(paths.length - 1),
        hostileValue,
        fc.oneof(fc.constant(undefined), fc.string({unit: 'binary', maxLength: 200})),
        async (at, value, raw) => {
          let text: string
          if (raw !== undefined) text = raw
          else {
            const doc = structuredClone(good)
            const path = paths[at]!
            if (path.length === 0) text = JSON.stringify(value)
            else {
              let parent = doc
              for (const key of path.slice(0, -1)) parent = parent[key]
              parent[path.at(-1)!] = value
              text = JSON.stringify(doc)
            }
            // A `__proto__` key as an own JSON key, as a hand edit could write it.
            if (value === '__PROTO__') text = text.replace('"users":', '"__proto__":{"polluted":true},"users":')
          }
          writeFileSync(b.store, text)
          try {
            const state = await new JsonStore(b.store).read()
            loaded++
            if (({} as Record<string, unknown>).polluted !== undefined) problems.push('Object.prototype was polluted')
            void state
          } catch (error) {
            refused++
            if (!(error instanceof OrgctlError) || error.id !== 'store_error')
              problems.push(`${text.slice(0, 200)} -> ${(error as Error).stack ?? error}`)
          }
          if (readFileSync(b.store, 'utf8') !== text) problems.push('the loader rewrote the file')
        },
      ),
      {numRuns: runs, seed: SEED},
    )
    report(
      'hostile',
      `store loader: ${runs} hostile store files (seed ${SEED}): ${loaded} loaded, ${refused} refused as store_error, ${problems.length} crashes`,
      {
        cases: runs,
        loaded,
        refused,
        problems: problems.length,
      },
    )
    expect(problems.slice(0, 10), problems.slice(0, 10).join('\n')).toEqual([])
  })

  // -------------------------------------------------------------------------------------------
  // 3. Every server route, in-process
  // -------------------------------------------------------------------------------------------

  describe('server routes in-process', () => {
    let server: FastifyInstance
    let port: number
    let b: Box

    beforeAll(async () => {
      b = box('hostile-server')
      boxes.push(b)
      await seedStore(b.store)
      seedBytes = readFileSync(b.store)
      server = await buildServer({storage: new JsonStorage(b.store), rateLimitPerHour: 1_000_000_000})
      await server.listen({port: 0, host: '127.0.0.1'})
      port = (server.server.address() as {port: number}).port
    })
    afterAll(async () => {
      await server?.close()
    })

    // Every route of the table the server registers (src/lib/api/routes.ts), in the router's syntax.
    const ROUTES: [string, string][] = (Object.values(ROUTE_TABLE) as Route[]).map((route) => [route.method, routerPath(route)])

    /** A body shaped like what the route expects, with hostile values (or wrong types). */
    const shapedBody = fc
      .record(
        {
          name: fc.oneof(hostileString, fc.jsonValue({maxDepth: 1})),
          email: hostileString,
          role: fc.oneof(hostileString, fc.constantFrom('admin', 'member', 'collaborator', 'owner', 'viewer')),
          user: hostileString,
          permissions: fc.oneof(
            hostileList,
            fc.array(fc.constantFrom('view', 'deploy', 'operate', 'manage', 'VIEW', '__proto__'), {maxLength: 12}),
            hostileString,
          ),
          limits: fc.oneof(
            fc.dictionary(
              fc.constantFrom('apps', 'members', 'dyno-units', '__proto__', 'constructor'),
              fc.oneof(fc.integer(), fc.double(), hostileString),
            ),
            hostileString,
          ),
          team: hostileString,
          owner: hostileString,
          locked: fc.oneof(fc.boolean(), hostileString, fc.constant(null)),
          app: hostileString,
          recipient: hostileString,
          state: fc.oneof(fc.constantFrom('accepted', 'declined', 'pending'), hostileString),
          description: hostileString,
          region: hostileString,
          personal: fc.oneof(fc.boolean(), hostileString),
          updates: fc.oneof(
            fc.array(
              fc.record(
                {
                  type: fc.oneof(hostileString, fc.constantFrom('web', 'worker')),
                  quantity: fc.oneof(fc.integer({min: -5, max: 200}), hostileString, fc.constantFrom('+1', '-2', '999')),
                  size: fc.oneof(hostileString, fc.constantFrom('standard-1x', 'performance-l')),
                },
                {requiredKeys: []},
              ),
              {maxLength: 25},
            ),
            hostileString,
          ),
        },
        {requiredKeys: []},
      )
      .map((body) => JSON.stringify(body))

    const bodyArb: fc.Arbitrary<{text?: string; type?: string}> = fc.oneof(
      {weight: 6, arbitrary: shapedBody.map((text) => ({text, type: 'application/json'}))},
      {
        weight: 2,
        arbitrary: fc
          .jsonValue({maxDepth: 3})
          .map((v) => ({text: JSON.stringify(v) ?? 'null', type: 'application/vnd.heroku+json; version=3'})),
      },
      {weight: 1, arbitrary: fc.string({unit: 'binary', maxLength: 200}).map((text) => ({text, type: 'application/json'}))},
      {
        weight: 1,
        arbitrary: fc
          .constantFrom(
            '{"__proto__": {"polluted": true}, "name": "proto-org"}',
            '{"constructor": {"prototype": {"polluted": true}}, "email": "a@b.cd", "role": "admin"}',
            '{"email": "a@b.cd", "role": "admin", "__proto__": {"role": "admin"}}',
            '{"user": "x@y.zz", "permissions": {"__proto__": []}}',
            '{',
            '[]',
            'null',
            '"str"',
            '1',
            '{"a":1}{"b":2}',
            '\uFEFF{}',
          )
          .map((text) => ({text, type: 'application/json'})),
      },
      {weight: 1, arbitrary: fc.constant({text: `{"name":"${'x'.repeat(70 * 1024)}"}`, type: 'application/json'})},
      {
        weight: 1,
        arbitrary: fc.constantFrom(
          {text: 'name=x', type: 'application/x-www-form-urlencoded'},
          {text: '{"name":"x"}', type: 'text/plain'},
          {text: '{}', type: 'application/json; charset=utf-16'},
        ),
      },
      {weight: 1, arbitrary: fc.constant({})},
    )

    const paramArb = fc.oneof(
      {weight: 5, arbitrary: hostileString.map((s) => encodeURIComponent(s))},
      {
        weight: 1,
        arbitrary: fc.constantFrom(
          '..',
          '%2e%2e',
          '.%2F..',
          '%00',
          '%ff',
          '%',
          '%%',
          'a%2Fb',
          '~',
          '%7E',
          '%20',
          'ACME-HOSTILE',
          '%5F_proto__',
        ),
      },
    )

    const authArb = fc.oneof(
      {weight: 8, arbitrary: fc.constantFrom(...ACTORS).map((actor) => ({actor, header: `Bearer ${tokens[actor]}`}))},
      {
        weight: 1,
        arbitrary: fc
          .constantFrom(...ACTORS)
          .map((actor) => ({actor, header: `Basic ${Buffer.from(`:${tokens[actor]}`).toString('base64')}`})),
      },
      {
        weight: 1,
        arbitrary: fc
          .oneof(
            fc.constantFrom('', 'Bearer', 'Bearer ', 'Basic Og==', 'Basic !!!', 'Bearer orgctl_', 'Digest x', `Bearer ${'a'.repeat(8000)}`),
            fc.string({unit: 'grapheme-ascii', maxLength: 60}),
          )
          .map((header) => ({actor: undefined as string | undefined, header})),
      },
    )

    const rangeArb = fc.oneof(
      {weight: 6, arbitrary: fc.constant(undefined)},
      {
        weight: 2,
        arbitrary: fc.constantFrom(
          'name ..',
          'email ..; max=0',
          'id ]zz..; max=1000000, order=desc',
          'name',
          '..',
          'name ..; max=-1',
          'name ..; foo=bar',
          '__proto__ ..',
          'name ..;;;,,,',
          `name ${'a'.repeat(4000)}..`,
        ),
      },
      {weight: 1, arbitrary: fc.string({unit: 'grapheme-ascii', maxLength: 60})},
    )

    function send(
      method: string,
      path: string,
      headers: Record<string, string>,
      body?: string,
    ): Promise<{status: number; text: string; headers: Record<string, unknown>}> {
      return new Promise((resolve, reject) => {
        const req = httpRequest(
          {
            host: '127.0.0.1',
            port,
            method,
            path,
            headers: {...headers, ...(body === undefined ? {} : {'content-length': String(Buffer.byteLength(body))})},
            timeout: 20_000,
          },
          (res) => {
            let text = ''
            res.setEncoding('utf8')
            res.on('data', (chunk: string) => (text += chunk))
            res.on('end', () => resolve({status: res.statusCode ?? 0, text, headers: res.headers}))
            res.on('error', reject)
          },
        )
        req.on('timeout', () => req.destroy(new Error('timed out (hang)')))
        req.on('error', reject)
        req.end(body)
      })
    }

    it('every route: a 2xx, or a 4xx with a JSON {id, message}; never a 5xx or a hang; refused requests leave the store as it was', async () => {
      const runs = scaled(500)
      const problems: string[] = []
      const kinds = new Map<string, number>()
      const kind = (what: string) => kinds.set(what, (kinds.get(what) ?? 0) + 1)
      const statuses = new Map<number, number>()
      let writes = 0
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom(...ROUTES),
          fc.array(paramArb, {minLength: 3, maxLength: 3}),
          bodyArb,
          authArb,
          rangeArb,
          fc.option(
            fc.constantFrom(
              '?__proto__[polluted]=1',
              '?constructor[prototype][x]=1',
              '?history=true',
              '?start=2020-01&end=9999-99',
              '?start=%00',
              `?x=${'a'.repeat(3000)}`,
            ),
            {nil: ''},
          ),
          async ([method, template], params, body, auth, range, query) => {
            writeFileSync(`${b.store}.next`, seedBytes)
            renameSync(`${b.store}.next`, b.store)
            let i = 0
            const path = template.replace(/:\w+/g, () => params[i++]!) + query
            const headers: Record<string, string> = {accept: 'application/vnd.heroku+json; version=3'}
            try {
              if (auth.header !== '') headers.authorization = auth.header
              if (range !== undefined) headers.range = range
              if (body.type) headers['content-type'] = body.type
            } catch {
              return
            }
            const label = `${method} ${path.slice(0, 200)} as ${auth.actor ?? JSON.stringify(auth.header.slice(0, 40))} body ${body.text?.slice(0, 200)} range ${range?.slice(0, 60)}`
            let response
            try {
              response = await send(method, path, headers, method === 'GET' || method === 'DELETE' ? undefined : body.text)
            } catch (error) {
              if (
                (error as NodeJS.ErrnoException).code === 'ERR_INVALID_CHAR' ||
                (error as NodeJS.ErrnoException).code === 'ERR_UNESCAPED_CHARACTERS' ||
                (error as NodeJS.ErrnoException).code === 'ERR_INVALID_HTTP_TOKEN'
              )
                return
              problems.push(`${label} -> ${(error as Error).message}`)
              return
            }
            statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1)
            if (response.status >= 500 || response.status < 200) kind(`status ${response.status}`)
            if (response.status >= 500 || response.status < 200)
              problems.push(`${label} -> ${response.status} ${response.text.slice(0, 300)}`)
            let parsed: any
            try {
              parsed = JSON.parse(response.text)
            } catch {
              problems.push(`${label} -> ${response.status} with a body that is not JSON: ${response.text.slice(0, 200)}`)
            }
            const changed = !readFileSync(b.store).equals(seedBytes)
            if (response.status >= 400) {
              if (parsed && (typeof parsed.id !== 'string' || typeof parsed.message !== 'string')) {
                kind(`${response.status} ${parsed.code ?? ''} without {id, message}`)
                problems.push(`${label} -> ${response.status} without {id, message}: ${response.text.slice(0, 200)}`)
              }
              if (changed) problems.push(`${label} -> ${response.status} but the store changed`)
            } else if (changed) {
              writes++
              if (method === 'GET') problems.push(`${label} -> a GET changed the store`)
              problems.push(...invariants(await loadStore(b.store)).map((v) => `${label} -> ${v}`))
            }
            if (({} as Record<string, unknown>).polluted !== undefined) problems.push(`${label} polluted Object.prototype`)
          },
        ),
        {numRuns: runs, seed: SEED},
      )
      const byClass = [...statuses.entries()]
        .sort(([a], [b2]) => a - b2)
        .map(([s, n]) => `${s}:${n}`)
        .join(' ')
      const fives = [...statuses.entries()].filter(([s]) => s >= 500).reduce((sum, [, n]) => sum + n, 0)
      const byKind = [...kinds.entries()].map(([k, n]) => `${n} x ${k}`).join('; ')
      report(
        'hostile',
        `server routes in-process: ${runs} generated requests over ${ROUTES.length} routes (seed ${SEED}): statuses ${byClass}; ${writes} accepted writes; 5xx ${fives}; ${problems.length} problems${byKind ? ` (${byKind})` : ''}`,
        {
          cases: runs,
          routes: ROUTES.length,
          status5xx: fives,
          writes,
          problems: problems.length,
        },
      )
      expect(problems.slice(0, 20), problems.slice(0, 20).join('\n')).toEqual([])
    })

    it('concurrent bursts mixing accepted and refused writes: every 2xx is in the store, no refused change leaves a trace', async () => {
      const rounds = scaled(10)
      const problems: string[] = []
      let accepted = 0
      let refusedCount = 0
      writeFileSync(`${b.store}.next`, seedBytes)
      renameSync(`${b.store}.next`, b.store)
      for (let round = 0; round < rounds; round++) {
        const requests = Array.from({length: 16}, (_, i) => {
          const ok = i % 2 === 0
          const email = `${ok ? 'ok' : 'no'}-${round}-${i}@hostile.test`
          // Refused for a reason found only inside the change: the role (forbidden), or the members limit (10).
          const actor = ok ? ADMIN : i % 4 === 1 ? MEMBER : COLLAB
          return send(
            'POST',
            `/teams/${ORG}/members`,
            {authorization: `Bearer ${tokens[actor]}`, 'content-type': 'application/json'},
            JSON.stringify({email, role: 'member'}),
          ).then((r) => ({
            ok,
            email,
            status: r.status,
          }))
        })
        const results = await Promise.all(requests)
        const state = await loadStore(b.store)
        const members = state.orgs.get(ORG)!.members
        for (const r of results) {
          if (r.status >= 500) problems.push(`${r.email} -> ${r.status}`)
          if (r.status === 201) {
            accepted++
            if (!members.has(r.email)) problems.push(`acknowledged ${r.email} is missing`)
          } else {
            refusedCount++
            if (members.has(r.email) || state.users.has(r.email)) problems.push(`refused ${r.email} (${r.status}) left a trace`)
          }
          if (!r.ok && r.status < 400) problems.push(`${r.email} should have been refused, got ${r.status}`)
        }
        problems.push(...invariants(state))
        // Make room again (the org allows 10 members): back to the seed.
        writeFileSync(`${b.store}.next`, seedBytes)
        renameSync(`${b.store}.next`, b.store)
      }
      report(
        'hostile',
        `server concurrent bursts: ${rounds} x 16 concurrent POST members, ${accepted} accepted all present, ${refusedCount} refused none leaving a trace, ${problems.length} problems`,
        {
          rounds,
          accepted,
          refused: refusedCount,
          problems: problems.length,
        },
      )
      expect(problems, problems.join('\n')).toEqual([])
    })
  })

  // -------------------------------------------------------------------------------------------
  // 4. The CLI binary
  // -------------------------------------------------------------------------------------------

  it('the CLI binary: a typed exit (0, 2-6) with one error line and the store untouched when refused', async () => {
    const runs = scaled(30)
    const b = box('hostile-cli')
    boxes.push(b)
    await seedStore(b.store)
    const base = join(b.dir, 'base.json')
    copyFileSync(b.store, base)
    const baseBytes = readFileSync(base)
    const argvSafe = hostileString.map((s) => s.replace(/\u0000/g, '')).filter((s) => s.length < 5000)
    const templates: ((s: string, t: string) => string[])[] = [
      (s) => ['members:add', s, '--org', ORG],
      (s, t) => ['members:add', 'new@hostile.test', '--org', s, '--role', t],
      (s) => ['members:set', MEMBER, '--org', ORG, '--role', s],
      (s) => ['members:remove', s, '--org', ORG],
      (s, t) => ['access:add', s, '--app', 'org-app', '--permissions', t],
      (s) => ['access:update', COLLAB, '--app', 'org-app', '--permissions', s],
      (s) => ['create', s, '--org', ORG],
      (s) => ['apps:transfer', s, '--app', 'org-app'],
      (s, t) => ['orgs:create', s, '--limit', t],
      (s) => ['ps:scale', s, '--app', 'org-app'],
      (s) => ['apps:info', '--app', s, '--json'],
      (s) => ['members', '--org', s, '--json'],
      (s) => ['apps:lock', '--app', s],
      (s) => ['apps:destroy', s, '--confirm', s],
      (s) => ['transfers:accept', s],
      (s) => ['authorizations:revoke', s],
      (s) => ['authorizations:create', '--description', s, '--json'],
    ]
    const cases = fc.sample(
      fc.tuple(fc.nat(templates.length - 1), argvSafe, argvSafe, fc.constantFrom(ADMIN, MEMBER, COLLAB), fc.boolean()),
      {numRuns: runs, seed: SEED},
    )
    const problems: string[] = []
    const codes = new Map<number, number>()
    let n = 0
    await pool(
      cases.map(([t, s, u, actor, hostileEnv]) => async () => {
        const store = join(b.dir, `case-${n++}.json`)
        copyFileSync(base, store)
        const args = templates[t]!(s, u)
        // Sometimes the hostile value comes through the environment instead.
        const env = b.env({ORGCTL_STORE: store, ORGCTL_USER: actor, ...(hostileEnv ? {ORGCTL_ORG: s, ORGCTL_APP: u} : {})})
        const result = await run(args, env, {timeoutMs: 30_000})
        codes.set(result.code, (codes.get(result.code) ?? 0) + 1)
        const label = `${actor}: orgctl ${JSON.stringify(args).slice(0, 300)}`
        if (result.timedOut || result.signal) problems.push(show(result, `${label} hung or crashed`))
        else if (![0, 2, 3, 4, 5, 6].includes(result.code)) problems.push(show(result, `${label}: untyped exit`))
        else if (result.code !== 0) {
          if (!isOneLineError(result)) problems.push(show(result, `${label}: not one error line`))
          if (!readFileSync(store).equals(baseBytes)) problems.push(`${label}: refused (exit ${result.code}) but the store changed`)
        } else if (args.includes('--json') && !args.some((arg) => arg === '--help' || arg === '-h')) {
          // (A generated value of --help asks for help, which wins over --json, as in oclif and Heroku's CLI.)
          try {
            JSON.parse(result.stdout)
          } catch {
            problems.push(show(result, `${label}: --json output is not JSON`))
          }
        }
        if (CONTROL.test(result.stderr.replace(/\n/g, ''))) problems.push(show(result, `${label}: raw control characters on stderr`))
      }),
      2,
    )
    const byCode = [...codes.entries()]
      .sort(([a], [b2]) => a - b2)
      .map(([c, k]) => `exit ${c}: ${k}`)
      .join(', ')
    report('hostile', `CLI binary: ${runs} generated invocations (seed ${SEED}): ${byCode}; ${problems.length} problems`, {
      cases: runs,
      problems: problems.length,
    })
    expect(problems.slice(0, 10), problems.slice(0, 10).join('\n')).toEqual([])
  })
})
