import {Flags} from '@oclif/core'

import type {Authorization} from '../../lib/api/resources.js'
import {OrgctlCommand} from '../../lib/cli/base-command.js'
import {dryRunFlag} from '../../lib/cli/flags.js'

export default class AuthorizationsCreate extends OrgctlCommand {
  static override summary = 'mint an API token for yourself'
  static override description = 'The token is printed once and stored only as a hash. Use it as ORGCTL_API_KEY against an orgctl server.'
  static override examples = [
    '<%= config.bin %> authorizations:create',
    'export ORGCTL_API_KEY=$(<%= config.bin %> authorizations:create --short)',
  ]
  static override flags = {
    'dry-run': dryRunFlag,
    short: Flags.boolean({char: 'S', description: 'print only the token'}),
    description: Flags.string({char: 'd', description: 'what the token is for', default: 'orgctl CLI'}),
  }

  async run(): Promise<Authorization> {
    const {flags} = await this.parse(AuthorizationsCreate)
    const backend = await this.ctx.backend()
    const {ui} = this.ctx
    const authorization = await ui.action('Creating OAuth Authorization', () => backend.createAuthorization(flags.description))
    // A dry run's token is never stored, so it is never shown: it would not work.
    if (ui.dryRun) {
      if (!flags.short)
        ui.fields([
          ['Description', authorization.description],
          ['User', authorization.user.email],
        ])
    } else if (flags.short) {
      ui.out(authorization.access_token!.token)
    } else {
      ui.fields([
        ['ID', authorization.id],
        ['Description', authorization.description],
        ['User', authorization.user.email],
        ['Token', authorization.access_token!.token],
      ])
    }
    return authorization
  }
}
