import {Args} from '@oclif/core'

import type {App} from '../../lib/api/resources.js'
import {OrgctlCommand} from '../../lib/cli/base-command.js'
import {appFlag} from '../../lib/cli/flags.js'

export default class AppsInfo extends OrgctlCommand {
  static override summary = 'show an app'
  static override aliases = ['info']
  static override examples = ['<%= config.bin %> apps:info --app acme-api', '<%= config.bin %> apps:info acme-api --json']
  static override args = {app: Args.string({ignoreStdin: true, description: 'the app (or use --app)'})}
  static override flags = {app: appFlag}

  async run(): Promise<App> {
    const {args, flags} = await this.parse(AppsInfo)
    const name = this.ctx.app(args.app ?? flags.app)
    const app = await (await this.ctx.backend()).getApp(name)
    const {ui} = this.ctx
    ui.header(ui.color.app(app.name))
    ui.out(`Owner:    ${app.team ? `org ${ui.color.org(app.team.name)}` : ui.color.user(app.owner.email)}`)
    ui.out(`Region:   ${app.region.name}`)
    ui.out(`Locked:   ${app.locked ? 'yes' : 'no'}`)
    ui.out(`Created:  ${app.created_at}`)
    ui.out(`Web URL:  ${app.web_url}`)
    ui.out(`Git URL:  ${app.git_url}`)
    return app
  }
}
