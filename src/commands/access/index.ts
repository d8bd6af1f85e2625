import type {Collaborator} from '../../lib/api/resources.js'
import {OrgctlCommand} from '../../lib/cli/base-command.js'
import {appFlag} from '../../lib/cli/flags.js'
import {permissionList} from '../../lib/output/labels.js'

export default class Access extends OrgctlCommand {
  static override summary = 'list who has access to an app'
  static override description = "The owner (personal apps), the org's admins (every permission), and everyone the app is shared with."
  static override aliases = ['sharing']
  static override examples = ['<%= config.bin %> access --app acme-api', '<%= config.bin %> sharing -a acme-api --json']
  static override flags = {app: appFlag}

  async run(): Promise<Collaborator[]> {
    const {flags} = await this.parse(Access)
    const app = this.ctx.app(flags.app)
    const access = await (await this.ctx.backend()).listAccess(app)
    const {ui} = this.ctx
    await ui.table(access, [
      {header: 'email', value: (c) => c.user.email, style: ui.color.user},
      {header: 'role', value: (c) => c.role ?? 'collaborator'},
      {header: 'permissions', value: (c) => permissionList(c.permissions)},
    ])
    return access
  }
}
