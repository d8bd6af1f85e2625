import {Args, Flags} from '@oclif/core'

import type {AccessCheck as Check} from '../../lib/api/resources.js'
import {OrgctlCommand} from '../../lib/cli/base-command.js'
import {appFlag} from '../../lib/cli/flags.js'
import {parseEmail, parsePermission} from '../../lib/domain/validation.js'
import {ANSWER_EXIT_CODES} from '../../lib/errors.js'

/** Thrown once the answer "not allowed" is printed: exit 1, nothing more said. */
class NotAllowed extends Error {}

export default class AccessCheck extends OrgctlCommand {
  static override summary = 'check whether a user holds a permission on an app (for CI gates)'
  static override description = `Exits 0 if EMAIL holds PERMISSION (view, deploy, operate, manage) on the app, and 1 if not; nothing else exits 1 (an unexpected failure exits ${ANSWER_EXIT_CODES.checkFailed}), so a gate cannot mistake a failure to ask for an answer. Answered by the rule that enforces the permission matrix. Anyone who may list the app's access may ask.`
  static override examples = [
    '<%= config.bin %> access:check ci-bot@acme.test deploy --app acme-api',
    '<%= config.bin %> access:check contractor@ext.test manage --app acme-api --explain',
    '<%= config.bin %> access:check dev@acme.test operate -a acme-api --json',
  ]
  static override args = {
    email: Args.string({ignoreStdin: true, description: 'email address of the user', required: true}),
    permission: Args.string({ignoreStdin: true, description: 'view, deploy, operate or manage', required: true}),
  }
  static override flags = {
    app: appFlag,
    explain: Flags.boolean({description: 'say why (admin of the org, collaborator with deploy, ...)'}),
  }

  private answered = false

  async run(): Promise<Check> {
    const {args, flags} = await this.parse(AccessCheck)
    const email = parseEmail(args.email)
    const permission = parsePermission(args.permission)
    const app = this.ctx.app(flags.app)
    const check = await (await this.ctx.backend()).checkAccess(app, email, permission)
    const {ui} = this.ctx
    const verdict = `${check.email} ${check.allowed ? 'can' : 'cannot'} ${check.permission} ${check.app}`
    ui.out(flags.explain ? `${verdict}: ${check.via}` : verdict)
    if (check.allowed) return check
    if (ui.json) this.logJson(check)
    this.answered = true
    throw new NotAllowed()
  }

  override async catch(thrown: Error & {exitCode?: number}): Promise<never> {
    if (thrown instanceof NotAllowed) return this.exit(ANSWER_EXIT_CODES.notAllowed)
    return super.catch(thrown)
  }

  /** 1 is the answer "not allowed": an error whose code is 1 elsewhere exits checkFailed here. */
  override exit(code = 0): never {
    return super.exit(code === 1 && !this.answered ? ANSWER_EXIT_CODES.checkFailed : code)
  }
}
