import {OrgctlCommand} from '../../lib/cli/base-command.js'
import {databaseUrl, databaseUrlFlag} from '../../lib/cli/database.js'
import type {MigrationResult} from '../../lib/storage/postgres/migrate.js'

export default class DbMigrate extends OrgctlCommand {
  static override summary = 'bring a PostgreSQL database up to the schema this orgctl needs'
  static override description = `Applies the schema migrations the database has not had yet, in order, in one transaction under an
advisory lock: several processes migrating at once migrate once. A database migrated by a newer orgctl
is refused. The database is ORGCTL_DATABASE_URL, or --database-url; its password never appears in any
output.`
  static override examples = [
    'ORGCTL_DATABASE_URL=postgres://orgctl:secret@db.example.com:5432/orgctl <%= config.bin %> db:migrate',
    '<%= config.bin %> db:migrate --database-url postgresql://orgctl@localhost/orgctl?host=/run/postgresql --json',
  ]
  static override flags = {
    'database-url': databaseUrlFlag,
  }

  async run(): Promise<MigrationResult> {
    const {flags} = await this.parse(DbMigrate)
    const {url, source} = databaseUrl(this.ctx, flags['database-url'])
    const {migrateDatabase} = await import('../../lib/storage/postgres/migrate.js')
    const result = await migrateDatabase(url, source)
    if (result.applied.length === 0) this.ctx.ui.out(`Up to date at version ${result.to}`)
    for (const name of result.applied) this.ctx.ui.out(`Applied ${name}`)
    return result
  }
}
