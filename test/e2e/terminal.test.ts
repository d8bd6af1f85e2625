/**
 * The built binary at a real pseudo-terminal (util-linux `script`), of every size a terminal can
 * report, including 0x0 and 0 columns (docker run -t, `script` without a terminal, some CI runners),
 * and its answer to SIGINT (Ctrl-C) and SIGTERM: exit 130 / 143 promptly, nothing left half-done.
 */
import {type ChildProcess, spawn} from 'node:child_process'
import {existsSync, mkdirSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync} from 'node:fs'
import {type AddressInfo, createServer, type Socket} from 'node:net'
import {join} from 'node:path'

import {afterEach, beforeEach, describe, expect, it} from 'vitest'

import {BIN, HTTP, PG, runBin, type Sandbox, sandbox} from '../helpers/cli.js'
import {ADMIN, expectOk, ORG} from './_util.js'

interface PtyRun {
  child: ChildProcess
  /** Everything the terminal received, so far. */
  output(): string
  /** The pid of orgctl itself (the shell execs it). */
  pid(): Promise<number>
  /** Resolves with the exit code and how long the run took. */
  done: Promise<{code: number; ms: number}>
  /** Types into the terminal (\x03 is Ctrl-C, \x04 Ctrl-D). */
  type(text: string): void
}

const AUDIT_LOG = /^store\.json\.audit(\.\d+)?\.jsonl$/
const quote = (text: string) => `'${text.replaceAll("'", `'\\''`)}'`

/** Runs orgctl inside a pty of `cols` x `rows`; the output is capped so a runaway writer cannot fill memory. */
function inPty(box: Sandbox, args: string[], size: {cols: number; rows: number}, env: Record<string, string | undefined> = {}): PtyRun {
  const pidFile = join(box.dir, `pid-${Math.random().toString(36).slice(2)}`)
  const command = `stty cols ${size.cols} rows ${size.rows}; echo $$ > ${quote(pidFile)}; exec ${quote(process.execPath)} ${quote(BIN)} ${args.map(quote).join(' ')}`
  const started = Date.now()
  const child = spawn('script', ['-qfec', command, '/dev/null'], {
    env: {
      PATH: process.env.PATH,
      HOME: join(box.dir, 'home'),
      XDG_CACHE_HOME: join(box.dir, 'cache'),
      ORGCTL_STORE: box.store,
      ORGCTL_CONFIG_DIR: box.configDir,
      ORGCTL_CACHE_DIR: join(box.dir, 'cache'),
      ORGCTL_USER: ADMIN,
      TERM: 'xterm-256color',
      ...env,
    } as NodeJS.ProcessEnv,
    stdio: ['pipe', 'pipe', 'pipe'],
  })
  let output = ''
  const take = (chunk: Buffer) => {
    if (output.length < 1_000_000) output += chunk.toString('utf8')
  }
  child.stdout!.on('data', take)
  child.stderr!.on('data', take)
  const done = new Promise<{code: number; ms: number}>((resolve) => {
    child.on('close', (code, signal) => resolve({code: code ?? (signal ? 128 : -1), ms: Date.now() - started}))
  })
  return {
    child,
    output: () => output,
    done,
    type: (text) => child.stdin!.write(text),
    pid: async () => {
      for (let i = 0; i < 200; i++) {
        if (existsSync(pidFile)) {
          const pid = Number(readFileSync(pidFile, 'utf8').trim())
          if (pid > 0) return pid
        }
        await new Promise((resolve) => setTimeout(resolve, 25))
      }
      throw new Error('orgctl never started')
    },
  }
}

/** Waits for the run, killing it (and failing) when it takes longer than `ms`. */
async function finishes(run: PtyRun, ms: number): Promise<{code: number; ms: number}> {
  const timer = setTimeout(() => {
    run.child.kill('SIGKILL')
    void run.pid().then((pid) => {
      try {
        process.kill(pid, 'SIGKILL')
      } catch {}
    })
  }, ms)
  const result = await run.done
  clearTimeout(timer)
  expect(
    result.ms,
    `did not finish in ${ms} ms; output ${run.output().length} chars: ${JSON.stringify(run.output().slice(0, 400))}`,
  ).toBeLessThan(ms)
  return result
}

const waitFor = async (what: () => boolean, ms = 10_000) => {
  const deadline = Date.now() + ms
  while (!what()) {
    if (Date.now() > deadline) throw new Error('timed out waiting')
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

/** Takes the store's lock as another orgctl would (proper-lockfile's directory), kept fresh. */
function holdLock(store: string): () => void {
  const lock = `${store}.lock`
  mkdirSync(lock)
  const timer = setInterval(() => utimesSync(lock, new Date(), new Date()), 500)
  return () => {
    clearInterval(timer)
    rmSync(lock, {recursive: true, force: true})
  }
}

const SIZES = [
  {cols: 0, rows: 0},
  {cols: 0, rows: 24},
  {cols: 80, rows: 0},
  {cols: 1, rows: 1},
  {cols: 10, rows: 3},
  {cols: 80, rows: 24},
]

describe.skipIf(HTTP)('at a terminal of any size', () => {
  let box: Sandbox
  beforeEach(() => {
    box = sandbox()
  })
  afterEach(() => box.cleanup())

  for (const size of SIZES) {
    for (const noColor of [undefined, '1']) {
      it(`finishes with a spinner at ${size.cols}x${size.rows}${noColor ? ' with NO_COLOR' : ''}`, async () => {
        const create = inPty(box, ['orgs:create', ORG], size, {NO_COLOR: noColor})
        expect((await finishes(create, 15_000)).code, create.output()).toBe(0)
        expect(create.output().length).toBeLessThan(4000)
        expect(create.output()).toContain('done')
        const add = inPty(box, ['members:add', 'dev@acme.test', '--org', ORG], size, {NO_COLOR: noColor})
        expect((await finishes(add, 15_000)).code, add.output()).toBe(0)
        expect(add.output().length).toBeLessThan(4000)
        expect(add.output()).toContain('done')
      })
    }
  }

  it('renders tables and help at 0 columns', async () => {
    expectOk(await box.run(ADMIN, ['orgs:create', ORG]))
    for (const args of [['members', '--org', ORG], ['members:add', '--help'], ['help'], ['permissions'], ['orgs']]) {
      const run = inPty(box, args, {cols: 0, rows: 0})
      expect((await finishes(run, 15_000)).code, `${args.join(' ')}: ${run.output()}`).toBe(0)
      expect(run.output().length, args.join(' ')).toBeLessThan(20_000)
    }
  })
})

describe.skipIf(HTTP)('interrupted', () => {
  let box: Sandbox
  let release: (() => void) | undefined
  beforeEach(async () => {
    box = sandbox()
    expectOk(await box.run(ADMIN, ['orgs:create', ORG]))
  })
  afterEach(async () => {
    release?.()
    release = undefined
    await box.cleanup()
  })

  // The audit log beside the store is the store's own (src/lib/storage/json/audit-file.ts), not a leftover.
  const leftovers = () =>
    readdirSync(box.dir).filter((name) => name !== 'store.json' && name.startsWith('store.json') && !AUDIT_LOG.test(name))

  for (const size of [
    {cols: 0, rows: 0},
    {cols: 80, rows: 24},
  ]) {
    it(`ends with 130 on Ctrl-C while a spinner waits, at ${size.cols}x${size.rows}`, async () => {
      const before = readFileSync(box.store)
      release = holdLock(box.store)
      const run = inPty(box, ['members:add', 'dev@acme.test', '--org', ORG], size)
      await run.pid()
      await waitFor(() => run.output().includes('Adding'))
      await new Promise((resolve) => setTimeout(resolve, 300))
      const pressed = Date.now()
      run.type('\x03')
      const result = await finishes(run, 30_000)
      expect(Date.now() - pressed).toBeLessThan(3000)
      expect(result.code, run.output()).toBe(130)
      expect(run.output().length).toBeLessThan(20_000)
      expect(readFileSync(box.store).equals(before)).toBe(true)
      // The other process's lock is still its own; nothing of ours is left behind.
      expect(leftovers()).toEqual(['store.json.lock'])
    })

    it(`ends with 143 on SIGTERM while a spinner waits, at ${size.cols}x${size.rows}`, async () => {
      const before = readFileSync(box.store)
      release = holdLock(box.store)
      const run = inPty(box, ['members:add', 'dev@acme.test', '--org', ORG], size)
      const pid = await run.pid()
      await waitFor(() => run.output().includes('Adding'))
      await new Promise((resolve) => setTimeout(resolve, 300))
      const sent = Date.now()
      process.kill(pid, 'SIGTERM')
      const result = await finishes(run, 30_000)
      expect(Date.now() - sent).toBeLessThan(3000)
      expect(result.code, run.output()).toBe(143)
      expect(readFileSync(box.store).equals(before)).toBe(true)
      expect(leftovers()).toEqual(['store.json.lock'])
    })
  }

  for (const [signal, code] of [
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const) {
    it(`ends with ${code} on ${signal} when piped, while it waits on an API`, async () => {
      // An API that takes the request and never answers: its connection says orgctl is at work.
      let connected = false
      const sockets: Socket[] = []
      const server = createServer((socket) => {
        connected = true
        sockets.push(socket)
      })
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
      const {port} = server.address() as AddressInfo
      try {
        const child = spawn(process.execPath, [BIN, 'members:add', 'dev@acme.test', '--org', ORG], {
          env: {
            PATH: process.env.PATH,
            HOME: join(box.dir, 'home'),
            ORGCTL_CONFIG_DIR: box.configDir,
            ORGCTL_CACHE_DIR: join(box.dir, 'cache'),
            ORGCTL_API_URL: `http://127.0.0.1:${port}`,
            ORGCTL_API_KEY: 'orgctl_test-token',
          },
          stdio: ['ignore', 'pipe', 'pipe'],
        })
        let stderr = ''
        child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
        const exited = new Promise<number | null>((resolve) => child.on('close', (exitCode) => resolve(exitCode)))
        await waitFor(() => connected, 20_000)
        const sent = Date.now()
        child.kill(signal)
        expect(await exited, stderr).toBe(code)
        expect(Date.now() - sent).toBeLessThan(3000)
        expect(stderr).not.toMatch(/^\s+at /m)
      } finally {
        for (const socket of sockets) socket.destroy()
        server.close()
      }
    })
  }

  it('leaves the store whole and unlocked when killed at any moment of a change', async () => {
    for (let i = 0; i < 8; i++) {
      const child = spawn(process.execPath, [BIN, 'members:add', `dev${i}@acme.test`, '--org', ORG], {
        env: {
          ...process.env,
          ORGCTL_STORE: box.store,
          ORGCTL_CONFIG_DIR: box.configDir,
          ORGCTL_USER: ADMIN,
          ORGCTL_CACHE_DIR: join(box.dir, 'cache'),
        },
        stdio: 'ignore',
      })
      // Killed before orgctl set up its handlers, it dies of the signal (as the shell reports it: 130/143).
      const exited = new Promise<number | string>((resolve) => child.on('close', (exitCode, signal) => resolve(exitCode ?? signal!)))
      setTimeout(() => child.kill(i % 2 ? 'SIGINT' : 'SIGTERM'), 40 + i * 25)
      expect([0, 130, 143, 'SIGINT', 'SIGTERM']).toContain(await exited)
      expect(leftovers()).toEqual([])
      expect(() => JSON.parse(readFileSync(box.store, 'utf8'))).not.toThrow()
    }
    expectOk(
      await runBin(['members', '--org', ORG, '--json'], {
        ...process.env,
        ORGCTL_STORE: box.store,
        ORGCTL_USER: ADMIN,
        ORGCTL_CONFIG_DIR: box.configDir,
        ORGCTL_CACHE_DIR: join(box.dir, 'cache'),
      }),
    )
  })
})

describe.skipIf(HTTP)('at a prompt', () => {
  let box: Sandbox
  beforeEach(async () => {
    box = sandbox()
    expectOk(await box.run(ADMIN, ['orgs:create', ORG]))
    expectOk(await box.run(ADMIN, ['apps:create', 'acme-api', '--org', ORG]))
  })
  afterEach(() => box.cleanup())

  it('Ctrl-C at a confirmation says Aborted. and exits 130, changing nothing', async () => {
    const before = readFileSync(box.store)
    const run = inPty(box, ['apps:destroy', 'acme-api'], {cols: 80, rows: 24})
    await waitFor(() => run.output().includes('To proceed'))
    run.type('\x03')
    const result = await finishes(run, 10_000)
    expect(result.code, run.output()).toBe(130)
    expect(run.output()).toMatch(/Aborted\./)
    expect(run.output()).not.toMatch(/force closed/)
    expect(readFileSync(box.store).equals(before)).toBe(true)
  })

  it('Ctrl-D at a confirmation is a usage error (exit 2), changing nothing', async () => {
    const before = readFileSync(box.store)
    const run = inPty(box, ['apps:destroy', 'acme-api'], {cols: 0, rows: 0})
    await waitFor(() => run.output().includes('To proceed'))
    run.type('\x04')
    const result = await finishes(run, 10_000)
    expect(result.code, run.output()).toBe(2)
    expect(run.output()).toMatch(/Error: /)
    expect(run.output()).not.toMatch(/force closed/)
    expect(readFileSync(box.store).equals(before)).toBe(true)
  })

  it('apply shows the plan and asks; yes applies it, anything else changes nothing', async () => {
    const file = join(box.dir, 'access.yaml')
    writeFileSync(file, `version: 1\norgs:\n  ${ORG}:\n    members: {${ADMIN}: admin, dev@acme.test: member}\n`)
    const before = readFileSync(box.store)
    const refused = inPty(box, ['apply', '-f', file], {cols: 80, rows: 24})
    await waitFor(() => refused.output().includes('Type yes'))
    expect(refused.output()).toContain('+ member dev@acme.test member')
    refused.type('no\r')
    const no = await finishes(refused, 10_000)
    expect(no.code, refused.output()).toBe(2)
    expect(refused.output()).toMatch(/Not confirmed/)
    expect(readFileSync(box.store).equals(before)).toBe(true)
    const accepted = inPty(box, ['apply', '-f', file], {cols: 80, rows: 24})
    await waitFor(() => accepted.output().includes('Type yes'))
    accepted.type('yes\r')
    const yes = await finishes(accepted, 10_000)
    expect(yes.code, accepted.output()).toBe(0)
    expect(expectOk(await box.run(ADMIN, ['plan', '-f', file])).code).toBe(0)
  })
})

// On the file the same in every mode (the local run has it); on PostgreSQL serve drains its pool too.
describe.skipIf(HTTP && !PG)('serve on a signal', () => {
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    it(`finishes and exits 0 on ${signal}`, async () => {
      const box = sandbox()
      try {
        expectOk(await box.run(ADMIN, ['orgs:create', ORG]))
        const server = await box.serve({
          PATH: process.env.PATH,
          ORGCTL_CACHE_DIR: join(box.dir, 'cache'),
          HOME: join(box.dir, 'home'),
        })
        const exited = new Promise<number | null>((resolve) => server.child.on('exit', (code) => resolve(code)))
        server.child.kill(signal)
        expect(await exited).toBe(0)
      } finally {
        await box.cleanup()
      }
    })
  }
})
