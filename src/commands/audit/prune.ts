import {Flags} from '@oclif/core'

import type {LocalBackend} from '../../lib/backend/local-backend.js'
import {OrgctlCommand} from '../../lib/cli/base-command.js'
import {dryRunFlag} from '../../lib/cli/flags.js'
import {parseAuditTime} from '../../lib/domain/audit-filter.js'
import {usageError} from '../../lib/errors.js'

export default class AuditPrune extends OrgctlCommand {
  static override summary = 'remove audit events older than a date (directly on the storage)'
  static override description =
    'Events are kept until pruned. Runs directly on the storage (ORGCTL_STORE or ORGCTL_DATABASE_URL), never through the API; the prune itself is recorded (action audit.prune, among the events of no org).'
  static override examples = [
    'ORGCTL_STORE=store.json <%= config.bin %> audit:prune --before 2026-01-01',
    'ORGCTL_DATABASE_URL=postgres://orgctl@db.internal/orgctl <%= config.bin %> audit:prune --before 365d --json',
  ]
  static override flags = {
    'dry-run': dryRunFlag,
    before: Flags.string({
      description: 'remove the events created before this date, time, or time ago (365d)',
      helpValue: 'DATE',
      required: true,
    }),
  }

  async run(): Promise<{before: string; removed: number}> {
    const {flags} = await this.parse(AuditPrune)
    const before = parseAuditTime(flags.before, this.factory.clock.now(), '--before')
    const backend = await this.ctx.backend()
    if (backend.kind !== 'local') {
      throw usageError(
        `audit:prune runs directly on the storage, not through the API at ${backend.location}: unset ORGCTL_API_URL and set ORGCTL_STORE or ORGCTL_DATABASE_URL.`,
      )
    }
    const {ui} = this.ctx
    const removed = await (backend as LocalBackend).pruneAuditEvents(before)
    ui.out(`${ui.dryRun ? 'Would remove' : 'Removed'} ${removed} audit ${removed === 1 ? 'event' : 'events'} created before ${before}`)
    return {before, removed}
  }
}
