import {writeFile} from 'node:fs/promises'

import {Flags} from '@oclif/core'

import {accessBody, type AccessBody, formatAccess} from '../../lib/access-code/state.js'
import {OrgctlCommand} from '../../lib/cli/base-command.js'
import {orgFlag} from '../../lib/cli/flags.js'
import {usageError} from '../../lib/errors.js'
import {describeOsError} from '../../lib/os-errors.js'

export default class AccessExport extends OrgctlCommand {
  static override summary = "write an org's members, apps and collaborators as an access file (access as code)"
  static override description = `YAML (JSON when --output ends in .json), in the format plan and apply read: exporting and then planning finds nothing to do. Prune is written off: turn it on in the file to remove what it does not list. Admins and members.`
  static override examples = [
    '<%= config.bin %> access:export --org acme-widgets --output access.yaml',
    '<%= config.bin %> access:export --org acme-widgets > access.yaml',
    '<%= config.bin %> access:export -t acme-widgets --json',
  ]
  static override flags = {
    org: orgFlag,
    output: Flags.string({description: 'write the file here instead of stdout (.json: as JSON)', helpValue: 'FILE'}),
  }

  async run(): Promise<AccessBody> {
    const {flags} = await this.parse(AccessExport)
    const org = await this.ctx.org(flags.org)
    const body = accessBody(await (await this.ctx.backend()).teamAccess(org))
    const {ui} = this.ctx
    if (flags.output === undefined) {
      if (!ui.json) this.factory.stdout.write(formatAccess(body, false))
      return body
    }
    try {
      await writeFile(flags.output, formatAccess(body, /\.json$/i.test(flags.output)))
    } catch (error) {
      throw usageError(`Cannot write ${flags.output}: ${describeOsError(error)}.`)
    }
    ui.info(`Wrote the access of ${org} to ${flags.output}`)
    return body
  }
}
