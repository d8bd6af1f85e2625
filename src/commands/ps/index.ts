import type {Formation} from '../../lib/api/resources.js'
import {OrgctlCommand} from '../../lib/cli/base-command.js'
import {appFlag} from '../../lib/cli/flags.js'

export default class Ps extends OrgctlCommand {
  static override summary = "list an app's dyno formation"
  static override examples = ['<%= config.bin %> ps --app acme-api']
  static override flags = {app: appFlag}

  async run(): Promise<Formation[]> {
    const {flags} = await this.parse(Ps)
    const app = this.ctx.app(flags.app)
    const formation = await (await this.ctx.backend()).listFormation(app)
    const {ui} = this.ctx
    if (formation.length === 0) ui.note(`No dynos on ${app}. Scale some with orgctl ps:scale web=1 --app ${app}.`)
    await ui.table(formation, [
      {header: 'type', value: (f) => f.type},
      {header: 'quantity', value: (f) => String(f.quantity)},
      {header: 'size', value: (f) => f.size},
    ])
    return formation
  }
}
