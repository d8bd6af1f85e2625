/**
 * The schema's migrations: the numbered files of ./migrations (`0001_init.sql`, `0002_....sql`, ...).
 *
 * Read from the folder beside this module when it runs from source (tests). The bundle embeds them:
 * scripts/bundle.mjs defines `__ORGCTL_MIGRATIONS__` as the files' names and text, so the installed CLI
 * (dist/orgctl.cjs, without src/) carries them. Both go through `parseMigrations`.
 */
import {readdirSync, readFileSync} from 'node:fs'

export interface MigrationFile {
  version: number
  /** The file's name without `.sql`, such as `0001_init`. */
  name: string
  sql: string
}

/** Set by the bundle: every migration file's name and text. */
declare const __ORGCTL_MIGRATIONS__: ReadonlyArray<{file: string; sql: string}> | undefined

const FILE = /^(\d{4})_([a-z0-9_]+)\.sql$/

/** Checks and orders migration files: numbered from 1 without gaps or repeats. */
export function parseMigrations(files: ReadonlyArray<{file: string; sql: string}>): MigrationFile[] {
  const migrations = files.map(({file, sql}) => {
    const match = FILE.exec(file)
    if (!match) throw new Error(`Migration file ${file} is not named NNNN_name.sql`)
    return {version: Number(match[1]), name: file.replace(/\.sql$/, ''), sql}
  })
  migrations.sort((a, b) => a.version - b.version)
  migrations.forEach((migration, i) => {
    if (migration.version !== i + 1) throw new Error(`Migration ${migration.name} is out of sequence: expected version ${i + 1}`)
  })
  return migrations
}

/** The migrations this orgctl ships, in order. */
export function migrationFiles(): MigrationFile[] {
  if (typeof __ORGCTL_MIGRATIONS__ !== 'undefined') return parseMigrations(__ORGCTL_MIGRATIONS__)
  const dir = new URL('migrations/', import.meta.url)
  const files = readdirSync(dir)
    .filter((file) => file.endsWith('.sql'))
    .map((file) => ({file, sql: readFileSync(new URL(file, dir), 'utf8')}))
  return parseMigrations(files)
}
