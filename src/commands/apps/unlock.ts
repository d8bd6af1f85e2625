import type {App} from '../../lib/api/resources.js'
import {OrgctlCommand} from '../../lib/cli/base-command.js'
import {appFlag, dryRunFlag} from '../../lib/cli/flags.js'

export default class AppsUnlock extends OrgctlCommand {
  static override summary = 'let org members join an app again (admins)'
  static override description = 'Unlocking an unlocked app changes nothing.'
  static override aliases = ['unlock']
  static override examples = ['<%= config.bin %> apps:unlock --app acme-api']
  static override flags = {app: appFlag, 'dry-run': dryRunFlag}

  async run(): Promise<App> {
    const {flags} = await this.parse(AppsUnlock)
    const app = this.ctx.app(flags.app)
    const backend = await this.ctx.backend()
    const {ui} = this.ctx
    return ui.action(`Unlocking ${ui.color.app(app)}`, () => backend.setLocked(app, false))
  }
}
