import {Args, Flags} from '@oclif/core'

import type {Team} from '../../lib/api/resources.js'
import {OrgctlCommand} from '../../lib/cli/base-command.js'
import {dryRunFlag} from '../../lib/cli/flags.js'
import {parseLimits, parseOrgName} from '../../lib/domain/validation.js'

export default class OrgsCreate extends OrgctlCommand {
  static override summary = 'create an org, with you as its admin'
  static override description = `Creates an org whose only member is you, as admin, with resource limits on apps, members and dyno units.
Limits not given default to apps=100, members=50, dyno-units=200.`
  static override aliases = ['teams:create']
  static override examples = [
    '<%= config.bin %> orgs:create acme-widgets',
    '<%= config.bin %> orgs:create acme-widgets --limit apps=10 --limit members=5 --limit dyno-units=20',
  ]
  static override args = {
    name: Args.string({ignoreStdin: true, description: 'name of the org (3-30 lowercase letters, digits, dashes)', required: true}),
  }
  static override flags = {
    'dry-run': dryRunFlag,
    limit: Flags.string({
      char: 'l',
      description: 'a resource limit, NAME=N (apps, members, dyno-units); repeatable',
      multiple: true,
      // One value per --flag: without it the flag takes every word after it, the argument included.
      multipleNonGreedy: true,
      helpValue: 'NAME=N',
    }),
  }

  async run(): Promise<Team> {
    const {args, flags} = await this.parse(OrgsCreate)
    const name = parseOrgName(args.name)
    const limits = parseLimits(flags.limit ?? [])
    const backend = await this.ctx.backend()
    return this.ctx.ui.action(`Creating org ${this.ctx.ui.color.org(name)}`, () => backend.createTeam(name, limits))
  }
}
