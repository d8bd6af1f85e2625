/**
 * Flags in any order, and usage errors that say what they are about: every missing argument,
 * unknown or repeated flag, bad value, unexpected argument or flag conflict names the argument or
 * flag and shows the command's usage, on one `Error:` line, exit 2 ({id: invalid_params} under --json).
 * The sweeps walk oclif.manifest.json, so a new command is covered without editing this file.
 */
import {readFileSync} from 'node:fs'
import {resolve} from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {HTTP, type Sandbox, sandbox} from '../helpers/cli.js'
import {ADMIN, DEV, ORG, expectError, expectJsonError, expectOk, show} from './_util.js'

interface ManifestFlag {
  name: string
  char?: string
  type: 'boolean' | 'option'
  multiple?: boolean
  options?: string[]
}
interface ManifestCommand {
  id: string
  aliases: string[]
  strict?: boolean
  args: Record<string, {name: string; required?: boolean}>
  flags: Record<string, ManifestFlag>
}

const manifest = JSON.parse(readFileSync(resolve(import.meta.dirname, '../../oclif.manifest.json'), 'utf8')) as {
  commands: Record<string, ManifestCommand>
}
const commands = Object.values(manifest.commands).filter((command) => command.id !== 'help')

/** A usage error: one line naming `what`, the command's usage on it, exit 2. */
function expectUsage(result: Awaited<ReturnType<Sandbox['run']>>, id: string, ...what: (string | RegExp)[]): string {
  const line = expectError(result, 2, undefined, id)
  for (const part of what) expect(line, show(result, id)).toMatch(part)
  expect(line, show(result, id)).toContain(`Usage: orgctl ${id}`)
  expect(line, show(result, id)).not.toMatch(/See more help|\n|:\.$/)
  return line
}

describe('flags before or after the arguments', () => {
  let box: Sandbox
  const admin = (...args: string[]) => box.run(ADMIN, args)
  beforeAll(async () => {
    box = sandbox()
    expectOk(await admin('orgs:create', ORG))
    expectOk(await admin('orgs:create', 'eorg'))
    expectOk(await admin('apps:create', 'my-api', '--org', ORG))
    expectOk(await admin('apps:create', 'my-web', '--org', ORG))
  })
  afterAll(() => box.cleanup())

  it('orgs:create takes --limit before the name', async () => {
    expectOk(await admin('orgs:create', '--limit', 'apps=10', 'acme-first'))
    expectOk(await admin('orgs:create', '-l', 'apps=10', '-l', 'members=5', 'acme-second'))
    expectOk(await admin('orgs:create', 'acme-third', '--limit', 'apps=10'))
    const info = expectOk(await admin('orgs:info', 'acme-second', '--json')).json()
    expect(JSON.stringify(info)).toMatch(/10/)
  })

  it('apps:transfer takes --app before the recipient', async () => {
    expectOk(await admin('apps:transfer', '-a', 'my-api', 'eorg'))
    expectOk(await admin('apps:transfer', '--app', 'my-api', ORG))
    expectOk(await admin('apps:transfer', '-a', 'my-api', '-a', 'my-web', 'eorg'))
    expectOk(await admin('apps:transfer', ORG, '-a', 'my-api', '-a', 'my-web'))
  })

  it('members:add takes flags before, between and after the emails', async () => {
    expectOk(await admin('members:add', '--org', ORG, DEV))
    expectOk(await admin('members:add', 'a1@acme.test', '--org', ORG))
    expectOk(await admin('members:add', '--role', 'admin', 'a2@acme.test', '--org', ORG, 'a3@acme.test'))
    const members = expectOk(await admin('members', '--org', ORG, '--json')).json<{email: string; role: string}[]>()
    expect(members.filter((m) => m.email === 'a2@acme.test' || m.email === 'a3@acme.test').map((m) => m.role)).toEqual(['admin', 'admin'])
  })

  it('ps:scale takes --app before and after the changes', async () => {
    expectOk(await admin('ps:scale', '--app', 'my-api', 'web=1'))
    expectOk(await admin('ps:scale', 'web=2', '--app', 'my-api'))
    expectOk(await admin('ps:scale', '-a', 'my-api', 'web=1', 'worker=1'))
    expectOk(await admin('ps:scale', 'web=1', '-a', 'my-api', 'worker=0'))
  })

  it.skipIf(HTTP)('no repeatable flag of any command swallows the argument after it', async () => {
    for (const command of commands) {
      const required = Object.values(command.args).filter((arg) => arg.required)
      for (const flag of Object.values(command.flags).filter((f) => f.multiple)) {
        const run = await admin(command.id, `--${flag.name}`, 'value-one', ...required.map(() => 'positional-one'))
        expect(run.stderr, show(run, `${command.id} --${flag.name}`)).not.toMatch(/Missing .*(arg|argument)/i)
      }
    }
  })
})

describe.skipIf(HTTP)('usage errors name what they are about', () => {
  let box: Sandbox
  beforeAll(() => {
    box = sandbox()
  })
  afterAll(() => box.cleanup())

  it('a missing argument is named, with its usage, for every command that needs one', async () => {
    const needing = commands.filter((command) => Object.values(command.args).some((arg) => arg.required))
    expect(needing.map((c) => c.id)).toEqual(
      expect.arrayContaining(['members:remove', 'access:add', 'orgs:create', 'transfers:accept', 'apps:transfer', 'ps:scale']),
    )
    for (const command of needing) {
      const names = Object.values(command.args)
        .filter((arg) => arg.required)
        .map((arg) => arg.name.toUpperCase())
      expectUsage(await box.run(ADMIN, [command.id]), command.id, ...names)
      if (command.flags.json) {
        const body = expectJsonError(await box.run(ADMIN, [command.id, '--json']), 2, 'invalid_params')
        for (const name of names) expect(body.message).toContain(name)
        expect(body.message).toContain(`Usage: orgctl ${command.id}`)
      }
    }
  })

  it('an unknown flag is named, for every command', async () => {
    for (const command of commands) {
      const line = expectUsage(await box.run(ADMIN, [command.id, '--bogus-flag']), command.id, '--bogus-flag')
      expect(line).not.toMatch(/Nonexistent/)
    }
    expectUsage(await box.run(ADMIN, ['members', '--ogr', ORG]), 'members', '--ogr', /--org/)
  })

  it('an argument too many is named', async () => {
    for (const command of commands.filter((c) => c.strict !== false && c.id !== 'serve')) {
      const args = [...Object.values(command.args).map(() => 'some-value'), 'extra-thing']
      expectUsage(await box.run(ADMIN, [command.id, ...args]), command.id, 'extra-thing')
    }
  })

  it('a flag without its value is named', async () => {
    expectUsage(await box.run(ADMIN, ['members', '--org']), 'members', '--org')
    expectUsage(await box.run(ADMIN, ['apps:transfer', 'eorg', '--app']), 'apps:transfer', '--app')
  })

  it('a bad integer says what is wanted', async () => {
    for (const port of ['99999', '-1', 'abc', '1.5']) {
      expectUsage(await box.run(ADMIN, ['serve', '--port', port]), 'serve', '--port', port, /0.*65535/)
    }
    expectUsage(await box.run(ADMIN, ['serve', '--rate-limit', '0']), 'serve', '--rate-limit', /at least 1|1 or more|>= ?1/)
  })

  it('conflicting or dependent flags are named', async () => {
    expectUsage(await box.run(ADMIN, ['login', '--email', DEV, '--api-url', 'http://127.0.0.1:1']), 'login', '--email', '--api-url')
    expectUsage(await box.run(ADMIN, ['login', '--token-stdin']), 'login', '--token-stdin', '--api-url')
  })

  it('a flag given twice that takes one value is named', async () => {
    expectUsage(await box.run(ADMIN, ['members', '--org', ORG, '--org', 'other-org']), 'members', '--org')
  })
})
