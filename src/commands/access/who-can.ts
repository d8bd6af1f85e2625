import {Args} from '@oclif/core'

import type {AccessCheck} from '../../lib/api/resources.js'
import {OrgctlCommand} from '../../lib/cli/base-command.js'
import {appFlag} from '../../lib/cli/flags.js'
import {parsePermission} from '../../lib/domain/validation.js'

export default class AccessWhoCan extends OrgctlCommand {
  static override summary = 'list everyone who holds a permission on an app, and how'
  static override description = `The org's admins (or a personal app's owner), members (view), and collaborators holding it, as access:check answers for each. Anyone who may list the app's access may ask.`
  static override examples = [
    '<%= config.bin %> access:who-can deploy --app acme-api',
    '<%= config.bin %> access:who-can manage -a acme-api --json',
  ]
  static override args = {permission: Args.string({ignoreStdin: true, description: 'view, deploy, operate or manage', required: true})}
  static override flags = {app: appFlag}

  async run(): Promise<AccessCheck[]> {
    const {args, flags} = await this.parse(AccessWhoCan)
    const permission = parsePermission(args.permission)
    const app = this.ctx.app(flags.app)
    const holders = await (await this.ctx.backend()).accessHolders(app, permission)
    const {ui} = this.ctx
    if (holders.length === 0) ui.note(`Nobody holds ${permission} on ${app}`)
    await ui.table(holders, [
      {header: 'email', value: (h) => h.email, style: ui.color.user},
      {header: 'via', value: (h) => h.via},
    ])
    return holders
  }
}
