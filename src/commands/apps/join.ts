import type {Collaborator} from '../../lib/api/resources.js'
import {OrgctlCommand} from '../../lib/cli/base-command.js'
import {appFlag, dryRunFlag} from '../../lib/cli/flags.js'

export default class AppsJoin extends OrgctlCommand {
  static override summary = 'add yourself to an org app'
  static override description = 'Members join with view, deploy and operate. A locked app can be joined only by admins.'
  static override aliases = ['join']
  static override examples = ['<%= config.bin %> apps:join --app acme-api']
  static override flags = {app: appFlag, 'dry-run': dryRunFlag}

  async run(): Promise<Collaborator> {
    const {flags} = await this.parse(AppsJoin)
    const app = this.ctx.app(flags.app)
    const backend = await this.ctx.backend()
    const {ui} = this.ctx
    return ui.action(`Joining ${ui.color.app(app)}`, () => backend.joinApp(app))
  }
}
