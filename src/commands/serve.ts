import {Flags} from '@oclif/core'

import {OrgctlCommand} from '../lib/cli/base-command.js'
import {listenOn} from '../lib/server/listen.js'

export default class Serve extends OrgctlCommand {
  static override summary = "serve the store over HTTP, speaking Heroku's Platform API v3"
  static override description = `Serves the store to a team, enforcing the same permission matrix for the user behind each request's
token (Authorization: Bearer TOKEN, or Basic with the token as the password). Mint tokens with orgctl
authorizations:create on the same storage.

The storage is the JSON file in ORGCTL_STORE, or a PostgreSQL database (--database-url, or
ORGCTL_DATABASE_URL), which it migrates before listening (under an advisory lock: instances started at
once migrate once). Several instances may serve one database: give each --instances N so that each
enforces its share of the per-token rate limit. A missing or damaged store, or a database that cannot be
reached, is refused before listening (exit 7). SIGTERM or Ctrl-C stop it gracefully: requests in flight
finish first, then the database pool is drained.`
  static override enableJsonFlag = false
  static override examples = [
    '<%= config.bin %> serve',
    '<%= config.bin %> serve --port 0 --host 127.0.0.1 --verbose',
    '<%= config.bin %> serve --database-url postgres://orgctl@db.internal/orgctl --port 5001 --instances 2',
  ]
  static override flags = {
    port: Flags.integer({char: 'p', description: 'port to listen on (0: any free port)', default: 5000, min: 0, max: 65_535}),
    host: Flags.string({description: 'address to listen on', default: '127.0.0.1'}),
    'database-url': Flags.string({
      description: 'serve this PostgreSQL database (default: ORGCTL_DATABASE_URL, else the file)',
      helpValue: 'URL',
    }),
    'rate-limit': Flags.integer({description: 'requests an hour per token, refilled gradually (Heroku: 4500)', default: 4500, min: 1}),
    instances: Flags.integer({
      description: 'how many instances serve the same database: each enforces 1/N of --rate-limit',
      default: 1,
      min: 1,
      max: 1000,
    }),
    'trust-proxy': Flags.boolean({
      description: "behind a TLS-terminating proxy: trust its X-Forwarded-* headers (the Dashboard's cookies become Secure)",
    }),
    verbose: Flags.boolean({char: 'v', description: 'log one line per request (never a token)'}),
  }

  async run(): Promise<void> {
    const {flags} = await this.parse(Serve)
    const [{buildServer}, {chooseEngine}] = await Promise.all([import('../lib/server/server.js'), import('../lib/storage/open.js')])
    const engine = chooseEngine(this.ctx.settings, flags['database-url'])
    const log = (line: string) => process.stderr.write(`${new Date().toISOString()} ${line}\n`)
    const {prepareStorage} = await import('../lib/server/prepare.js')
    const {storage, warning} = await prepareStorage(engine, log)
    if (warning) this.ctx.ui.warn(warning)
    const server = await buildServer({
      storage,
      rateLimitPerHour: Math.max(1, Math.floor(flags['rate-limit'] / flags.instances)),
      trustProxy: flags['trust-proxy'],
      log: flags.verbose || this.ctx.settings.debug ? log : undefined,
      errorLog: log,
    })
    const address = await listenOn(server, flags.host, flags.port, 'Pick another --port or --host.')
    process.stderr.write(`orgctl API listening on ${address} (${storage.kind === 'json' ? 'store' : 'database'}: ${storage.location})\n`)
    process.stderr.write(`Dashboard: ${address}/dashboard (sign in with an API token, or run orgctl dashboard)\n`)
    await new Promise<void>((resolve) => {
      const stop = (signal: string) => {
        process.stderr.write(`${signal}: finishing requests in flight, then stopping\n`)
        // close() waits for requests in flight, then its onClose hook drains the storage (the pool).
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
