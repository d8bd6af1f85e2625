/** The access file: its schema in YAML and in JSON, and every error naming the file and line (exit 2). */
import {describe, expect, it} from 'vitest'

import {parseAccessFile} from '../../src/lib/access-code/schema.js'
import type {OrgctlError} from '../../src/lib/errors.js'

const ISSUE_EXAMPLE = `version: 1
orgs:
  acme-widgets:
    members: {boss@acme.test: admin, Dev@Acme.test: member}
    apps:
      acme-api:
        locked: true
        collaborators: {contractor@ext.test: [deploy]}
    prune: {members: false, collaborators: true}
`

function error(text: string, source = 'access.yaml'): string {
  try {
    parseAccessFile(text, source)
  } catch (thrown) {
    expect((thrown as OrgctlError).id).toBe('invalid_params')
    expect((thrown as OrgctlError).exitCode).toBe(2)
    return (thrown as Error).message
  }
  throw new Error('expected an error')
}

describe('the access file', () => {
  it("reads the issue's example, folding emails and implying view", () => {
    const file = parseAccessFile(ISSUE_EXAMPLE, 'access.yaml')
    expect(file.orgs).toHaveLength(1)
    const [org] = file.orgs
    expect(org!.name).toBe('acme-widgets')
    expect([...org!.members!]).toEqual([
      ['boss@acme.test', {role: 'admin', line: 4}],
      ['dev@acme.test', {role: 'member', line: 4}],
    ])
    expect(org!.prune).toEqual({members: false, collaborators: true})
    expect(org!.apps).toEqual([
      {
        name: 'acme-api',
        line: 6,
        locked: true,
        collaborators: new Map([['contractor@ext.test', {permissions: ['view', 'deploy'], line: 8}]]),
      },
    ])
  })

  it('reads the same schema as JSON, by extension or a leading {', () => {
    const json = JSON.stringify({
      version: 1,
      orgs: {'acme-widgets': {members: {'boss@acme.test': 'admin'}, apps: {'acme-api': {collaborators: {'x@ext.test': []}}}}},
    })
    for (const source of ['access.json', 'access.txt']) {
      const file = parseAccessFile(json, source)
      expect(file.orgs[0]!.apps[0]!.collaborators!.get('x@ext.test')!.permissions).toEqual(['view'])
      expect(file.orgs[0]!.apps[0]!.locked).toBeUndefined()
    }
  })

  it('leaves a section out of management when it is left out', () => {
    const file = parseAccessFile('version: 1\norgs:\n  acme-widgets:\n    apps:\n      acme-api: {}\n', 'a.yaml')
    expect(file.orgs[0]!.members).toBeUndefined()
    expect(file.orgs[0]!.apps[0]).toEqual({name: 'acme-api', line: 5})
  })

  it.each([
    [
      'an unknown key',
      'version: 1\norgs:\n  acme-widgets:\n    apps:\n      acme-api:\n        colaborators: {}\n',
      /^access\.yaml line 6: unknown key "colaborators" in app acme-api: use locked, collaborators\.$/,
    ],
    ['an unknown top key', 'version: 1\norg: {}\n', /^access\.yaml line 2: unknown key "org" in the file: use version, orgs\.$/],
    [
      'an unknown org key',
      'version: 1\norgs:\n  acme-widgets:\n    admins: {}\n',
      /line 4: unknown key "admins" in org acme-widgets: use members, apps, prune/,
    ],
    [
      'a bad role',
      'version: 1\norgs:\n  acme-widgets:\n    members:\n      a@acme.test: admin\n      b@acme.test: boss\n',
      /^access\.yaml line 6: Unknown role "boss"/,
    ],
    [
      'a bad permission',
      'version: 1\norgs:\n  acme-widgets:\n    apps:\n      acme-api:\n        collaborators:\n          x@y.test: [fly]\n',
      /line 7: Unknown permission "fly"/,
    ],
    [
      'a bad email',
      'version: 1\norgs:\n  acme-widgets:\n    members:\n      not-an-email: admin\n',
      /line 5: Invalid email "not-an-email"/,
    ],
    [
      'a duplicate after folding',
      'version: 1\norgs:\n  acme-widgets:\n    members:\n      a@acme.test: admin\n      A@Acme.TEST: member\n',
      /line 6: a@acme\.test is listed twice in members of acme-widgets \(also line 5\)/,
    ],
    [
      'a duplicate collaborator',
      'version: 1\norgs:\n  acme-widgets:\n    apps:\n      acme-api:\n        collaborators:\n          x@y.test: []\n          X@y.test: [deploy]\n',
      /line 8: x@y\.test is listed twice in collaborators of acme-api \(also line 7\)/,
    ],
    [
      'a duplicate key',
      'version: 1\norgs:\n  acme-widgets:\n    members: {}\n    members: {}\n',
      /line 5: "members" is given twice in org acme-widgets \(also line 4\): give it once\./,
    ],
    ['a wrong version', 'version: 2\norgs: {}\n', /^access\.yaml line 1: version must be 1\.$/],
    ['no version', 'orgs: {}\n', /line 1: missing version/],
    [
      'a non-boolean lock',
      'version: 1\norgs:\n  acme-widgets:\n    apps:\n      acme-api:\n        locked: yes\n',
      /line 6: locked of acme-api must be true or false/,
    ],
    [
      'permissions not a list',
      'version: 1\norgs:\n  acme-widgets:\n    apps:\n      acme-api:\n        collaborators: {x@y.test: deploy}\n',
      /line 6: the permissions of x@y\.test must be a list/,
    ],
    ['a bad org name', 'version: 1\norgs:\n  Acme_Widgets: {}\n', /line 3: Invalid org name/],
    [
      'an app under two orgs',
      'version: 1\norgs:\n  acme-one:\n    apps: {acme-api: {}}\n  acme-two:\n    apps:\n      acme-api: {}\n',
      /line 7: app acme-api is listed under acme-one and acme-two/,
    ],
    [
      'a role that is not a name',
      'version: 1\norgs:\n  acme-widgets:\n    members:\n      a@acme.test:\n',
      /^access\.yaml line 5: the role of a@acme\.test must be a name\.$/,
    ],
    [
      'a role that is a list',
      'version: 1\norgs:\n  acme-widgets:\n    members: {a@acme.test: [admin]}\n',
      /^access\.yaml line 4: the role of a@acme\.test must be a name\.$/,
    ],
    ['no org', 'version: 1\norgs: {}\n', /^access\.yaml line 2: orgs lists no org: list the orgs the file manages under orgs\.$/],
    ['orgs empty', 'version: 1\norgs:\n', /^access\.yaml line 2: orgs lists no org/],
    ['broken YAML', 'version: 1\norgs:\n  acme: [\n', /^access\.yaml line \d: invalid YAML/],
    ['not a mapping', '- a\n- b\n', /line 1: the file must be a mapping/],
  ])('%s: one line naming the file and line', (_name, text, expected) => {
    const message = error(text)
    expect(message).toMatch(expected)
    expect(message).not.toContain('\n')
  })

  it('names the line in JSON too', () => {
    const text = '{\n  "version": 1,\n  "orgs": {\n    "acme-widgets": {\n      "bogus": 1\n    }\n  }\n}\n'
    expect(error(text, 'access.json')).toBe('access.json line 5: unknown key "bogus" in org acme-widgets: use members, apps, prune.')
    expect(error('{"version": 1, "orgs": {', 'access.json')).toMatch(/^access\.json line 1: invalid JSON/)
  })
})
