/**
 * Which storage engine a process runs on, and opening it: PostgreSQL when a database URL is given
 * (ORGCTL_DATABASE_URL or --database-url), else the embedded JSON file. Each engine's modules load
 * only when it is chosen: the JSON path never loads `pg`.
 */
import {usageError} from '../errors.js'
import type {Storage} from './storage.js'

export type EngineChoice = {kind: 'json'; path: string} | {kind: 'postgres'; url: string; source: string}

export interface EngineSettings {
  storePath: string
  storeFromEnv: boolean
  databaseUrl?: string
}

/** The engine the settings (and a --database-url flag, if the command has one) ask for. */
export function chooseEngine(settings: EngineSettings, flagUrl?: string): EngineChoice {
  const url = flagUrl ?? settings.databaseUrl
  if (url !== undefined && settings.storeFromEnv) {
    const given = flagUrl === undefined ? 'ORGCTL_DATABASE_URL' : '--database-url'
    throw usageError(
      `Both ${given} and ORGCTL_STORE name a storage: unset ORGCTL_STORE to use the database, or drop ${given} to use the file.`,
    )
  }
  if (url !== undefined) return {kind: 'postgres', url, source: flagUrl === undefined ? 'ORGCTL_DATABASE_URL' : '--database-url'}
  return {kind: 'json', path: settings.storePath}
}

export interface OpenOptions {
  /** PostgreSQL: connections at most (default: the engine's). */
  maxConnections?: number
  /** PostgreSQL: called with each error of an idle connection, already redacted. */
  onIdleError?: (message: string) => void
}

export async function openStorage(choice: EngineChoice, options: OpenOptions = {}): Promise<Storage> {
  if (choice.kind === 'json') {
    const {JsonStorage} = await import('./json/json-storage.js')
    return new JsonStorage(choice.path)
  }
  const {PostgresStorage} = await import('./postgres/pg-storage.js')
  return PostgresStorage.open(choice.url, {...options, source: choice.source})
}
