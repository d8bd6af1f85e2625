/**
 * `orgctl autocomplete [bash|zsh|fish]`: prints the shell's completion script (see completion.ts).
 * @oclif/plugin-autocomplete (3.x for oclif 4) knows bash, zsh and PowerShell but not fish, and
 * writes its scripts into a cache the shell then reads; these are printed and sourced instead.
 */
import {basename} from 'node:path'

import {Args} from '@oclif/core'

import {usageError} from '../../errors.js'
import {OrgctlCommand} from '../base-command.js'
import {isAliasEntry} from '../help.js'
import {type CompletionCommand, completionScript, type Shell, SHELLS} from './completion.js'

export default class Autocomplete extends OrgctlCommand {
  static override summary = 'print a shell completion script (bash, zsh or fish)'
  static override description = `Without SHELL, the shell in $SHELL. Load the script in your shell's start-up file:
  bash: source <(orgctl autocomplete bash)    (in ~/.bashrc)
  zsh:  source <(orgctl autocomplete zsh)     (in ~/.zshrc, after compinit)
  fish: orgctl autocomplete fish | source     (in ~/.config/fish/config.fish)`
  static override examples = [
    '<%= config.bin %> autocomplete bash',
    '<%= config.bin %> autocomplete zsh > ~/.zfunc/_orgctl',
    '<%= config.bin %> autocomplete fish --json',
  ]
  static override args = {
    shell: Args.string({ignoreStdin: true, description: 'bash, zsh or fish (default: the shell in $SHELL)'}),
  }

  async run(): Promise<{shell: Shell; script: string}> {
    const {args} = await this.parse(Autocomplete)
    const {SHELL} = this.factory.env
    const wanted = args.shell ?? (SHELL ? basename(SHELL) : undefined)
    if (wanted === undefined) throw usageError(`Missing SHELL: give one of ${SHELLS.join(', ')}.`)
    if (!(SHELLS as readonly string[]).includes(wanted)) {
      throw usageError(`Unknown shell ${JSON.stringify(wanted)}: give one of ${SHELLS.join(', ')}.`)
    }
    const commands: CompletionCommand[] = this.config.commands
      .filter((command) => !command.hidden && !isAliasEntry(command))
      .flatMap((command) => {
        const flags = Object.entries(command.flags ?? {})
          .filter(([, flag]) => !flag.hidden)
          .map(([name, flag]) => ({
            name,
            char: flag.char,
            aliases: flag.aliases,
            charAliases: flag.charAliases,
            description: flag.summary ?? flag.description,
            option: flag.type === 'option',
            options: flag.type === 'option' ? flag.options : undefined,
          }))
        flags.push({name: 'help', char: 'h', aliases: [], charAliases: [], description: 'show help', option: false, options: undefined})
        const first = Object.values(command.args ?? {})[0]
        const base = {
          summary: command.summary ?? command.description,
          flags,
          argOptions: command.id === 'autocomplete' ? SHELLS : first?.options,
        }
        return [command.id, ...(command.aliases ?? [])].map((id) => ({...base, id}))
      })
    const script = completionScript(wanted as Shell, this.config.bin, commands).trimEnd()
    this.ctx.ui.out(script)
    return {shell: wanted as Shell, script}
  }
}
