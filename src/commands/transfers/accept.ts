import {Args} from '@oclif/core'

import type {AppTransfer} from '../../lib/api/resources.js'
import {OrgctlCommand} from '../../lib/cli/base-command.js'
import {dryRunFlag} from '../../lib/cli/flags.js'

export default class TransfersAccept extends OrgctlCommand {
  static override summary = 'accept an app transfer addressed to you'
  static override examples = ['<%= config.bin %> transfers:accept 01234567-89ab-cdef-0123-456789abcdef']
  static override args = {id: Args.string({ignoreStdin: true, description: 'the transfer id (see orgctl transfers)', required: true})}
  static override flags = {'dry-run': dryRunFlag}

  async run(): Promise<AppTransfer> {
    const {args} = await this.parse(TransfersAccept)
    const backend = await this.ctx.backend()
    return this.ctx.ui.action(`Accepting transfer ${args.id}`, () => backend.answerTransfer(args.id, 'accepted'))
  }
}
