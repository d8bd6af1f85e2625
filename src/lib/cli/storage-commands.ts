/**
 * The storage commands that name operators run directly on the storage, never over the API: whoever
 * holds the store file or the database names the platform's operators (src/lib/domain/operators.ts).
 */
import {Ctx, type WriteCtx} from '../domain/context.js'
import {usageError} from '../errors.js'
import type {Storage} from '../storage/storage.js'
import type {CliContext} from './context.js'

const ON_STORAGE =
  'is run directly on the storage, by whoever holds the store file or the database: run it where the store is, with ORGCTL_STORE or ORGCTL_DATABASE_URL (or --database-url), and ORGCTL_API_URL unset'

/** The storage the settings (and --database-url) name; an API backend (set, or saved by login) is a usage error. */
export async function openOwnStorage(ctx: CliContext, command: string, flagUrl: string | undefined): Promise<Storage> {
  const {settings} = ctx
  if (settings.apiUrl !== undefined) throw usageError(`orgctl ${command} ${ON_STORAGE}.`)
  const {chooseEngine, openStorage} = await import('../storage/open.js')
  const engine = chooseEngine(settings, flagUrl)
  const explicit = engine.kind === 'postgres' || settings.storeFromEnv || settings.user !== undefined
  if (!explicit && (await ctx.config.get('apiUrl')) !== undefined) {
    throw usageError(`orgctl ${command} ${ON_STORAGE} (you are logged in to an API: orgctl logout, or set ORGCTL_STORE).`)
  }
  return openStorage(engine)
}

/** Who acts on the storage itself, for the record: the acting user if one is set, else the storage's holder. */
async function holder(ctx: CliContext): Promise<string> {
  return (await ctx.actor()) ?? 'storage-holder'
}

/** A read of the storage (opened for it, then let go). */
export async function readStorage<T>(
  ctx: CliContext,
  command: string,
  flagUrl: string | undefined,
  fn: (ctx: Ctx) => Promise<T>,
): Promise<T> {
  const storage = await openOwnStorage(ctx, command, flagUrl)
  try {
    const actor = await holder(ctx)
    return await storage.read((tx) => fn(new Ctx(tx, actor)))
  } finally {
    await storage.close()
  }
}

/** A change of the storage (opened for it, then let go), with where it was made. */
export async function writeStorage<T>(
  ctx: CliContext,
  command: string,
  flagUrl: string | undefined,
  fn: (ctx: WriteCtx) => Promise<T>,
): Promise<{value: T; location: string}> {
  const storage = await ctx.withDryRun(await openOwnStorage(ctx, command, flagUrl))
  try {
    const actor = await holder(ctx)
    return {value: await storage.write((tx) => fn(new Ctx(tx, actor))), location: storage.location}
  } finally {
    await storage.close()
  }
}
