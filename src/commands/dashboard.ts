import {Flags} from '@oclif/core'

import {OrgctlCommand} from '../lib/cli/base-command.js'
import {openDashboard} from '../lib/cli/dashboard.js'

export default class Dashboard extends OrgctlCommand {
  static override summary = 'open the Dashboard in a browser, signed in'
  static override description = `Opens the orgctl Dashboard (the Access, Apps, Usage, Billing and Transfers pages) in your browser,
signed in as you with a one-time link: the link works once, for two minutes, and carries no API token.

Against an API (ORGCTL_API_URL, or orgctl login --api-url) it opens that server's Dashboard. On the
embedded store (or ORGCTL_DATABASE_URL) it serves the Dashboard itself, on a loopback address only,
until you stop it with Ctrl-C. With --no-open, or where no browser can be started (an SSH session),
it prints the link to open instead.`
  static override enableJsonFlag = false
  static override examples = [
    '<%= config.bin %> dashboard',
    '<%= config.bin %> dashboard --no-open',
    'ORGCTL_API_URL=https://orgctl.example.com <%= config.bin %> dashboard',
  ]
  static override flags = {
    open: Flags.boolean({description: 'start a browser on the link (--no-open: print it only)', default: true, allowNo: true}),
    port: Flags.integer({
      char: 'p',
      description: 'on the embedded store: the loopback port to serve the Dashboard on (0: any free port)',
      default: 0,
      min: 0,
      max: 65_535,
    }),
  }

  async run(): Promise<void> {
    const {flags} = await this.parse(Dashboard)
    await openDashboard(this.ctx, {open: flags.open, port: flags.port})
  }
}
