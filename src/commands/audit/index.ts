import {Flags} from '@oclif/core'

import type {AuditEvent} from '../../lib/api/resources.js'
import type {LocalBackend} from '../../lib/backend/local-backend.js'
import {OrgctlCommand} from '../../lib/cli/base-command.js'
import {orgFlag} from '../../lib/cli/flags.js'
import {DEFAULT_AUDIT_LIMIT, MAX_AUDIT_LIMIT, parseAuditFilter} from '../../lib/domain/audit-filter.js'
import {usageError} from '../../lib/errors.js'
import {changeSummary} from '../../lib/output/audit-summary.js'

export default class Audit extends OrgctlCommand {
  static override summary = "show an org's audit log: who changed what, and when"
  static override description =
    'Newest first. Every change is recorded in the transaction that makes it: members and roles, app access and permissions, apps created, destroyed, locked or transferred, transfers, dynos scaled. Admins only. ' +
    'Without --org, directly on the storage (ORGCTL_STORE or ORGCTL_DATABASE_URL): the events of no org, API tokens minted and revoked (never the tokens) and prunes of the log.'
  static override examples = [
    '<%= config.bin %> audit --org acme-widgets',
    '<%= config.bin %> audit --org acme-widgets --action "team-member.*" --since 7d',
    '<%= config.bin %> audit --org acme-widgets --app acme-api --actor boss@acme.test --json',
    'ORGCTL_STORE=store.json <%= config.bin %> audit --action "authorization.*"',
  ]
  static override flags = {
    org: orgFlag,
    app: Flags.string({char: 'a', description: 'only changes of this app', helpValue: 'APP'}),
    actor: Flags.string({description: 'only changes made by this email', helpValue: 'EMAIL'}),
    action: Flags.string({description: 'only this action, or a pattern such as team-member.*', helpValue: 'PATTERN'}),
    since: Flags.string({description: 'only changes at or after this date, time, or time ago (7d, 24h, 30m)', helpValue: 'DATE'}),
    until: Flags.string({description: 'only changes before this date or time', helpValue: 'DATE'}),
    limit: Flags.string({
      description: `at most this many events, 1 to ${MAX_AUDIT_LIMIT} (default ${DEFAULT_AUDIT_LIMIT})`,
      helpValue: 'N',
    }),
  }

  async run(): Promise<AuditEvent[]> {
    const {flags} = await this.parse(Audit)
    const filter = parseAuditFilter(
      {app: flags.app, actor: flags.actor, action: flags.action, since: flags.since, until: flags.until, limit: flags.limit},
      this.factory.clock.now(),
    )
    const org = await this.ctx.optionalOrg(flags.org)
    const backend = await this.ctx.backend()
    let events: AuditEvent[]
    if (org !== undefined) events = await backend.listAuditEvents(org, filter)
    else if (backend.kind === 'local') events = await (backend as LocalBackend).listOperatorEvents(filter)
    else {
      throw usageError(
        'Missing org: give --org ORG (or -t ORG). The events of no org (tokens, prunes) are read directly on the storage (ORGCTL_STORE or ORGCTL_DATABASE_URL).',
      )
    }
    const {ui} = this.ctx
    if (events.length === 0) ui.note(org === undefined ? 'No events of no org.' : `No audit events in ${org} match.`)
    await ui.table(events, [
      {header: 'created', value: (e) => e.created_at},
      {header: 'actor', value: (e) => e.actor.email, style: ui.color.user},
      {header: 'action', value: (e) => e.action},
      {header: 'target', value: (e) => `${e.target.type} ${e.target.name}`},
      {header: 'app', value: (e) => e.app?.name ?? ''},
      // Whole when piped (the Dashboard's cut is for its page); on a terminal, fit to the line.
      {header: 'change', value: (e) => changeSummary(e, Number.POSITIVE_INFINITY), fit: true},
    ])
    return events
  }
}
