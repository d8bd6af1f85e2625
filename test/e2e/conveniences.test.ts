/**
 * What every CLI user expects: a suggestion for a mistyped command, shell completion, -h,
 * `orgctl version`, `orgctl commands`, and help for a topic reached through its alias (teams).
 */
import {spawnSync} from 'node:child_process'
import {existsSync, readdirSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {HTTP, type Sandbox, sandbox} from '../helpers/cli.js'
import {ADMIN, expectError, expectJsonError, expectOk, show} from './_util.js'

describe.skipIf(HTTP)('conveniences', () => {
  let box: Sandbox
  const run = (...args: string[]) => box.run(ADMIN, args)
  beforeAll(() => {
    box = sandbox()
  })
  afterAll(() => box.cleanup())

  it('suggests the command meant, on one line, exit 2', async () => {
    const line = expectError(await run('membrs'), 2, /membrs/)
    expect(line).toMatch(/Did you mean members\?/)
    expectError(await run('members:ad', 'x@y.test'), 2, /Did you mean members:add\?/)
    expectError(await run('tems:create'), 2, /Did you mean teams:create\?/)
    const none = await run('zzzzqqqq-nothing')
    expectError(none, 2, /zzzzqqqq-nothing is not an orgctl command/)
    expect(none.stderr).not.toMatch(/›|Did you mean/)
    expect(expectJsonError(await run('membrs', '--json'), 2, 'invalid_params').message).toMatch(/Did you mean members\?/)
  })

  it('turns every other top-level failure into one Error line', async () => {
    expectError(await run('help', 'no-such-command'), 2, /no-such-command/)
    // help's own flag errors are usage errors, under --json too.
    expectError(await run('help', '--foo'), 2, /--foo.*Usage: orgctl help/)
    expectJsonError(await run('help', '--json'), 2, 'invalid_params')
  })

  it('takes -h for --help on every command', async () => {
    const manifest = JSON.parse(expectOk(await run('commands', '--json')).stdout) as {id: string}[]
    for (const {id} of manifest) {
      const help = expectOk(await run(id, '-h'), id)
      expect(help.stdout, id).toMatch(/USAGE/)
    }
  })

  it('prints the version both ways', async () => {
    const flag = expectOk(await run('--version')).stdout.trim()
    expect(flag).toMatch(/^orgctl\/\d+\.\d+\.\d+ /)
    expect(expectOk(await run('version')).stdout.trim()).toBe(flag)
    expect(expectOk(await run('version', '--json')).json()).toMatchObject({cliVersion: flag.split(' ')[0]})
  })

  it('lists the commands, and their aliases, as text and as JSON', async () => {
    const text = expectOk(await run('commands')).stdout
    for (const id of ['members:add', 'orgs:create', 'apps:transfer', 'serve', 'version', 'autocomplete', 'commands']) {
      expect(text, id).toMatch(new RegExp(`^${id}\\b`, 'm'))
    }
    const json = expectOk(await run('commands', '--json')).json<{id: string; summary?: string; aliases: string[]}[]>()
    expect(json.find((c) => c.id === 'orgs:create')).toMatchObject({aliases: ['teams:create']})
    expect(json.every((c) => typeof c.id === 'string')).toBe(true)
    expect(JSON.stringify(json)).not.toContain('<%')
  })

  it('shows the teams:* commands in help teams and teams --help, as the orgs topic does', async () => {
    for (const args of [
      ['help', 'teams'],
      ['teams', '--help'],
      ['teams', '-h'],
    ]) {
      const help = expectOk(await run(...args)).stdout
      for (const id of ['teams:create', 'teams:info', 'teams:usage', 'teams:billing'])
        expect(help, `${args.join(' ')}: ${id}`).toContain(id)
    }
    expect(expectOk(await run('help', 'orgs')).stdout).toContain('orgs:create')
  })

  for (const shell of ['bash', 'zsh', 'fish'] as const) {
    it(`completes for ${shell}, writing nothing outside the cache dir`, async () => {
      const result = expectOk(await run('autocomplete', shell))
      const script = result.stdout
      for (const word of ['members:add', 'orgs:create', 'teams:create', '--org']) expect(script, `${shell}: ${word}`).toContain(word)
      const file = join(box.dir, `completion.${shell}`)
      writeFileSync(file, script)
      const checker = shell === 'bash' ? 'bash' : shell
      const found = spawnSync('sh', ['-c', `command -v ${checker}`]).status === 0
      if (found) {
        const check = spawnSync(checker, ['-n', file], {encoding: 'utf8'})
        expect(check.status, `${shell} -n: ${check.stderr}`).toBe(0)
      }
      expect(existsSync(join(box.dir, 'home')) ? readdirSync(join(box.dir, 'home')) : []).toEqual([])
    })
  }

  it('completes commands and flags in a real bash', async () => {
    const script = expectOk(await run('autocomplete', 'bash')).stdout
    const file = join(box.dir, 'complete.bash')
    writeFileSync(file, script)
    const probe = (line: string) => {
      const words = line.split(' ')
      const result = spawnSync(
        'bash',
        [
          '-c',
          `source ${JSON.stringify(file)}; COMP_WORDS=(${words.map((w) => JSON.stringify(w)).join(' ')}); COMP_CWORD=${words.length - 1}; COMP_LINE=${JSON.stringify(line)}; COMP_POINT=${line.length}; _orgctl_complete orgctl; printf '%s\\n' "\${COMPREPLY[@]}"`,
        ],
        {encoding: 'utf8'},
      )
      return result.stdout.split('\n').filter(Boolean)
    }
    expect(probe('orgctl membe')).toEqual(expect.arrayContaining(['members', 'members:add', 'members:remove']))
    expect(probe('orgctl members:add --o')).toEqual(expect.arrayContaining(['--org']))
    expect(probe('orgctl autocomplete ')).toEqual(expect.arrayContaining(['bash', 'zsh', 'fish']))
  })

  it('gives the script as JSON under --json, like every command', async () => {
    const body = expectOk(await run('autocomplete', 'fish', '--json')).json<{shell: string; script: string}>()
    expect(body.shell).toBe('fish')
    expect(body.script).toContain('complete -c orgctl')
  })

  it('refuses an unknown shell with a usage error', async () => {
    const line = expectError(await run('autocomplete', 'tcsh'), 2, /tcsh/)
    expect(line, show(await run('autocomplete', 'tcsh'))).toMatch(/bash.*zsh.*fish/)
  })
})
