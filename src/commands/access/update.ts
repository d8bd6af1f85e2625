import {Args} from '@oclif/core'

import type {Collaborator} from '../../lib/api/resources.js'
import {OrgctlCommand} from '../../lib/cli/base-command.js'
import {appFlag, dryRunFlag, permissionsFlag} from '../../lib/cli/flags.js'
import {usageError} from '../../lib/errors.js'
import {parseEmail, parsePermissions} from '../../lib/domain/validation.js'

export default class AccessUpdate extends OrgctlCommand {
  static override summary = "change a collaborator's permissions on an org app"
  static override aliases = ['sharing:update']
  static override examples = ['<%= config.bin %> access:update dev@acme.test --app acme-api --permissions deploy,operate,manage']
  static override args = {email: Args.string({ignoreStdin: true, description: 'email address of the collaborator', required: true})}
  static override flags = {
    'dry-run': dryRunFlag,
    app: appFlag,
    permissions: permissionsFlag('comma-separated permissions to set: deploy, operate, manage (view is implied)'),
  }

  async run(): Promise<Collaborator> {
    const {args, flags} = await this.parse(AccessUpdate)
    const email = parseEmail(args.email)
    const app = this.ctx.app(flags.app)
    if (flags.permissions === undefined) throw usageError('Missing permissions: give --permissions deploy,operate,manage (any of them).')
    const permissions = parsePermissions(flags.permissions)
    const backend = await this.ctx.backend()
    const {ui} = this.ctx
    return ui.action(`Updating ${ui.color.user(email)} in application ${ui.color.app(app)} with ${permissions.join(',')} permissions`, () =>
      backend.updateAccess(app, email, permissions),
    )
  }
}
