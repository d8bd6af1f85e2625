import {Args, Flags} from '@oclif/core'

import type {App} from '../../lib/api/resources.js'
import {OrgctlCommand} from '../../lib/cli/base-command.js'
import {appFlag, dryRunFlag} from '../../lib/cli/flags.js'
import {sameValue} from '../../lib/domain/validation.js'
import {confirmByName} from '../../lib/output/prompt.js'

export default class AppsDestroy extends OrgctlCommand {
  static override summary = 'permanently destroy an app'
  static override description =
    'Needs --confirm APP (or typing the name at a terminal). Admins, the owner of a personal app, or anyone with manage on it.'
  static override aliases = ['destroy', 'apps:delete']
  static override examples = ['<%= config.bin %> apps:destroy --app acme-api --confirm acme-api']
  static override args = {app: Args.string({ignoreStdin: true, description: 'the app (or use --app)'})}
  static override flags = {
    'dry-run': dryRunFlag,
    app: appFlag,
    confirm: Flags.string({char: 'c', description: 'the app name again, to confirm', helpValue: 'APP'}),
  }

  async run(): Promise<App> {
    const {args, flags} = await this.parse(AppsDestroy)
    const app = this.ctx.app(sameValue('app', {value: args.app, as: 'the argument'}, {value: flags.app, as: '--app'}))
    const {ui} = this.ctx
    await confirmByName(ui, app, flags.confirm, `This destroys ${app} and cannot be undone`)
    const backend = await this.ctx.backend()
    return ui.action(`Destroying ${ui.color.app(app)}`, () => backend.destroyApp(app))
  }
}
