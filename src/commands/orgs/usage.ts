import {Flags} from '@oclif/core'

import type {TeamUsage} from '../../lib/api/resources.js'
import {OrgctlCommand} from '../../lib/cli/base-command.js'
import {orgFlag} from '../../lib/cli/flags.js'

export default class OrgsUsage extends OrgctlCommand {
  static override summary = "show an org's resource usage against its limits (admins)"
  static override description =
    'Apps, members and dyno units in use, each against the limit set on the org. With --history, the peak of each resource per day.'
  static override aliases = ['teams:usage']
  static override examples = [
    '<%= config.bin %> orgs:usage --org acme-widgets',
    '<%= config.bin %> orgs:usage --org acme-widgets --history --json',
  ]
  static override flags = {org: orgFlag, history: Flags.boolean({description: 'also show the daily history'})}

  async run(): Promise<TeamUsage> {
    const {flags} = await this.parse(OrgsUsage)
    const org = await this.ctx.org(flags.org)
    const usage = await (await this.ctx.backend()).teamUsage(org, flags.history)
    const {ui} = this.ctx
    // Piped, one kind of row per run: with --history the daily rows only (the resources against their limits: without it, or --json).
    if (!usage.history || ui.terminal)
      await ui.table(usage.resources, [
        {header: 'resource', value: (r) => r.name},
        {header: 'used', value: (r) => String(r.used)},
        {header: 'limit', value: (r) => String(r.limit)},
        {header: '%', value: (r) => (r.limit === 0 ? '-' : `${Math.round((100 * r.used) / r.limit)}%`)},
      ])
    if (usage.history) {
      ui.out()
      ui.header(`Daily peaks in ${ui.color.org(org)}`)
      if (usage.history.length === 0) ui.note('No history yet.')
      await ui.table(usage.history, [
        {header: 'date', value: (d) => d.date},
        {header: 'apps', value: (d) => String(d.apps)},
        {header: 'members', value: (d) => String(d.members)},
        {header: 'dyno-units', value: (d) => String(d['dyno-units'])},
      ])
    }
    return usage
  }
}
