/** The database the `db:*` commands work on: --database-url, else ORGCTL_DATABASE_URL (its password never shown). */
import {Flags} from '@oclif/core'

import {usageError} from '../errors.js'
import type {PostgresStorage} from '../storage/postgres/pg-storage.js'
import type {CliContext} from './context.js'

export const databaseUrlFlag = Flags.string({description: 'the PostgreSQL database (default: ORGCTL_DATABASE_URL)', helpValue: 'URL'})

export interface DatabaseUrl {
  url: string
  source: string
}

export function databaseUrl(ctx: CliContext, flag: string | undefined): DatabaseUrl {
  if (flag !== undefined) return {url: flag, source: '--database-url'}
  const fromEnv = ctx.settings.databaseUrl
  if (fromEnv !== undefined) return {url: fromEnv, source: 'ORGCTL_DATABASE_URL'}
  throw usageError('No database given: set ORGCTL_DATABASE_URL or pass --database-url, such as postgres://user:password@host:5432/orgctl.')
}

/** The PostgreSQL engine on that database, migrated first when asked. */
export async function openDatabase(ctx: CliContext, flag: string | undefined, {migrate}: {migrate: boolean}): Promise<PostgresStorage> {
  const {url, source} = databaseUrl(ctx, flag)
  if (migrate) {
    const {migrateDatabase} = await import('../storage/postgres/migrate.js')
    await migrateDatabase(url, source)
  }
  const {PostgresStorage} = await import('../storage/postgres/pg-storage.js')
  return PostgresStorage.open(url, {source})
}
