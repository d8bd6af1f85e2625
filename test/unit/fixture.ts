/** An in-memory state built through the domain itself, for unit tests. */
import {Ctx} from '../../src/lib/domain/context.js'
import {emptyState, type State} from '../../src/lib/domain/types.js'
import type {OrgctlError} from '../../src/lib/errors.js'

export const ADMIN = 'admin@acme.test'
export const MEMBER = 'member@acme.test'
export const COLLAB = 'collab@acme.test'
export const OUTSIDER = 'outsider@elsewhere.test'

/** A fixed clock, so timestamps and billing are predictable. */
export function clockAt(iso: string) {
  return {now: () => new Date(iso)}
}

export interface World {
  state: State
  as(email: string, at?: string): Ctx
}

export function world(at = '2026-11-15T00:00:00.000Z'): World {
  const state = emptyState()
  return {state, as: (email, when = at) => new Ctx(state, email, clockAt(when))}
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
