import {Args} from '@oclif/core'

import type {TeamInfo} from '../../lib/api/resources.js'
import {OrgctlCommand} from '../../lib/cli/base-command.js'
import {orgFlag} from '../../lib/cli/flags.js'
import {sameValue} from '../../lib/domain/validation.js'

export default class OrgsInfo extends OrgctlCommand {
  static override summary = 'show an org: your role, its limits and current usage'
  static override aliases = ['teams:info']
  static override examples = ['<%= config.bin %> orgs:info --org acme-widgets', '<%= config.bin %> orgs:info acme-widgets --json']
  static override args = {org: Args.string({ignoreStdin: true, description: 'the org (or use --org)'})}
  static override flags = {org: orgFlag}

  async run(): Promise<TeamInfo> {
    const {args, flags} = await this.parse(OrgsInfo)
    const org = await this.ctx.org(sameValue('org', {value: args.org, as: 'the argument'}, {value: flags.org, as: '--org'}))
    const team = await (await this.ctx.backend()).getTeam(org)
    const {ui} = this.ctx
    ui.header(ui.color.org(team.name))
    ui.fields([
      ['ID', team.id],
      ['Your role', team.role],
      ['Created', team.created_at],
      ...(['apps', 'members', 'dyno-units'] as const).map((name) => [name, `${team.usage[name]} of ${team.limits[name]}`] as const),
    ])
    return team
  }
}
