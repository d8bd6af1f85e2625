import {OrgctlCommand} from '../lib/cli/base-command.js'

export default class Logout extends OrgctlCommand {
  static override summary = 'forget the saved identity: email, default org, API URL and token'
  static override description = 'Logged in to an API, the token is revoked on the server too, so it cannot be reused.'
  static override examples = ['<%= config.bin %> logout']

  async run(): Promise<{config: string; revoked: boolean}> {
    await this.parse(Logout)
    const {config, ui} = this.ctx
    let revoked = false
    const apiUrl = await config.get('apiUrl')
    if (apiUrl !== undefined) {
      const backend = await this.ctx.openApi(apiUrl, await config.get('apiKey'))
      try {
        await ui.action(`Revoking the token on ${backend.location}`, () => backend.revokeAuthorization('~'))
        revoked = true
      } catch (error) {
        ui.warn(
          `The token could not be revoked (${(error as Error).message}); it is forgotten here, but revoke it on the server with orgctl authorizations:revoke.`,
        )
      }
    }
    await config.set({email: undefined, org: undefined, apiUrl: undefined, apiKey: undefined})
    ui.info('Logged out.')
    return {config: config.path, revoked}
  }
}
