import {afterEach, beforeEach, describe, expect, it} from 'vitest'

import {type Sandbox, sandbox} from '../helpers/cli.js'

describe('orgctl on the embedded store', () => {
  let box: Sandbox
  beforeEach(() => {
    box = sandbox()
  })
  afterEach(() => box.cleanup())

  it('creates an org with its creator as the only admin', async () => {
    const admin = box.as('admin@acme.test')
    const created = await admin('orgs:create', 'acme-widgets')
    expect(created.code).toBe(0)
    expect(created.stderr).toBe('Creating org acme-widgets... done\n')
    const members = await admin('members', '--org', 'acme-widgets', '--json')
    expect(members.code).toBe(0)
    expect(members.json()).toMatchObject([{email: 'admin@acme.test', role: 'admin', user: {email: 'admin@acme.test'}}])
  })
})
