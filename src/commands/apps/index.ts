import type {App} from '../../lib/api/resources.js'
import {OrgctlCommand} from '../../lib/cli/base-command.js'
import {orgFlag} from '../../lib/cli/flags.js'
import {appLabel} from '../../lib/output/labels.js'
import {PLAIN} from '../../lib/output/palette.js'

export default class Apps extends OrgctlCommand {
  static override summary = "list your apps, or an org's apps"
  static override description =
    'With --org (or ORGCTL_ORG), the apps of that org; otherwise your personal apps and the apps shared with you. Locked apps are marked [locked].'
  static override aliases = ['list', 'apps:list']
  static override examples = ['<%= config.bin %> apps', '<%= config.bin %> apps --org acme-widgets --json']
  static override flags = {org: orgFlag}

  async run(): Promise<App[]> {
    const {flags} = await this.parse(Apps)
    const org = await this.ctx.optionalOrg(flags.org)
    const backend = await this.ctx.backend()
    const apps = await backend.listApps(org)
    const {ui} = this.ctx
    if (org !== undefined) {
      if (apps.length === 0) ui.out(`There are no apps in org ${org}.`)
      else ui.header(`Apps in org ${ui.color.org(org)}`)
      for (const app of apps) ui.out(appLabel(ui.color, app))
      return apps
    }
    if (apps.length === 0) {
      ui.out('You have no apps.')
      return apps
    }
    const me = ui.json ? '' : (await backend.account()).email
    const owned = apps.filter((app) => app.owner.email === me)
    const shared = apps.filter((app) => app.owner.email !== me)
    if (owned.length > 0) {
      ui.header(`${ui.color.user(me)} Apps`)
      for (const app of owned) ui.out(appLabel(ui.color, app))
    }
    if (shared.length > 0) {
      if (owned.length > 0) ui.out()
      ui.header('Collaborated Apps')
      await ui.table(shared, [
        {header: 'Name', value: (app) => appLabel(PLAIN, app), style: ui.color.app},
        {header: 'Owner', value: (app) => app.team?.name ?? app.owner.email},
      ])
    }
    return apps
  }
}
