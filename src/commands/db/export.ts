import {existsSync} from 'node:fs'

import {Args, Flags} from '@oclif/core'

import {OrgctlCommand} from '../../lib/cli/base-command.js'
import {databaseUrlFlag, openDatabase} from '../../lib/cli/database.js'
import {usageError} from '../../lib/errors.js'
import type {StateCounts} from '../../lib/storage/copy.js'

export default class DbExport extends OrgctlCommand {
  static override summary = 'write a PostgreSQL database out as an embedded store file'
  static override description = `Reads the whole database in one consistent transaction and writes it as an embedded store (mode 0600,
written atomically and fsynced): the same records, ids, times, usage history, ledgers and token hashes,
so every read command answers the same on the file. An existing file is refused unless --force.`
  static override examples = ['ORGCTL_DATABASE_URL=postgres://orgctl@db.internal/orgctl <%= config.bin %> db:export backup.json']
  static override args = {file: Args.string({description: 'the store file to write', required: true})}
  static override flags = {
    'database-url': databaseUrlFlag,
    force: Flags.boolean({description: 'replace the file if it exists'}),
  }

  async run(): Promise<{file: string; database: string; exported: StateCounts}> {
    const {args, flags} = await this.parse(DbExport)
    const {writeStoreFile, countState} = await import('../../lib/storage/copy.js')
    // Refused before connecting to the database.
    if (existsSync(args.file) && !flags.force) {
      throw usageError(`${args.file} exists already: give another path, or --force to replace it with the database's data.`)
    }
    const storage = await openDatabase(this.ctx, flags['database-url'], {migrate: false})
    let state
    try {
      state = await storage.exportState()
    } finally {
      await storage.close()
    }
    await writeStoreFile(args.file, state, {force: flags.force})
    const exported = countState(state)
    this.ctx.ui.out(`Exported ${exported.orgs} orgs, ${exported.apps} apps and ${exported.tokens} tokens to ${args.file}`)
    return {file: args.file, database: storage.location, exported}
  }
}
