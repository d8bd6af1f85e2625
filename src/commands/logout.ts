import {OrgctlCommand} from '../lib/cli/base-command.js'

export default class Logout extends OrgctlCommand {
  static override summary = 'forget the saved email and default org'
  static override examples = ['<%= config.bin %> logout']

  async run(): Promise<{config: string}> {
    await this.parse(Logout)
    await this.ctx.config.set({email: undefined, org: undefined})
    this.ctx.ui.info('Logged out.')
    return {config: await this.ctx.config.path()}
  }
}
