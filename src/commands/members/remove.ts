import {Args} from '@oclif/core'

import type {TeamMember} from '../../lib/api/resources.js'
import {OrgctlCommand} from '../../lib/cli/base-command.js'
import {dryRunFlag, orgFlag} from '../../lib/cli/flags.js'
import {parseEmail} from '../../lib/domain/validation.js'

export default class MembersRemove extends OrgctlCommand {
  static override summary = 'remove a user from an org, and all their access to its apps (admins)'
  static override description = 'Removing someone who is not in the org changes nothing. The last admin cannot be removed.'
  static override examples = ['<%= config.bin %> members:remove dev@acme.test --org acme-widgets']
  static override args = {email: Args.string({ignoreStdin: true, description: 'email address of the member', required: true})}
  static override flags = {org: orgFlag, 'dry-run': dryRunFlag}

  async run(): Promise<TeamMember> {
    const {args, flags} = await this.parse(MembersRemove)
    const email = parseEmail(args.email)
    const org = await this.ctx.org(flags.org)
    const backend = await this.ctx.backend()
    const {ui} = this.ctx
    return ui.action(
      `Removing ${ui.color.user(email)} from ${ui.color.org(org)}`,
      () => backend.removeMember(org, email),
      (member) => (member.role === null ? 'done, was not a member' : 'done'),
    )
  }
}
