/**
 * A dry run of a whole command (or of one server request): one rolled-back write of the storage
 * under it (`write(fn, {dryRun: true})`), held open until close, in which every unit of work asked
 * of this storage runs in turn as a nested unit (a savepoint). So a later unit sees what those
 * before it did (item 3 of a bulk run sees items 1 and 2, as a real run would), a unit that fails
 * leaves nothing of itself (each item stays all or nothing), and at close all of it is discarded.
 *
 * Reads run in the same write, so they see the run's changes (their stamps are undefined: nothing
 * of a dry run is ever cached). Units run one at a time, in the order they were asked for.
 */
import {OrgctlError} from '../errors.js'
import type {ReadTx, Storage, WriteTx} from './storage.js'

export interface DryRunOptions {
  /** Close the storage under it at close (a command's own storage), or leave it open (a server's, shared). */
  closeInner?: boolean
}

export class DryRunStorage implements Storage {
  readonly dryRun = true
  private session?: Promise<WriteTx>
  /** The outcome of the one write under the run: it settles after close, or when the engine failed. */
  private outer?: Promise<void>
  private finish?: (failure?: unknown) => void
  private failure?: {error: unknown}
  private queue: Promise<unknown> = Promise.resolve()
  private closed = false

  constructor(
    private readonly inner: Storage,
    private readonly options: DryRunOptions = {},
  ) {}

  get kind(): Storage['kind'] {
    return this.inner.kind
  }

  get location(): string {
    return this.inner.location
  }

  read<T>(fn: (tx: ReadTx) => Promise<T>): Promise<T> {
    return this.enqueue(fn)
  }

  write<T>(fn: (tx: WriteTx) => Promise<T>): Promise<T> {
    return this.enqueue(fn)
  }

  /** Ends the run: everything in it is rolled back. */
  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    await this.queue
    try {
      if (this.session) {
        this.finish?.()
        // A failure already reported to a unit is not reported again.
        await this.outer!.catch((error: unknown) => {
          if (!this.failure) throw error
        })
      }
    } finally {
      if (this.options.closeInner) await this.inner.close()
    }
  }

  private enqueue<T>(fn: (tx: WriteTx) => Promise<T>): Promise<T> {
    const run = this.queue.then(async () => {
      if (this.closed) throw new Error('This dry run has ended.')
      if (this.failure) throw this.failure.error
      const tx = await this.open()
      try {
        return await tx.nested(() => fn(tx))
      } catch (error) {
        // The domain's refusals end one unit; anything else (the engine failing) ends the run, and
        // is reported as the engine reports a failed write.
        if (error instanceof OrgctlError && error.id !== 'store_error' && error.id !== 'store_unavailable') throw error
        throw await this.abort(error)
      }
    })
    this.queue = run.catch(() => undefined)
    return run
  }

  /** The write under the run, begun at the first unit (a command that fails its checks first opens nothing). */
  private open(): Promise<WriteTx> {
    this.session ??= new Promise<WriteTx>((resolve, reject) => {
      let entered = false
      this.outer = this.inner.write(
        async (tx) => {
          // The engine reran the write (PostgreSQL, after a deadlock): the units before were answered
          // already and cannot be run again, so the run fails as that write does.
          if (entered) throw this.failure?.error ?? new Error('The dry run was interrupted.')
          entered = true
          resolve(tx)
          await new Promise<void>((done, fail) => {
            this.finish = (failure) => (failure === undefined ? done() : fail(failure))
          })
        },
        {dryRun: true},
      )
      // Failing before the write began (no connection, a lock never had): the first unit gets why.
      this.outer.catch((error: unknown) => {
        if (!entered) this.failure ??= {error}
        reject(error)
      })
    })
    return this.session
  }

  /** Ends the run on an engine failure: gives back the error its write ended with. */
  private async abort(error: unknown): Promise<unknown> {
    this.failure = {error}
    this.finish?.(error)
    const ended = await this.outer!.then(
      () => error,
      (failure: unknown) => failure,
    )
    this.failure = {error: ended}
    return ended
  }
}
