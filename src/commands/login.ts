import {Flags} from '@oclif/core'

import {OrgctlCommand} from '../lib/cli/base-command.js'
import {usageError} from '../lib/errors.js'
import {parseEmail, parseOrgName} from '../lib/domain/validation.js'

export default class Login extends OrgctlCommand {
  static override summary = 'save who you are (and optionally a default org) for the embedded store'
  static override description = 'ORGCTL_USER, when set, takes precedence over the saved email.'
  static override examples = ['<%= config.bin %> login --email dev@acme.test', '<%= config.bin %> login --email dev@acme.test --org acme-widgets']
  static override flags = {
    email: Flags.string({char: 'e', description: 'your email address', helpValue: 'EMAIL'}),
    org: Flags.string({char: 'o', aliases: ['team'], charAliases: ['t'], description: 'a default org for commands that take --org', helpValue: 'ORG'}),
  }

  async run(): Promise<{email: string; org?: string; config: string}> {
    const {flags} = await this.parse(Login)
    if (flags.email === undefined) throw usageError('Missing email: give --email you@example.com.')
    const email = parseEmail(flags.email)
    const org = flags.org === undefined ? undefined : parseOrgName(flags.org)
    await this.ctx.config.set(org === undefined ? {email} : {email, org})
    const path = await this.ctx.config.path()
    this.ctx.ui.info(`Logged in as ${this.ctx.ui.color.user(email)}${org ? `, default org ${org}` : ''} (saved in ${path})`)
    return {email, ...(org === undefined ? {} : {org}), config: path}
  }
}
