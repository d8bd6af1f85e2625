import {Args} from '@oclif/core'

import type {App} from '../../lib/api/resources.js'
import {OrgctlCommand} from '../../lib/cli/base-command.js'
import {appFlag} from '../../lib/cli/flags.js'
import {sameValue} from '../../lib/domain/validation.js'

export default class AppsInfo extends OrgctlCommand {
  static override summary = 'show an app'
  static override aliases = ['info']
  static override examples = ['<%= config.bin %> apps:info --app acme-api', '<%= config.bin %> apps:info acme-api --json']
  static override args = {app: Args.string({ignoreStdin: true, description: 'the app (or use --app)'})}
  static override flags = {app: appFlag}

  async run(): Promise<App> {
    const {args, flags} = await this.parse(AppsInfo)
    const name = this.ctx.app(sameValue('app', {value: args.app, as: 'the argument'}, {value: flags.app, as: '--app'}))
    const app = await (await this.ctx.backend()).getApp(name)
    const {ui} = this.ctx
    ui.header(ui.color.app(app.name))
    ui.fields([
      ['Owner', app.team ? `org ${app.team.name}` : app.owner.email],
      ['Region', app.region.name],
      ['Locked', app.locked ? 'yes' : 'no'],
      ['Created', app.created_at],
      // Only the addresses the server gives: orgctl's own apps live on no such host.
      ...(app.web_url ? [['Web URL', app.web_url] as const] : []),
      ...(app.git_url ? [['Git URL', app.git_url] as const] : []),
    ])
    return app
  }
}
