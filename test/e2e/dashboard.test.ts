/**
 * `orgctl dashboard` as a user runs it: against an API it prints a one-time link to that server's
 * Dashboard and exits; on the embedded store it serves the Dashboard itself on a loopback port until
 * stopped. Either way the link signs the browser in once (a session cookie), and never again.
 */
import {spawn} from 'node:child_process'
import {type AddressInfo, createServer} from 'node:net'
import {join} from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {BIN, HTTP, type Sandbox, sandbox} from '../helpers/cli.js'
import {ADMIN, expectError, expectOk, ORG} from './_util.js'

const LINK = /Dashboard sign-in link \(works once, for 2 minutes\): (http:\/\/\S+)/

/** Follows a sign-in link as a browser would: the session cookie it sets, and the home page it leads to. */
async function useLink(url: string): Promise<{status: number; cookie?: string; home?: string}> {
  const answer = await fetch(url, {redirect: 'manual', headers: {accept: 'text/html'}})
  const cookie = answer.headers
    .getSetCookie()
    .find((line) => line.startsWith('orgctl_session='))
    ?.split(';')[0]
  if (answer.status !== 303 || !cookie) return {status: answer.status}
  const home = await fetch(new URL('/dashboard', url), {headers: {accept: 'text/html', cookie}})
  return {status: answer.status, cookie, home: await home.text()}
}

describe('orgctl dashboard', () => {
  let box: Sandbox
  beforeAll(async () => {
    box = sandbox()
    expectOk(await box.run(ADMIN, ['orgs:create', ORG]))
  })
  afterAll(() => box.cleanup())

  it.runIf(HTTP)("against an API: prints a one-time link to that server's Dashboard, and exits 0", async () => {
    const result = expectOk(await box.run(ADMIN, ['dashboard', '--no-open']))
    const url = LINK.exec(result.stderr)?.[1]
    expect(url, result.stderr).toBeDefined()
    expect(result.stdout).toBe('')
    const first = await useLink(url!)
    expect(first.status).toBe(303)
    expect(first.home).toContain(`href="/dashboard/orgs/${ORG}"`)
    expect((await useLink(url!)).status).toBe(401)
  })

  it.runIf(!HTTP)('on the embedded store: serves the Dashboard on loopback until SIGTERM; the link works once', async () => {
    const child = spawn(process.execPath, [BIN, 'dashboard', '--no-open'], {
      env: {
        PATH: process.env.PATH,
        HOME: join(box.dir, 'home'),
        ORGCTL_STORE: box.store,
        ORGCTL_CONFIG_DIR: box.configDir,
        ORGCTL_CACHE_DIR: join(box.dir, 'cache'),
        ORGCTL_USER: ADMIN,
        NO_COLOR: '1',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stderr = ''
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
    try {
      await expect.poll(() => /press Ctrl-C to stop/.test(stderr), {timeout: 20_000}).toBe(true)
      const url = LINK.exec(stderr)![1]!
      expect(new URL(url).hostname).toBe('127.0.0.1')
      const first = await useLink(url)
      expect(first.status).toBe(303)
      expect(first.home).toContain(`href="/dashboard/orgs/${ORG}"`)
      expect((await useLink(url)).status).toBe(401)
    } finally {
      child.kill('SIGTERM')
    }
    expect(await exited).toBe(0)
  })

  it.runIf(!HTTP)('a port already taken: one line in words, exit 2, nothing left listening', async () => {
    const taken = createServer()
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve))
    try {
      const port = (taken.address() as AddressInfo).port
      const result = await box.run(ADMIN, ['dashboard', '--no-open', '--port', String(port)])
      expectError(result, 2, `Cannot listen on 127.0.0.1:${port}: the port is already in use (EADDRINUSE). Pick another --port.`)
    } finally {
      taken.close()
    }
  })

  it('without an acting user: one line saying what to set, no server left behind', async () => {
    const result = await box.run(undefined, ['dashboard', '--no-open'])
    expectError(result, 4, HTTP ? /ORGCTL_API_KEY|No API token/ : /ORGCTL_USER/)
  })
})
