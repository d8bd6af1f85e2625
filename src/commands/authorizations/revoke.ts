import {Args} from '@oclif/core'

import type {Authorization} from '../../lib/api/resources.js'
import {OrgctlCommand} from '../../lib/cli/base-command.js'
import {dryRunFlag} from '../../lib/cli/flags.js'

export default class AuthorizationsRevoke extends OrgctlCommand {
  static override summary = 'revoke one of your API tokens'
  static override examples = ['<%= config.bin %> authorizations:revoke 01234567-89ab-cdef-0123-456789abcdef']
  static override args = {
    id: Args.string({ignoreStdin: true, description: 'the authorization id (see orgctl authorizations)', required: true}),
  }
  static override flags = {'dry-run': dryRunFlag}

  async run(): Promise<Authorization> {
    const {args} = await this.parse(AuthorizationsRevoke)
    const backend = await this.ctx.backend()
    return this.ctx.ui.action(`Revoking authorization ${args.id}`, () => backend.revokeAuthorization(args.id))
  }
}
