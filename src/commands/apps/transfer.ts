import {Args, Flags} from '@oclif/core'

import type {TransferResult} from '../../lib/api/resources.js'
import {OrgctlCommand} from '../../lib/cli/base-command.js'
import {dryRunFlag} from '../../lib/cli/flags.js'
import {usageError} from '../../lib/errors.js'
import {transferCandidates} from '../../lib/workflows/apps.js'
import {uniqueItems} from '../../lib/workflows/bulk.js'
import {parseAppName, parseRecipient} from '../../lib/domain/validation.js'
import {pickMany} from '../../lib/output/prompt.js'
import {type BulkTransferItem, confirmTransfer, transferMany, transferVerb} from '../../lib/workflows/transfer.js'

export default class AppsTransfer extends OrgctlCommand {
  static override summary = 'transfer apps to an org or to a user'
  static override description = `RECIPIENT is an org name or a user's email.
Into an org: by the app's owner, who must be a member of it. Out of an org: by an admin. Between two users: the
recipient gets a pending transfer to accept (orgctl transfers:accept ID).
Several --app flags (or --bulk at a terminal) transfer many apps: each is reported, a failure does not stop the
rest, the command exits non-zero naming the apps that failed, and rerunning it finishes the job.`
  static override aliases = ['sharing:transfer']
  static override examples = [
    '<%= config.bin %> apps:transfer acme-widgets --app my-api',
    '<%= config.bin %> apps:transfer acme-widgets -a api -a web -a worker --locked',
    '<%= config.bin %> apps:transfer dev@acme.test --app old-api --confirm old-api',
  ]
  static override args = {
    recipient: Args.string({ignoreStdin: true, description: 'org name or user email to transfer the apps to', required: true}),
  }
  static override flags = {
    'dry-run': dryRunFlag,
    app: Flags.string({
      char: 'a',
      description: 'app to transfer; repeat for a bulk transfer (defaults to ORGCTL_APP)',
      multiple: true,
      // One value per --flag: without it the flag takes every word after it, the argument included.
      multipleNonGreedy: true,
      helpValue: 'APP',
    }),
    bulk: Flags.boolean({description: 'pick the apps to transfer from a list (needs a terminal)'}),
    locked: Flags.boolean({char: 'l', description: 'lock the apps in the org they move to (needs admin there)'}),
    confirm: Flags.string({char: 'c', description: 'the app name again, to confirm moving an org app to a user', helpValue: 'APP'}),
  }

  async run(): Promise<TransferResult | BulkTransferItem[]> {
    const {args, flags} = await this.parse(AppsTransfer)
    const recipient = parseRecipient(args.recipient)
    const backend = await this.ctx.backend()
    const {ui} = this.ctx
    let apps = uniqueItems((flags.app ?? []).map((app) => parseAppName(app)))
    if (flags.bulk && apps.length > 0) {
      throw usageError(`--bulk picks the apps from a list, --app ${apps[0]} names them: give one or the other.`)
    }
    if (flags.bulk) {
      if (!ui.interactive) throw usageError('Picking the apps to transfer needs a terminal: name the apps with --app APP --app APP.')
      const candidates = await transferCandidates(backend, recipient)
      if (candidates.length === 0) throw usageError(`None of your apps can move to ${recipient}: see orgctl apps --all.`)
      apps = await pickMany(
        ui,
        'Select the apps to transfer',
        candidates.map((app) => ({name: `${app.name} (${app.team?.name ?? app.owner.email})`, value: app.name})),
        'name the apps with --app APP --app APP',
      )
      if (apps.length === 0) throw usageError('No app was picked: nothing to transfer.')
    }
    if (apps.length === 0) apps = [this.ctx.app(undefined)]
    if (apps.length > 1 || flags.bulk) return transferMany(backend, ui, apps, recipient, flags.locked)
    const app = apps[0]!
    await confirmTransfer(backend, ui, app, recipient, flags.confirm)
    return ui.action(
      `Transferring ${ui.color.app(app)} to ${recipient}`,
      () => backend.transferApp(app, recipient, {locked: flags.locked}),
      (result) => transferVerb(result, ui.dryRun),
    )
  }
}
