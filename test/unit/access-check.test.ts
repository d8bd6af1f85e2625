/**
 * access:check against enforcement: for every standing (admin, member joined or not, collaborator with
 * each permission set, member-list collaborator, nobody, a personal app's owner and its collaborator),
 * on a locked and an unlocked app, a check says allowed iff the command that needs the permission
 * gets through (view: apps:info, operate: ps:scale, manage: access:remove; deploy, which no command
 * of orgctl enforces, against every matrix row that needs a permission), and who-can lists exactly
 * those the checks allow.
 */
import {afterEach, beforeAll, describe, expect, it} from 'vitest'

import {HttpBackend} from '../../src/lib/backend/http-backend.js'

import {addAccess, removeAccess} from '../../src/lib/domain/access.js'
import {createApp, getApp, joinApp, setLocked} from '../../src/lib/domain/apps.js'
import {checkAccess, whoCan} from '../../src/lib/domain/checks.js'
import {appSubject, Ctx} from '../../src/lib/domain/context.js'
import {scale} from '../../src/lib/domain/formation.js'
import {addMember} from '../../src/lib/domain/members.js'
import {createOrg} from '../../src/lib/domain/orgs.js'
import {isAllowed, PERMISSION_MATRIX, ruleFor} from '../../src/lib/domain/permissions.js'
import {APP_PERMISSIONS, type AppPermission} from '../../src/lib/domain/types.js'
import {DEFAULT_LIMITS} from '../../src/lib/domain/validation.js'
import {ANSWER_EXIT_CODES, OrgctlError} from '../../src/lib/errors.js'
import {type FakeApi, fakeApi} from '../helpers/fake-api.js'
import {fakeBackend, runCommand} from '../helpers/command.js'
import {ADMIN, world} from './fixture.js'

const ORG = 'acme-widgets'
const APPS = ['acme-api', 'acme-vault'] // the second is locked
const PERSONAL = 'solo-app'
const OWNER = 'owner@solo.test'
const TARGET = 'target@partner.test'

/** Each person and how they stand. */
const PEOPLE: Record<string, {email: string; perms?: AppPermission[]; role?: 'member' | 'collaborator'}> = {
  admin: {email: ADMIN},
  'member, not joined': {email: 'member@acme.test', role: 'member'},
  'member, joined': {email: 'joined@acme.test', role: 'member'},
  'member with deploy': {email: 'mdeploy@acme.test', role: 'member', perms: ['deploy']},
  'collaborator (view)': {email: 'cview@partner.test', perms: []},
  'collaborator (deploy)': {email: 'cdeploy@partner.test', perms: ['deploy']},
  'collaborator (operate)': {email: 'coperate@partner.test', perms: ['operate']},
  'collaborator (manage)': {email: 'cmanage@partner.test', perms: ['manage']},
  'collaborator (all)': {email: 'call@partner.test', perms: ['deploy', 'operate', 'manage']},
  'org collaborator role, no app': {email: 'crole@partner.test', role: 'collaborator'},
  'org collaborator role, with deploy': {email: 'croledeploy@partner.test', role: 'collaborator', perms: ['deploy']},
  nobody: {email: 'nobody@elsewhere.test'},
}

const w = world()
const ROLLBACK = new Error('rollback')

/** What the enforcing command answers as `email`: ok, or the error id (the change rolled back either way). */
async function enforced(email: string, app: string, permission: AppPermission): Promise<boolean | undefined> {
  if (permission === 'deploy') return undefined
  try {
    await w.storage.write(async (tx) => {
      const ctx = new Ctx(tx, email)
      if (permission === 'view') await getApp(ctx, app)
      if (permission === 'operate') await scale(ctx, app, [{type: 'web', quantity: 1}])
      if (permission === 'manage') await removeAccess(ctx, app, TARGET)
      throw ROLLBACK
    })
  } catch (error) {
    if (error === ROLLBACK) return true
    expect(['forbidden', 'not_found'], (error as Error).message).toContain((error as OrgctlError).id)
    return false
  }
  throw new Error('unreachable')
}

beforeAll(async () => {
  const admin = w.as(ADMIN)
  await admin.write(createOrg, ORG, DEFAULT_LIMITS)
  for (const app of APPS) await admin.write(createApp, {name: app, org: ORG, region: 'us'})
  for (const person of Object.values(PEOPLE)) if (person.role) await admin.write(addMember, ORG, person.email, person.role)
  for (const app of APPS) {
    await w.as('joined@acme.test').write(joinApp, app)
    await admin.write(addAccess, app, TARGET, ['view'])
    for (const person of Object.values(PEOPLE)) if (person.perms) await admin.write(addAccess, app, person.email, person.perms)
  }
  await admin.write(setLocked, APPS[1]!, true)
  await w.as(OWNER).write(createApp, {name: PERSONAL, region: 'us'})
  await w.as(OWNER).write(addAccess, PERSONAL, 'pcollab@solo.test')
  await w.as(OWNER).write(addAccess, PERSONAL, TARGET)
})

describe('access:check answers what enforcement does', () => {
  const cases: [string, string, string][] = []
  for (const app of APPS) for (const [label, {email}] of Object.entries(PEOPLE)) cases.push([label, email, app])
  cases.push(["a personal app's owner", OWNER, PERSONAL], ['a personal app collaborator', 'pcollab@solo.test', PERSONAL])
  cases.push(['a stranger to a personal app', 'nobody@elsewhere.test', PERSONAL])

  for (const [label, email, app] of cases) {
    for (const permission of APP_PERMISSIONS) {
      it(`${label} on ${app}: ${permission}`, async () => {
        const check = await w.as(ADMIN === email ? ADMIN : app === PERSONAL ? OWNER : ADMIN).read(checkAccess, app, email, permission)
        const real = await enforced(email, app, permission)
        if (real !== undefined) expect(check.allowed, check.via).toBe(real)
        // Every matrix row that needs this permission lets the subject through exactly when the check says so.
        const subject = await w.look((tx) => tx.apps.byName(app).then((found) => appSubject(new Ctx(tx, ADMIN), found!, email)))
        for (const row of PERMISSION_MATRIX.filter((r) => r.scope === 'app' && !('lockedAdminsOnly' in r))) {
          const cell = row.rules[subject.standing]
          if (typeof cell === 'object' && cell.needs === permission) {
            expect(isAllowed(row.action, subject), `${row.action}: ${check.via}`).toBe(check.allowed)
          }
        }
        expect(check.via.length).toBeGreaterThan(0)
      })
    }
  }

  it('explains in the words of the matrix', async () => {
    const admin = w.as(ADMIN)
    expect((await admin.read(checkAccess, 'acme-api', ADMIN, 'manage')).via).toBe('admin of acme-widgets')
    expect((await admin.read(checkAccess, 'acme-api', 'member@acme.test', 'operate')).via).toBe('member: no operate on this app')
    expect((await admin.read(checkAccess, 'acme-api', 'cdeploy@partner.test', 'deploy')).via).toBe('collaborator with view, deploy')
    expect((await admin.read(checkAccess, 'acme-vault', 'cmanage@partner.test', 'manage')).via).toMatch(
      /locked: only admins may add access/,
    )
    expect((await w.as(OWNER).read(checkAccess, PERSONAL, OWNER, 'deploy')).via).toBe(`owner of ${PERSONAL}`)
  })

  it('who-can lists exactly those a check allows', async () => {
    for (const app of APPS) {
      for (const permission of APP_PERMISSIONS) {
        const {holders} = await w.as(ADMIN).read(whoCan, app, permission)
        const everyone = [...Object.values(PEOPLE).map((p) => p.email), TARGET]
        const allowed = []
        for (const email of everyone) if ((await w.as(ADMIN).read(checkAccess, app, email, permission)).allowed) allowed.push(email)
        expect(holders.map((h) => h.email)).toEqual(allowed.sort())
      }
    }
  })

  it('documents who may ask as the access:list row it enforces, and access:export as members:list', () => {
    expect(ruleFor('access:check').rules).toEqual(ruleFor('access:list').rules)
    expect(ruleFor('access:export').rules).toEqual(ruleFor('members:list').rules)
  })

  it('may be asked by anyone who may list the access, and no one else', async () => {
    expect((await w.as('cview@partner.test').read(checkAccess, 'acme-api', ADMIN, 'view')).allowed).toBe(true)
    const refused = await w
      .as('nobody@elsewhere.test')
      .read(checkAccess, 'acme-api', ADMIN, 'view')
      .catch((error: OrgctlError) => error)
    expect((refused as OrgctlError).id).toBe('not_found')
  })
})

describe('access:check exit codes', () => {
  const run = (fail: () => never) =>
    runCommand('access:check', ['dev@acme.test', 'deploy', '--app', 'acme-api'], {
      backend: async () => fakeBackend({checkAccess: async () => fail()}),
    })

  it('exits 12, not 1, on an error whose code is 1 elsewhere', async () => {
    const internal = await run(() => {
      throw new Error('boom')
    })
    expect(internal.code).toBe(ANSWER_EXIT_CODES.checkFailed)
    expect(internal.stderr).toBe('Error: boom\n')
    const partial = await run(() => {
      throw new OrgctlError('partial_failure', 'some failed')
    })
    expect(partial.code).toBe(12)
  })

  it('keeps every other error its own code', async () => {
    for (const [id, code] of [
      ['network_error', 9],
      ['rate_limit', 10],
      ['not_found', 3],
      ['forbidden', 4],
      ['store_unavailable', 7],
    ] as const) {
      const result = await run(() => {
        throw new OrgctlError(id, 'no')
      })
      expect(result.code, id).toBe(code)
    }
  })
})

describe('access:check over HTTP: only a yes or no to the question asked is an answer', () => {
  let api: FakeApi | undefined
  afterEach(async () => {
    await api?.close()
    api = undefined
  })
  const answering = async (body: unknown): Promise<HttpBackend> => {
    api = await fakeApi((_req, res) => {
      res.writeHead(200, {'content-type': 'application/json'})
      res.end(JSON.stringify(body))
    })
    return new HttpBackend(api.client)
  }
  const good = {allowed: true, email: 'dev@acme.test', app: 'acme-api', permission: 'deploy', via: 'admin of acme'}

  it('takes the answer to its question', async () => {
    expect(await (await answering(good)).checkAccess('acme-api', 'dev@acme.test', 'deploy')).toEqual(good)
  })

  it.each([
    ['allowed as a string', {...good, allowed: 'yes'}],
    ['no allowed', {email: 'dev@acme.test', app: 'acme-api', permission: 'deploy', via: 'x'}],
    ['another permission', {...good, permission: 'view'}],
    ['another user', {...good, email: 'boss@acme.test'}],
    ['another app', {...good, app: 'acme-web'}],
    ['an empty object', {}],
    ['a list', [good]],
  ])('an answer with %s is an unexpected answer (network_error, exit 9), not a yes', async (_label, body) => {
    const error = await (await answering(body)).checkAccess('acme-api', 'dev@acme.test', 'deploy').catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(OrgctlError)
    expect((error as OrgctlError).id).toBe('network_error')
    expect((error as OrgctlError).exitCode).toBe(9)
  })
})
