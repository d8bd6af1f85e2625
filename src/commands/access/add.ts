import {Args} from '@oclif/core'

import type {Collaborator} from '../../lib/api/resources.js'
import {OrgctlCommand} from '../../lib/cli/base-command.js'
import {appFlag, permissionsFlag} from '../../lib/cli/flags.js'
import {parseEmail, parsePermissions} from '../../lib/domain/validation.js'

export default class AccessAdd extends OrgctlCommand {
  static override summary = 'give a user access to an app'
  static override description = `On an org app, --permissions picks what they may do (view is always included; default view only).
On a personal app, collaborators can view, deploy and operate. Not on a locked app, unless you are an admin.`
  static override aliases = ['sharing:add']
  static override examples = ['<%= config.bin %> access:add dev@acme.test --app acme-api --permissions deploy,operate']
  static override args = {email: Args.string({ignoreStdin: true, description: 'email address of the user', required: true})}
  static override flags = {
    app: appFlag,
    permissions: permissionsFlag('comma-separated permissions: deploy, operate, manage (view is implied)'),
  }

  async run(): Promise<Collaborator> {
    const {args, flags} = await this.parse(AccessAdd)
    const email = parseEmail(args.email)
    const app = this.ctx.app(flags.app)
    const permissions = flags.permissions === undefined ? undefined : parsePermissions(flags.permissions)
    const backend = await this.ctx.backend()
    const {ui} = this.ctx
    const withText = permissions ? ` with ${permissions.join(', ')} permissions` : ''
    const collaborator = await ui.action(`Adding ${ui.color.user(email)} access to the app ${ui.color.app(app)}${withText}`, () =>
      backend.addAccess(app, email, permissions),
    )
    if (permissions && collaborator.permissions.length !== permissions.length) {
      ui.warn(
        `${app} is a personal app: permissions apply to org apps only, so ${email} can ${collaborator.permissions.map((p) => p.name).join(', ')}.`,
      )
    }
    return collaborator
  }
}
