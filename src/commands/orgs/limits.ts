import {Args, Flags} from '@oclif/core'

import type {TeamLimits} from '../../lib/api/resources.js'
import {OrgctlCommand} from '../../lib/cli/base-command.js'
import {dryRunFlag, orgFlag} from '../../lib/cli/flags.js'
import {parseLimitChanges, sameValue} from '../../lib/domain/validation.js'

export default class OrgsLimits extends OrgctlCommand {
  static override summary = "show an org's limits and their use; operators change them with --set"
  static override description = `Shows each limit (apps, members, dyno-units) with what the org uses now: for its members and admins,
and for operators. With --set NAME=N (repeatable), changes those limits: operators do, on any org; while no
operator is named on the platform, the org's admins do. A limit below the org's current use is refused.`
  static override aliases = ['teams:limits']
  static override examples = [
    '<%= config.bin %> orgs:limits --org acme-widgets',
    '<%= config.bin %> orgs:limits --org acme-widgets --set apps=20 --set dyno-units=50',
    '<%= config.bin %> orgs:limits acme-widgets --json',
  ]
  static override args = {org: Args.string({ignoreStdin: true, description: 'the org (or use --org)'})}
  static override flags = {
    'dry-run': dryRunFlag,
    org: orgFlag,
    set: Flags.string({
      description: 'a new limit, NAME=N (apps, members, dyno-units); repeatable',
      multiple: true,
      multipleNonGreedy: true,
      helpValue: 'NAME=N',
    }),
  }

  async run(): Promise<TeamLimits> {
    const {args, flags} = await this.parse(OrgsLimits)
    const org = await this.ctx.org(sameValue('org', {value: args.org, as: 'the argument'}, {value: flags.org, as: '--org'}))
    const changes = flags.set === undefined ? undefined : parseLimitChanges(flags.set, '--set')
    const backend = await this.ctx.backend()
    const {ui} = this.ctx
    const limits =
      changes === undefined
        ? await backend.teamLimits(org)
        : await ui.action(
            `Setting ${Object.entries(changes)
              .map(([name, value]) => `${name}=${value}`)
              .join(', ')} on ${ui.color.org(org)}`,
            () => backend.setTeamLimits(org, changes),
          )
    await ui.table(limits.resources, [
      {header: 'resource', value: (r) => r.name},
      {header: 'used', value: (r) => String(r.used)},
      {header: 'limit', value: (r) => String(r.limit)},
    ])
    ui.note(
      limits.set_by === 'operators'
        ? 'Operators set these limits (orgctl orgs:limits --set, run by an operator).'
        : "No operator is named: the org's admins set these limits (orgctl orgs:limits --set).",
    )
    return limits
  }
}
