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

describe('usage errors', () => {
  it('refuses a value given to a boolean flag, instead of taking it as the argument', async () => {
    await runCommand('orgs:create', ['acme'], as(ADMIN), box)
    await runCommand('members:add', ['dev@acme.test', '--org', 'acme'], as(ADMIN), box)
    for (const [id, argv] of [
      ['members:remove', ['--json=dev@acme.test', '--org', 'acme']],
      ['apps:create', ['--personal=web-one']],
      ['orgs', ['--json=']],
    ] as const) {
      const run = await runCommand(id, [...argv], as(ADMIN), box)
      expect(run.code, id).toBe(2)
      expect(run.stderr, id).toMatch(/^Error: --(json|personal) takes no value .* Usage: orgctl /)
    }
    const members = await runCommand('members', ['--org', 'acme'], as(ADMIN), box)
    expect(members.stdout).toContain('dev@acme.test')
    expect((await runCommand('apps', [], as(ADMIN), box)).stdout).not.toContain('web-one')
  })

  it('ends every usage error with the usage, whichever check found it', async () => {
    await runCommand('orgs:create', ['acme'], as(ADMIN), box)
    for (const [id, argv] of [
      ['members:add', ['--org', 'acme']],
      ['members:add', ['x@acme', '--org', 'acme']],
      ['members:set', ['dev@acme.test', '--org', 'acme']],
      ['apps:info', []],
      ['members', ['--org', 'acme', '--role', 'bogus']],
    ] as const) {
      const run = await runCommand(id, [...argv], as(ADMIN), box)
      expect(run.code, id).toBe(2)
      expect(run.stderr.split('\n').filter(Boolean), id).toHaveLength(1)
      expect(run.stderr, id).toContain(` Usage: orgctl ${id}`)
    }
  })
})

describe('members:add --file', () => {
  it('refuses a line with extra fields, an empty file and an unreadable one, each in words', async () => {
    await runCommand('orgs:create', ['acme'], as(ADMIN), box)
    const add = (stdin: string, file = '-') => runCommand('members:add', ['--org', 'acme', '--file', file], {...as(ADMIN), stdin}, box)
    const extra = await add('a@acme.test,member,extra\n')
    expect(extra.code).toBe(2)
    expect(extra.stderr).toMatch(/^Error: stdin line 1: "a@acme.test,member,extra" has 3 fields: give EMAIL or EMAIL,ROLE\./)
    const empty = await add('# nobody yet\n\n')
    expect(empty.code).toBe(2)
    expect(empty.stderr).toMatch(/^Error: stdin has no EMAIL\[,ROLE\] lines/)
    const missing = await add('', '/nonexistent/team.csv')
    expect(missing.code).toBe(2)
    expect(missing.stderr).toMatch(/^Error: Cannot read \/nonexistent\/team.csv: a part of the path does not exist \(ENOENT\)\./)
    expect((await runCommand('members', ['--org', 'acme'], as(ADMIN), box)).stdout).toBe(`${ADMIN}\tadmin\n`)
  })
})

describe('apps:transfer --confirm', () => {
  it('refuses a --confirm naming another app, even where the move needs no confirmation', async () => {
    await runCommand('orgs:create', ['acme'], as(ADMIN), box)
    await runCommand('apps:create', ['web-one', '--org', 'acme'], as(ADMIN), box)
    const run = await runCommand('apps:transfer', ['acme', '--app', 'web-one', '--confirm', 'web-two'], as(ADMIN), box)
    expect(run.code).toBe(2)
    expect(run.stderr).toMatch(/^Error: Confirmation "web-two" did not match web-one\. Aborted\./)
  })
})

describe('access --json', () => {
  it("gives an admin who joined after the app was made the time they joined, not the app's", async () => {
    const clock = (iso: string) => ({now: () => new Date(iso)})
    await runCommand('orgs:create', ['acme'], {...as(ADMIN), clock: clock('2026-11-01T00:00:00.000Z')}, box)
    await runCommand('apps:create', ['web-one', '--org', 'acme'], {...as(ADMIN), clock: clock('2026-11-02T00:00:00.000Z')}, box)
    await runCommand(
      'members:add',
      ['lead@acme.test', '--org', 'acme', '--role', 'admin'],
      {...as(ADMIN), clock: clock('2026-11-03T00:00:00.000Z')},
      box,
    )
    const access = (await runCommand('access', ['--app', 'web-one', '--json'], as(ADMIN), box)).json<
      {user: {email: string}; created_at: string}[]
    >()
    const at = Object.fromEntries(access.map((row) => [row.user.email, row.created_at]))
    expect(at['lead@acme.test']).toBe('2026-11-03T00:00:00.000Z')
    expect(at[ADMIN]).toBe('2026-11-02T00:00:00.000Z')
  })
})
