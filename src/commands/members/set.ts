import {Args} from '@oclif/core'

import type {TeamMember} from '../../lib/api/resources.js'
import {OrgctlCommand} from '../../lib/cli/base-command.js'
import {dryRunFlag, orgFlag, roleFlag} from '../../lib/cli/flags.js'
import {usageError} from '../../lib/errors.js'
import {parseEmail, parseRole} from '../../lib/domain/validation.js'

export default class MembersSet extends OrgctlCommand {
  static override summary = "set a member's role in an org (admins)"
  static override description = 'The last admin of an org cannot be demoted: make someone else an admin first.'
  static override examples = ['<%= config.bin %> members:set dev@acme.test --role admin --org acme-widgets']
  static override args = {email: Args.string({ignoreStdin: true, description: 'email address of the member', required: true})}
  static override flags = {org: orgFlag, role: roleFlag('new role'), 'dry-run': dryRunFlag}

  async run(): Promise<TeamMember> {
    const {args, flags} = await this.parse(MembersSet)
    const email = parseEmail(args.email)
    if (flags.role === undefined) throw usageError('Missing role: give --role ROLE (admin, member or collaborator).')
    const role = parseRole(flags.role)
    const org = await this.ctx.org(flags.org)
    const backend = await this.ctx.backend()
    const {ui} = this.ctx
    return ui.action(`Setting ${ui.color.user(email)} in ${ui.color.org(org)} to ${role}`, () => backend.setMember(org, email, role))
  }
}
