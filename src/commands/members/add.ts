import {Args, Flags} from '@oclif/core'

import type {TeamMember} from '../../lib/api/resources.js'
import {OrgctlCommand} from '../../lib/cli/base-command.js'
import {dryRunFlag, orgFlag, roleFlag} from '../../lib/cli/flags.js'
import {usageError} from '../../lib/errors.js'
import {parseEmail, parseRole} from '../../lib/domain/validation.js'
import {addMembers, type BulkMemberItem, distinctMembers, type MemberEntry, readMemberFile} from '../../lib/workflows/members.js'

export default class MembersAdd extends OrgctlCommand {
  static override summary = 'add users to an org (admins)'
  static override description = `Adding someone with the role they already have changes nothing, so scripts can be rerun.
Several EMAILs, or --file with one EMAIL[,ROLE] per line (- for stdin), add many at once: each is
reported, a failure does not stop the rest, and the command exits 1 naming the emails that failed.`
  static override strict = false
  static override examples = [
    '<%= config.bin %> members:add dev@acme.test --org acme-widgets',
    '<%= config.bin %> members:add lead@acme.test -t acme-widgets --role admin',
    '<%= config.bin %> members:add --org acme-widgets --file team.csv',
  ]
  static override args = {email: Args.string({ignoreStdin: true, description: 'email address of the new member (several: a bulk add)'})}
  static override flags = {
    'dry-run': dryRunFlag,
    org: orgFlag,
    role: roleFlag('member role; default member'),
    file: Flags.string({char: 'f', description: 'a file of EMAIL[,ROLE] lines to add (- reads stdin)', helpValue: 'FILE'}),
  }

  async run(): Promise<TeamMember | BulkMemberItem[]> {
    const {argv, flags} = await this.parse(MembersAdd)
    const role = parseRole(flags.role ?? 'member')
    const given: MemberEntry[] = (argv as string[]).map((email) => ({email: parseEmail(email), role, source: 'argument'}))
    if (flags.file !== undefined) given.push(...(await readMemberFile(flags.file, role, () => this.ctx.readStdin())))
    const entries = distinctMembers(given)
    if (entries.length === 0) throw usageError('Missing EMAIL: give the email of the user to add, or --file FILE.')
    const org = await this.ctx.org(flags.org)
    const backend = await this.ctx.backend()
    const {ui} = this.ctx
    if (entries.length > 1 || flags.file !== undefined) return addMembers(backend, ui, org, entries)
    const [{email}] = entries as [MemberEntry]
    return ui.action(`Adding ${ui.color.user(email)} to ${ui.color.org(org)} as ${role}`, () => backend.addMember(org, email, role))
  }
}
