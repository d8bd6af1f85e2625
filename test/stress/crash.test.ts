/**
 * Crashes: writers SIGKILLed at random moments (CLI processes on the store, and
 * the server mid-request) leave a store that loads, holds every acknowledged
 * write, and nothing half-applied; a bulk transfer killed midway leaves each app
 * wholly in one place and a rerun finishes it; a read-only location and a full
 * disk are a clear exit 7 with the old state intact.
 */
import {spawnSync} from 'node:child_process'
import {chmodSync, mkdirSync, readdirSync, readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'

import {afterAll, describe, expect, it} from 'vitest'

import {createApp} from '../../src/lib/domain/apps.js'
import {createOrg} from '../../src/lib/domain/orgs.js'
import type {State} from '../../src/lib/storage/memory/state.js'
import {
  BIN,
  type Box,
  box,
  fileExists,
  isOneLineError,
  loadStore,
  mintToken,
  report,
  rng,
  run,
  scaled,
  SEED,
  seed,
  show,
  sleep,
  spawnCli,
  startServe,
} from './_util.js'

const ORG = 'acme-crash'
const ADMIN = 'admin@crash.test'
const SHARED = 'shared-app'
const LIMITS = {apps: 1_000_000, members: 1_000_000, 'dyno-units': 1_000_000}
const ALL = ['view', 'deploy', 'operate', 'manage']

const boxes: Box[] = []
afterAll(() => {
  for (const b of boxes) b.cleanup()
})

/** What must hold in any committed state: a violation is a half-applied change. */
function invariants(state: State): string[] {
  const bad: string[] = []
  for (const org of state.orgs.values()) {
    if (![...org.members.values()].some((m) => m.role === 'admin')) bad.push(`org ${org.name} has no admin`)
    for (const email of org.members.keys()) if (!state.users.has(email)) bad.push(`member ${email} of ${org.name} has no user record`)
  }
  for (const app of state.apps.values()) {
    for (const c of app.collaborators.values()) {
      if (!state.users.has(c.email)) bad.push(`collaborator ${c.email} of ${app.name} has no user record`)
      if (!c.permissions.includes('view')) bad.push(`collaborator ${c.email} of ${app.name} lacks view`)
    }
    if (app.owner.kind === 'org' && !state.orgs.has(app.owner.name)) bad.push(`app ${app.name} owned by missing org ${app.owner.name}`)
    if (app.owner.kind === 'org' && app.name.startsWith('c-')) {
      // `create --org` grants the creator every permission in the same commit.
      if (JSON.stringify(app.collaborators.get(ADMIN)?.permissions) !== JSON.stringify(ALL))
        bad.push(`created app ${app.name} lacks its creator`)
    }
  }
  return bad
}

/** An app transferred into the org is so in every respect, or in none. */
function transferWhole(state: State, name: string): 'org' | 'user' | string {
  const app = state.apps.get(name)
  if (!app) return `app ${name} is gone`
  const inLedger = state.histories.get(ORG)!.ledger.some((entry) => entry.app === name)
  const former = JSON.stringify(app.collaborators.get(ADMIN)?.permissions) === JSON.stringify(ALL)
  if (app.owner.kind === 'org' && app.owner.name === ORG && inLedger && former) return 'org'
  if (app.owner.kind === 'user' && app.owner.email === ADMIN && !inLedger && app.collaborators.size === 0) return 'user'
  return `app ${name} half-moved: owner ${JSON.stringify(app.owner)}, ledger ${inLedger}, former owner kept ${former}`
}

async function seedOrg(store: string, personal: string[] = []): Promise<void> {
  await seed(store, async (_state, as) => {
    const admin = as(ADMIN)
    await createOrg(admin, ORG, LIMITS)
    await createApp(admin, {name: SHARED, org: ORG, region: 'us'})
    for (const name of personal) await createApp(admin, {name, region: 'us'})
  })
}

function present(state: State, op: {args: string[]; check: (s: State) => boolean}): boolean {
  return op.check(state)
}

/** A random mutation through the CLI, with the check that finds it afterwards. */
function randomOp(random: () => number, tag: string, personal: string[]): {args: string[]; check: (s: State) => boolean} {
  const pick = Math.floor(random() * 4)
  if (pick === 0) {
    const email = `m-${tag}@crash.test`
    return {args: ['members:add', email, '--org', ORG], check: (s) => s.orgs.get(ORG)!.members.get(email)?.role === 'member'}
  }
  if (pick === 1) {
    const name = `c-${tag}`
    return {args: ['create', name, '--org', ORG], check: (s) => s.apps.get(name)?.owner.kind === 'org'}
  }
  if (pick === 2) {
    const email = `u-${tag}@crash.test`
    return {
      args: ['access:add', email, '--app', SHARED, '--permissions', 'deploy,operate'],
      check: (s) =>
        JSON.stringify(s.apps.get(SHARED)?.collaborators.get(email)?.permissions) === JSON.stringify(['view', 'deploy', 'operate']),
    }
  }
  const name = personal.pop()
  if (!name) return randomOp(() => 0, tag, personal)
  return {args: ['apps:transfer', ORG, '--app', name], check: (s) => transferWhole(s, name) === 'org'}
}

function leftovers(dir: string): string[] {
  // The audit log beside the store is the store's own, not a leftover.
  return readdirSync(dir).filter(
    (name) => name.startsWith('store.json.') && name !== 'store.json.lock' && !/^store\.json\.audit(\.\d+)?\.jsonl$/.test(name),
  )
}

describe('crashes', () => {
  it('CLI writers SIGKILLed at random moments: the store loads, every acknowledged write is there, nothing half-applied', async () => {
    const K = scaled(12)
    const random = rng(SEED)
    const b = box('crash-cli')
    boxes.push(b)
    const personal = Array.from({length: K * 2}, (_, i) => `p-${i}`)
    await seedOrg(b.store, personal)
    const env = b.env({ORGCTL_USER: ADMIN})
    const acknowledged: {args: string[]; check: (s: State) => boolean}[] = []
    let killed = 0
    let locksLeft = 0
    let worstRecovery = 0
    const problems: string[] = []
    for (let k = 0; k < K; k++) {
      // Two writers at once; each is SIGKILLed at a random moment of its run (start-up, lock, write, fsync, rename).
      const writers = [0, 1].map((w) => {
        const op = randomOp(random, `${k}-${w}`, personal)
        const {child, done} = spawnCli(op.args, env)
        const delay = Math.floor(random() * 260)
        const timer = setTimeout(() => child.kill('SIGKILL'), delay)
        return done.then((result) => {
          clearTimeout(timer)
          if (result.signal === 'SIGKILL') killed++
          else if (result.code === 0) acknowledged.push(op)
          else problems.push(show(result, `writer ${op.args.join(' ')}`))
        })
      })
      await Promise.all(writers)
      const lockLeft = fileExists(`${b.store}.lock`)
      if (lockLeft) locksLeft++
      // The store loads, for the CLI and for a fresh reader.
      const orgs = await run(['orgs', '--json'], env, {timeoutMs: 30_000})
      if (orgs.code !== 0) problems.push(show(orgs, `orgs --json after kill ${k}`))
      let state: State
      try {
        state = await loadStore(b.store)
      } catch (error) {
        problems.push(`round ${k}: the store does not load: ${(error as Error).message}`)
        break
      }
      for (const op of acknowledged) if (!present(state, op)) problems.push(`round ${k}: acknowledged ${op.args.join(' ')} is missing`)
      problems.push(...invariants(state).map((v) => `round ${k}: ${v}`))
      // The next writer gets through, a left-over lock included (stale after 5 s).
      const probe = await run(['members:add', `probe-${k}@crash.test`, '--org', ORG], env, {timeoutMs: 40_000})
      if (probe.code !== 0) problems.push(show(probe, `probe writer after kill ${k}`))
      else acknowledged.push({args: ['probe'], check: (s) => s.orgs.get(ORG)!.members.has(`probe-${k}@crash.test`)})
      if (lockLeft) worstRecovery = Math.max(worstRecovery, probe.ms)
    }
    const final = await loadStore(b.store)
    const lost = acknowledged.filter((op) => !present(final, op)).length
    const temps = leftovers(b.dir)
    report(
      'crashes',
      `${K} rounds x 2 CLI writers SIGKILLed at random (seed ${SEED}): ${killed} killed, ${acknowledged.length} acknowledged, lost ${lost}, corrupt 0 of ${K} loads, ${invariants(final).length} half-applied; ${locksLeft} locks left behind, all taken over (worst ${worstRecovery} ms); ${temps.length} temp files left`,
      {
        rounds: K,
        killed,
        acknowledged: acknowledged.length,
        lost,
        locksLeft,
        worstRecoveryMs: worstRecovery,
        tempFilesLeft: temps.length,
        problems: problems.length,
      },
    )
    expect(problems, problems.join('\n')).toEqual([])
    expect(lost).toBe(0)
    expect(worstRecovery).toBeLessThan(9000)
  })

  it('orgctl serve SIGKILLed mid-request: every 2xx write is in the store, which loads and is consistent', async () => {
    const rounds = scaled(3)
    const R = scaled(24)
    const random = rng(SEED + 1)
    const b = box('crash-serve')
    boxes.push(b)
    await seedOrg(b.store)
    const token = await mintToken(b.store, ADMIN)
    let acknowledged = 0
    let unanswered = 0
    let lost = 0
    const problems: string[] = []
    for (let round = 0; round < rounds; round++) {
      const server = await startServe(b.store, b.env(), ['--rate-limit', '1000000'])
      const done: string[] = []
      const requests = Array.from({length: R}, async (_, i) => {
        const email = `s-${round}-${i}@crash.test`
        try {
          const response = await fetch(`${server.url}/teams/${ORG}/members`, {
            method: 'POST',
            headers: {authorization: `Bearer ${token}`, 'content-type': 'application/json'},
            body: JSON.stringify({email, role: 'member'}),
            signal: AbortSignal.timeout(30_000),
          })
          await response.text()
          if (response.status === 201) done.push(email)
          else if (response.status >= 500) problems.push(`round ${round}: ${email} -> ${response.status}`)
        } catch {
          unanswered++
        }
      })
      // Let the first lands commit, then kill in the middle of the rest.
      await sleep(40 + Math.floor(random() * 200))
      await server.kill()
      await Promise.all(requests)
      acknowledged += done.length
      let state: State
      try {
        state = await loadStore(b.store)
      } catch (error) {
        problems.push(`round ${round}: the store does not load after the kill: ${(error as Error).message}`)
        break
      }
      const missing = done.filter((email) => !state.orgs.get(ORG)!.members.has(email))
      lost += missing.length
      problems.push(...missing.map((email) => `round ${round}: acknowledged ${email} is missing`))
      problems.push(...invariants(state).map((v) => `round ${round}: ${v}`))
      const orgs = await run(['orgs', '--json'], b.env({ORGCTL_USER: ADMIN}), {timeoutMs: 30_000})
      if (orgs.code !== 0) problems.push(show(orgs, 'orgs --json after the server was killed'))
    }
    report(
      'crashes',
      `orgctl serve SIGKILLed mid-burst: ${rounds} rounds x ${R} concurrent POSTs, ${acknowledged} acknowledged (201), ${unanswered} cut off, lost ${lost}, store loads after every kill`,
      {
        rounds,
        requests: rounds * R,
        acknowledged,
        unanswered,
        lost,
      },
    )
    expect(problems, problems.join('\n')).toEqual([])
    expect(lost).toBe(0)
  })

  it('a bulk apps:transfer of 20 apps killed midway leaves each app wholly in one place; rerunning it finishes the job', async () => {
    const localRounds = scaled(3)
    const httpRounds = scaled(1)
    const random = rng(SEED + 2)
    const problems: string[] = []
    const movedBeforeKill: number[] = []
    let finished = 0
    // Rounds run side by side, each on its own store (a killed run's lock costs its rerun up to 5 s).
    const delays = Array.from({length: localRounds + httpRounds}, () => Math.floor(random() * 40))
    await Promise.all(
      delays.map(async (delay, round) => {
        const http = round >= localRounds
        const b = box('crash-bulk')
        boxes.push(b)
        const apps = Array.from({length: 20}, (_, i) => `app-${String(i + 1).padStart(2, '0')}`)
        await seedOrg(b.store, apps)
        let env = b.env({ORGCTL_USER: ADMIN})
        let server: Awaited<ReturnType<typeof startServe>> | undefined
        if (http) {
          const token = await mintToken(b.store, ADMIN)
          server = await startServe(b.store, b.env(), ['--rate-limit', '1000000'])
          env = b.env({ORGCTL_API_URL: server.url, ORGCTL_API_KEY: token, ORGCTL_STORE: undefined})
        }
        try {
          const args = ['apps:transfer', ORG, ...apps.flatMap((app) => ['--app', app])]
          const {child, done} = spawnCli(args, env)
          // Kill once the first apps have moved (the stderr lines say so), at a random point after.
          const seen = new Promise<void>((resolve) => {
            let text = ''
            child.stderr!.on('data', (chunk: Buffer) => {
              text += chunk.toString()
              if ((text.match(/\.\.\. done/g) ?? []).length >= 1) resolve()
            })
            setTimeout(resolve, 10_000)
          })
          await seen
          await sleep(delay)
          child.kill('SIGKILL')
          const killedRun = await done
          const state = await loadStore(b.store)
          const where = apps.map((app) => transferWhole(state, app))
          problems.push(...where.filter((w) => w !== 'org' && w !== 'user').map((w) => `round ${round}${http ? ' (http)' : ''}: ${w}`))
          problems.push(...invariants(state).map((v) => `round ${round}: ${v}`))
          // -1: the run finished before the kill landed.
          movedBeforeKill[round] = killedRun.signal === 'SIGKILL' ? where.filter((w) => w === 'org').length : -1
          const rerun = await run(args, env, {timeoutMs: 60_000})
          if (rerun.code !== 0) problems.push(show(rerun, `rerun round ${round}`))
          const after = await loadStore(b.store)
          const inOrg = apps.filter((app) => transferWhole(after, app) === 'org').length
          if (inOrg === apps.length) finished++
          else problems.push(`round ${round}: after the rerun ${inOrg} of 20 apps are in the org`)
        } finally {
          await server?.kill()
        }
      }),
    )
    report(
      'crashes',
      `bulk apps:transfer x20 killed midway: ${localRounds} local + ${httpRounds} over HTTP, moved before the kill ${movedBeforeKill.join('/')}, half-moved apps 0 required, reruns finished ${finished} of ${localRounds + httpRounds}`,
      {rounds: localRounds + httpRounds, finished, problems: problems.length},
    )
    expect(problems, problems.join('\n')).toEqual([])
    expect(finished).toBe(localRounds + httpRounds)
  })

  describe('unwritable store locations', () => {
    // A private mount namespace keeps any mount from outliving the test (it ends with the shell).
    const probe = spawnSync(
      'unshare',
      [
        '-m',
        '--propagation',
        'private',
        'sh',
        '-c',
        'd=$(mktemp -d) && mount -t tmpfs -o size=64k tmpfs "$d" && umount "$d" && rmdir "$d"',
      ],
      {
        encoding: 'utf8',
        timeout: 10_000,
      },
    )
    const canMount = probe.status === 0
    if (!canMount)
      report(
        'crashes',
        `read-only and full-disk cases SKIPPED: cannot mount in a private namespace here (${(probe.stderr || probe.error?.message || '').trim()})`,
      )

    const inNamespace = (script: string) =>
      spawnSync('unshare', ['-m', '--propagation', 'private', 'sh', '-c', script], {encoding: 'utf8', timeout: 60_000})

    const sh = (value: string) => `'${value.replace(/'/g, `'\\''`)}'`

    it.skipIf(!canMount)('a read-only store location: a write is a clear exit 7, reads still work, the old state is intact', async () => {
      const b = box('crash-ro')
      boxes.push(b)
      const dir = join(b.dir, 'ro')
      mkdirSync(dir)
      const store = join(dir, 'store.json')
      await seedOrg(store)
      const before = readFileSync(store)
      const env = b.env({ORGCTL_USER: ADMIN, ORGCTL_STORE: store})
      const envText = Object.entries(env)
        .filter(([, v]) => v !== undefined)
        .map(([k, v]) => `${k}=${sh(v!)}`)
        .join(' ')
      const node = (args: string[], tag: string) =>
        `s=$(date +%s%N); env -i ${envText} ${sh(process.execPath)} ${sh(BIN)} ${args.map(sh).join(' ')} >${sh(join(b.dir, `${tag}.out`))} 2>${sh(join(b.dir, `${tag}.err`))}; echo $? >${sh(join(b.dir, `${tag}.code`))}; e=$(date +%s%N); echo $(( (e - s) / 1000000 )) >${sh(join(b.dir, `${tag}.ms`))}`
      const script = [
        `mount --bind ${sh(dir)} ${sh(dir)}`,
        `mount -o remount,bind,ro ${sh(dir)}`,
        node(['members:add', 'new@crash.test', '--org', ORG], 'write'),
        node(['orgs', '--json'], 'read'),
      ].join(' && ')
      const ns = inNamespace(script)
      expect(ns.status, ns.stderr).toBe(0)
      const result = (tag: string) => ({
        code: Number(readFileSync(join(b.dir, `${tag}.code`), 'utf8')),
        signal: null,
        stdout: readFileSync(join(b.dir, `${tag}.out`), 'utf8'),
        stderr: readFileSync(join(b.dir, `${tag}.err`), 'utf8'),
        ms: Number(readFileSync(join(b.dir, `${tag}.ms`), 'utf8')),
        timedOut: false,
      })
      const write = result('write')
      const read = result('read')
      report(
        'crashes',
        `read-only store location: write exit ${write.code} after ${write.ms} ms (${write.stderr.trim()}), read exit ${read.code}, store unchanged ${readFileSync(store).equals(before)}`,
        {
          writeExit: write.code,
          writeMs: write.ms,
          readExit: read.code,
        },
      )
      expect(write.code, show(write)).toBe(7)
      expect(isOneLineError(write), show(write)).toBe(true)
      expect(write.stderr).toContain(store)
      expect(read.code, show(read)).toBe(0)
      expect(readFileSync(store).equals(before)).toBe(true)
      // A read-only location will not become writable by waiting: say so at once, not after the 30 s lock wait.
      expect(write.ms, 'time to report a read-only store location').toBeLessThan(5000)
    })

    it.skipIf(!canMount)('a full disk: a write is a clear exit 7 naming it, the old state is intact, no temp file is left', async () => {
      const b = box('crash-full')
      boxes.push(b)
      const dir = join(b.dir, 'full')
      mkdirSync(dir)
      const seedStore = join(b.dir, 'seed.json')
      await seedOrg(seedStore)
      chmodSync(seedStore, 0o600)
      const store = join(dir, 'store.json')
      const env = b.env({ORGCTL_USER: ADMIN, ORGCTL_STORE: store})
      const envText = Object.entries(env)
        .filter(([, v]) => v !== undefined)
        .map(([k, v]) => `${k}=${sh(v!)}`)
        .join(' ')
      const script = [
        `mount -t tmpfs -o size=256k tmpfs ${sh(dir)}`,
        `cp -p ${sh(seedStore)} ${sh(store)}`,
        `(dd if=/dev/zero of=${sh(join(dir, 'filler'))} bs=1024 2>/dev/null || true)`,
        `(env -i ${envText} ${sh(process.execPath)} ${sh(BIN)} members:add new@crash.test --org ${ORG} >${sh(join(b.dir, 'w.out'))} 2>${sh(join(b.dir, 'w.err'))}; echo $? >${sh(join(b.dir, 'w.code'))})`,
        `cp ${sh(store)} ${sh(join(b.dir, 'after.json'))}`,
        `ls -a ${sh(dir)} >${sh(join(b.dir, 'listing'))}`,
      ].join(' && ')
      const ns = inNamespace(script)
      expect(ns.status, ns.stderr).toBe(0)
      const write = {
        code: Number(readFileSync(join(b.dir, 'w.code'), 'utf8')),
        signal: null,
        stdout: readFileSync(join(b.dir, 'w.out'), 'utf8'),
        stderr: readFileSync(join(b.dir, 'w.err'), 'utf8'),
        ms: 0,
        timedOut: false,
      }
      const intact = readFileSync(join(b.dir, 'after.json')).equals(readFileSync(seedStore))
      const listing = readFileSync(join(b.dir, 'listing'), 'utf8')
        .split('\n')
        .filter((n) => n && n !== '.' && n !== '..')
      const temps = listing.filter((n) => n.startsWith('store.json.'))
      report(
        'crashes',
        `full disk (256 KiB tmpfs filled): write exit ${write.code} (${write.stderr.trim()}), old state intact ${intact}, temp files left ${temps.length}`,
        {
          writeExit: write.code,
          tempFilesLeft: temps.length,
        },
      )
      expect(write.code, show(write)).toBe(7)
      expect(isOneLineError(write), show(write)).toBe(true)
      expect(write.stderr).toMatch(/disk is full/)
      expect(intact).toBe(true)
      expect(temps, 'temp files left on the full disk').toEqual([])
    })

    it('a store file that cannot be read or is corrupt: exit 7, left as it is (no reset)', async () => {
      const b = box('crash-corrupt')
      boxes.push(b)
      await seedOrg(b.store)
      const good = readFileSync(b.store)
      const cases: [string, Buffer][] = [
        ['truncated', good.subarray(0, Math.floor(good.length / 2))],
        ['empty', Buffer.alloc(0)],
        ['not JSON', Buffer.from('\u0000\u0001garbage')],
        ['wrong types', Buffer.from(JSON.stringify({schemaVersion: 2, revision: 'x', users: {}, orgs: 7, apps: null}))],
        ['from the future', Buffer.from(JSON.stringify({...JSON.parse(good.toString()), schemaVersion: 99}))],
      ]
      const codes: string[] = []
      for (const [label, bytes] of cases) {
        writeFileSync(b.store, bytes)
        const write = await run(['members:add', 'x@crash.test', '--org', ORG], b.env({ORGCTL_USER: ADMIN}), {timeoutMs: 30_000})
        const read = await run(['orgs'], b.env({ORGCTL_USER: ADMIN}), {timeoutMs: 30_000})
        codes.push(`${label} ${write.code}/${read.code}`)
        expect(write.code, show(write, label)).toBe(7)
        expect(read.code, show(read, label)).toBe(7)
        expect(isOneLineError(write), show(write, label)).toBe(true)
        expect(readFileSync(b.store).equals(bytes), `${label}: the store was rewritten`).toBe(true)
      }
      report(
        'crashes',
        `corrupt or unusable store files: ${cases.length} cases, write/read exits ${codes.join(', ')}, all left as they were`,
        {cases: cases.length},
      )
    })
  })
})
