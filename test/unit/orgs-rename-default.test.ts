/** orgs:rename and the default org saved by `login --org`: a rename of that org moves the default with it. */
import {readFileSync} from 'node:fs'
import {join} from 'node:path'

import {afterEach, beforeEach, describe, expect, it} from 'vitest'

import {type CommandSandbox, commandSandbox, runCommand} from '../helpers/command.js'
import {ADMIN} from './fixture.js'

const savedOrg = (box: CommandSandbox): unknown => JSON.parse(readFileSync(join(box.env.ORGCTL_CONFIG_DIR, 'config.json'), 'utf8')).org

describe('orgs:rename and the saved default org', () => {
  let box: CommandSandbox
  const run = (id: string, ...argv: string[]) => runCommand(id, argv, {}, box)
  beforeEach(async () => {
    box = commandSandbox()
    expect((await run('login', '--email', ADMIN, '--org', 'acme-widgets')).code).toBe(0)
    expect((await run('orgs:create', 'acme-widgets')).code).toBe(0)
    expect((await run('orgs:create', 'acme-other')).code).toBe(0)
  })
  afterEach(() => box.cleanup())

  it('renames the saved default when it names the renamed org, and says so', async () => {
    const renamed = await run('orgs:rename', 'acme-widgets', 'acme-gadgets')
    expect(renamed.code, renamed.stderr).toBe(0)
    expect(savedOrg(box)).toBe('acme-gadgets')
    expect(renamed.stderr).toContain('default org is now acme-gadgets')
    // Commands that default to it still find it.
    expect((await run('orgs:info', '--json')).json()).toMatchObject({name: 'acme-gadgets'})
  })

  it('leaves a default naming another org, and a dry run leaves it too', async () => {
    expect((await run('orgs:rename', 'acme-other', 'acme-third')).code).toBe(0)
    expect(savedOrg(box)).toBe('acme-widgets')
    expect((await run('orgs:rename', 'acme-widgets', 'acme-gadgets', '--dry-run')).code).toBe(0)
    expect(savedOrg(box)).toBe('acme-widgets')
  })

  it('cannot change ORGCTL_ORG: it says to', async () => {
    const renamed = await runCommand('orgs:rename', ['acme-gadgets'], {env: {ORGCTL_ORG: 'acme-widgets'}}, box)
    expect(renamed.code, renamed.stderr).toBe(0)
    expect(renamed.stderr).toContain('ORGCTL_ORG still names acme-widgets: set it to acme-gadgets')
    // The saved default named the org too (login --org above): it moves.
    expect(savedOrg(box)).toBe('acme-gadgets')
  })
})

describe('orgs:rename when the saved default cannot be saved', () => {
  it('still exits 0 (the rename is done) and says the default was not followed', async () => {
    const box = commandSandbox()
    const {vi} = await import('vitest')
    const {UserConfig} = await import('../../src/lib/config.js')
    const {OrgctlError} = await import('../../src/lib/errors.js')
    try {
      const run = (id: string, ...argv: string[]) => runCommand(id, argv, {}, box)
      expect((await run('login', '--email', ADMIN, '--org', 'acme-widgets')).code).toBe(0)
      expect((await run('orgs:create', 'acme-widgets')).code).toBe(0)
      // A config that cannot be saved (read-only, a full disk): mode bits would not stop a test run as root.
      vi.spyOn(UserConfig.prototype, 'set').mockRejectedValue(new OrgctlError('store_error', 'Cannot save the config file: read-only.'))
      const renamed = await run('orgs:rename', 'acme-widgets', 'acme-gadgets')
      expect(renamed.code, renamed.stderr).toBe(0)
      expect(renamed.stderr).toContain('The saved default org was not followed: Cannot save the config file: read-only.')
      expect(renamed.stderr).toContain('run orgctl login --org acme-gadgets')
      expect((await run('orgs', '--json')).json()).toMatchObject([{name: 'acme-gadgets'}])
    } finally {
      vi.restoreAllMocks()
      box.cleanup()
    }
  })
})
