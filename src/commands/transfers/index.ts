import type {AppTransfer} from '../../lib/api/resources.js'
import {OrgctlCommand} from '../../lib/cli/base-command.js'

export default class Transfers extends OrgctlCommand {
  static override summary = 'list app transfers sent by you or addressed to you'
  static override examples = ['<%= config.bin %> transfers', '<%= config.bin %> transfers --json']

  async run(): Promise<AppTransfer[]> {
    await this.parse(Transfers)
    const transfers = await (await this.ctx.backend()).listTransfers()
    const {ui} = this.ctx
    if (transfers.length === 0) ui.note('No app transfers.')
    await ui.table(transfers, [
      {header: 'id', value: (t) => t.id},
      {header: 'app', value: (t) => t.app.name, style: ui.color.app},
      {header: 'from', value: (t) => t.owner.email},
      {header: 'to', value: (t) => t.recipient.email},
      {header: 'state', value: (t) => t.state},
    ])
    return transfers
  }
}
