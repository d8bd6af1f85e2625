// Stands in for the `debug` package inside the bundle (esbuild alias, see scripts/bundle.mjs).
// oclif creates its loggers at start-up, and `debug` loads node:tty (and node:net behind it) to
// choose colours: a few ms on every run for loggers that are all off unless DEBUG is set.
// With DEBUG set, this is the real package, with all its behaviour.
'use strict'

function off(namespace) {
  const logger = () => {}
  logger.namespace = namespace
  logger.enabled = false
  logger.log = logger
  logger.extend = (sub, delimiter = ':') => off(`${namespace}${delimiter}${sub}`)
  return logger
}
off.enable = () => {}
off.disable = () => ''
off.enabled = () => false

module.exports = process.env.DEBUG ? require('../../node_modules/debug/src/index.js') : off
