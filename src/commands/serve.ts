import {Flags} from '@oclif/core'

import {OrgctlCommand} from '../lib/cli/base-command.js'
import {usageError} from '../lib/errors.js'

export default class Serve extends OrgctlCommand {
  static override summary = "serve the store over HTTP, speaking Heroku's Platform API v3"
  static override description = `Serves the store in ORGCTL_STORE to a team, enforcing the same permission matrix for the user behind
each request's token (Authorization: Bearer TOKEN, or Basic with the token as the password). Mint tokens
with orgctl authorizations:create on the same store. The store must exist and be readable whole: a
missing or damaged one is refused before listening (exit 7); create one with a first command on the
embedded store (orgctl orgs:create). SIGTERM or Ctrl-C stop it gracefully: requests in flight finish first.`
  static override enableJsonFlag = false
  static override examples = ['<%= config.bin %> serve', '<%= config.bin %> serve --port 0 --host 127.0.0.1 --verbose']
  static override flags = {
    port: Flags.integer({char: 'p', description: 'port to listen on (0: any free port)', default: 5000, min: 0, max: 65_535}),
    host: Flags.string({description: 'address to listen on', default: '127.0.0.1'}),
    'rate-limit': Flags.integer({description: 'requests an hour per token, refilled gradually (Heroku: 4500)', default: 4500, min: 1}),
    verbose: Flags.boolean({char: 'v', description: 'log one line per request (never a token)'}),
  }

  async run(): Promise<void> {
    const {flags} = await this.parse(Serve)
    const [{buildServer}, {JsonStore}] = await Promise.all([import('../lib/server/server.js'), import('../lib/store/json-store.js')])
    const store = new JsonStore(this.ctx.settings.storePath)
    // A missing or damaged store would fail every request: refused before listening, naming the file.
    const {readOnly} = await store.check()
    if (readOnly) this.ctx.ui.warn(`${readOnly} Requests that change something will fail.`)
    const log = (line: string) => process.stderr.write(`${new Date().toISOString()} ${line}\n`)
    const server = await buildServer({
      store,
      rateLimitPerHour: flags['rate-limit'],
      log: flags.verbose || this.ctx.settings.debug ? log : undefined,
      errorLog: log,
    })
    let address: string
    try {
      address = await server.listen({port: flags.port, host: flags.host})
    } catch (error) {
      throw usageError(`Cannot listen on ${flags.host}:${flags.port}: ${(error as Error).message}. Pick another --port or --host.`)
    }
    process.stderr.write(`orgctl API listening on ${address} (store: ${store.path})\n`)
    await new Promise<void>((resolve) => {
      const stop = (signal: string) => {
        process.stderr.write(`${signal}: finishing requests in flight, then stopping\n`)
        server.close().then(
          () => resolve(),
          () => resolve(),
        )
      }
      process.once('SIGTERM', () => stop('SIGTERM'))
      process.once('SIGINT', () => stop('SIGINT'))
    })
  }
}
