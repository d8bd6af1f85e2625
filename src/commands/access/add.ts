import {Args} from '@oclif/core'

import type {Collaborator} from '../../lib/api/resources.js'
import {OrgctlCommand} from '../../lib/cli/base-command.js'
import {appFlag, dryRunFlag, permissionsFlag} from '../../lib/cli/flags.js'
import {parseEmail, parsePermissions} from '../../lib/domain/validation.js'
import {permissionList} from '../../lib/output/labels.js'

export default class AccessAdd extends OrgctlCommand {
  static override summary = 'give a user access to an app'
  static override description = `On an org app, --permissions picks what they may do (view is always included; default view only).
On a personal app, collaborators can view, deploy and operate. Not on a locked app, unless you are an admin.`
  static override aliases = ['sharing:add']
  static override examples = ['<%= config.bin %> access:add dev@acme.test --app acme-api --permissions deploy,operate']
  static override args = {email: Args.string({ignoreStdin: true, description: 'email address of the user', required: true})}
  static override flags = {
    'dry-run': dryRunFlag,
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
    // As the Heroku CLI: permissions are an org feature, so on a personal app --permissions is not
    // sent, and the one line says what the collaborator really gets.
    const personal = permissions !== undefined && (await backend.getApp(app)).team === null
    const withText = permissions && !personal ? ` with ${permissions.join(', ')} permissions` : ''
    return ui.action(
      `Adding ${ui.color.user(email)} access to the app ${ui.color.app(app)}${withText}`,
      () => backend.addAccess(app, email, personal ? undefined : permissions),
      (collaborator) =>
        personal
          ? `done, with ${permissionList(collaborator.permissions)} (a personal app: --permissions applies to org apps only)`
          : 'done',
    )
  }
}
