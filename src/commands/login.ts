import {Flags} from '@oclif/core'

import {OrgctlCommand} from '../lib/cli/base-command.js'
import {usageError} from '../lib/errors.js'
import {parseEmail, parseOrgName} from '../lib/domain/validation.js'
import {askSecret} from '../lib/output/prompt.js'

export default class Login extends OrgctlCommand {
  static override summary = 'save who you are: an email for the embedded store, or an API URL and token'
  static override description = `With --email, commands on the embedded store act as that user (ORGCTL_USER, when set, wins).
With --api-url, commands go to that orgctl server (or any Heroku Platform API): the token is read from
--token-stdin, else ORGCTL_API_KEY, else asked for without echo; it is checked with GET /account and
saved in the config file (mode 0600).`
  static override examples = [
    '<%= config.bin %> login --email dev@acme.test --org acme-widgets',
    '<%= config.bin %> login --api-url http://127.0.0.1:5000',
    'echo "$TOKEN" | <%= config.bin %> login --api-url http://127.0.0.1:5000 --token-stdin',
  ]
  static override flags = {
    email: Flags.string({char: 'e', description: 'your email address, for the embedded store', helpValue: 'EMAIL', exclusive: ['api-url']}),
    'api-url': Flags.string({description: 'URL of an orgctl server or Platform API', helpValue: 'URL'}),
    'token-stdin': Flags.boolean({description: 'read the API token from standard input', dependsOn: ['api-url']}),
    org: Flags.string({
      char: 'o',
      aliases: ['team'],
      charAliases: ['t'],
      description: 'a default org for commands that take --org',
      helpValue: 'ORG',
    }),
  }

  async run(): Promise<{email: string; api_url?: string; org?: string; config: string}> {
    const {flags} = await this.parse(Login)
    const org = flags.org === undefined ? undefined : parseOrgName(flags.org)
    const {ui, config} = this.ctx
    if (flags['api-url'] !== undefined) {
      const token = flags['token-stdin']
        ? (await this.ctx.readStdin()).trim()
        : (this.ctx.settings.apiKey ?? (await askSecret(ui, 'API token', 'pipe it to --token-stdin or set ORGCTL_API_KEY')))
      if (!token) throw usageError("Empty token: mint one with orgctl authorizations:create on the server's store.")
      const backend = await this.ctx.openApi(flags['api-url'], token)
      const account = await ui.action(`Checking the token with ${backend.location}`, () => backend.account())
      await config.set({apiUrl: backend.location, apiKey: token, email: account.email, ...(org === undefined ? {} : {org})})
      ui.info(`Logged in to ${backend.location} as ${ui.color.user(account.email)} (saved in ${config.path})`)
      return {email: account.email, api_url: backend.location, ...(org === undefined ? {} : {org}), config: config.path}
    }
    if (flags.email === undefined) throw usageError('Missing --email EMAIL (embedded store) or --api-url URL (server).')
    const email = parseEmail(flags.email)
    await config.set({email, apiUrl: undefined, apiKey: undefined, ...(org === undefined ? {} : {org})})
    ui.info(`Logged in as ${ui.color.user(email)}${org ? `, default org ${org}` : ''} (saved in ${config.path})`)
    return {email, ...(org === undefined ? {} : {org}), config: config.path}
  }
}
