/** A memory engine seeded and inspected through the domain itself, for unit tests. */
import {Ctx, type WriteCtx} from '../../src/lib/domain/context.js'
import type {OrgctlError} from '../../src/lib/errors.js'
import {MemoryStorage} from '../../src/lib/storage/memory/memory-storage.js'
import type {ReadTx} from '../../src/lib/storage/storage.js'

export const ADMIN = 'admin@acme.test'
export const MEMBER = 'member@acme.test'
export const COLLAB = 'collab@acme.test'
export const OUTSIDER = 'outsider@elsewhere.test'

/** A fixed clock, so timestamps and billing are predictable. */
export function clockAt(iso: string) {
  return {now: () => new Date(iso)}
}

/** One user at one time: each call runs one domain operation in its own unit of work. */
export interface Actor {
  write<A extends unknown[], R>(rule: (ctx: WriteCtx, ...args: A) => Promise<R>, ...args: A): Promise<R>
  read<A extends unknown[], R>(query: (ctx: Ctx, ...args: A) => Promise<R>, ...args: A): Promise<R>
}

export interface World {
  storage: MemoryStorage
  as(email: string, at?: string): Actor
  /** Looks at what is stored, in a read transaction. */
  look<T>(fn: (tx: ReadTx) => Promise<T>): Promise<T>
}

export function world(at = '2026-11-15T00:00:00.000Z'): World {
  const storage = new MemoryStorage()
  return {
    storage,
    as: (email, when = at) => ({
      write: (rule, ...args) => storage.write((tx) => rule(new Ctx(tx, email, clockAt(when)), ...args)),
      read: (query, ...args) => storage.read((tx) => query(new Ctx(tx, email, clockAt(when)), ...args)),
    }),
    look: (fn) => storage.read(fn),
  }
}

let counter = 0
export const names = (attempt: number) => `gen-app-${attempt}${counter++}`

/** The error a promise rejects with (the test fails if it resolves). */
export async function failure(promise: Promise<unknown>): Promise<OrgctlError> {
  try {
    await promise
  } catch (error) {
    return error as OrgctlError
  }
  throw new Error('expected a failure')
}
