/** apps --all and the apps:transfer --bulk picker, on a real temp store through the embedded backend. */
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {LocalBackend} from '../../src/lib/backend/local-backend.js'
import {JsonStorage} from '../../src/lib/storage/json/json-storage.js'
import {listAllApps, transferCandidates} from '../../src/lib/workflows/apps.js'
import {ADMIN, MEMBER, OUTSIDER} from './fixture.js'

describe('app listings', () => {
  let dir: string
  let store: JsonStorage
  const as = (email: string) => new LocalBackend(store, email)
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'orgctl-listings-'))
    store = new JsonStorage(join(dir, 'store.json'))
    // ADMIN: admin of acme, member of beta; OUTSIDER shares a personal app with ADMIN.
    await as(ADMIN).createTeam('acme', {apps: 10, members: 10, 'dyno-units': 10})
    await as(MEMBER).createTeam('beta', {apps: 10, members: 10, 'dyno-units': 10})
    await as(MEMBER).addMember('beta', ADMIN, 'member')
    await as(ADMIN).createApp({name: 'own-app', region: 'us'})
    await as(OUTSIDER).createApp({name: 'shared-app', region: 'us'})
    await as(OUTSIDER).addAccess('shared-app', ADMIN)
    await as(MEMBER).createApp({name: 'acme-less', region: 'us'})
    await as(MEMBER).createApp({name: 'beta-app', team: 'beta', region: 'us'})
    await as(OUTSIDER).createTeam('gamma', {apps: 10, members: 10, 'dyno-units': 10})
    await as(OUTSIDER).createApp({name: 'gamma-app', team: 'gamma', region: 'us'})
    // An admin-created acme app (ADMIN collaborates) and one ADMIN never joined.
    await as(ADMIN).createApp({name: 'acme-api', team: 'acme', region: 'us'})
    await as(ADMIN).addMember('acme', MEMBER, 'member')
    await as(MEMBER).createApp({name: 'acme-web', team: 'acme', region: 'us'})
  })
  afterAll(() => {
    store.close()
    rmSync(dir, {recursive: true, force: true})
  })

  it('apps --all: personal, shared and every app of the orgs you are staff of, each once', async () => {
    const all = await listAllApps(as(ADMIN))
    expect(all.map((app) => app.name)).toEqual(['acme-api', 'acme-web', 'beta-app', 'own-app', 'shared-app'])
    const plain = await as(ADMIN).listApps()
    expect(plain.map((app) => app.name)).toEqual(['acme-api', 'own-app', 'shared-app'])
  })

  it('the picker offers only apps that can move to the recipient', async () => {
    // Into beta (a member there): your own app and acme's (you are its admin); not beta's own, not shared ones.
    expect((await transferCandidates(as(ADMIN), 'beta')).map((app) => app.name)).toEqual(['acme-api', 'acme-web', 'own-app'])
    // Into acme: not acme's apps; beta's app cannot leave beta (only a member there).
    expect((await transferCandidates(as(ADMIN), 'acme')).map((app) => app.name)).toEqual(['own-app'])
    // To a user: whatever you may move out.
    expect((await transferCandidates(as(ADMIN), 'Friend@Else.test')).map((app) => app.name)).toEqual(['acme-api', 'acme-web', 'own-app'])
    // Into an org you are not in: nothing.
    expect(await transferCandidates(as(ADMIN), 'gamma')).toEqual([])
  })
})
