/**
 * Every command that changes something has --dry-run: the built oclif manifest is swept, and each
 * command must either have the shared flag (src/lib/cli/flags.ts: dryRunFlag) or be on the list
 * below of commands that change nothing in the store. A new command fails here until it is one or
 * the other (needs `npm run build`).
 */
import {readFileSync} from 'node:fs'
import {resolve} from 'node:path'

import {describe, expect, it} from 'vitest'

import {dryRunFlag} from '../../src/lib/cli/flags.js'

interface ManifestCommand {
  id: string
  aliases: string[]
  flags: Record<string, {name: string; type: string; description?: string; char?: string}>
}

const manifest = JSON.parse(readFileSync(resolve(import.meta.dirname, '../../oclif.manifest.json'), 'utf8')) as {
  commands: Record<string, ManifestCommand>
}

/** Commands that change nothing in the store or on the server, each with why it needs no dry run. */
const READ_ONLY: Record<string, string> = {
  access: 'lists access',
  apps: 'lists apps',
  'apps:info': 'shows an app',
  authorizations: 'lists tokens',
  members: 'lists members',
  orgs: 'lists orgs',
  'orgs:info': 'shows an org',
  'orgs:usage': 'shows usage',
  'orgs:billing': 'shows billing',
  permissions: 'prints the matrix',
  ps: 'lists dynos',
  transfers: 'lists transfers',
  whoami: 'shows the acting user',
  serve: 'serves the API (its changes come as requests, which take Dry-Run: true)',
  dashboard: 'opens a browser session (changes no org data; the pages it serves change through the domain)',
  login: 'saves local config only',
  logout: 'forgets local config (and revokes its own token: a dry run of logging out is no use)',
  'db:export': 'reads the database, writes a new file',
  'db:import': 'an operator copy into an empty database, all or nothing in one transaction (not covered: see the README)',
  'db:migrate': 'schema migrations, under an advisory lock (not covered: see the README)',
  autocomplete: 'a builtin',
  commands: 'a builtin',
  help: 'a builtin',
  version: 'a builtin',
  // Read-only commands of issue 11 coming from other lanes (listed so that they need no edit here).
  audit: 'lists audit events',
  'access:check': 'answers a question',
  'access:who-can': 'answers a question',
  'access:export': 'prints the state as a file',
  plan: 'prints what apply would change',
  operators: 'lists operators',
}

const commands = Object.values(manifest.commands)

describe('--dry-run on every command that changes something', () => {
  it.each(commands.filter((command) => !(command.id in READ_ONLY)).map((command) => [command.id, command] as const))(
    '%s has the shared --dry-run flag',
    (_id, command) => {
      const flag = command.flags['dry-run']
      expect(
        flag,
        `${command.id} changes something: give it 'dry-run': dryRunFlag (src/lib/cli/flags.ts), or list it as read-only here`,
      ).toBeDefined()
      expect(flag).toMatchObject({type: 'boolean', description: dryRunFlag.description})
      expect(flag!.char).toBeUndefined()
    },
  )

  it('no read-only command has it (a dry run of a read would be a promise it cannot keep)', () => {
    const misfiled = commands.filter((command) => command.id in READ_ONLY && 'dry-run' in command.flags).map((command) => command.id)
    expect(misfiled).toEqual([])
  })

  it('sweeps the commands the manifest has (a broken build would pass it vacuously)', () => {
    expect(commands.length).toBeGreaterThan(30)
    expect(commands.filter((command) => 'dry-run' in command.flags).length).toBeGreaterThanOrEqual(20)
  })
})
