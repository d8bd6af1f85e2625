import {Args} from '@oclif/core'

import type {Team} from '../../lib/api/resources.js'
import {OrgctlCommand} from '../../lib/cli/base-command.js'
import {dryRunFlag, orgFlag} from '../../lib/cli/flags.js'
import {parseOrgName, sameValue} from '../../lib/domain/validation.js'
import {usageError} from '../../lib/errors.js'

export default class OrgsRename extends OrgctlCommand {
  static override summary = 'rename an org (admins)'
  static override description = `Gives the org a new name (the rules of a new org's name; a name taken is a conflict). Its members, apps,
usage history and billing go with it; its id stays the same. A default org saved by login --org that named
it is renamed with it; scripts and ORGCTL_ORG naming the old name must be changed: the old name is free for
anyone to take.`
  static override aliases = ['teams:rename']
  static override examples = [
    '<%= config.bin %> orgs:rename acme-widgets acme-gadgets',
    '<%= config.bin %> orgs:rename acme-gadgets --org acme-widgets',
  ]
  static override args = {
    org: Args.string({ignoreStdin: true, description: 'the org (or use --org)'}),
    newname: Args.string({ignoreStdin: true, description: 'its new name'}),
  }
  static override flags = {org: orgFlag, 'dry-run': dryRunFlag}

  async run(): Promise<Team> {
    const {args, flags} = await this.parse(OrgsRename)
    // One argument with --org: it is the new name.
    const [given, newName] = args.newname === undefined ? [undefined, args.org] : [args.org, args.newname]
    if (newName === undefined) throw usageError('Missing the new name: orgctl orgs:rename ORG NEWNAME.')
    const org = await this.ctx.org(sameValue('org', {value: given, as: 'the argument'}, {value: flags.org, as: '--org'}))
    const name = parseOrgName(newName)
    const {ui} = this.ctx
    const backend = await this.ctx.backend()
    const team = await ui.action(`Renaming ${ui.color.org(org)} to ${ui.color.org(name)}`, () => backend.renameTeam(org, name))
    if (!ui.dryRun && team.name !== org) for (const line of await this.ctx.followRename(org, team.name)) ui.info(line)
    return team
  }
}
