/** The rules every edge shares (flags, --file lines, HTTP bodies, the store), and the domain results they lead to. */
import {describe, expect, it} from 'vitest'

import {presentMember, presentTransfer} from '../../src/lib/api/present.js'
import {addAccess} from '../../src/lib/domain/access.js'
import {createApp} from '../../src/lib/domain/apps.js'
import {scale} from '../../src/lib/domain/formation.js'
import {addMember, listMembers} from '../../src/lib/domain/members.js'
import {createOrg} from '../../src/lib/domain/orgs.js'
import {canMoveTo, cancelTransfer, transferApp} from '../../src/lib/domain/transfers.js'
import {
  DEFAULT_LIMITS,
  parseEmail,
  parseLimits,
  parseRole,
  parseScaleChange,
  parseScaleChanges,
  sameValue,
  uniqueEntries,
} from '../../src/lib/domain/validation.js'
import {ERROR_KINDS, type OrgctlError} from '../../src/lib/errors.js'
import {PLAIN} from '../../src/lib/output/palette.js'
import {UI} from '../../src/lib/output/ui.js'
import {ADMIN, COLLAB, MEMBER, OUTSIDER, world} from './fixture.js'

function usage(fn: () => unknown): string {
  try {
    fn()
  } catch (error) {
    expect((error as OrgctlError).id).toBe('invalid_params')
    return (error as OrgctlError).message
  }
  throw new Error('expected a usage error')
}

describe('emails', () => {
  it('refuses a local part over 64 characters, and takes one of 64', () => {
    expect(parseEmail(`${'a'.repeat(64)}@acme.test`)).toBe(`${'a'.repeat(64)}@acme.test`)
    expect(usage(() => parseEmail(`${'a'.repeat(65)}@acme.test`))).toMatch(/64/)
  })

  it('refuses non-ASCII letters instead of folding look-alikes into ASCII', () => {
    // U+212A KELVIN SIGN lower-cases to an ASCII k: it must not become kk@acme.test.
    expect(usage(() => parseEmail('k\u212A@acme.test'))).toMatch(/ASCII/)
    expect(usage(() => parseEmail('dév@acme.test'))).toMatch(/ASCII/)
    expect(usage(() => parseEmail('dev@\u212Acme.test'))).toMatch(/ASCII/)
    expect(parseEmail('  Dev@Acme.TEST ')).toBe('dev@acme.test')
  })

  it('folds only ASCII case in the other vocabularies too', () => {
    expect(parseRole('ADMIN')).toBe('admin')
    expect(usage(() => parseRole('\u212Aadmin'))).toMatch(/Unknown role/)
  })
})

describe('ps:scale changes', () => {
  it('says what is wrong with a quantity out of range, not "Unknown dyno size"', () => {
    for (const spec of ['web=1000000', 'web=-1', 'web=101', 'web+1000']) {
      const message = usage(() => parseScaleChange(spec))
      expect(message, spec).not.toMatch(/dyno size/)
      expect(message, spec).toMatch(/quantity|between 0 and 100|at most 100/)
    }
    expect(parseScaleChange('web=100')).toEqual({type: 'web', quantity: 100})
    expect(parseScaleChange('web-1')).toEqual({type: 'web', delta: -1})
    expect(parseScaleChange('web=standard-2x')).toEqual({type: 'web', size: 'standard-2x'})
    expect(usage(() => parseScaleChange('web=huge'))).toMatch(/Unknown dyno size "huge"/)
  })

  it('refuses a dyno type given twice with different values, naming both', () => {
    expect(usage(() => parseScaleChanges(['web=1', 'web=3']))).toMatch(/web=1.*web=3/)
    expect(usage(() => parseScaleChanges(['web+1', 'web+1']))).toMatch(/web\+1.*web\+1/)
    expect(parseScaleChanges(['web=2', 'worker=1', 'web=2'])).toEqual([
      {type: 'web', quantity: 2},
      {type: 'worker', quantity: 1},
    ])
  })

  it('refuses the same contradiction in the domain (an HTTP body)', async () => {
    const w = world()
    await w.as(ADMIN).write(createApp, {name: 'solo-app', region: 'us'})
    const error = await w
      .as(ADMIN)
      .write(scale, 'solo-app', [
        {type: 'web', quantity: 1},
        {type: 'web', quantity: 3},
      ])
      .then(
        () => undefined,
        (failure: OrgctlError) => failure,
      )
    expect(error?.id).toBe('invalid_params')
    expect(error?.message).toMatch(/web=1.*web=3/)
  })
})

describe('repeated keys and values given twice', () => {
  it('refuses a limit given twice with different values, naming both', () => {
    expect(usage(() => parseLimits(['apps=5', 'apps=7']))).toMatch(/apps=5.*apps=7/)
    expect(parseLimits(['apps=5', 'apps=5'])).toEqual({...DEFAULT_LIMITS, apps: 5})
  })

  it('refuses a name given as an argument and as a flag when they differ', () => {
    expect(usage(() => sameValue('app', {value: 'app-one', as: 'the argument'}, {value: 'app-two', as: '--app'}))).toMatch(
      /"app-one".*"app-two"/,
    )
    expect(sameValue('app', {value: 'app-one', as: 'the argument'}, {value: 'app-one', as: '--app'})).toBe('app-one')
    expect(sameValue('app', {value: undefined, as: 'the argument'}, {value: 'app-two', as: '--app'})).toBe('app-two')
  })

  it('refuses the same key with two values, naming both and where they came from', () => {
    const entries = [
      {key: 'a@acme.test', value: 'member', source: 'argument'},
      {key: 'a@acme.test', value: 'admin', source: 'team.csv line 2'},
    ]
    expect(usage(() => uniqueEntries(entries, 'email'))).toMatch(/a@acme\.test.*member.*argument.*admin.*team\.csv line 2/)
    expect(uniqueEntries([entries[0]!, entries[0]!], 'email')).toEqual([entries[0]])
  })
})

describe('exit codes', () => {
  it('tells "could not ask" from "failed": network_error 9, rate_limit 10', () => {
    expect(ERROR_KINDS.network_error.exitCode).toBe(9)
    expect(ERROR_KINDS.rate_limit.exitCode).toBe(10)
    expect(ERROR_KINDS.internal_error.exitCode).toBe(1)
  })
})

describe('domain results say what happened', () => {
  it('a cancelled transfer is reported cancelled', async () => {
    const w = world()
    await w.as(ADMIN).write(createApp, {name: 'solo-app', region: 'us'})
    const {transfer} = await w.as(ADMIN).write(transferApp, 'solo-app', OUTSIDER)
    const cancelled = await w.as(ADMIN).write(cancelTransfer, transfer!.id)
    const shown = presentTransfer({transfer: cancelled, owner: {email: ADMIN}, recipient: {email: OUTSIDER}})
    expect(shown.state).toBe('cancelled')
  })

  it("a collaborator's created_at in the member list is when they were given access", async () => {
    const w = world('2026-01-01T00:00:00.000Z')
    await w.as(ADMIN).write(createOrg, 'acme', DEFAULT_LIMITS)
    await w.as(ADMIN, '2026-02-01T00:00:00.000Z').write(createApp, {name: 'acme-api', org: 'acme', region: 'us'})
    await w.as(ADMIN, '2026-03-01T00:00:00.000Z').write(addAccess, 'acme-api', COLLAB, ['deploy'])
    const row = (await w.as(ADMIN).read(listMembers, 'acme')).find((view) => view.email === COLLAB)!
    expect(presentMember(row).created_at).toBe('2026-03-01T00:00:00.000Z')
  })

  it('an app can move to a recipient only if you may move it out, it is not there yet, and you may move it in', () => {
    const mine = {owner: {kind: 'user', email: ADMIN}, standing: 'admin'} as const
    const shared = {owner: {kind: 'user', email: OUTSIDER}, standing: 'collaborator'} as const
    const acmeApp = {owner: {kind: 'org', name: 'acme'}, standing: 'admin'} as const
    const betaMemberApp = {owner: {kind: 'org', name: 'beta'}, standing: 'member'} as const
    const toAcme = {kind: 'org', name: 'acme', standing: 'member'} as const
    const toStranger = {kind: 'user', email: MEMBER} as const
    expect(canMoveTo(mine, toAcme)).toBe(true)
    expect(canMoveTo(shared, toAcme)).toBe(false)
    expect(canMoveTo(acmeApp, toAcme)).toBe(false)
    expect(canMoveTo(betaMemberApp, toAcme)).toBe(false)
    expect(canMoveTo(acmeApp, toStranger)).toBe(true)
    expect(canMoveTo(mine, {kind: 'user', email: ADMIN})).toBe(false)
    expect(canMoveTo(mine, {kind: 'org', name: 'gamma', standing: 'collaborator'})).toBe(false)
  })

  it('adding a member twice is unchanged the second time', async () => {
    const w = world()
    await w.as(ADMIN).write(createOrg, 'acme', DEFAULT_LIMITS)
    await w.as(ADMIN).write(addMember, 'acme', MEMBER, 'member')
    const again = await w.as(ADMIN, '2026-12-01T00:00:00.000Z').write(addMember, 'acme', MEMBER, 'member')
    expect(again.membership?.updatedAt).toBe('2026-11-15T00:00:00.000Z')
  })
})

function fakeUi(terminal: boolean, json = false) {
  const out: string[] = []
  const err: string[] = []
  const ui = new UI(
    {
      stdout: {write: (text: string) => out.push(text), isTTY: terminal},
      stderr: {write: (text: string) => err.push(text), isTTY: terminal},
      stdin: {isTTY: terminal},
    },
    json,
    PLAIN,
  )
  return {ui, out: () => out.join(''), err: () => err.join('')}
}

describe('UI: stdout is data when piped', () => {
  it('piped: no heading, no blank lines, prose on stderr, rows tab-separated', async () => {
    const {ui, out, err} = fakeUi(false)
    ui.header('Apps in org acme')
    ui.out()
    ui.note('There are no apps in org acme.')
    ui.fields([
      ['Owner', 'org acme'],
      ['Region', 'us'],
    ])
    await ui.table(
      [{a: 'x', b: 'y'}],
      [
        {header: 'A', value: (r) => r.a},
        {header: 'B', value: (r) => r.b},
      ],
    )
    expect(out()).toBe('Owner\torg acme\nRegion\tus\nx\ty\n')
    expect(err()).toBe('There are no apps in org acme.\n')
  })

  it('on a terminal: the human view, all on stdout', async () => {
    const {ui, out, err} = fakeUi(true)
    ui.header('Apps in org acme')
    ui.note('There are no apps in org acme.')
    ui.fields([
      ['Owner', 'org acme'],
      ['Region', 'us'],
    ])
    expect(out()).toBe('=== Apps in org acme\n\nThere are no apps in org acme.\nOwner:  org acme\nRegion: us\n')
    expect(err()).toBe('')
  })

  it('under --json: nothing but the JSON', async () => {
    const {ui, out, err} = fakeUi(false, true)
    ui.header('x')
    ui.note('y')
    ui.fields([['a', 'b']])
    expect(out() + err()).toBe('')
  })
})

void OUTSIDER
