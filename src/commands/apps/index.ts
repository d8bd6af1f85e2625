import {Flags} from '@oclif/core'

import type {App} from '../../lib/api/resources.js'
import {OrgctlCommand} from '../../lib/cli/base-command.js'
import {orgFlag} from '../../lib/cli/flags.js'
import {usageError} from '../../lib/errors.js'
import {appLabel} from '../../lib/output/labels.js'
import {PLAIN} from '../../lib/output/palette.js'
import type {Column} from '../../lib/output/table.js'
import {listAllApps} from '../../lib/workflows/apps.js'

/** Piped, every listing is the same rows: name, owner (org or email), region, locked. */
const APP_ROWS: readonly Column<App>[] = [
  {header: 'Name', value: (app) => app.name},
  {header: 'Owner', value: (app) => app.team?.name ?? app.owner.email},
  {header: 'Region', value: (app) => app.region.name},
  {header: 'Locked', value: (app) => (app.locked ? 'locked' : 'unlocked')},
]

export default class Apps extends OrgctlCommand {
  static override summary = "list your apps, or an org's apps"
  static override description = `With --org (or ORGCTL_ORG), the apps of that org; otherwise your personal apps and the apps shared with you.
With --all, every app you can see: personal, shared, and the apps of every org you are an admin or member of.
Locked apps are marked [locked]. Piped, one row per app: name, owner (org or email), region, locked.`
  static override aliases = ['list', 'apps:list']
  static override examples = ['<%= config.bin %> apps', '<%= config.bin %> apps --org acme-widgets --json', '<%= config.bin %> apps --all']
  static override flags = {
    org: orgFlag,
    all: Flags.boolean({char: 'A', description: 'every app you can see: personal, shared, and in all your orgs'}),
  }

  async run(): Promise<App[]> {
    const {flags} = await this.parse(Apps)
    if (flags.all && flags.org !== undefined) {
      throw usageError(`--all lists the apps of every org, --org ${flags.org} those of one: give one or the other.`)
    }
    const org = flags.all ? undefined : await this.ctx.optionalOrg(flags.org)
    const backend = await this.ctx.backend()
    const apps = flags.all ? await listAllApps(backend) : await backend.listApps(org)
    const {ui} = this.ctx
    if (apps.length === 0) {
      ui.note(org === undefined ? 'You have no apps.' : `There are no apps in org ${org}.`)
      return apps
    }
    if (!ui.terminal) {
      await ui.table(apps, APP_ROWS)
      return apps
    }
    if (org !== undefined) {
      ui.header(`Apps in org ${ui.color.org(org)}`)
      for (const app of apps) ui.out(appLabel(ui.color, app))
      return apps
    }
    const me = ui.json ? '' : (await backend.account()).email
    const owned = apps.filter((app) => app.owner.email === me)
    const others = apps.filter((app) => app.owner.email !== me)
    if (owned.length > 0) {
      ui.header(`${ui.color.user(me)} Apps`)
      for (const app of owned) ui.out(appLabel(ui.color, app))
    }
    if (others.length > 0) {
      if (owned.length > 0) ui.out()
      ui.header(flags.all ? 'Other Apps' : 'Collaborated Apps')
      await ui.table(others, [
        {header: 'Name', value: (app) => appLabel(PLAIN, app), style: ui.color.app},
        {header: 'Owner', value: (app) => app.team?.name ?? app.owner.email},
      ])
    }
    return apps
  }
}
