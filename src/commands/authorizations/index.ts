import type {Authorization} from '../../lib/api/resources.js'
import {OrgctlCommand} from '../../lib/cli/base-command.js'

export default class Authorizations extends OrgctlCommand {
  static override summary = 'list your API tokens (never the tokens themselves)'
  static override examples = ['<%= config.bin %> authorizations']

  async run(): Promise<Authorization[]> {
    await this.parse(Authorizations)
    const authorizations = await (await this.ctx.backend()).listAuthorizations()
    const {ui} = this.ctx
    if (authorizations.length === 0) ui.note('No authorizations.')
    await ui.table(authorizations, [
      {header: 'id', value: (a) => a.id},
      {header: 'description', value: (a) => a.description},
      {header: 'created', value: (a) => a.created_at},
    ])
    return authorizations
  }
}
