/**
 * The operating system's failures, as a user meets them: a full or broken stdout and stderr, a
 * config directory or store that cannot be written (permissions, read-only, full disk, a file where
 * a folder should be). Each gives one `Error:` line naming the file and what to do, a documented exit
 * code, and no change; a change that committed before its output failed says so. Tests run as root,
 * so "not writable" is made with chattr +i, read-only and tiny tmpfs mounts (in a private mount
 * namespace, gone with the shell) and a child run as nobody.
 */
import {spawn, spawnSync} from 'node:child_process'
import {chmodSync, chownSync, closeSync, existsSync, mkdirSync, openSync, readFileSync, statSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {addMember} from '../../src/lib/domain/members.js'
import {createOrg} from '../../src/lib/domain/orgs.js'
import {DEFAULT_LIMITS} from '../../src/lib/domain/validation.js'
import {JsonStore} from '../../src/lib/storage/json/json-store.js'
import {BIN, HTTP, type RunResult, sandbox, type Sandbox, type Server, stopServer} from '../helpers/cli.js'
import {ADMIN, expectError, expectOk, lines, ORG, readStore, show} from './_util.js'
import {txCtx} from '../helpers/tx-ctx.js'

const OUTPUT_ERROR = 11
const STORE_ERROR = 7

let box: Sandbox
let server: Server | undefined
let token = ''

const baseEnv = (extra: Record<string, string | undefined> = {}): Record<string, string | undefined> => ({
  PATH: process.env.PATH,
  HOME: join(box.dir, 'home'),
  XDG_DATA_HOME: join(box.dir, 'data'),
  XDG_CONFIG_HOME: join(box.dir, 'xdg-config'),
  ORGCTL_STORE: box.store,
  ORGCTL_CONFIG_DIR: box.configDir,
  ORGCTL_CACHE_DIR: join(box.dir, 'cache'),
  NO_COLOR: '1',
  ...extra,
})

/** The acting admin on this backend: ORGCTL_USER, or a token for a running server. */
function asAdmin(): Record<string, string> {
  return HTTP ? {ORGCTL_API_URL: server!.url, ORGCTL_API_KEY: token} : {ORGCTL_USER: ADMIN}
}

type Target = 'pipe' | 'full' | 'closed'

/** Runs orgctl with stdout and stderr each a pipe, /dev/full, or a pipe whose reader has gone. */
function runTo(args: string[], out: Target, err: Target = 'pipe', env: Record<string, string | undefined> = {}): Promise<RunResult> {
  const full = openSync('/dev/full', 'w')
  const fd = (target: Target) => (target === 'full' ? full : 'pipe')
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      env: baseEnv({...asAdmin(), ...env}) as NodeJS.ProcessEnv,
      stdio: ['ignore', fd(out), fd(err)],
    })
    closeSync(full)
    let stdout = ''
    let stderr = ''
    if (out === 'closed') child.stdout!.destroy()
    else child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk))
    if (err === 'closed') child.stderr!.destroy()
    else child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
    child.on('error', reject)
    child.on('close', (code) => resolve({code: code ?? -1, stdout, stderr, json: () => JSON.parse(stdout)}))
  })
}

/** A spawnSync result as a RunResult. */
const synced = (r: {status: number | null; stdout: string; stderr: string}): RunResult => ({
  code: r.status ?? -1,
  stdout: r.stdout,
  stderr: r.stderr,
  json: () => JSON.parse(r.stdout),
})

const members = async () =>
  ((await readStore(box.store)).orgs as {name: string; members: {email: string}[]}[]).find((o) => o.name === ORG)!.members

beforeAll(async () => {
  box = sandbox()
  // Children run as nobody must reach their files inside (it lists nothing: traverse only).
  chmodSync(box.dir, 0o711)
  expectOk(await box.run(ADMIN, ['orgs:create', ORG]))
  if (HTTP) {
    token = await box.mint(ADMIN, 'os-failures')
    server = await box.serve(baseEnv())
  }
})

afterAll(async () => {
  if (server) await stopServer(server)
  await box.cleanup()
})

describe('stdout and stderr that fail', () => {
  it('a full stdout: one line naming it, exit 11, no stack and no bundle source', async () => {
    const result = await runTo(['whoami'], 'full')
    const line = expectError(result, OUTPUT_ERROR, /\/dev\/full/)
    expect(line).toMatch(/no space left/i)
    expect(line).toMatch(/Nothing was changed/)
    expect(result.stderr.length, show(result)).toBeLessThan(400)
  })

  it('a full stdout under --json: the line still goes to stderr', async () => {
    const result = await runTo(['whoami', '--json'], 'full')
    expectError(result, OUTPUT_ERROR, /\/dev\/full/)
  })

  it('a change that committed and then could not be printed says it was made', async () => {
    const added = await runTo(['members:add', 'printed@acme.test', '--org', ORG, '--json'], 'full')
    expect(expectError(added, OUTPUT_ERROR, /\/dev\/full/)).toMatch(/change was made/)
    expect((await members()).map((m) => m.email)).toContain('printed@acme.test')
    // A token that was minted but could not be shown: the line says it exists.
    const tokens = async () =>
      ((await readStore(box.store)).tokens as {description: string}[]).filter((t) => t.description === 'lost token').length
    const minted = await runTo(['authorizations:create', '--description', 'lost token'], 'full')
    // After the action line (`Creating OAuth Authorization... done`), one error line.
    expect(minted.code, show(minted)).toBe(OUTPUT_ERROR)
    expect(
      lines(minted.stderr).filter((line) => line.startsWith('Error: ')),
      show(minted),
    ).toHaveLength(1)
    expect(lines(minted.stderr).at(-1)).toMatch(/^Error: The change was made, .*\/dev\/full/)
    expect(minted.stderr).not.toMatch(/^\s+at /m)
    expect(await tokens()).toBe(1)
  })

  it('a listing into a full stdout is one line, whatever the size', async () => {
    const result = await runTo(['members', '--org', ORG], 'full')
    expectError(result, OUTPUT_ERROR, /Nothing was changed/)
  })

  const hasPython = spawnSync('python3', ['-c', 'import pty']).status === 0
  it.skipIf(!hasPython)('a terminal that went away (EIO): one line, exit 11; a change made says so', async () => {
    // A pseudo-terminal whose other end is closed before orgctl writes: every write fails with EIO.
    const script = [
      'import os, pty, subprocess, sys',
      'm, s = pty.openpty()',
      'os.close(m)',
      'p = subprocess.run(sys.argv[1:], stdout=s, stderr=subprocess.PIPE)',
      'sys.stderr.write(p.stderr.decode())',
      'sys.exit(p.returncode)',
    ].join('\n')
    const env = baseEnv(asAdmin()) as NodeJS.ProcessEnv
    const run = (...args: string[]) => synced(spawnSync('python3', ['-c', script, process.execPath, BIN, ...args], {env, encoding: 'utf8'}))
    expect(expectError(run('whoami'), OUTPUT_ERROR, /input\/output error/)).toMatch(/Nothing was changed/)
    expect(expectError(run('members:add', 'eio@acme.test', '--org', ORG, '--json'), OUTPUT_ERROR, /EIO/)).toMatch(/change was made/)
    expect((await members()).map((m) => m.email)).toContain('eio@acme.test')
  })

  it.skipIf(!hasPython || HTTP)('a non-blocking pipe that fills up (EAGAIN): the rest waits for the reader, nothing lost', async () => {
    const store = join(box.dir, 'big.json')
    await new JsonStore(store).update(async (state) => {
      await createOrg(txCtx(state, ADMIN), 'big-org', {...DEFAULT_LIMITS, members: 10_000})
      for (let i = 0; i < 4000; i++) await addMember(txCtx(state, ADMIN), 'big-org', `member-${i}@big.test`, 'member')
    })
    // O_NONBLOCK on the pipe, and no reader for a second: the 64 KiB pipe is full long before the end.
    const script = [
      'import os, subprocess, sys, time, fcntl',
      'r, w = os.pipe()',
      'fcntl.fcntl(w, fcntl.F_SETFL, fcntl.fcntl(w, fcntl.F_GETFL) | os.O_NONBLOCK)',
      'p = subprocess.Popen(sys.argv[1:], stdout=w, stderr=subprocess.PIPE)',
      'os.close(w)',
      'time.sleep(1)',
      'data = b""',
      'while True:',
      '    chunk = os.read(r, 65536)',
      '    if not chunk: break',
      '    data += chunk',
      'err = p.stderr.read()',
      'p.wait()',
      'sys.stdout.write(str(len(data.splitlines())))',
      'sys.stderr.write(err.decode())',
      'sys.exit(p.returncode)',
    ].join('\n')
    const env = baseEnv({ORGCTL_USER: ADMIN, ORGCTL_STORE: store}) as NodeJS.ProcessEnv
    const result = synced(
      spawnSync('python3', ['-c', script, process.execPath, BIN, 'members', '--org', 'big-org'], {env, encoding: 'utf8'}),
    )
    expect(result.code, show(result)).toBe(0)
    expect(result.stderr).toBe('')
    expect(Number(result.stdout)).toBe(4001)
  })

  it('oclif’s own output (--help, --version) into a full stdout: the same one line', async () => {
    for (const args of [['--help'], ['members', '--help'], ['--version']]) {
      expectError(await runTo(args, 'full'), OUTPUT_ERROR, /\/dev\/full/, args.join(' '))
    }
  })

  it.skipIf(!hasPython)('a terminal on stdin alone (piped stdout and stderr): asked whether to prompt, no crash', () => {
    const script = [
      'import os, pty, subprocess, sys',
      'm, s = pty.openpty()',
      'p = subprocess.run(sys.argv[1:], stdin=s, capture_output=True)',
      'sys.stdout.write(p.stdout.decode())',
      'sys.stderr.write(p.stderr.decode())',
      'sys.exit(p.returncode)',
    ].join('\n')
    const env = baseEnv(asAdmin()) as NodeJS.ProcessEnv
    const result = synced(
      spawnSync('python3', ['-c', script, process.execPath, BIN, 'apps:destroy', '--app', 'no-such-app'], {
        env,
        encoding: 'utf8',
        timeout: 30_000,
      }),
    )
    expectError(result, 2, /--confirm/)
  })

  it('DEBUG adds the stack', async () => {
    const result = await runTo(['whoami'], 'full', 'pipe', {DEBUG: '1'})
    expect(result.code).toBe(OUTPUT_ERROR)
    expect(result.stderr).toMatch(/^Error: .*\/dev\/full/m)
    expect(result.stderr).toMatch(/^\s+at /m)
  })

  it('a closed pipe (orgctl members | head -1) stays a silent success', async () => {
    const result = await runTo(['members', '--org', ORG], 'closed')
    expect(result.code, show(result)).toBe(0)
    expect(result.stderr).toBe('')
  })

  it('a full or closed stderr neither crashes nor hides the outcome in the exit code', async () => {
    for (const err of ['full', 'closed'] as const) {
      const ok = await runTo(['members:add', `quiet-${err}@acme.test`, '--org', ORG], 'pipe', err)
      expect(ok.code, show(ok, err)).toBe(0)
      expect((await members()).map((m) => m.email)).toContain(`quiet-${err}@acme.test`)
      const failed = await runTo(['orgs:info', 'no-such-org'], 'pipe', err)
      expect(failed.code, show(failed, err)).toBe(3)
      expect(failed.stdout).toBe('')
    }
    const both = await runTo(['whoami'], 'full', 'full')
    expect(both.code).toBe(OUTPUT_ERROR)
  })
})

/** Runs a shell script in a private mount namespace (its mounts end with it), as root. */
function inNamespace(script: string): {status: number | null; stdout: string; stderr: string} {
  return spawnSync('unshare', ['-m', '--propagation', 'private', 'sh', '-c', script], {encoding: 'utf8', timeout: 60_000})
}
const canMount =
  spawnSync('unshare', ['-m', '--propagation', 'private', 'sh', '-c', 'd=$(mktemp -d) && mount -t tmpfs tmpfs "$d"']).status === 0
const canChattr = (() => {
  const probe = join(process.env.TMPDIR ?? '/tmp', `orgctl-chattr-${process.pid}`)
  writeFileSync(probe, '')
  const ok = spawnSync('chattr', ['+i', probe]).status === 0
  spawnSync('chattr', ['-i', probe])
  spawnSync('rm', ['-f', probe])
  return ok
})()
const sh = (value: string) => `'${value.replaceAll("'", `'\\''`)}'`

/** Runs orgctl as `ADMIN` on the embedded store, from a shell (so it can run inside a namespace script). */
function cli(args: string[], env: Record<string, string | undefined>): string {
  const vars = Object.entries(baseEnv({ORGCTL_USER: ADMIN, ...env}))
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}=${sh(v!)}`)
    .join(' ')
  return `env -i ${vars} ${sh(process.execPath)} ${sh(BIN)} ${args.map(sh).join(' ')}`
}

/** The result of a `cli` run inside a script that saved its output under `prefix`. */
function saved(prefix: string): RunResult {
  const stdout = readFileSync(`${prefix}.out`, 'utf8')
  return {
    code: Number(readFileSync(`${prefix}.code`, 'utf8')),
    stdout,
    stderr: readFileSync(`${prefix}.err`, 'utf8'),
    json: () => JSON.parse(stdout),
  }
}
const capture = (command: string, prefix: string) =>
  `(${command} >${sh(`${prefix}.out`)} 2>${sh(`${prefix}.err`)}; echo $? >${sh(`${prefix}.code`)})`

let seeds = 0
/** A store with one org, at a path of its own. */
async function seedStore(): Promise<string> {
  const dir = join(box.dir, `seed-${seeds++}`)
  mkdirSync(dir)
  const store = join(dir, 'store.json')
  expectOk(await box.run(ADMIN, ['orgs:create', 'seeded-org'], {env: {ORGCTL_STORE: store}}))
  return store
}

describe.skipIf(HTTP)('a store that cannot be written', () => {
  const add = (store: string) => box.run(ADMIN, ['members:add', 'new@acme.test', '--org', 'seeded-org'], {env: {ORGCTL_STORE: store}})

  it('keeps its mode and group across a commit (0640, group nogroup)', async () => {
    const store = await seedStore()
    chmodSync(store, 0o640)
    chownSync(store, 0, 65534)
    expectOk(await add(store))
    const info = statSync(store)
    expect(info.mode & 0o7777).toBe(0o640)
    expect(info.gid).toBe(65534)
    expect(JSON.stringify(await readStore(store))).toContain('new@acme.test')
  })

  it('a new store is created 0600', async () => {
    const store = join(box.dir, 'fresh', 'store.json')
    expectOk(await box.run(ADMIN, ['orgs:create', 'fresh-org'], {env: {ORGCTL_STORE: store}}))
    expect(statSync(store).mode & 0o777).toBe(0o600)
  })

  it('a read-only file (mode 0444) is refused, not replaced', async () => {
    const store = await seedStore()
    chmodSync(store, 0o444)
    const before = readFileSync(store)
    const inode = statSync(store).ino
    expectError(await add(store), STORE_ERROR, new RegExp(`${store.replaceAll('.', '\\.')}.*read-only.*Nothing was changed`))
    expect(readFileSync(store).equals(before)).toBe(true)
    expect(statSync(store).ino).toBe(inode)
    expect(statSync(store).mode & 0o777).toBe(0o444)
    // Reading it is fine.
    expectOk(await box.run(ADMIN, ['members', '--org', 'seeded-org'], {env: {ORGCTL_STORE: store}}))
  })

  it('a dry run on a read-only file (0444, chattr +i) exits as the real command does, word for word; a rerun passes', async () => {
    for (const how of canChattr ? (['0444', '+i'] as const) : (['0444'] as const)) {
      const store = await seedStore()
      if (how === '0444') chmodSync(store, 0o444)
      else expect(spawnSync('chattr', ['+i', store]).status).toBe(0)
      try {
        const before = readFileSync(store)
        const real = await add(store)
        const dry = await box.run(ADMIN, ['members:add', 'new@acme.test', '--org', 'seeded-org', '--dry-run'], {env: {ORGCTL_STORE: store}})
        expect(dry.code, show(dry, how)).toBe(real.code)
        expect(real.code).toBe(STORE_ERROR)
        expect(dry.stderr).toBe(real.stderr)
        // The admin is one already: nothing would be written, so nothing is refused.
        expectOk(
          await box.run(ADMIN, ['members:set', ADMIN, '--role', 'admin', '--org', 'seeded-org', '--dry-run'], {env: {ORGCTL_STORE: store}}),
        )
        expect(readFileSync(store).equals(before)).toBe(true)
      } finally {
        if (how === '+i') spawnSync('chattr', ['-i', store])
      }
    }
  })

  it.skipIf(!canChattr)(
    'a dry run whose store folder cannot be created (its parent immutable) exits as the real command does',
    async () => {
      const parent = join(box.dir, 'no-new-folder')
      mkdirSync(parent)
      const store = join(parent, 'sub', 'store.json')
      expect(spawnSync('chattr', ['+i', parent]).status).toBe(0)
      try {
        // A change, and one the domain refuses (the real run fails to create the folder before it asks).
        for (const args of [
          ['orgs:create', 'fresh-org'],
          ['orgs:destroy', 'nope-org', '--confirm', 'nope-org'],
        ]) {
          const real = await box.run(ADMIN, args, {env: {ORGCTL_STORE: store}})
          const dry = await box.run(ADMIN, [...args, '--dry-run'], {env: {ORGCTL_STORE: store}})
          expect(real.code, show(real, args[0])).toBe(STORE_ERROR)
          expect(dry.code, show(dry, args[0])).toBe(real.code)
          expect(dry.stderr).toBe(real.stderr)
        }
      } finally {
        spawnSync('chattr', ['-i', parent])
      }
      expect(existsSync(join(parent, 'sub'))).toBe(false)
    },
  )

  it('a file the user may not write (run as nobody) is refused, not replaced', async () => {
    const store = await seedStore()
    const dir = join(store, '..')
    chmodSync(dir, 0o777)
    chmodSync(store, 0o644)
    const before = readFileSync(store)
    const result = spawnSync(process.execPath, [BIN, 'members:add', 'new@acme.test', '--org', 'seeded-org'], {
      env: baseEnv({ORGCTL_USER: ADMIN, ORGCTL_STORE: store, ORGCTL_CACHE_DIR: join(dir, 'nobody-cache')}) as NodeJS.ProcessEnv,
      uid: 65534,
      gid: 65534,
      encoding: 'utf8',
    })
    expectError(synced(result), STORE_ERROR, store)
    expect(readFileSync(store).equals(before)).toBe(true)
    chmodSync(dir, 0o755)
  })

  it.skipIf(!canChattr)('an immutable file or folder (chattr +i) is refused, naming the store', async () => {
    for (const target of ['file', 'folder'] as const) {
      const store = await seedStore()
      const path = target === 'file' ? store : join(store, '..')
      const before = readFileSync(store)
      expect(spawnSync('chattr', ['+i', path]).status).toBe(0)
      try {
        expectError(await add(store), STORE_ERROR, new RegExp(`${store.replaceAll('.', '\\.')}.*Nothing was changed`), target)
        expect(readFileSync(store).equals(before)).toBe(true)
      } finally {
        spawnSync('chattr', ['-i', path])
      }
      expect(existsSync(`${store}.lock`)).toBe(false)
    }
  })

  it.skipIf(!canMount)('a read-only file system and a full disk are refused, naming the store, with no temp file left', async () => {
    for (const kind of ['read-only', 'full'] as const) {
      const seed = await seedStore()
      const dir = join(box.dir, `mount-${kind}`)
      mkdirSync(dir)
      const store = join(dir, 'store.json')
      const prefix = join(box.dir, `mount-${kind}-run`)
      const script = [
        `mount -t tmpfs -o size=256k tmpfs ${sh(dir)}`,
        `cp -p ${sh(seed)} ${sh(store)}`,
        kind === 'read-only'
          ? `mount -o remount,ro ${sh(dir)}`
          : `(dd if=/dev/zero of=${sh(join(dir, 'filler'))} bs=1024 2>/dev/null || true)`,
        capture(cli(['members:add', 'new@acme.test', '--org', 'seeded-org'], {ORGCTL_STORE: store}), prefix),
        `cmp -s ${sh(seed)} ${sh(store)} && echo intact >${sh(`${prefix}.intact`)}`,
        `ls -a ${sh(dir)} >${sh(`${prefix}.ls`)}`,
      ].join(' && ')
      const ns = inNamespace(script)
      expect(ns.status, ns.stderr).toBe(0)
      const why = kind === 'read-only' ? /read-only file system/ : /disk is full/
      const line = expectError(saved(prefix), STORE_ERROR, new RegExp(store.replaceAll('.', '\\.')), kind)
      expect(line).toMatch(why)
      expect(line).toMatch(/Nothing was changed/)
      expect(existsSync(`${prefix}.intact`), kind).toBe(true)
      expect(
        readFileSync(`${prefix}.ls`, 'utf8')
          .split('\n')
          .filter((n) => n.startsWith('store.json.')),
      ).toEqual([])
    }
  })

  it('a path through a file (ENOTDIR) and a folder as the store (EISDIR): one line, reading and writing', async () => {
    const file = join(box.dir, 'plain-file')
    writeFileSync(file, 'x')
    const folder = join(box.dir, 'a-folder')
    mkdirSync(folder)
    for (const [store, why] of [
      [join(file, 'store.json'), /not a folder/],
      [folder, /is a folder/],
    ] as const) {
      for (const args of [['orgs'], ['orgs:create', 'other-org']]) {
        const line = expectError(await box.run(ADMIN, args, {env: {ORGCTL_STORE: store}}), STORE_ERROR, store, args.join(' '))
        expect(line).toMatch(why)
        expect(line).toMatch(/ORGCTL_STORE/)
      }
    }
    expect(readFileSync(file, 'utf8')).toBe('x')
  })

  it.runIf(process.platform === 'linux')(
    'a store folder under /proc (where a recursive mkdir never returns): one line, exit 7, promptly',
    async () => {
      const store = '/proc/orgctl-nope/x/store.json'
      const line = expectError(await box.run(ADMIN, ['orgs:create', 'other-org'], {env: {ORGCTL_STORE: store}}), STORE_ERROR, store)
      expect(line).toMatch(/Cannot create the folder of the store .*ENOENT/)
    },
  )

  it('a lock that cannot be created (a file in its place) is refused, naming the store', async () => {
    const store = await seedStore()
    writeFileSync(`${store}.lock`, '')
    const old = new Date(Date.now() - 3600_000)
    spawnSync('touch', ['-d', old.toISOString(), `${store}.lock`])
    const before = readFileSync(store)
    expectError(await add(store), STORE_ERROR, store)
    expect(readFileSync(store).equals(before)).toBe(true)
  })
})

describe.skipIf(HTTP)('a config directory that cannot be written', () => {
  const login = (configDir: string) => box.run(undefined, ['login', '--email', 'me@acme.test'], {env: {ORGCTL_CONFIG_DIR: configDir}})
  const configLine = (result: RunResult, configDir: string, why: RegExp, label: string) => {
    const line = expectError(result, STORE_ERROR, join(configDir, 'config.json'), label)
    expect(line, label).toMatch(why)
    expect(line, label).not.toMatch(/tmp-/)
    return line
  }

  it('a missing parent is created; the file is 0600', async () => {
    const configDir = join(box.dir, 'deep', 'er', 'config')
    expectOk(await login(configDir))
    expect(statSync(join(configDir, 'config.json')).mode & 0o777).toBe(0o600)
  })

  it.runIf(process.platform === 'linux')(
    'a config folder under /proc (where conf’s recursive mkdir never returns): exit 7, promptly',
    async () => {
      configLine(await login('/proc/orgctl-nope/config'), '/proc/orgctl-nope/config', /ENOENT/, '/proc')
    },
  )

  it('ENOTDIR, a read-only folder (chattr +i) and a user without permission: exit 7, the file named, nothing changed', async () => {
    const file = join(box.dir, 'config-file')
    writeFileSync(file, 'x')
    configLine(await login(join(file, 'config')), join(file, 'config'), /not a folder/, 'ENOTDIR')
    expect(readFileSync(file, 'utf8')).toBe('x')

    const locked = join(box.dir, 'config-locked')
    mkdirSync(locked)
    writeFileSync(join(locked, 'config.json'), '{"email":"old@acme.test"}')
    if (canChattr) {
      spawnSync('chattr', ['+i', locked])
      try {
        configLine(await login(locked), locked, /not permitted/, 'chattr')
      } finally {
        spawnSync('chattr', ['-i', locked])
      }
      expect(readFileSync(join(locked, 'config.json'), 'utf8')).toBe('{"email":"old@acme.test"}')
    }

    const shared = join(box.dir, 'config-root')
    mkdirSync(shared, {mode: 0o755})
    const result = spawnSync(process.execPath, [BIN, 'login', '--email', 'me@acme.test'], {
      env: baseEnv({ORGCTL_CONFIG_DIR: shared, ORGCTL_CACHE_DIR: join(shared, 'cache')}) as NodeJS.ProcessEnv,
      uid: 65534,
      gid: 65534,
      encoding: 'utf8',
    })
    configLine(synced(result), shared, /permission denied/, 'nobody')
  })

  it.skipIf(!canMount)('a full disk and a read-only file system: exit 7, the file named, nothing changed', async () => {
    for (const kind of ['read-only', 'full'] as const) {
      const dir = join(box.dir, `config-mount-${kind}`)
      mkdirSync(dir)
      const prefix = join(box.dir, `config-mount-${kind}-run`)
      const script = [
        `mount -t tmpfs -o size=64k tmpfs ${sh(dir)}`,
        `printf '{"email":"old@acme.test"}' >${sh(join(dir, 'config.json'))}`,
        kind === 'read-only'
          ? `mount -o remount,ro ${sh(dir)}`
          : `(dd if=/dev/zero of=${sh(join(dir, 'filler'))} bs=1024 2>/dev/null || true)`,
        capture(cli(['login', '--email', 'me@acme.test', '--org', 'seeded-org'], {ORGCTL_CONFIG_DIR: dir, ORGCTL_USER: undefined}), prefix),
        `cp ${sh(join(dir, 'config.json'))} ${sh(`${prefix}.after`)}`,
        `ls -a ${sh(dir)} >${sh(`${prefix}.ls`)}`,
      ].join(' && ')
      const ns = inNamespace(script)
      expect(ns.status, ns.stderr).toBe(0)
      configLine(saved(prefix), dir, kind === 'read-only' ? /read-only file system/ : /disk is full/, kind)
      expect(readFileSync(`${prefix}.after`, 'utf8')).toBe('{"email":"old@acme.test"}')
      expect(
        readFileSync(`${prefix}.ls`, 'utf8')
          .split('\n')
          .filter((n) => n.includes('tmp')),
      ).toEqual([])
    }
  })

  it.skipIf(!canChattr)('logout that revoked its token but cannot save the config does not claim nothing changed', async () => {
    const key = await box.mint(ADMIN, 'logout')
    const served = server ?? (await box.serve(baseEnv()))
    const dir = join(box.dir, 'config-logout')
    mkdirSync(dir)
    const saved = JSON.stringify({apiUrl: served.url, apiKey: key, email: ADMIN})
    writeFileSync(join(dir, 'config.json'), saved)
    spawnSync('chattr', ['+i', dir])
    let result: RunResult
    try {
      result = await box.run(undefined, ['logout'], {env: {ORGCTL_CONFIG_DIR: dir, ORGCTL_STORE: undefined}})
    } finally {
      spawnSync('chattr', ['-i', dir])
      if (!server) await stopServer(served)
    }
    // After its action line (`Revoking the token on URL... done`), one error line.
    expect(result.code, show(result)).toBe(STORE_ERROR)
    expect(lines(result.stderr).filter((l) => l.startsWith('Error: '))).toHaveLength(1)
    const line = lines(result.stderr).at(-1)!
    expect(line).toContain(join(dir, 'config.json'))
    expect(line).toMatch(/left as it was/)
    expect(line).not.toMatch(/Nothing was changed/)
    expect(readFileSync(join(dir, 'config.json'), 'utf8')).toBe(saved)
  })

  it('a config file that is not JSON: exit 7 naming it, left as it is', async () => {
    const dir = join(box.dir, 'config-corrupt')
    mkdirSync(dir)
    writeFileSync(join(dir, 'config.json'), '{"email": ')
    const result = await box.run(undefined, ['orgs'], {env: {ORGCTL_CONFIG_DIR: dir}})
    configLine(result, dir, /not valid JSON/, 'corrupt')
    expect(readFileSync(join(dir, 'config.json'), 'utf8')).toBe('{"email": ')
  })
})

describe.skipIf(HTTP)('orgctl serve checks its store before it listens', () => {
  const serve = (store: string) =>
    spawnSync(process.execPath, [BIN, 'serve', '--port', '0'], {
      env: baseEnv({ORGCTL_STORE: store}) as NodeJS.ProcessEnv,
      encoding: 'utf8',
      timeout: 20_000,
    })
  const asRun = synced

  it('a missing store: refused, naming it and how to create it', () => {
    const store = join(box.dir, 'serve-missing', 'store.json')
    const line = expectError(asRun(serve(store)), STORE_ERROR, store)
    expect(line).toMatch(/orgs:create/)
    expect(existsSync(store)).toBe(false)
  })

  it('a corrupt store: refused, naming it, left as it is', () => {
    const store = join(box.dir, 'serve-corrupt.json')
    writeFileSync(store, '{"schemaVersion":3,')
    expectError(asRun(serve(store)), STORE_ERROR, new RegExp(`${store.replaceAll('.', '\\.')}.*not valid JSON`))
    expect(readFileSync(store, 'utf8')).toBe('{"schemaVersion":3,')
  })

  it('a store of the wrong shape: refused, naming it and the record', () => {
    const store = join(box.dir, 'serve-bad.json')
    writeFileSync(
      store,
      JSON.stringify({schemaVersion: 3, users: [], orgs: [{name: 'x'}], histories: [], apps: [], transfers: [], tokens: []}),
    )
    expectError(asRun(serve(store)), STORE_ERROR, /orgs\[0\]/)
  })
})

describe.skipIf(HTTP)('the code cache folder', () => {
  it('one that cannot be made (a file in the way) costs speed, never an error', async () => {
    const file = join(box.dir, 'cache-file')
    writeFileSync(file, 'x')
    const result = await box.run(ADMIN, ['members', '--org', ORG], {env: {ORGCTL_CACHE_DIR: join(file, 'cache')}})
    expectOk(result)
    expect(result.stderr).toBe('')
    expect(readFileSync(file, 'utf8')).toBe('x')
  })
})

describe.skipIf(HTTP)('npm run demo', () => {
  it('writes nothing into the home directory (code caches, config and store all in its own folder)', () => {
    const home = join(box.dir, 'demo-home')
    mkdirSync(home)
    const env: Record<string, string | undefined> = {PATH: process.env.PATH, HOME: home, TMPDIR: box.dir}
    const result = spawnSync('bash', [join(BIN, '..', '..', 'scripts', 'demo.sh')], {env: env as NodeJS.ProcessEnv, encoding: 'utf8'})
    expect(result.status, result.stderr).toBe(0)
    expect(spawnSync('find', [home, '-mindepth', '1'], {encoding: 'utf8'}).stdout).toBe('')
    expect(lines(result.stdout).some((line) => line.startsWith('Demo done'))).toBe(true)
  })
})
