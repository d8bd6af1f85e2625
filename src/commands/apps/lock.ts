import type {App} from '../../lib/api/resources.js'
import {OrgctlCommand} from '../../lib/cli/base-command.js'
import {appFlag, dryRunFlag} from '../../lib/cli/flags.js'

export default class AppsLock extends OrgctlCommand {
  static override summary = 'prevent org members from joining an app (admins)'
  static override description =
    'Until it is unlocked, no one but an admin can join the app or be given access to it. Locking a locked app changes nothing.'
  static override aliases = ['lock']
  static override examples = ['<%= config.bin %> apps:lock --app acme-api']
  static override flags = {app: appFlag, 'dry-run': dryRunFlag}

  async run(): Promise<App> {
    const {flags} = await this.parse(AppsLock)
    const app = this.ctx.app(flags.app)
    const backend = await this.ctx.backend()
    const {ui} = this.ctx
    return ui.action(`Locking ${ui.color.app(app)}`, () => backend.setLocked(app, true))
  }
}
