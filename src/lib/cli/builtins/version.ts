/**
 * `orgctl version`: what `orgctl --version` prints (oclif's user agent), and the parts as JSON.
 * @oclif/plugin-version would also do, but its --verbose asks the npm registry about a package
 * named orgctl, which is not this one.
 */
import {OrgctlCommand} from '../base-command.js'

export interface VersionInfo {
  cliVersion: string
  architecture: string
  nodeVersion: string
}

export default class Version extends OrgctlCommand {
  static override summary = 'show the version of orgctl (as --version does)'
  static override examples = ['<%= config.bin %> version', '<%= config.bin %> version --json']

  async run(): Promise<VersionInfo> {
    await this.parse(Version)
    const {config} = this
    this.ctx.ui.out(config.userAgent)
    return {
      cliVersion: `${config.name}/${config.version}`,
      architecture: `${config.platform}-${config.arch}`,
      nodeVersion: `node-${process.version}`,
    }
  }
}
