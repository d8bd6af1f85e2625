/**
 * Node built-ins loaded on first use: most commands never need them, and loading one (with the
 * internal modules behind it) is a measurable part of a command's start-up.
 */
import {createRequire} from 'node:module'

const require = createRequire(import.meta.url)

let cryptoModule: typeof import('node:crypto') | undefined
let zlibModule: typeof import('node:zlib') | undefined

export function crypto(): typeof import('node:crypto') {
  cryptoModule ??= require('node:crypto') as typeof import('node:crypto')
  return cryptoModule
}

export function zlib(): typeof import('node:zlib') {
  zlibModule ??= require('node:zlib') as typeof import('node:zlib')
  return zlibModule
}
