import {Flags} from '@oclif/core'

import type {TeamMember} from '../../lib/api/resources.js'
import {OrgctlCommand} from '../../lib/cli/base-command.js'
import {orgFlag, roleFlag} from '../../lib/cli/flags.js'
import {parseRole} from '../../lib/domain/validation.js'

export default class Members extends OrgctlCommand {
  static override summary = 'list members of an org'
  static override description = 'Lists everyone in the org with their role, including people an org app is shared with (role collaborator).'
  static override examples = [
    '<%= config.bin %> members --org acme-widgets',
    '<%= config.bin %> members -t acme-widgets --role admin --json',
  ]
  static override flags = {
    org: orgFlag,
    role: roleFlag('filter by role'),
    pending: Flags.boolean({description: 'filter by pending invitations (orgctl adds members directly, so there are none)'}),
  }

  async run(): Promise<TeamMember[]> {
    const {flags} = await this.parse(Members)
    const org = await this.ctx.org(flags.org)
    const role = flags.role === undefined ? undefined : parseRole(flags.role)
    const backend = await this.ctx.backend()
    const members = flags.pending ? [] : (await backend.listMembers(org)).filter((member) => role === undefined || member.role === role)
    const {ui} = this.ctx
    if (flags.pending) ui.note(`No pending invitations in ${org}: orgctl adds members directly.`)
    else if (members.length === 0) ui.note(`No members in ${org}${role ? ` with role ${role}` : ''}`)
    await ui.table(members, [
      {header: 'email', value: (m) => m.email, style: ui.color.user},
      {header: 'role', value: (m) => m.role ?? ''},
    ])
    return members
  }
}
