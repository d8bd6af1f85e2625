/**
 * Access control through both backends (the embedded store, and `orgctl serve`):
 * escalation attempts must all be refused with the store untouched (escalations = 0);
 * revoked and logged-out tokens stay dead; tokens live only as hashes, files are 0600,
 * and no token shows in any output, DEBUG=1 trace or `serve --verbose` log.
 */
import {readFileSync, statSync} from 'node:fs'
import {join} from 'node:path'

import {afterAll, describe, expect, it} from 'vitest'

import {addAccess} from '../../src/lib/domain/access.js'
import {createApp, joinApp, setLocked} from '../../src/lib/domain/apps.js'
import {addMember, removeMember} from '../../src/lib/domain/members.js'
import {createOrg} from '../../src/lib/domain/orgs.js'
import {createAuthorization, hashToken} from '../../src/lib/domain/tokens.js'
import {type Box, box, type Env, report, run, type RunResult, seed, show, startServe} from './_util.js'

const ORG = 'acme-access'
const OTHER = 'other-org'
const ADMIN = 'admin@access.test'
const MEMBER = 'member@access.test'
const COLLAB = 'collab@access.test'
const STRANGER = 'stranger@access.test'
const REMOVED = 'removed@access.test'
const USERS = [ADMIN, MEMBER, COLLAB, STRANGER, REMOVED]

const boxes: Box[] = []
afterAll(() => {
  for (const b of boxes) b.cleanup()
})

async function seedStore(store: string): Promise<Record<string, string>> {
  const tokens: Record<string, string> = {}
  await seed(store, async (_state, as) => {
    const admin = as(ADMIN)
    await createOrg(admin, ORG, {apps: 50, members: 50, 'dyno-units': 100})
    await addMember(admin, ORG, MEMBER, 'member')
    await addMember(admin, ORG, REMOVED, 'member')
    await createApp(admin, {name: 'org-app', org: ORG, region: 'us'})
    await createApp(admin, {name: 'locked-app', org: ORG, region: 'us'})
    await setLocked(admin, 'locked-app', true)
    await addAccess(admin, 'org-app', COLLAB, ['view'])
    await createApp(admin, {name: 'admin-personal', region: 'us'})
    await joinApp(as(REMOVED), 'org-app')
    await removeMember(admin, ORG, REMOVED)
    const stranger = as(STRANGER)
    await createOrg(stranger, OTHER, {apps: 50, members: 50, 'dyno-units': 100})
    await createApp(stranger, {name: 'other-app', org: OTHER, region: 'us'})
    await createApp(stranger, {name: 'stranger-app', region: 'us'})
    for (const email of USERS) tokens[email] = (await createAuthorization(as(email), 'access test')).token
  })
  return tokens
}

/** Each attempt: who, what; all must be refused (exit 3 or 4, or 5 for a conflict) with the store untouched. */
const ATTEMPTS: [string, string, string[]][] = [
  [COLLAB, 'collaborator gives themselves manage', ['access:update', COLLAB, '--app', 'org-app', '--permissions', 'manage']],
  [COLLAB, 'collaborator re-adds themselves with manage', ['access:add', COLLAB, '--app', 'org-app', '--permissions', 'view,manage']],
  [COLLAB, 'collaborator (view) shares the app', ['access:add', 'friend@access.test', '--app', 'org-app', '--permissions', 'deploy']],
  [COLLAB, 'collaborator (view) scales', ['ps:scale', 'web=1', '--app', 'org-app']],
  [COLLAB, 'collaborator (view) destroys the app', ['apps:destroy', 'org-app', '--confirm', 'org-app']],
  [COLLAB, 'collaborator lists the org members', ['members', '--org', ORG]],
  [COLLAB, 'collaborator locks the app', ['apps:lock', '--app', 'org-app']],
  [MEMBER, 'member promotes themselves (members:set)', ['members:set', MEMBER, '--role', 'admin', '--org', ORG]],
  [MEMBER, 'member promotes themselves (members:add)', ['members:add', MEMBER, '--role', 'admin', '--org', ORG]],
  [MEMBER, 'member adds a member', ['members:add', 'friend@access.test', '--org', ORG]],
  [MEMBER, 'member removes the admin', ['members:remove', ADMIN, '--org', ORG]],
  [MEMBER, 'member locks an app', ['apps:lock', '--app', 'org-app']],
  [MEMBER, 'member unlocks a locked app', ['apps:unlock', '--app', 'locked-app']],
  [MEMBER, 'member joins a locked app', ['apps:join', '--app', 'locked-app']],
  [MEMBER, 'member shares a locked app', ['access:add', 'friend@access.test', '--app', 'locked-app', '--permissions', 'deploy']],
  [MEMBER, 'member views usage (admins only)', ['orgs:usage', '--org', ORG]],
  [MEMBER, 'member views billing (admins only)', ['orgs:billing', '--org', ORG]],
  [MEMBER, "member acts on another org's app by name (info)", ['apps:info', '--app', 'other-app']],
  [MEMBER, "member acts on another org's app by name (join)", ['apps:join', '--app', 'other-app']],
  [MEMBER, "member acts on another org's app by name (share)", ['access:add', MEMBER, '--app', 'other-app']],
  [MEMBER, "member acts on another org's app by name (destroy)", ['apps:destroy', 'other-app', '--confirm', 'other-app']],
  [MEMBER, "member transfers an app they do not own (someone's personal app)", ['apps:transfer', ORG, '--app', 'stranger-app']],
  [MEMBER, "member transfers the admin's personal app into the org", ['apps:transfer', ORG, '--app', 'admin-personal']],
  [MEMBER, 'member transfers an org app out to themselves', ['apps:transfer', MEMBER, '--app', 'org-app', '--confirm', 'org-app']],
  [MEMBER, 'member transfers an org app to another org', ['apps:transfer', OTHER, '--app', 'org-app']],
  [STRANGER, 'stranger lists the org members', ['members', '--org', ORG]],
  [STRANGER, 'stranger joins an org app', ['apps:join', '--app', 'org-app']],
  [STRANGER, 'stranger adds themselves to the org', ['members:add', STRANGER, '--org', ORG]],
  [REMOVED, 'removed member views the app they had joined', ['apps:info', '--app', 'org-app']],
  [REMOVED, 'removed member lists its access', ['access', '--app', 'org-app']],
  [REMOVED, 'removed member scales it', ['ps:scale', 'web=1', '--app', 'org-app']],
  [REMOVED, 'removed member rejoins it', ['apps:join', '--app', 'org-app']],
  [REMOVED, 'removed member lists the org members', ['members', '--org', ORG]],
  [REMOVED, 'removed member leaves the app (still a change)', ['apps:leave', '--app', 'org-app']],
]

/** Every output checked for tokens. */
const outputs: {label: string; text: string}[] = []

function remember(label: string, result: RunResult): RunResult {
  outputs.push({label, text: result.stdout + result.stderr})
  return result
}

describe('access control', () => {
  const figures: Record<string, {attempts: number; escalations: number}> = {}
  let serveLog = ''
  const allTokens: string[] = []

  for (const backend of ['local', 'http'] as const) {
    it(`escalation attempts through the ${backend === 'local' ? 'embedded store' : 'server'}: all refused, store untouched`, async () => {
      const b = box(`access-${backend}`)
      boxes.push(b)
      const tokens = await seedStore(b.store)
      allTokens.push(...Object.values(tokens))
      const served = backend === 'http' ? await startServe(b.store, b.env({DEBUG: '1'}), ['--verbose']) : undefined
      const escalations: string[] = []
      try {
        const envFor = (user: string, extra: Env = {}): Env =>
          served
            ? b.env({ORGCTL_STORE: undefined, ORGCTL_API_URL: served.url, ORGCTL_API_KEY: tokens[user], ...extra})
            : b.env({ORGCTL_USER: user, ...extra})
        for (const [i, [user, what, args]] of ATTEMPTS.entries()) {
          const before = readFileSync(b.store)
          // Every third attempt with DEBUG=1: the traces must not show the token either.
          const result = remember(
            `${backend}: ${what}`,
            await run(args, envFor(user, i % 3 === 0 ? {DEBUG: '1'} : {}), {timeoutMs: 30_000}),
          )
          const changed = !readFileSync(b.store).equals(before)
          if (result.code === 0 || changed || ![3, 4, 5].includes(result.code))
            escalations.push(`${what}: exit ${result.code}, store changed ${changed}\n${show(result)}`)
        }
        // Sanity: the same users can do what they are allowed to (the refusals above are not a broken setup).
        const allowed = [
          await run(['apps:info', '--app', 'org-app'], envFor(COLLAB)),
          await run(['members', '--org', ORG], envFor(MEMBER)),
          await run(['apps:join', '--app', 'org-app'], envFor(MEMBER)),
        ]
        for (const r of allowed) expect(remember(`${backend}: allowed`, r).code, show(r)).toBe(0)
        if (served) {
          // A token in the query string is not a credential.
          for (const param of ['token', 'access_token', 'api_key', 'key']) {
            const response = await fetch(`${served.url}/account?${param}=${encodeURIComponent(tokens[ADMIN]!)}`)
            const text = await response.text()
            outputs.push({label: `query ${param}`, text})
            if (response.status !== 401) escalations.push(`a token in ?${param}= was accepted: ${response.status}`)
          }
          // A member cannot revoke the admin's token.
          const list = await fetch(`${served.url}/oauth/authorizations`, {headers: {authorization: `Bearer ${tokens[ADMIN]}`}})
          const adminTokenId = ((await list.json()) as {id: string}[])[0]!.id
          const revokeOther = remember('member revokes the admin token', await run(['authorizations:revoke', adminTokenId], envFor(MEMBER)))
          if (revokeOther.code === 0) escalations.push(`a member revoked the admin's token\n${show(revokeOther)}`)
          const adminStill = await fetch(`${served.url}/account`, {headers: {authorization: `Bearer ${tokens[ADMIN]}`}})
          expect(adminStill.status).toBe(200)
          // authorizations:revoke: the token is dead at once.
          const mine = await fetch(`${served.url}/oauth/authorizations`, {headers: {authorization: `Bearer ${tokens[MEMBER]}`}})
          const memberTokenId = ((await mine.json()) as {id: string}[])[0]!.id
          const revoke = remember('member revokes own token', await run(['authorizations:revoke', memberTokenId], envFor(MEMBER)))
          expect(revoke.code, show(revoke)).toBe(0)
          const reuse = remember('revoked token reused', await run(['members', '--org', ORG], envFor(MEMBER)))
          if (reuse.code === 0) escalations.push(`a revoked token still works\n${show(reuse)}`)
          const reuseRaw = await fetch(`${served.url}/account`, {headers: {authorization: `Bearer ${tokens[MEMBER]}`}})
          if (reuseRaw.status !== 401) escalations.push(`a revoked token answered ${reuseRaw.status}`)
          // login --api-url, then logout: the token is revoked on the server too.
          const loginEnv = b.env({ORGCTL_STORE: undefined, ORGCTL_CONFIG_DIR: join(b.dir, 'collab-config')})
          const login = remember(
            'login',
            await run(['login', '--api-url', served.url, '--token-stdin'], loginEnv, {input: `${tokens[COLLAB]}\n`}),
          )
          expect(login.code, show(login)).toBe(0)
          const configMode = statSync(join(b.dir, 'collab-config', 'config.json')).mode & 0o777
          expect(configMode, 'config.json with an API token must be 0600').toBe(0o600)
          expect(remember('after login', await run(['apps:info', '--app', 'org-app'], loginEnv)).code).toBe(0)
          const logout = remember('logout', await run(['logout'], loginEnv))
          expect(logout.code, show(logout)).toBe(0)
          const afterLogout = remember(
            'token after logout',
            await run(
              ['apps:info', '--app', 'org-app'],
              b.env({ORGCTL_STORE: undefined, ORGCTL_API_URL: served.url, ORGCTL_API_KEY: tokens[COLLAB]}),
            ),
          )
          if (afterLogout.code === 0) escalations.push(`a token still works after logout\n${show(afterLogout)}`)
          if (afterLogout.code !== 4) escalations.push(`token after logout: exit ${afterLogout.code}, expected 4`)
          // Basic auth with a revoked token is refused too.
          const basic = await fetch(`${served.url}/account`, {
            headers: {authorization: `Basic ${Buffer.from(`:${tokens[COLLAB]}`).toString('base64')}`},
          })
          if (basic.status !== 401) escalations.push(`a logged-out token over Basic auth answered ${basic.status}`)
        }
      } finally {
        await served?.stop()
        if (served) serveLog = served.log()
      }
      const attempts = ATTEMPTS.length + (backend === 'http' ? 9 : 0)
      figures[backend] = {attempts, escalations: escalations.length}
      report(
        'access',
        `${backend === 'local' ? 'embedded store' : 'orgctl serve'}: ${attempts} escalation attempts, escalations ${escalations.length}`,
        {attempts, escalations: escalations.length},
      )
      expect(escalations, escalations.join('\n\n')).toEqual([])
    })
  }

  it('secrets: tokens hashed at rest, store and config 0600, no token in any output, trace or server log', async () => {
    const b = box('access-secrets')
    boxes.push(b)
    const env = b.env({ORGCTL_USER: ADMIN})
    expect((await run(['orgs:create', ORG], env)).code).toBe(0)
    const minted = await run(['authorizations:create', '--short'], env)
    expect(minted.code, show(minted)).toBe(0)
    const token = minted.stdout.trim()
    expect(token).toMatch(/^orgctl_/)
    allTokens.push(token)
    const storeText = readFileSync(b.store, 'utf8')
    const problems: string[] = []
    if (storeText.includes(token)) problems.push('the raw token is in the store file')
    if (!storeText.includes(hashToken(token))) problems.push('the token hash is not in the store file (test setup?)')
    const storeMode = statSync(b.store).mode & 0o777
    if (storeMode !== 0o600) problems.push(`store mode ${storeMode.toString(8)}`)
    // Listing authorizations never shows a token again.
    const list = remember('authorizations --json', await run(['authorizations', '--json'], env))
    if (list.stdout.includes(token)) problems.push('authorizations lists the raw token')
    // login --email writes the config 0600.
    const login = await run(['login', '--email', ADMIN], b.env())
    expect(login.code, show(login)).toBe(0)
    const configMode = statSync(join(b.configDir, 'config.json')).mode & 0o777
    if (configMode !== 0o600) problems.push(`config mode ${configMode.toString(8)}`)
    // No token in any output collected in this file (the one that minted it is the only exception), nor in serve's log.
    let leaks = 0
    for (const {label, text} of outputs) {
      for (const t of allTokens) {
        if (text.includes(t)) {
          leaks++
          problems.push(`token printed by: ${label}`)
        }
      }
    }
    for (const t of allTokens) {
      if (serveLog.includes(t)) {
        leaks++
        problems.push('token in the serve --verbose / DEBUG log')
      }
    }
    if (serveLog.length === 0) problems.push('no serve log was captured (test setup?)')
    report(
      'access',
      `secrets: ${allTokens.length} tokens checked against ${outputs.length} outputs and ${serveLog.split('\n').length} serve --verbose log lines: leaks ${leaks}; store mode ${storeMode.toString(8)}, config mode ${configMode.toString(8)}, raw token at rest ${storeText.includes(token)}`,
      {
        tokens: allTokens.length,
        outputs: outputs.length,
        leaks,
      },
    )
    expect(problems, problems.join('\n')).toEqual([])
  })
})
