import {Args} from '@oclif/core'

import type {Formation} from '../../lib/api/resources.js'
import {OrgctlCommand} from '../../lib/cli/base-command.js'
import {appFlag, dryRunFlag} from '../../lib/cli/flags.js'
import {parseScaleChanges} from '../../lib/domain/validation.js'

export default class PsScale extends OrgctlCommand {
  static override summary = "scale an app's dynos"
  static override description = `Sizes: standard-1x (1 dyno unit), standard-2x (2), performance-m (8), performance-l (16).
On an org app, the org's dyno-units limit applies: a change past it is refused and nothing changes.`
  static override strict = false
  static override aliases = ['scale']
  static override examples = [
    '<%= config.bin %> ps:scale web=2:standard-2x worker=1 --app acme-api',
    '<%= config.bin %> ps:scale web+1 --app acme-api',
  ]
  static override args = {
    changes: Args.string({ignoreStdin: true, description: 'TYPE=N[:SIZE], TYPE+N or TYPE-N (several allowed)', required: true}),
  }
  static override flags = {app: appFlag, 'dry-run': dryRunFlag}

  async run(): Promise<Formation[]> {
    const {argv, flags} = await this.parse(PsScale)
    const app = this.ctx.app(flags.app)
    const changes = parseScaleChanges(argv as string[])
    const backend = await this.ctx.backend()
    const {ui} = this.ctx
    return ui.action(
      `Scaling dynos on ${ui.color.app(app)}`,
      () => backend.scale(app, changes),
      (formation) => `done, now running ${formation.map((f) => `${f.type} at ${f.quantity}:${f.size}`).join(', ')}`,
    )
  }
}
