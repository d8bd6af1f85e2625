/**
 * `orgctl commands`: every command with its summary and aliases. At a terminal an aligned table;
 * piped, tab-separated rows (id, summary, aliases); --json the list. @oclif/plugin-commands renders
 * through @oclif/table (ink and React, with top-level awaits that cannot go into the CommonJS bundle).
 */
import {Flags} from '@oclif/core'

import {OrgctlCommand} from '../base-command.js'
import {isAliasEntry} from '../help.js'

export interface CommandEntry {
  id: string
  summary?: string
  aliases: string[]
}

export default class Commands extends OrgctlCommand {
  static override summary = 'list all the commands'
  static override examples = ['<%= config.bin %> commands', '<%= config.bin %> commands --json']
  static override flags = {hidden: Flags.boolean({description: 'include hidden commands'})}

  async run(): Promise<CommandEntry[]> {
    const {flags} = await this.parse(Commands)
    const entries = this.config.commands
      .filter((command) => (flags.hidden || !command.hidden) && !isAliasEntry(command))
      .map((command) => ({
        id: command.id,
        // Summaries may be oclif templates (help's is `Display help for <%= config.bin %>.`).
        summary:
          (command.summary ?? command.description?.split('\n')[0])?.replaceAll('<%= config.bin %>', this.config.bin).trim() || undefined,
        aliases: [...(command.aliases ?? [])],
      }))
      .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    await this.ctx.ui.table(entries, [
      {header: 'Command', value: (entry) => entry.id},
      {header: 'Summary', value: (entry) => entry.summary ?? ''},
      {header: 'Aliases', value: (entry) => entry.aliases.join(', ')},
    ])
    return entries
  }
}
