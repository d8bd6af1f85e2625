/** The memory engine: a State in this process, for unit tests and as the reference the contract suite checks others by. */
import type {ReadTx, Storage, WriteOptions, WriteTx} from '../storage.js'
import {cloneState, emptyState, type State} from './state.js'
import {stateTx} from './state-tx.js'

export class MemoryStorage implements Storage {
  readonly kind = 'memory'
  readonly location = 'memory'
  private state: State
  private version = 0
  /** Writes run one at a time, each on a copy that replaces the state only if it returns. */
  private queue: Promise<unknown> = Promise.resolve()

  constructor(state: State = emptyState()) {
    this.state = state
  }

  read<T>(fn: (tx: ReadTx) => Promise<T>): Promise<T> {
    const version = String(this.version)
    return fn(stateTx(this.state, () => version))
  }

  write<T>(fn: (tx: WriteTx) => Promise<T>, options: WriteOptions = {}): Promise<T> {
    const run = this.queue.then(async () => {
      const working = cloneState(this.state)
      const value = await fn(stateTx(working, () => undefined))
      // A dry run: the working copy is dropped.
      if (options.dryRun) return value
      this.state = working
      this.version++
      return value
    })
    this.queue = run.catch(() => undefined)
    return run
  }

  async close(): Promise<void> {}
}
