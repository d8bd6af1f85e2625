import type {Operator} from '../../lib/domain/types.js'
import {OrgctlCommand} from '../../lib/cli/base-command.js'
import {databaseUrlFlag} from '../../lib/cli/database.js'
import {readStorage} from '../../lib/cli/storage-commands.js'
import {listOperators} from '../../lib/domain/operators.js'

export default class Operators extends OrgctlCommand {
  static override summary = "list the platform's operators (run on the storage)"
  static override description = `Operators are the platform's people: once one is named, only operators create orgs and change their
limits, on every backend. With none named, anyone may create an org and an org's admins set its limits.
Run directly on the storage, by whoever holds the store file (ORGCTL_STORE) or the database
(ORGCTL_DATABASE_URL or --database-url); refused over the API.`
  static override examples = [
    '<%= config.bin %> operators',
    'ORGCTL_DATABASE_URL=postgres://orgctl@db.internal/orgctl <%= config.bin %> operators --json',
  ]
  static override flags = {'database-url': databaseUrlFlag}

  async run(): Promise<{email: string; created_at: string}[]> {
    const {flags} = await this.parse(Operators)
    const operators = await readStorage(this.ctx, 'operators', flags['database-url'], listOperators)
    const {ui} = this.ctx
    if (operators.length === 0) ui.note('No operator is named: anyone may create an org. Name one with orgctl operators:add EMAIL.')
    await ui.table(operators, [
      {header: 'email', value: (o: Operator) => o.email, style: ui.color.user},
      {header: 'since', value: (o: Operator) => o.createdAt},
    ])
    return operators.map((operator) => ({email: operator.email, created_at: operator.createdAt}))
  }
}
