/** The file's encoding is canonical: a record's key order is the codec's, not the order the code that made it used. */
import {describe, expect, it} from 'vitest'

import {decodeSection, encodeSection} from '../../src/lib/storage/json/codec.js'
import type {StoredApp} from '../../src/lib/storage/memory/state.js'

describe('the store codec', () => {
  it('encodes an app built with its keys in another order exactly as the same app read back', () => {
    const app = {
      id: '340a8eff-3685-40d7-867a-0375e32800a4',
      owner: {name: 'acme-widgets', kind: 'org'},
      region: 'us',
      locked: false,
      createdAt: '2026-12-01T13:40:01.901Z',
      updatedAt: '2026-12-01T13:40:01.901Z',
      formation: new Map([['web', {updatedAt: 'u', createdAt: 'c', size: 'standard-1x', quantity: 1, type: 'web', id: 'f1'}]]),
      collaborators: new Map([['a@acme.test', {updatedAt: 'u', createdAt: 'c', permissions: ['view'], email: 'a@acme.test', id: 'c1'}]]),
      name: 'acme-api',
    } as unknown as StoredApp
    const encoded = encodeSection('apps', new Map([['acme-api', app]]))
    const again = encodeSection('apps', decodeSection('apps', JSON.parse(encoded), true))
    expect(again).toBe(encoded)
    expect(encoded.indexOf('"name"')).toBeLessThan(encoded.indexOf('"owner"'))
  })
})
