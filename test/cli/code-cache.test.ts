/**
 * Review: bin/run.js's V8 code cache (vm.Script cachedData, one file per command in
 * $ORGCTL_CACHE_DIR/v8, else $XDG_CACHE_HOME/orgctl/v8, else ~/.cache/orgctl/v8).
 *
 * Runs the built CLI as a user would (`node bin/run.js ...`), each test in a temp dir of its own.
 * The CLI runs from a private copy of what `npm install` would put in place (package.json,
 * oclif.manifest.json, bin/, dist/orgctl.cjs, node_modules linked): other suites rebuild dist/
 * (`rm -rf dist` first, and a new build id every time) while this one runs, and the cache key is
 * that build id, so the live dist/ could change between two runs of one test.
 */
import {spawn} from 'node:child_process'
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs'
import {tmpdir} from 'node:os'
import {join, resolve} from 'node:path'

import {afterAll, afterEach, beforeAll, describe, expect, it} from 'vitest'

const ROOT = resolve(import.meta.dirname, '../..')
const USER = 'owner@acme.test'
const RUN_TIMEOUT = 20_000
const DAY = 24 * 3600 * 1000
const IS_ROOT = process.getuid?.() === 0

interface Result {
  code: number | null
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
}

/** The installed copy of orgctl every test runs, and its build id (first line of dist/orgctl.cjs). */
let install: string
let BUILD: string
const dirs: string[] = []

function run(bin: string, args: string[], env: Record<string, string | undefined>, cwd: string): Promise<Result> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [bin, ...args], {cwd, env: env as NodeJS.ProcessEnv, stdio: ['ignore', 'pipe', 'pipe']})
    let stdout = ''
    let stderr = ''
    const timer = setTimeout(() => child.kill('SIGKILL'), RUN_TIMEOUT)
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk))
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
    child.on('error', (error) => {
      clearTimeout(timer)
      reject(error)
    })
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      resolvePromise({code, signal, stdout, stderr})
    })
  })
}

function snapshot(): string {
  const dir = mkdtempSync(join(tmpdir(), 'orgctl-cc-install-'))
  dirs.push(dir)
  mkdirSync(join(dir, 'bin'))
  mkdirSync(join(dir, 'dist'))
  for (const file of ['package.json', 'oclif.manifest.json', 'bin/run.js', 'bin/package.json', 'dist/orgctl.cjs'])
    copyFileSync(join(ROOT, file), join(dir, file))
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir')
  return dir
}

beforeAll(async () => {
  // dist/ may be in the middle of a rebuild: take a copy that runs.
  const deadline = Date.now() + 60_000
  for (;;) {
    try {
      const dir = snapshot()
      const build = /^\/\*! orgctl-build:([\w-]+) \*\//.exec(readFileSync(join(dir, 'dist/orgctl.cjs'), 'utf8'))?.[1]
      const probe = await run(
        join(dir, 'bin/run.js'),
        ['--version'],
        {PATH: process.env.PATH, HOME: join(dir, 'home'), ORGCTL_NO_COMPILE_CACHE: '1'},
        dir,
      )
      if (build && probe.code === 0) {
        install = dir
        BUILD = build
        return
      }
    } catch {}
    if (Date.now() > deadline) throw new Error('no runnable build in dist/ (run `npm run build`)')
    await new Promise((r) => setTimeout(r, 500))
  }
}, 90_000)

afterAll(() => {
  for (const dir of dirs) rmSync(dir, {recursive: true, force: true})
})

/** One test's sandbox: never the real home directory. */
interface Box {
  dir: string
  cacheDir: string
  /** $ORGCTL_CACHE_DIR/v8 */
  v8: string
  env: Record<string, string | undefined>
  orgctl(args: string[], extra?: Record<string, string | undefined>): Promise<Result>
  /** File names in the v8 dir ([] when it does not exist). */
  files(dir?: string): string[]
  /** The one cache file of this build for a command ('-' for none), or undefined. */
  fileFor(command: string, dir?: string): string | undefined
}

let current: Box | undefined

function box(): Box {
  const dir = mkdtempSync(join(tmpdir(), 'orgctl-cc-'))
  const cacheDir = join(dir, 'cache')
  const env = {
    PATH: process.env.PATH,
    HOME: join(dir, 'home'),
    XDG_CACHE_HOME: join(dir, 'xdg-cache'),
    XDG_CONFIG_HOME: join(dir, 'xdg-config'),
    XDG_DATA_HOME: join(dir, 'xdg-data'),
    ORGCTL_CACHE_DIR: cacheDir,
    ORGCTL_CONFIG_DIR: join(dir, 'config'),
    ORGCTL_STORE: join(dir, 'store.json'),
    NO_COLOR: '1',
  }
  const v8 = join(cacheDir, 'v8')
  const files = (at = v8) => (existsSync(at) ? readdirSync(at).sort() : [])
  const b: Box = {
    dir,
    cacheDir,
    v8,
    env,
    orgctl: (args, extra = {}) => run(join(install, 'bin/run.js'), args, {...env, ...extra}, dir),
    files,
    fileFor: (command, at = v8) => {
      const name = new RegExp(`^${BUILD}-${process.version.replaceAll('.', '\\.')}-${process.arch}-[0-9a-z]+-${command}\\.bin$`)
      const found = files(at).filter((f) => name.test(f))
      expect(found.length).toBeLessThanOrEqual(1)
      return found[0] && join(at, found[0])
    },
  }
  current = b
  return b
}

afterEach(() => {
  if (!current) return
  // Give back any mode a test took away, so the dir can be removed.
  for (const path of [current.cacheDir, current.v8]) {
    try {
      chmodSync(path, 0o700)
    } catch {}
  }
  rmSync(current.dir, {recursive: true, force: true})
  current = undefined
})

const NO_ORGS = /not a member of any org/

describe('V8 code cache of bin/run.js', () => {
  it('leaves no import() of a named module in the bundle: a script compiled from a code cache has no loader for one', () => {
    // Our lazy imports must become require() (bundled, or external): a literal import('x') left in would fail
    // ("A dynamic import callback was not specified") on every run after the first. oclif's own import(url)
    // calls load plugins from files, which a bundled orgctl never does.
    const bundle = readFileSync(join(install, 'dist/orgctl.cjs'), 'latin1')
    expect([...bundle.matchAll(/\bimport\(\s*["'`][^"'`]*["'`]\s*\)/g)].map((match) => match[0])).toEqual([])
  })

  it('writes one cache file per command (--version -> "-", orgs -> "orgs"), and does not rewrite one V8 accepted', async () => {
    const b = box()
    const version = await b.orgctl(['--version'])
    expect(version.code).toBe(0)
    expect(version.stdout).toMatch(/^orgctl\/\d+\.\d+\.\d+ /)
    expect(b.files()).toHaveLength(1)
    const dash = b.fileFor('-')
    expect(dash).toBeDefined()

    const orgs = await b.orgctl(['orgs'], {ORGCTL_USER: USER})
    expect(orgs.code, orgs.stderr).toBe(0)
    expect(orgs.stderr).toMatch(NO_ORGS)
    const file = b.fileFor('orgs')!
    expect(file).toBeDefined()
    expect(b.files()).toEqual([dash!, file].map((f) => f.slice(b.v8.length + 1)).sort())
    // Both from one node, one set of flags: only the command differs.
    expect(file.replace(/-orgs\.bin$/, '')).toBe(dash!.replace(/--\.bin$/, ''))
    expect(readFileSync(file).equals(readFileSync(dash!))).toBe(false)

    // Back-date it, so any rewrite shows in the mtime (and in the inode: writes go through a rename).
    const past = new Date(Date.now() - 3600 * 1000)
    utimesSync(file, past, past)
    const before = statSync(file)
    const bytes = readFileSync(file)
    const again = await b.orgctl(['orgs'], {ORGCTL_USER: USER})
    expect(again.code).toBe(0)
    expect(again.stdout).toBe(orgs.stdout)
    const after = statSync(file)
    expect(after.mtimeMs).toBe(before.mtimeMs)
    expect(after.ino).toBe(before.ino)
    expect(readFileSync(file).equals(bytes)).toBe(true)
    expect(b.files()).toHaveLength(2)
  })

  it('writes no cache file for a command whose run failed', async () => {
    const b = box()
    const noOrg = await b.orgctl(['members'], {ORGCTL_USER: USER})
    expect(noOrg.code).not.toBe(0)
    expect(noOrg.stderr).toMatch(/Missing org/)
    const unknown = await b.orgctl(['members', '--org', 'nope'], {ORGCTL_USER: USER})
    expect(unknown.code).not.toBe(0)
    expect(unknown.stderr).toMatch(/Couldn't find org nope/)
    expect(b.files()).toEqual([])

    // The same command, once it succeeds, does get its file.
    expect((await b.orgctl(['orgs:create', 'acme'], {ORGCTL_USER: USER})).code).toBe(0)
    const ok = await b.orgctl(['members', '--org', 'acme'], {ORGCTL_USER: USER})
    expect(ok.code, ok.stderr).toBe(0)
    expect(ok.stdout).toContain(USER)
    expect(b.fileFor('members')).toBeDefined()
  })

  it("maps ':' in a command id to '_' in the file name (orgs:create -> -orgs_create.bin)", async () => {
    const b = box()
    const created = await b.orgctl(['orgs:create', 'acme'], {ORGCTL_USER: USER})
    expect(created.code, created.stderr).toBe(0)
    expect(b.files()).toHaveLength(1)
    expect(b.files()[0]).toMatch(/-orgs_create\.bin$/)
    expect(b.files()[0]).not.toContain(':')
    expect(b.fileFor('orgs_create')).toBeDefined()
  })

  it('runs right on a garbage cache file, and rewrites it with data V8 then accepts', async () => {
    const b = box()
    const first = await b.orgctl(['orgs'], {ORGCTL_USER: USER})
    expect(first.code).toBe(0)
    const file = b.fileFor('orgs')!
    const garbage = Buffer.alloc(4096, 'not a V8 code cache\n')
    writeFileSync(file, garbage)

    const second = await b.orgctl(['orgs'], {ORGCTL_USER: USER})
    expect(second.code, second.stderr).toBe(0)
    expect(second.stdout).toBe(first.stdout)
    const rewritten = readFileSync(file)
    expect(rewritten.equals(garbage)).toBe(false)
    expect(rewritten.length).toBeGreaterThan(garbage.length)

    // The new data is good: the next run keeps it.
    const ino = statSync(file).ino
    const third = await b.orgctl(['orgs'], {ORGCTL_USER: USER})
    expect(third.code).toBe(0)
    expect(third.stdout).toBe(first.stdout)
    expect(statSync(file).ino).toBe(ino)
  })

  // Found by this suite: V8 checks a code cache's payload checksum only under --verify-snapshot-checksum
  // (off in release builds), so a cache damaged past its header (bad sector, torn write, bit rot) was
  // accepted and crashed the process (SIGSEGV or a V8 fatal error) on every run of that command.
  // bin/run.js now turns the flag on while it reads and writes the cache.
  it('runs right on a cache file damaged past its header, and writes it again', async () => {
    const b = box()
    const first = await b.orgctl(['orgs'], {ORGCTL_USER: USER})
    expect(first.code).toBe(0)
    const file = b.fileFor('orgs')!
    const data = readFileSync(file)
    data.fill(0, 32) // keep the header, lose the rest: same length
    writeFileSync(file, data)

    for (let i = 0; i < 2; i++) {
      const result = await b.orgctl(['orgs'], {ORGCTL_USER: USER})
      expect({code: result.code, signal: result.signal, stdout: result.stdout}).toEqual({code: 0, signal: null, stdout: first.stdout})
    }
    expect(readFileSync(file).equals(data)).toBe(false)
  })

  it('prunes, at a write, the cache files of other builds not rewritten for 14 days, and nothing else', async () => {
    const b = box()
    expect((await b.orgctl(['--version'])).code).toBe(0)
    const tail = `${process.version}-${process.arch}-x`
    const oldOther = `00000000-0000-0000-0000-000000000000-${tail}-orgs.bin`
    const oldOtherTmp = `00000000-0000-0000-0000-000000000000-${tail}-orgs.bin.1234.tmp`
    const recentOther = `00000000-0000-0000-0000-000000000001-${tail}-orgs.bin`
    const oldCurrent = `${BUILD}-${tail}-other.bin`
    const oldUnrelated = 'notes.txt'
    const plant = (name: string, age: number) => {
      const path = join(b.v8, name)
      writeFileSync(path, 'x')
      const at = new Date(Date.now() - age)
      utimesSync(path, at, at)
    }
    plant(oldOther, 20 * DAY)
    plant(oldOtherTmp, 20 * DAY)
    plant(recentOther, 1 * DAY)
    plant(oldCurrent, 20 * DAY)
    plant(oldUnrelated, 20 * DAY)

    // A run that writes nothing (its cache is accepted) prunes nothing.
    expect((await b.orgctl(['--version'])).code).toBe(0)
    expect(b.files()).toContain(oldOther)

    const orgs = await b.orgctl(['orgs'], {ORGCTL_USER: USER})
    expect(orgs.code).toBe(0)
    const written = b.fileFor('orgs')
    expect(written).toBeDefined()
    const names = b.files()
    expect(names).not.toContain(oldOther)
    expect(names).not.toContain(oldOtherTmp)
    expect(names).toContain(recentOther)
    expect(names).toContain(oldCurrent)
    expect(names).toContain(oldUnrelated)
    expect(names).toHaveLength(5) // '-', 'orgs', and the three kept
  })

  it('ORGCTL_NO_COMPILE_CACHE=1 writes nothing', async () => {
    const b = box()
    const version = await b.orgctl(['--version'], {ORGCTL_NO_COMPILE_CACHE: '1'})
    expect(version.code).toBe(0)
    expect(version.stdout).toMatch(/^orgctl\//)
    const orgs = await b.orgctl(['orgs'], {ORGCTL_NO_COMPILE_CACHE: '1', ORGCTL_USER: USER})
    expect(orgs.code).toBe(0)
    expect(orgs.stderr).toMatch(NO_ORGS)
    expect(existsSync(b.cacheDir)).toBe(false)
    expect(existsSync(join(b.env.XDG_CACHE_HOME!, 'orgctl'))).toBe(false)
    expect(existsSync(join(b.env.HOME!, '.cache'))).toBe(false)
  })

  it('without ORGCTL_CACHE_DIR uses $XDG_CACHE_HOME/orgctl/v8, and without both ~/.cache/orgctl/v8', async () => {
    const b = box()
    const xdg = await b.orgctl(['--version'], {ORGCTL_CACHE_DIR: undefined})
    expect(xdg.code).toBe(0)
    expect(b.fileFor('-', join(b.env.XDG_CACHE_HOME!, 'orgctl', 'v8'))).toBeDefined()
    const home = await b.orgctl(['--version'], {ORGCTL_CACHE_DIR: undefined, XDG_CACHE_HOME: undefined})
    expect(home.code).toBe(0)
    expect(b.fileFor('-', join(b.env.HOME!, '.cache', 'orgctl', 'v8'))).toBeDefined()
    expect(existsSync(b.cacheDir)).toBe(false)
  })

  it.skipIf(IS_ROOT)('an unwritable cache dir (mode 0500) does not break the command', async () => {
    const b = box()
    // The v8 dir exists but cannot be written to.
    mkdirSync(b.v8, {recursive: true})
    chmodSync(b.v8, 0o500)
    const orgs = await b.orgctl(['orgs'], {ORGCTL_USER: USER})
    expect(orgs.code, orgs.stderr).toBe(0)
    // Only the (piped: stderr) note that there are no orgs, nothing about the cache.
    expect(orgs.stderr).toMatch(/^You are not a member of any org\.[^\n]*\n$/)
    expect(b.files()).toEqual([])
    chmodSync(b.v8, 0o700)

    // The cache dir itself cannot be written to: no v8 dir can be made in it.
    rmSync(b.v8, {recursive: true})
    chmodSync(b.cacheDir, 0o500)
    const version = await b.orgctl(['--version'])
    expect(version.code).toBe(0)
    expect(version.stdout).toMatch(/^orgctl\//)
    expect(existsSync(b.v8)).toBe(false)
  })

  it('a cache path that cannot be a directory (a file where v8/ goes) does not break the command', async () => {
    // The same failure as an unwritable dir, in a form root cannot bypass.
    const b = box()
    mkdirSync(b.cacheDir)
    writeFileSync(b.v8, 'not a dir')
    const orgs = await b.orgctl(['orgs'], {ORGCTL_USER: USER})
    expect(orgs.code, orgs.stderr).toBe(0)
    // Only the (piped: stderr) note that there are no orgs, nothing about the cache.
    expect(orgs.stderr).toMatch(/^You are not a member of any org\.[^\n]*\n$/)
    expect(readFileSync(b.v8, 'utf8')).toBe('not a dir')
  })

  it.runIf(process.platform === 'linux')(
    'a cache dir under /proc (where a recursive mkdir never returns) does not hang the exit',
    async () => {
      const b = box()
      const orgs = await b.orgctl(['orgs'], {ORGCTL_USER: USER, ORGCTL_CACHE_DIR: '/proc/orgctl-nope/cache'})
      expect(orgs.signal, 'killed at the timeout: the run hung').toBeNull()
      expect(orgs.code, orgs.stderr).toBe(0)
    },
  )
})
