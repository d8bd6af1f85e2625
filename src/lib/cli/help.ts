/**
 * oclif's help, and one addition: a topic reached through an alias (`orgctl help teams`,
 * `orgctl teams --help`) lists its commands under the alias, as `orgctl help orgs` lists orgs:*.
 * oclif registers each alias as a command of that id, so it saw no `teams:` topic at all.
 */
import {Command, Help} from '@oclif/core'

export default class OrgctlHelp extends Help {
  override async showCommandHelp(command: Command.Loadable): Promise<void> {
    await super.showCommandHelp(command)
    const id = command.id
    if (!command.aliases?.includes(id)) return
    const depth = id.split(':').length
    const aliased = this.config.commands
      .filter((other) => !other.hidden && !isAliasEntry(other))
      .flatMap((other) =>
        (other.aliases ?? [])
          .filter((alias) => alias.startsWith(`${id}:`) && alias.split(':').length === depth + 1)
          .map((alias) => ({...other, id: alias})),
      )
      .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    if (aliased.length === 0) return
    this.log(this.formatCommands(aliased))
    this.log('')
  }
}

/** oclif lists each alias as a command of its own, a copy whose id is the alias. */
export function isAliasEntry(command: {id: string; aliases?: string[]}): boolean {
  return command.aliases?.includes(command.id) ?? false
}
