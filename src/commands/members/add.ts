import {Args} from '@oclif/core'

import type {TeamMember} from '../../lib/api/resources.js'
import {OrgctlCommand} from '../../lib/cli/base-command.js'
import {orgFlag, roleFlag} from '../../lib/cli/flags.js'
import {parseEmail, parseRole} from '../../lib/domain/validation.js'

export default class MembersAdd extends OrgctlCommand {
  static override summary = 'add a user to an org (admins)'
  static override description = 'Adding someone with the role they already have changes nothing, so scripts can be rerun.'
  static override examples = ['<%= config.bin %> members:add dev@acme.test --org acme-widgets', '<%= config.bin %> members:add lead@acme.test -t acme-widgets --role admin']
  static override args = {email: Args.string({description: 'email address of the new member', required: true})}
  static override flags = {org: orgFlag, role: roleFlag('member role; default member')}

  async run(): Promise<TeamMember> {
    const {args, flags} = await this.parse(MembersAdd)
    const email = parseEmail(args.email)
    const role = parseRole(flags.role ?? 'member')
    const org = await this.ctx.org(flags.org)
    const backend = await this.ctx.backend()
    const {ui} = this.ctx
    return ui.action(`Adding ${ui.color.user(email)} to ${ui.color.org(org)} as ${role}`, () => backend.addMember(org, email, role))
  }
}
