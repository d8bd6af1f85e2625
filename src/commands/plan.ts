import {Flags} from '@oclif/core'

import {makePlan, planJson, planLines} from '../lib/access-code/plan.js'
import {readAccessFile} from '../lib/access-code/state.js'
import {OrgctlCommand} from '../lib/cli/base-command.js'
import {ANSWER_EXIT_CODES} from '../lib/errors.js'

/** Thrown once a plan with changes is printed: exit 8, nothing more said. */
class Pending extends Error {}

export default class Plan extends OrgctlCommand {
  static override summary = 'show what apply would change to make the orgs as an access file says'
  static override description = `Reads each org the file lists once (its members, apps and collaborators), and prints the changes: + member dev@acme.test member, ~ member lead@acme.test member -> admin, - collaborator x@ext.test acme-api, ~ app acme-api locked false -> true, then a summary line. Exits 0 when there is nothing to do and ${ANSWER_EXIT_CODES.pending} when there are changes (for CI: a drift check), other codes for errors. Changes nothing.`
  static override examples = [
    '<%= config.bin %> plan -f access.yaml',
    '<%= config.bin %> plan -f access.json --json',
    '<%= config.bin %> access:export --org acme-widgets | <%= config.bin %> plan -f -',
  ]
  static override flags = {
    file: Flags.string({char: 'f', description: 'the access file (YAML, or JSON; - reads stdin)', helpValue: 'FILE', required: true}),
  }

  async run(): Promise<ReturnType<typeof planJson>> {
    const {flags} = await this.parse(Plan)
    const file = await readAccessFile(flags.file, () => this.ctx.readStdin())
    const plan = await makePlan(await this.ctx.backend(), file)
    const {ui} = this.ctx
    for (const line of planLines(plan)) ui.out(line)
    const json = planJson(plan)
    if (plan.changes.length === 0) return json
    if (ui.json) this.logJson(json)
    throw new Pending()
  }

  override async catch(thrown: Error & {exitCode?: number}): Promise<never> {
    if (thrown instanceof Pending) return this.exit(ANSWER_EXIT_CODES.pending)
    return super.catch(thrown)
  }
}
