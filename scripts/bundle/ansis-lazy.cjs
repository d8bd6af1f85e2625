// Stands in for the `ansis` package inside the bundle (esbuild alias, see scripts/bundle.mjs).
// ansis decides on colour support when it is loaded, by looking at process.stdout: on a pipe that
// creates a net.Socket before any output. oclif requires it at start-up but only paints help and
// error text with it, so the real module is loaded on the first property read.
'use strict'

let real
const load = () => (real ??= require('../../node_modules/ansis/index.js'))

module.exports = new Proxy(
  {},
  {
    // TypeScript's __importDefault asks for __esModule at import: answered without loading.
    get: (_, key) => (key === '__esModule' ? undefined : load()[key]),
    has: (_, key) => key in load(),
  },
)
