/**
 * Readies the storage a server is about to serve, before it listens: a JSON file must exist and be
 * readable whole (a warning if it cannot be written); a database is migrated (safe to race: one
 * transaction under an advisory lock) and its schema checked. Failures are one store error line.
 */
import {type EngineChoice, openStorage} from '../storage/open.js'
import type {Storage} from '../storage/storage.js'

export async function prepareStorage(engine: EngineChoice, log: (line: string) => void): Promise<{storage: Storage; warning?: string}> {
  if (engine.kind === 'json') {
    const {JsonStorage} = await import('../storage/json/json-storage.js')
    const storage = new JsonStorage(engine.path)
    // A missing or damaged store would fail every request: refused before listening, naming the file.
    const {readOnly} = await storage.store.check()
    return {storage, warning: readOnly && `${readOnly} Requests that change something will fail.`}
  }
  const {migrateDatabase} = await import('../storage/postgres/migrate.js')
  const result = await migrateDatabase(engine.url, engine.source)
  for (const name of result.applied) log(`migrated the database: applied ${name}`)
  const storage = await openStorage(engine, {onIdleError: (message) => log(`database: ${message}`)})
  return {storage}
}
