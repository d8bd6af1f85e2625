/**
 * Pointing the CLI at a server with `login --api-url`: the token is checked,
 * saved 0600, used by every command, and revoked by logout so it cannot be reused.
 */
import {statSync} from 'node:fs'
import {join} from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {HTTP, runBin, type Sandbox, sandbox, startServer, stopServer} from '../helpers/cli.js'
import {ADMIN, ORG, expectError, expectOk} from './_util.js'

describe.skipIf(HTTP)('login --api-url', () => {
  let box: Sandbox
  let server: Awaited<ReturnType<typeof startServer>>
  const env = () => ({PATH: process.env.PATH, HOME: join(box.dir, 'home'), ORGCTL_CONFIG_DIR: box.configDir, NO_COLOR: '1'})

  beforeAll(async () => {
    box = sandbox()
    expectOk(await box.run(ADMIN, ['orgs:create', ORG]))
    server = await startServer(box.store, env())
  })
  afterAll(async () => {
    await stopServer(server)
    await box.cleanup()
  })

  it('checks the token, saves it 0600, uses it, and revokes it on logout', async () => {
    const token = expectOk(await box.run(ADMIN, ['authorizations:create', '--short'])).stdout.trim()
    expect(token).toMatch(/^orgctl_/)

    expectError(await runBin(['login', '--api-url', server.url, '--token-stdin'], env(), 'orgctl_wrong\n'), 4, /Invalid credentials/)
    const login = expectOk(await runBin(['login', '--api-url', server.url, '--token-stdin'], env(), `${token}\n`))
    expect(login.stderr).toContain(`as ${ADMIN}`)
    expect(login.stdout + login.stderr).not.toContain(token)
    expect(statSync(join(box.configDir, 'config.json')).mode & 0o777).toBe(0o600)

    const members = expectOk(await runBin(['members', '--org', ORG, '--json'], env()))
    expect(members.json()).toMatchObject([{email: ADMIN, role: 'admin'}])
    expect(expectOk(await runBin(['whoami'], env())).stdout.trim()).toBe(ADMIN)

    const logout = expectOk(await runBin(['logout'], env()))
    expect(logout.stderr).toContain('Revoking the token')
    // The revoked token no longer works, even given explicitly.
    expectError(await runBin(['orgs'], {...env(), ORGCTL_API_URL: server.url, ORGCTL_API_KEY: token}), 4, /Invalid credentials/)
  })

  it('never prompts without a terminal: a missing token is a usage error', async () => {
    expectError(await runBin(['login', '--api-url', server.url], env()), 2, /token-stdin/)
  })

  it('says clearly when the server cannot be reached (exit 9: could not ask)', async () => {
    const result = await runBin(['orgs'], {...env(), ORGCTL_API_URL: 'http://127.0.0.1:9', ORGCTL_API_KEY: 'orgctl_x'})
    expectError(result, 9, /Cannot reach the orgctl API at http:\/\/127\.0\.0\.1:9/)
  })
})
