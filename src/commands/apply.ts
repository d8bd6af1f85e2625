import {Flags} from '@oclif/core'

import {applyChanges, checkSafety, type ChangeResult, DEFAULT_REMOVAL_CAP, parseRemovalCap} from '../lib/access-code/apply.js'
import {describeChange, type Summary} from '../lib/access-code/diff.js'
import {makePlan, planJson, planLines} from '../lib/access-code/plan.js'
import {readAccessFile} from '../lib/access-code/state.js'
import {OrgctlCommand} from '../lib/cli/base-command.js'
import {dryRunFlag} from '../lib/cli/flags.js'
import {OrgctlError, usageError} from '../lib/errors.js'
import {confirmYes} from '../lib/output/prompt.js'

type Result = {
  changes: (ReturnType<typeof planJson>['changes'][number] & {status: string; error?: {id: string; message: string}})[]
  summary: Summary
}

export default class Apply extends OrgctlCommand {
  static override summary = 'make the orgs as an access file says (members, roles, collaborators, permissions, locks)'
  static override description = `Plans as plan does, then makes each change through the same rules as the commands that make it, one by one, carrying on past a failure (exit 1, naming what failed; rerun to finish). Asks on a terminal; --yes in scripts. Never creates or destroys an org or an app; removes only where the file's prune says so. Refuses before changing anything (exit 5) a plan that removes more than --max-removals in an org, leaves an org without an admin, or removes or demotes you (unless --allow-self).`
  static override examples = [
    '<%= config.bin %> apply -f access.yaml',
    '<%= config.bin %> apply -f access.yaml --yes --max-removals 10',
    '<%= config.bin %> apply -f access.json --yes --json',
  ]
  static override flags = {
    file: Flags.string({char: 'f', description: 'the access file (YAML, or JSON; - reads stdin)', helpValue: 'FILE', required: true}),
    yes: Flags.boolean({char: 'y', description: 'apply without asking (needed when not at a terminal)'}),
    'max-removals': Flags.string({
      description: 'most removals allowed in an org: a number, or a share of its members and collaborators (default 25%, at least 1)',
      helpValue: 'N|P%',
    }),
    'allow-self': Flags.boolean({description: 'allow the plan to remove or demote you, or narrow your permissions'}),
    'dry-run': dryRunFlag,
  }

  async run(): Promise<Result> {
    const {flags} = await this.parse(Apply)
    const cap = flags['max-removals'] === undefined ? DEFAULT_REMOVAL_CAP : parseRemovalCap(flags['max-removals'])
    const file = await readAccessFile(flags.file, () => this.ctx.readStdin())
    const backend = await this.ctx.backend()
    const plan = await makePlan(backend, file)
    const {ui} = this.ctx
    if (plan.changes.length === 0) {
      ui.info(planLines(plan)[0]!)
      return {changes: [], summary: plan.summary}
    }
    checkSafety(plan.changes, plan.states, {me: (await backend.account()).email, cap, allowSelf: flags['allow-self']})
    const ask = !flags.yes && !ui.dryRun
    if (ask && !ui.interactive) {
      throw usageError(
        `apply would make ${plan.changes.length} change${plan.changes.length === 1 ? '' : 's'} and cannot ask here: re-run with --yes (review them first with orgctl plan -f ${flags.file}).`,
      )
    }
    if (ask) {
      for (const line of planLines(plan)) ui.info(line)
      await confirmYes(ui, `Apply ${plan.changes.length} change${plan.changes.length === 1 ? '' : 's'}?`, '--yes')
    }
    const results = await applyChanges(backend, plan.changes, (result) =>
      ui.info(
        `${ui.dryRun ? 'Would make: ' : ''}${describeChange(result.change)}${result.status === 'done' ? (ui.dryRun ? '' : '... done') : `... failed: ${result.error!.message}`}`,
      ),
    )
    const json = {changes: results.map(resultJson), summary: plan.summary}
    const failed = results.filter((result) => result.status === 'failed')
    if (failed.length > 0) {
      throw new OrgctlError(
        'partial_failure',
        `${failed.length} of ${results.length} changes failed: ${failed.map((result) => describeChange(result.change)).join('; ')}. Fix the cause and rerun apply: what was made is skipped.`,
        json,
      )
    }
    return json
  }
}

function resultJson({change, status, error}: ChangeResult): Result['changes'][number] {
  const {action, type, org, app, email, before, after} = change
  return {action, type, org, app, email, before, after, status, ...(error ? {error} : {})}
}
