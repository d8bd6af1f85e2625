import {Args, Flags} from '@oclif/core'

import type {App} from '../../lib/api/resources.js'
import {OrgctlCommand} from '../../lib/cli/base-command.js'
import {dryRunFlag, orgFlag} from '../../lib/cli/flags.js'
import {usageError} from '../../lib/errors.js'
import {parseAppName, parseRegion} from '../../lib/domain/validation.js'

export default class AppsCreate extends OrgctlCommand {
  static override summary = 'create a new app, personal or in an org'
  static override description = `With no NAME, a Heroku-style name such as frozen-wave-4030 is generated.
Names: 3 to 30 lowercase letters, digits and dashes, starting with a letter, unique across the store.`
  static override aliases = ['create']
  static override examples = ['<%= config.bin %> create acme-api --org acme-widgets', '<%= config.bin %> apps:create --region eu']
  static override args = {name: Args.string({ignoreStdin: true, description: 'name of the app to create'})}
  static override flags = {
    'dry-run': dryRunFlag,
    org: orgFlag,
    region: Flags.string({description: 'region to create the app in (us or eu)', default: 'us', helpValue: 'REGION'}),
    personal: Flags.boolean({description: 'create a personal app even if a default org is set'}),
  }

  async run(): Promise<App> {
    const {args, flags} = await this.parse(AppsCreate)
    const name = args.name === undefined ? undefined : parseAppName(args.name)
    const region = parseRegion(flags.region)
    if (flags.personal && flags.org !== undefined) {
      throw usageError(`--personal makes a personal app, --org ${flags.org} an app in that org: give one or the other.`)
    }
    const team = flags.personal ? undefined : await this.ctx.optionalOrg(flags.org)
    const backend = await this.ctx.backend()
    const {ui} = this.ctx
    const where = team ? ` in org ${ui.color.org(team)}` : ''
    const app = await ui.action(
      name ? `Creating ${ui.color.app(name)}${where}` : `Creating app${where}`,
      () => backend.createApp({name, team, region}),
      (created) =>
        `done${name ? '' : `, ${ui.color.app(created.name)}`}${flags.region === 'us' ? '' : `, region is ${created.region.name}`}`,
    )
    // As the Heroku CLI: `WEB_URL | GIT_URL`, but only what the server says (orgctl's own apps have neither).
    const urls = [app.web_url, app.git_url].filter((url): url is string => Boolean(url))
    if (urls.length > 0) ui.out(urls.join(' | '))
    return app
  }
}
