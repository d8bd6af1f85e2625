import type {TeamBilling} from '../../lib/api/resources.js'
import {OrgctlCommand} from '../../lib/cli/base-command.js'
import {orgFlag} from '../../lib/cli/flags.js'
import {usd} from '../../lib/output/money.js'

export default class OrgsBilling extends OrgctlCommand {
  static override summary = "estimate this month's charges for an org, per app (admins)"
  static override description =
    "Each app's dyno charges this month, prorated by the second over the time it ran in the org, to date and projected to the month's end at today's scale."
  static override aliases = ['teams:billing']
  static override examples = ['<%= config.bin %> orgs:billing --org acme-widgets']
  static override flags = {org: orgFlag}

  async run(): Promise<TeamBilling> {
    const {flags} = await this.parse(OrgsBilling)
    const org = await this.ctx.org(flags.org)
    const billing = await (await this.ctx.backend()).teamBilling(org)
    const {ui} = this.ctx
    ui.header(`Estimated charges for ${ui.color.org(org)} in ${billing.month}`)
    if (billing.apps.length === 0) ui.note('No charges this month: no app in the org has run dynos.')
    await ui.table(billing.apps, [
      {header: 'app', value: (a) => a.app_name, style: ui.color.app},
      {header: 'dyno units', value: (a) => String(a.dyno_units)},
      {header: 'monthly rate', value: (a) => usd(a.monthly_rate)},
      {header: 'to date', value: (a) => usd(a.to_date)},
      {header: 'projected', value: (a) => usd(a.projected)},
    ])
    ui.out()
    ui.note(`Total to date: ${usd(billing.total_to_date)}; projected for the month: ${usd(billing.total_projected)}`)
    return billing
  }
}
