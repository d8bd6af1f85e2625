import {Args, Flags} from '@oclif/core'

import type {Team} from '../../lib/api/resources.js'
import {OrgctlCommand} from '../../lib/cli/base-command.js'
import {dryRunFlag, orgFlag} from '../../lib/cli/flags.js'
import {sameValue} from '../../lib/domain/validation.js'
import {confirmByName} from '../../lib/output/prompt.js'

export default class OrgsDestroy extends OrgctlCommand {
  static override summary = 'permanently destroy an org that has no apps (admins)'
  static override description = `Destroys the org with its memberships, usage history and billing ledger. An org that still has apps is
refused: move them out (orgctl apps:transfer) or destroy them first. Needs --confirm ORG (or typing the
name at a terminal). No pending transfer can name an org (a move into an org happens at once), so there
is none to cancel.`
  static override aliases = ['teams:destroy']
  static override examples = ['<%= config.bin %> orgs:destroy --org acme-widgets --confirm acme-widgets']
  static override args = {org: Args.string({ignoreStdin: true, description: 'the org (or use --org)'})}
  static override flags = {
    'dry-run': dryRunFlag,
    org: orgFlag,
    confirm: Flags.string({char: 'c', description: 'the org name again, to confirm', helpValue: 'ORG'}),
  }

  async run(): Promise<Team> {
    const {args, flags} = await this.parse(OrgsDestroy)
    const org = await this.ctx.org(sameValue('org', {value: args.org, as: 'the argument'}, {value: flags.org, as: '--org'}))
    const {ui} = this.ctx
    await confirmByName(ui, org, flags.confirm, `This destroys the org ${org} and cannot be undone`)
    const backend = await this.ctx.backend()
    return ui.action(`Destroying org ${ui.color.org(org)}`, () => backend.destroyTeam(org))
  }
}
