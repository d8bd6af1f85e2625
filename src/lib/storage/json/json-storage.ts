/**
 * The embedded engine: the storage interface over one JSON file (json-store.ts: the lock, the atomic
 * durable commit, lazy reading). A read runs on the last committed version; a write runs under the
 * file's lock on a fresh copy, and commits with other writes of this process that came meanwhile.
 */
import type {State} from '../memory/state.js'
import {stateTx} from '../memory/state-tx.js'
import type {ReadTx, Storage, WriteOptions, WriteTx} from '../storage.js'
import {JsonStore, type StoreOptions} from './json-store.js'

export class JsonStorage implements Storage {
  readonly kind = 'json'
  readonly store: JsonStore

  constructor(pathOrStore: string | JsonStore, options?: StoreOptions) {
    this.store = typeof pathOrStore === 'string' ? new JsonStore(pathOrStore, options) : pathOrStore
  }

  get location(): string {
    return this.store.path
  }

  async read<T>(fn: (tx: ReadTx) => Promise<T>): Promise<T> {
    const {state, version} = await this.store.snapshot()
    // The file's version stands for every scope: any commit changes it.
    return fn(stateTx(state, () => version))
  }

  write<T>(fn: (tx: WriteTx) => Promise<T>, options: WriteOptions = {}): Promise<T> {
    if (options.dryRun) {
      return this.store.tryChange((state, committable) => {
        const tx = stateTx(state, () => undefined)
        // A nested unit is what one real write would be (dry-run.ts): it is refused where that write's commit would be.
        const nested: WriteTx['nested'] = (unit) =>
          tx.nested(async () => {
            const value = await unit()
            committable()
            return value
          })
        return fn({...tx, nested})
      })
    }
    return this.store.update((state: State) => fn(stateTx(state, () => undefined)))
  }

  async close(): Promise<void> {
    this.store.close()
  }
}
