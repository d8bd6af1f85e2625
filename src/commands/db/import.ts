import {Args, Flags} from '@oclif/core'

import {OrgctlCommand} from '../../lib/cli/base-command.js'
import {databaseUrlFlag, openDatabase} from '../../lib/cli/database.js'
import type {StateCounts} from '../../lib/storage/copy.js'

export default class DbImport extends OrgctlCommand {
  static override summary = 'copy an embedded store file into an empty PostgreSQL database'
  static override description = `Copies every record of the store file into the database in one transaction: users, orgs, members,
apps, collaborators, formation, transfers, usage history, billing ledgers, tokens and operators, with their ids and
times (tokens keep working: their hashes are copied). A database that already holds data is refused,
unless --replace is given: then it is emptied first, in the same transaction (never a merge). The
database is migrated first if it needs it. The file is only read.`
  static override examples = [
    'ORGCTL_DATABASE_URL=postgres://orgctl@db.internal/orgctl <%= config.bin %> db:import ~/.local/share/orgctl/store.json',
    '<%= config.bin %> db:import store.json --database-url postgres://orgctl@db.internal/orgctl --replace',
  ]
  static override args = {file: Args.string({description: 'the embedded store file to copy', required: true})}
  static override flags = {
    'database-url': databaseUrlFlag,
    replace: Flags.boolean({description: 'empty a database that holds data first (in the same transaction)'}),
  }

  async run(): Promise<{file: string; database: string; imported: StateCounts}> {
    const {args, flags} = await this.parse(DbImport)
    const {readStoreFile, countState} = await import('../../lib/storage/copy.js')
    const state = await readStoreFile(args.file)
    const storage = await openDatabase(this.ctx, flags['database-url'], {migrate: true})
    try {
      await this.ctx.ui.action(`Importing ${args.file} into ${storage.location}`, () =>
        storage.importState(state, {replace: flags.replace}),
      )
    } finally {
      await storage.close()
    }
    const imported = countState(state)
    this.ctx.ui.out(
      `Imported ${imported.orgs} orgs, ${imported.memberships} memberships, ${imported.apps} apps, ${imported.collaborators} collaborators, ${imported.transfers} transfers and ${imported.tokens} tokens`,
    )
    return {file: args.file, database: storage.location, imported}
  }
}
