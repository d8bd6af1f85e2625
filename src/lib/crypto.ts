/**
 * node:crypto, loaded on first use: reads on the embedded store rarely need it, and loading it
 * (with the dozen internal modules behind it) is a measurable part of a command's start-up.
 */
import {createRequire} from 'node:module'

let loaded: typeof import('node:crypto') | undefined

export function crypto(): typeof import('node:crypto') {
  loaded ??= createRequire(import.meta.url)('node:crypto') as typeof import('node:crypto')
  return loaded
}
