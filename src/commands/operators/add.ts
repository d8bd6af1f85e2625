import {Args} from '@oclif/core'

import {OrgctlCommand} from '../../lib/cli/base-command.js'
import {databaseUrlFlag} from '../../lib/cli/database.js'
import {dryRunFlag} from '../../lib/cli/flags.js'
import {writeStorage} from '../../lib/cli/storage-commands.js'
import {addOperator} from '../../lib/domain/operators.js'
import {parseEmail} from '../../lib/domain/validation.js'

export default class OperatorsAdd extends OrgctlCommand {
  static override summary = 'name an operator: from then on only operators create orgs and change limits (run on the storage)'
  static override description = `Names EMAIL one of the platform's operators. Once one is named, only operators create orgs
(orgctl orgs:create NAME --admin EMAIL) and change an org's limits (orgctl orgs:limits --set), on every
backend; an org's admins no longer can. Naming someone already named changes nothing. Run directly on the
storage (ORGCTL_STORE, or ORGCTL_DATABASE_URL / --database-url); refused over the API.`
  static override examples = [
    '<%= config.bin %> operators:add ops@platform.test',
    '<%= config.bin %> operators:add ops@platform.test --database-url postgres://orgctl@db.internal/orgctl --json',
  ]
  static override args = {email: Args.string({ignoreStdin: true, description: 'the operator’s email', required: true})}
  static override flags = {'database-url': databaseUrlFlag, 'dry-run': dryRunFlag}

  async run(): Promise<{email: string; created_at: string; added: boolean; operators: number}> {
    const {args, flags} = await this.parse(OperatorsAdd)
    const email = parseEmail(args.email)
    const {ui} = this.ctx
    const {value, location} = await ui.action(
      `Naming ${ui.color.user(email)} an operator`,
      () => writeStorage(this.ctx, 'operators:add', flags['database-url'], (ctx) => addOperator(ctx, email)),
      ({value: change}) => (change.changed ? 'done' : 'already one'),
    )
    if (value.changed && value.remaining === 1) {
      ui.note(
        ui.dryRun
          ? `From then on only operators would create orgs and change their limits on ${location}.`
          : `From now on only operators create orgs and change their limits on ${location}.`,
      )
    }
    return {email, created_at: value.operator!.createdAt, added: value.changed, operators: value.remaining}
  }
}
