import type {Account} from '../lib/api/resources.js'
import {OrgctlCommand} from '../lib/cli/base-command.js'

export default class Whoami extends OrgctlCommand {
  static override summary = 'show the acting user'
  static override examples = ['<%= config.bin %> whoami']

  async run(): Promise<Account> {
    await this.parse(Whoami)
    const account = await (await this.ctx.backend()).account()
    this.ctx.ui.out(account.email)
    return account
  }
}
