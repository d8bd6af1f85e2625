/**
 * The flags shared by many commands, named and lettered as in the Heroku CLI.
 * Every argument is declared with ignoreStdin: oclif would otherwise read piped stdin
 * as a missing argument (and wait for it), which a script never means.
 */
import {Flags} from '@oclif/core'

export const orgFlag = Flags.string({
  char: 'o',
  aliases: ['team'],
  charAliases: ['t'],
  description: 'org to use (also --team/-t; defaults to ORGCTL_ORG or the config)',
  helpValue: 'ORG',
})

export const appFlag = Flags.string({
  char: 'a',
  description: 'app to run the command against (defaults to ORGCTL_APP)',
  helpValue: 'APP',
})

export const roleFlag = (description: string) =>
  Flags.string({char: 'r', description: `${description} (admin, member or collaborator)`, helpValue: 'ROLE'})

export const permissionsFlag = (description: string) => Flags.string({char: 'p', description, helpValue: 'deploy,operate,manage'})

/**
 * --dry-run, the same on every command that changes something: base-command.ts sees it and makes the
 * run a dry run (CliContext.beginDryRun), so a command needs only this flag. test/cli/dry-run-flag.test.ts
 * checks that every command not on its read-only list has it.
 */
export const dryRunFlag = Flags.boolean({
  description: 'run every check and show what would change, changing nothing (exits as the real command would)',
})
