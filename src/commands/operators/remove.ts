import {Args} from '@oclif/core'

import {OrgctlCommand} from '../../lib/cli/base-command.js'
import {databaseUrlFlag} from '../../lib/cli/database.js'
import {dryRunFlag} from '../../lib/cli/flags.js'
import {writeStorage} from '../../lib/cli/storage-commands.js'
import {removeOperator} from '../../lib/domain/operators.js'
import {parseEmail} from '../../lib/domain/validation.js'

export default class OperatorsRemove extends OrgctlCommand {
  static override summary = 'remove an operator (run on the storage)'
  static override description = `Removes EMAIL from the platform's operators. Removing the last one is allowed: then anyone may create an
org again, and each org's admins set its limits (the command says so). Removing someone who is not an
operator changes nothing. Run directly on the storage (ORGCTL_STORE, or ORGCTL_DATABASE_URL /
--database-url); refused over the API.`
  static override examples = [
    '<%= config.bin %> operators:remove ops@platform.test',
    '<%= config.bin %> operators:remove ops@platform.test --json',
  ]
  static override args = {email: Args.string({ignoreStdin: true, description: 'the operator’s email', required: true})}
  static override flags = {'database-url': databaseUrlFlag, 'dry-run': dryRunFlag}

  async run(): Promise<{email: string; removed: boolean; operators: number}> {
    const {args, flags} = await this.parse(OperatorsRemove)
    const email = parseEmail(args.email)
    const {ui} = this.ctx
    const {value} = await ui.action(
      `Removing ${ui.color.user(email)} from the operators`,
      () => writeStorage(this.ctx, 'operators:remove', flags['database-url'], (ctx) => removeOperator(ctx, email)),
      ({value: change}) => (change.changed ? 'done' : 'was not one'),
    )
    if (value.changed && value.remaining === 0) {
      ui.warn(
        ui.dryRun
          ? "That is the last operator: then anyone could create an org again, and each org's admins would set its limits."
          : "That was the last operator: anyone may create an org again, and each org's admins set its limits.",
      )
    }
    return {email, removed: value.changed, operators: value.remaining}
  }
}
