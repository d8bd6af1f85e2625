import {OrgctlCommand} from '../lib/cli/base-command.js'
import {describeOperator, describeRule, PERMISSION_MATRIX, STANDINGS} from '../lib/domain/permissions.js'

export default class Permissions extends OrgctlCommand {
  static override summary = 'print the permission matrix: who may do what'
  static override description = `Rows are actions; columns are how you stand towards the org or app: admin, member, collaborator
(someone an app is shared with, with per-app permissions view, deploy, operate, manage), or none.
The owner of a personal app stands as admin on it. "with X": only with permission X on that app.
The operator column is for the platform's operators (orgctl operators): "yes": on any org, member or not;
"once named, only them": with no operator named the other columns decide, once one is named only operators
may; empty: an operator may do only what their standing gives.`
  static override examples = ['<%= config.bin %> permissions', '<%= config.bin %> permissions --json']

  async run(): Promise<typeof PERMISSION_MATRIX> {
    await this.parse(Permissions)
    const {ui} = this.ctx
    await ui.table(PERMISSION_MATRIX, [
      {header: 'action', value: (rule) => rule.action},
      {header: 'commands', value: (rule) => rule.commands},
      ...STANDINGS.map((standing) => ({
        header: standing,
        value: (rule: (typeof PERMISSION_MATRIX)[number]) => describeRule(rule.rules[standing]),
      })),
      {header: 'operator', value: (rule) => describeOperator(rule)},
      {header: 'locked app', value: (rule) => ('lockedAdminsOnly' in rule ? 'admins only' : '')},
    ])
    return PERMISSION_MATRIX
  }
}
