/**
 * The pg client is loaded by the db:* commands only, and only once they have a database to talk to:
 * never on the start path of the other commands (the bundle keeps it external and lazy).
 */
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {afterAll, describe, expect, it} from 'vitest'

import {runBin} from '../helpers/cli.js'
import {cliEnv} from './_env.js'

const dir = mkdtempSync(join(tmpdir(), 'orgctl-pg-hook-'))
afterAll(() => rmSync(dir, {recursive: true, force: true}))
const hook = join(dir, 'hook.cjs')
writeFileSync(
  hook,
  `const M = require('node:module'); const load = M._load
M._load = function (request, ...rest) { if (request === 'pg') process.stderr.write('LOADED pg\\n'); return load.call(this, request, ...rest) }\n`,
)

describe('the pg client', () => {
  it('is not loaded by other commands, nor by db:migrate without a database', async () => {
    const env = cliEnv({NODE_OPTIONS: `--require=${hook}`, ORGCTL_USER: 'ann@acme.test'})
    for (const args of [['--version'], ['whoami'], ['orgs'], ['db:migrate', '--help'], ['db:migrate']]) {
      const run = await runBin(args, env)
      expect(run.stderr, args.join(' ')).not.toContain('LOADED pg')
    }
  })

  it('is loaded by db:migrate once it has a URL', async () => {
    const run = await runBin(['db:migrate', '--database-url', 'postgres://u@127.0.0.1:1/d'], cliEnv({NODE_OPTIONS: `--require=${hook}`}))
    expect(run.stderr).toContain('LOADED pg')
    expect(run.code).toBe(7)
  })
})
