import type {Collaborator} from '../../lib/api/resources.js'
import {OrgctlCommand} from '../../lib/cli/base-command.js'
import {appFlag, dryRunFlag} from '../../lib/cli/flags.js'

export default class AppsLeave extends OrgctlCommand {
  static override summary = 'remove yourself from an app'
  static override description = 'Leaving an app you have not joined changes nothing.'
  static override aliases = ['leave']
  static override examples = ['<%= config.bin %> apps:leave --app acme-api']
  static override flags = {app: appFlag, 'dry-run': dryRunFlag}

  async run(): Promise<Collaborator> {
    const {flags} = await this.parse(AppsLeave)
    const app = this.ctx.app(flags.app)
    const backend = await this.ctx.backend()
    const {ui} = this.ctx
    return ui.action(`Leaving ${ui.color.app(app)}`, () => backend.leaveApp(app))
  }
}
