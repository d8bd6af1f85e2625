import {Args, Flags} from '@oclif/core'

import type {CreatedTeam} from '../../lib/api/resources.js'
import {OrgctlCommand} from '../../lib/cli/base-command.js'
import {dryRunFlag} from '../../lib/cli/flags.js'
import {parseEmail, parseLimits, parseOrgName} from '../../lib/domain/validation.js'

export default class OrgsCreate extends OrgctlCommand {
  static override summary = 'create an org, with you (or --admin) as its admin'
  static override description = `Creates an org whose only member is its first admin (you, or --admin EMAIL), with resource limits on apps,
members and dyno units. Limits not given default to apps=100, members=50, dyno-units=200.
Once an operator is named (orgctl operators), only operators create orgs: an operator provisions one
for the person who asked, with --admin (the operator is not a member of it).`
  static override aliases = ['teams:create']
  static override examples = [
    '<%= config.bin %> orgs:create acme-widgets',
    '<%= config.bin %> orgs:create acme-widgets --limit apps=10 --limit members=5 --limit dyno-units=20',
    '<%= config.bin %> orgs:create acme-widgets --admin boss@acme.test --limit apps=20',
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
    admin: Flags.string({description: 'its first admin, when not you (an operator provisioning it for them)', helpValue: 'EMAIL'}),
  }

  async run(): Promise<CreatedTeam> {
    const {args, flags} = await this.parse(OrgsCreate)
    const name = parseOrgName(args.name)
    const limits = parseLimits(flags.limit ?? [])
    const admin = flags.admin === undefined ? undefined : parseEmail(flags.admin)
    const backend = await this.ctx.backend()
    const {ui} = this.ctx
    const text = `Creating org ${ui.color.org(name)}${admin === undefined ? '' : ` with ${ui.color.user(admin)} as its admin`}`
    return ui.action(text, () => backend.createTeam(name, limits, admin === undefined ? {} : {admin}))
  }
}
