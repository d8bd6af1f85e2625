import {Args} from '@oclif/core'

import type {Collaborator} from '../../lib/api/resources.js'
import {OrgctlCommand} from '../../lib/cli/base-command.js'
import {appFlag, dryRunFlag} from '../../lib/cli/flags.js'
import {parseEmail} from '../../lib/domain/validation.js'

export default class AccessRemove extends OrgctlCommand {
  static override summary = "remove a user's access to an app"
  static override description = 'Removing your own access is leaving the app. Removing someone without access changes nothing.'
  static override aliases = ['sharing:remove']
  static override examples = ['<%= config.bin %> access:remove dev@acme.test --app acme-api']
  static override args = {email: Args.string({ignoreStdin: true, description: 'email address of the collaborator', required: true})}
  static override flags = {app: appFlag, 'dry-run': dryRunFlag}

  async run(): Promise<Collaborator> {
    const {args, flags} = await this.parse(AccessRemove)
    const email = parseEmail(args.email)
    const app = this.ctx.app(flags.app)
    const backend = await this.ctx.backend()
    const {ui} = this.ctx
    return ui.action(
      `Removing ${ui.color.user(email)} access from the app ${ui.color.app(app)}`,
      () => backend.removeAccess(app, email),
      (collaborator) => (collaborator.role === null ? 'done, had no access' : 'done'),
    )
  }
}
