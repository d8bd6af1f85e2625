// Bundles @oclif/core and the compiled CLI (dist/, from tsc) into ONE CommonJS file, dist/orgctl.cjs,
// which bin/run.js loads with a V8 code cache. It is both the CLI (exports.main) and oclif's explicit
// command target (exports.COMMANDS, see package.json oclif.commands):
//  - COMMANDS is an object of getters generated from dist/commands/**: a command's module (and the
//    lib modules it imports) is evaluated only when oclif asks for that command.
//  - Dynamic import()s in our code (conf, chalk, ora, cli-table3, @inquirer/*, the store, undici,
//    fastify, ...) stay lazy: esbuild wraps those modules in init functions that run on first use.
//  - package.json is inlined and handed to oclif with the root, so oclif does not search for it.
//  - Three start-up costs of @oclif/core are removed at build time (the build fails loudly if
//    oclif's text changes): see `patchOclif` below.
// Usage: node scripts/bundle.mjs [--no-minify] [--metafile]
import {randomUUID} from 'node:crypto'
import {readdirSync, readFileSync, writeFileSync} from 'node:fs'
import {join, relative} from 'node:path'

import {build} from 'esbuild'

const flag = (name) => process.argv.includes(name)
const out = 'dist/orgctl.cjs'

function commandFiles(dir, base = dir) {
  return readdirSync(dir, {withFileTypes: true}).flatMap((entry) =>
    entry.isDirectory()
      ? commandFiles(join(dir, entry.name), base)
      : entry.name.endsWith('.js')
        ? [relative(base, join(dir, entry.name))]
        : [],
  )
}

// members/index.js -> members, members/add.js -> members:add
const ids = commandFiles('dist/commands')
  .map((file) => [
    file
      .replace(/\.js$/, '')
      .split('/')
      .filter((part, i, all) => !(part === 'index' && i === all.length - 1))
      .join(':'),
    file,
  ])
  .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
// Commands every CLI has, from src/lib/cli/builtins (help is @oclif/plugin-help's).
const BUILTINS = {autocomplete: 'autocomplete.js', commands: 'commands.js', version: 'version.js'}
for (const id of Object.keys(BUILTINS))
  if (ids.some(([own]) => own === id)) throw new Error(`src/commands defines ${id}, a built-in command`)
const getters = [
  ...ids.map(([id, file]) => `  get ${JSON.stringify(id)}() { return require('../dist/commands/${file}').default },`),
  ...Object.entries(BUILTINS).map(
    ([id, file]) => `  get ${JSON.stringify(id)}() { return require('../dist/lib/cli/builtins/${file}').default },`,
  ),
  `  get help() { return require('@oclif/plugin-help').commands.help },`,
]

const entry = `
// oclif's import-time engines check reads package.json and loads semver (2-3 ms); npm checks
// engines at install. Skipped through oclif's own switch, and the environment restored after.
const engineWarning = process.env.OCLIF_DISABLE_ENGINE_WARNING
process.env.OCLIF_DISABLE_ENGINE_WARNING = 'true'
require('@oclif/core')
// After oclif (which wraps process.stdout's getter at import): output failures of oclif's own help
// and --version go to orgctl's handler too, never uncaught (see src/lib/output/stdio.ts).
require('../dist/lib/output/stdio.js')
if (engineWarning === undefined) delete process.env.OCLIF_DISABLE_ENGINE_WARNING
else process.env.OCLIF_DISABLE_ENGINE_WARNING = engineWarning
const {resolve} = require('node:path')
exports.COMMANDS = {
${getters.join('\n')}
}
// package.json oclif.helpClass and oclif.hooks name these (target: this bundle).
Object.defineProperty(exports, 'HELP', {enumerable: true, get: () => require('../dist/lib/cli/help.js').default})
Object.defineProperty(exports, 'NOT_FOUND', {enumerable: true, get: () => require('../dist/lib/cli/not-found.js').default})
exports.main = function main() {
  return require('../dist/lib/cli/main.js').main({root: resolve(__dirname, '..'), pjson: require('../package.json'), userPlugins: false, devPlugins: false})
}
`

// - The sort of command ids at start-up uses localeCompare, whose first call costs 6-9 ms of ICU
//   set-up; our ids are lowercase ASCII, so a plain comparison gives the same order.
// - tinyglobby, minimatch and lilconfig are required at import but used only for pattern command
//   discovery, plugins listed in package.json, and package.json files without an oclif section:
//   none of which happens here. They become lazy, loaded on first use.
// - Node built-ins oclif requires at import but uses only on some paths: readline (reading piped
//   stdin, which our arguments never do), child_process (a Windows check) and perf_hooks
//   (OCLIF_PERFORMANCE); loading them (and net, dgram, ... behind them) costs a few ms on every run.
// - oclif asks for the platform at start-up through wsl-utils, which loads is-wsl, is-docker and
//   child_process and reads /proc files to tell WSL from Linux. Only a Linux kernel whose release
//   names Microsoft can be WSL, so any other goes straight to os.platform().
// - At import, oclif measures the terminal's width (screen.js), asks supports-color and ansis about
//   colours, and picks its spinner by process.stderr.isTTY (ux/index.js): that creates
//   process.stdout and process.stderr, net.Sockets on a pipe, and loads node:tty, before any output;
//   command.js adds its EPIPE handler to process.stdout at import. All of it becomes lazy, done on
//   first use (help, long errors, oclif's own spinner; the handler when process.stdout is first
//   made, and oclif's final flush only if it was); ansis through scripts/bundle/ansis-lazy.cjs.
// - The `debug` package is replaced by scripts/bundle/debug-off.cjs (the `alias` below).
const LAZY = {
  'config/plugin.js': ['tinyglobby'],
  'config/plugin-loader.js': ['minimatch'],
  'util/read-pjson.js': ['lilconfig'],
  'parser/parse.js': ['node:readline'],
  'util/os.js': ['node:child_process'],
  'performance.js': ['node:perf_hooks'],
  'ux/supports-color.js': ['supports-color'],
}

const STDOUT_UNMADE = "process[Symbol.for('orgctl.stdout-unmade')]"
const ACTION_TYPE = `const ACTION_TYPE = (Boolean(process.stderr.isTTY) &&
    !process.env.CI &&
    !['dumb', 'emacs-color'].includes(process.env.TERM) &&
    'spinner') ||
    'simple';
`
/** Text edits to oclif's files, by file: [exact text, its replacement]. */
const EDITS = {
  'config/plugin.js': [['.sort((a, b) => a.id.localeCompare(b.id));', '.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));']],
  'util/os.js': [
    [
      "return (await import('wsl-utils')).isWsl ? 'wsl' : (0, node_os_1.platform)();",
      "if ((0, node_os_1.platform)() !== 'linux' || !(0, node_os_1.release)().toLowerCase().includes('microsoft')) return (0, node_os_1.platform)();\n    return (await import('wsl-utils')).isWsl ? 'wsl' : (0, node_os_1.platform)();",
    ],
  ],
  'screen.js': [
    [
      'exports.stdtermwidth = columns || termwidth(process.stdout);\nexports.errtermwidth = columns || termwidth(process.stderr);',
      'let stdWidth, errWidth;\n' +
        'Object.defineProperty(exports, "stdtermwidth", {enumerable: true, get: () => (stdWidth ??= columns || termwidth(process.stdout))});\n' +
        'Object.defineProperty(exports, "errtermwidth", {enumerable: true, get: () => (errWidth ??= columns || termwidth(process.stderr))});',
    ],
  ],
  'command.js': [
    [
      "process.stdout.on('error', (err) => {",
      "const stdoutProperty = Object.getOwnPropertyDescriptor(process, 'stdout');\n" +
        'const onStdout = (listen) => stdoutProperty?.get && stdoutProperty.configurable\n' +
        `    ? (${STDOUT_UNMADE} = true, Object.defineProperty(process, 'stdout', {configurable: true, enumerable: stdoutProperty.enumerable, get() { delete ${STDOUT_UNMADE}; Object.defineProperty(process, 'stdout', stdoutProperty); listen(process.stdout); return process.stdout; }}))\n` +
        '    : listen(process.stdout);\n' +
        "onStdout((stdout) => stdout.on('error', (err) => {",
    ],
    ['    throw err;\n});', '    throw err;\n}));'],
  ],
  'flush.js': [['async function _flush() {', `async function _flush() {\n    if (${STDOUT_UNMADE}) return;`]],
  'ux/index.js': [
    [ACTION_TYPE, ''],
    [
      "exports.action = ACTION_TYPE === 'spinner' ? new spinner_1.default() : new simple_1.default();\nexports.ux = {\n    action: exports.action,",
      `let action_m;\nconst makeAction = () => (action_m ??= (() => { ${ACTION_TYPE} return ACTION_TYPE === 'spinner' ? new spinner_1.default() : new simple_1.default(); })());\n` +
        'Object.defineProperty(exports, "action", {enumerable: true, get: makeAction});\nexports.ux = {\n    get action() { return makeAction(); },',
    ],
  ],
}

const patched = [...new Set([...Object.keys(LAZY), ...Object.keys(EDITS)])]
const patchOclif = {
  name: 'patch-oclif',
  setup(b) {
    const names = patched.map((rel) => rel.replace(/\.js$/, '').replace(/[/.-]/g, (c) => (c === '/' ? '[\\\\/]' : `\\${c}`))).join('|')
    b.onLoad({filter: new RegExp(`@oclif[\\\\/]core[\\\\/]lib[\\\\/](${names})\\.js$`)}, (args) => {
      const rel = args.path.replace(/\\/g, '/').replace(/.*@oclif\/core\/lib\//, '')
      let text = readFileSync(args.path, 'utf8')
      const changed = (what) => new Error(`oclif changed: ${what} not found in ${args.path}; drop or update the patch`)
      for (const [from, to] of EDITS[rel] ?? []) {
        if (!text.includes(from)) throw changed(JSON.stringify(from))
        text = text.replace(from, to)
      }
      for (const dep of LAZY[rel] ?? []) {
        const pattern = new RegExp(`const (\\w+) = require\\("${dep}"\\);`)
        if (!pattern.test(text)) throw changed(`require("${dep}")`)
        text = text.replace(
          pattern,
          (_, name) => `let ${name}_m; const ${name} = new Proxy({}, {get: (_, k) => (${name}_m ??= require("${dep}"))[k]});`,
        )
      }
      return {contents: text, loader: 'js'}
    })
  },
}

function migrationSources() {
  const dir = 'src/lib/storage/postgres/migrations'
  return readdirSync(dir)
    .filter((file) => file.endsWith('.sql'))
    .sort()
    .map((file) => ({file, sql: readFileSync(join(dir, file), 'utf8')}))
}

const result = await build({
  stdin: {contents: entry, resolveDir: 'scripts', sourcefile: 'orgctl-entry.cjs', loader: 'js'},
  outfile: out,
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  minify: !flag('--no-minify'),
  legalComments: 'none',
  // oclif only require()s the first five in development (NODE_ENV=development/test), never in production;
  // fastify stays out (only `orgctl serve` loads it, once); undici is in, for the CLI's latency over HTTP.
  // pg stays out too (only the db:* commands load it, lazily; its optional pg-native is never asked for).
  external: ['typescript', 'ts-node', 'tsx', 'tsx/*', 'pnpapi', 'fastify', 'pg'],
  alias: {debug: './scripts/bundle/debug-off.cjs', ansis: './scripts/bundle/ansis-lazy.cjs'},
  // ESM dependencies use import.meta.url (to find their own files); give them the bundle's URL.
  // The PostgreSQL schema's migration files, embedded (see src/lib/storage/postgres/migration-files.ts).
  define: {'import.meta.url': '__orgctl_import_meta_url', __ORGCTL_MIGRATIONS__: JSON.stringify(migrationSources())},
  // First line: a unique build id, the key of the V8 code cache kept by bin/run.js.
  banner: {js: `/*! orgctl-build:${randomUUID()} */\nvar __orgctl_import_meta_url=require('node:url').pathToFileURL(__filename).href;`},
  plugins: [patchOclif],
  metafile: true,
  logLevel: 'warning',
})
if (flag('--metafile')) writeFileSync(`${out}.meta.json`, JSON.stringify(result.metafile))

// The bundle must be pure ASCII: bin/run.js reads it as latin1, twice as fast as utf8 (no decoding,
// and V8 gets a one-byte string). esbuild escapes non-ASCII in strings but leaves it in a regular
// expression or two (ansis has a raw U+009B); a \uXXXX escape means the same there.
const bundled = readFileSync(out, 'utf8')
const ascii = bundled.replace(/[^\x00-\x7f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
if (ascii !== bundled) writeFileSync(out, ascii)
