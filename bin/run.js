#!/usr/bin/env node
// orgctl's bin (CommonJS on purpose, see bin/package.json: an ESM entry costs Node ~5 ms more to start).
// Runs the single-file bundle dist/orgctl.cjs. Node 20 has no module.enableCompileCache (22.1+), so it
// compiles the bundle through vm.Script with a V8 code cache of its own:
//  - key: the build id on the bundle's first line (new on every build) + Node version + arch + node/V8
//    flags (V8 rejects data made under other flags) + the command. npm gives every installed file the
//    same mtime, so size/mtime keys are not safe, and V8's own check is little more than the source length.
//  - one cache per command: V8 puts in it the functions the run that wrote it compiled, so a cache
//    written by `orgctl --version` would leave `orgctl members` compiling most of its code every time.
//  - where: $ORGCTL_CACHE_DIR, else $XDG_CACHE_HOME/orgctl, else ~/.cache/orgctl (oclif's cacheDir),
//    in v8/. ORGCTL_NO_COMPILE_CACHE=1 turns it off.
//  - written (when missing or rejected) at the exit of a run that succeeded, so it holds the functions
//    of the command's usual path; files of other builds not rewritten for 14 days are pruned then.
//  - checksummed: V8 verifies a code cache's checksum only under --verify-snapshot-checksum (off in
//    release builds), and a cache damaged on disk would crash the process. The flag is on only while
//    the cache is read and written: it changes V8's flag hash, which the code caches of Node's own
//    built-in modules are checked against too (on for the whole run, they would all be recompiled).
//    Any cache failure costs speed, never correctness.
'use strict'
const fs = require('node:fs')
const Module = require('node:module')
const {homedir, tmpdir} = require('node:os')
const {dirname, join} = require('node:path')
const vm = require('node:vm')

// undici parses HTTP with llhttp compiled to WebAssembly; V8's optimizing wasm compiler spends
// ~100 ms on it before the first response, and the baseline compiler alone is plenty for a CLI.
// The flag changes V8's flag hash, which code caches are checked against: so it is set only for
// runs that talk to an API (ORGCTL_API_URL), before anything is compiled, and those runs keep a
// code cache of their own (see the key below). Runs on the embedded store keep theirs untouched.
const liftoffOnly = Boolean(process.env.ORGCTL_API_URL)
if (liftoffOnly) require('node:v8').setFlagsFromString('--liftoff-only')

const file = join(__dirname, '..', 'dist', 'orgctl.cjs')
// The bundle is pure ASCII (scripts/bundle.mjs sees to it): latin1 reads it twice as fast as utf8.
const source = fs.readFileSync(file, 'latin1')

function fnv1a(text) {
  let h = 0x811c9dc5
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193)
  return (h >>> 0).toString(36)
}

let cacheDir
let cacheFile
let cachedData
const build = /^\/\*! orgctl-build:([\w-]+) \*\//.exec(source)?.[1]
if (build && !process.env.ORGCTL_NO_COMPILE_CACHE) {
  const env = process.env
  const base =
    env.ORGCTL_CACHE_DIR || (env.XDG_CACHE_HOME ? join(env.XDG_CACHE_HOME, 'orgctl') : join(homedir() || tmpdir(), '.cache', 'orgctl'))
  const flags = fnv1a(`${process.execArgv.join(' ')}|${env.NODE_OPTIONS ?? ''}|${liftoffOnly ? 'liftoff-only' : ''}`)
  const first = process.argv[2] ?? ''
  const command = /^[a-z][a-z0-9-]*(:[a-z0-9-]+)*$/.test(first) && first.length <= 40 ? first.replaceAll(':', '_') : '-'
  cacheDir = join(base, 'v8')
  cacheFile = join(cacheDir, `${build}-${process.version}-${process.arch}-${flags}-${command}.bin`)
  try {
    cachedData = fs.readFileSync(cacheFile)
  } catch {}
}

const v8 = require('node:v8')
const checksummed = (fn) => {
  v8.setFlagsFromString('--verify-snapshot-checksum')
  try {
    return fn()
  } finally {
    v8.setFlagsFromString('--no-verify-snapshot-checksum')
  }
}
const script = checksummed(
  () =>
    new vm.Script(Module.wrap(source), {
      filename: file,
      cachedData,
      importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
    }),
)

// mkdir -p one folder at a time, as src/lib/folders.ts does for the store and config (this file runs before
// the bundle): Node's recursive mkdir never returns, synchronously, where a file system answers ENOENT for
// a folder whose parent is there (/proc), so a cache folder there would hang a run at its exit.
function makeFolders(dir) {
  const missing = []
  for (let at = dir; !fs.existsSync(at); at = dirname(at)) {
    missing.push(at)
    if (dirname(at) === at) break
  }
  for (const folder of missing.reverse()) {
    try {
      fs.mkdirSync(folder, {mode: 0o700})
    } catch (error) {
      if (error.code !== 'EEXIST') throw error
    }
  }
}

if (cacheFile && (cachedData === undefined || script.cachedDataRejected)) {
  process.once('exit', (code) => {
    if (code !== 0) return
    try {
      const data = checksummed(() => script.createCachedData())
      makeFolders(cacheDir)
      // Prune other builds' files not rewritten for two weeks (other installed versions keep their own).
      const stale = Date.now() - 14 * 24 * 3600 * 1000
      for (const old of fs.readdirSync(cacheDir)) {
        const path = join(cacheDir, old)
        try {
          if (/\.(bin|tmp)$/.test(old) && !old.startsWith(`${build}-`) && fs.statSync(path).mtimeMs < stale) fs.rmSync(path, {force: true})
        } catch {}
      }
      const tmp = `${cacheFile}.${process.pid}.tmp`
      fs.writeFileSync(tmp, data, {mode: 0o600})
      fs.renameSync(tmp, cacheFile)
    } catch {}
  })
}

// Registered as an ordinary CommonJS module, so oclif's require() of the command target
// (package.json oclif.commands.target = ./dist/orgctl.cjs) returns this very instance.
const mod = new Module(file, module)
mod.filename = file
mod.paths = Module._nodeModulePaths(dirname(file))
Module._cache[file] = mod
script.runInThisContext()(mod.exports, Module.createRequire(file), mod, file, dirname(file))
mod.loaded = true
mod.exports.main()
