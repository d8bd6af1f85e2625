import type {Team} from '../../lib/api/resources.js'
import {OrgctlCommand} from '../../lib/cli/base-command.js'

export default class Orgs extends OrgctlCommand {
  static override summary = 'list the orgs that you are a member of'
  static override description = 'Lists your orgs (teams) and your role in each: admin, member, or collaborator on one of its apps.'
  static override aliases = ['teams']
  static override examples = ['<%= config.bin %> orgs', '<%= config.bin %> orgs --json']

  async run(): Promise<Team[]> {
    await this.parse(Orgs)
    const teams = await (await this.ctx.backend()).listTeams()
    const {ui} = this.ctx
    if (teams.length === 0) ui.note('You are not a member of any org. Create one with orgctl orgs:create NAME.')
    await ui.table(teams, [
      {header: 'Org', value: (team) => team.name, style: ui.color.org},
      {header: 'Role', value: (team) => team.role},
    ])
    return teams
  }
}
