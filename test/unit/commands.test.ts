/** Commands run in-process through the factory: what a user sees, on a terminal and piped. */
import {afterEach, beforeEach, describe, expect, it} from 'vitest'

import {notFound, OrgctlError} from '../../src/lib/errors.js'
import {commandSandbox, type CommandSandbox, fakeBackend, runCommand} from '../helpers/command.js'

const ADMIN = 'admin@acme.test'
let box: CommandSandbox

beforeEach(() => {
  box = commandSandbox()
})
afterEach(() => box.cleanup())

const as = (user: string) => ({env: {ORGCTL_USER: user}})

describe('in-process commands on a temp store', () => {
  it('creates an org stamped with the injected clock', async () => {
    const at = new Date('2026-11-15T10:00:00.000Z')
    const created = await runCommand('orgs:create', ['acme', '--json'], {...as(ADMIN), clock: {now: () => at}}, box)
    expect(created.code).toBe(0)
    expect(created.json()).toMatchObject({name: 'acme', created_at: at.toISOString()})
    expect(created.stderr).toBe('')
  })

  it('prints an action line on stderr and nothing on stdout for a change', async () => {
    const created = await runCommand('orgs:create', ['acme'], as(ADMIN), box)
    expect(created).toMatchObject({code: 0, stdout: ''})
    expect(created.stderr).toBe('Creating org acme... done\n')
  })

  it('lists members as a table with a header on a terminal, as tab-separated rows when piped', async () => {
    await runCommand('orgs:create', ['acme'], as(ADMIN), box)
    await runCommand('members:add', ['dev@acme.test', '--org', 'acme'], as(ADMIN), box)
    const terminal = await runCommand('members', ['--org', 'acme'], {env: {ORGCTL_USER: ADMIN, NO_COLOR: '1'}, tty: {stdout: true}}, box)
    expect(terminal.code).toBe(0)
    expect(terminal.stdout.split('\n')[0]).toMatch(/^email\s+role$/)
    const coloured = await runCommand('members', ['--org', 'acme'], {...as(ADMIN), tty: {stdout: true}}, box)
    expect(coloured.stdout).toContain('\u001b[1memail\u001b[22m')
    const piped = await runCommand('members', ['--org', 'acme'], as(ADMIN), box)
    expect(piped.stdout).toBe(`${ADMIN}\tadmin\ndev@acme.test\tmember\n`)
  })

  it('reads --file - from the stdin it is handed', async () => {
    await runCommand('orgs:create', ['acme'], as(ADMIN), box)
    const added = await runCommand(
      'members:add',
      ['--org', 'acme', '--file', '-', '--json'],
      {...as(ADMIN), stdin: 'a@acme.test\nb@acme.test,admin\n'},
      box,
    )
    expect(added.code).toBe(0)
    expect(added.json<{email: string}[]>().map((item) => item.email)).toEqual(['a@acme.test', 'b@acme.test'])
  })

  it('is a usage error, exit 2, with no acting user', async () => {
    const run = await runCommand('orgs:create', ['acme'], {env: {ORGCTL_USER: 'not-an-email'}}, box)
    expect(run.code).toBe(2)
    expect(run.stderr).toMatch(/^Error: ORGCTL_USER "not-an-email" is not a valid email/)
  })
})

describe('in-process commands on a fake backend', () => {
  it('turns a backend error into one line and its exit code', async () => {
    const backend = fakeBackend({listMembers: () => Promise.reject(notFound("Couldn't find that team."))})
    const run = await runCommand('members', ['--org', 'acme'], {backend: async () => backend}, box)
    expect(run).toMatchObject({code: 3, stdout: '', stderr: "Error: Couldn't find that team.\n"})
  })

  it('prints the error body on stdout under --json', async () => {
    const backend = fakeBackend({listMembers: () => Promise.reject(new OrgctlError('forbidden', 'Only admins may do that.'))})
    const run = await runCommand('members', ['--org', 'acme', '--json'], {backend: async () => backend}, box)
    expect(run.code).toBe(4)
    expect(run.json()).toEqual({id: 'forbidden', message: 'Only admins may do that.'})
  })

  it('fails a command that asks the backend for what the test did not give', async () => {
    const run = await runCommand('members', ['--org', 'acme'], {backend: async () => fakeBackend({})}, box)
    expect(run.code).toBe(1)
    expect(run.stderr).toContain('unexpected backend call: listMembers')
  })
})

describe('the saved login', () => {
  it('refuses a hand-edited config whose email is not valid, naming the file', async () => {
    const {mkdirSync, writeFileSync} = await import('node:fs')
    const {join} = await import('node:path')
    mkdirSync(box.env.ORGCTL_CONFIG_DIR, {recursive: true})
    writeFileSync(join(box.env.ORGCTL_CONFIG_DIR, 'config.json'), JSON.stringify({email: 'K\u212Aboss@acme.test'}))
    const run = await runCommand('orgs:create', ['acme'], {}, box)
    expect(run.code).toBe(2)
    expect(run.stderr).toContain(join(box.env.ORGCTL_CONFIG_DIR, 'config.json'))
    expect(run.stderr.split('\n').filter(Boolean)).toHaveLength(1)
  })
})

describe('settings from the environment', () => {
  it('refuses an ORGCTL_API_TIMEOUT that is not a number of seconds, instead of ignoring it', async () => {
    for (const value of ['abc', '-1', '0', '1e9']) {
      const run = await runCommand('whoami', [], {env: {ORGCTL_USER: ADMIN, ORGCTL_API_TIMEOUT: value}}, box)
      expect(run.code, value).toBe(2)
      expect(run.stderr, value).toMatch(/^Error: ORGCTL_API_TIMEOUT .* is not a number of seconds/)
    }
    expect((await runCommand('whoami', [], {env: {ORGCTL_USER: ADMIN, ORGCTL_API_TIMEOUT: '2.5'}}, box)).code).toBe(0)
  })
})
