/** A domain context over an in-memory State (a JsonStore's `update` hands one), for tests that seed stores. */
import {type Clock, Ctx, systemClock, type WriteCtx} from '../../src/lib/domain/context.js'
import type {State} from '../../src/lib/storage/memory/state.js'
import {stateTx} from '../../src/lib/storage/memory/state-tx.js'

export function txCtx(state: State, actor: string, clock: Clock = systemClock): WriteCtx {
  return new Ctx(
    stateTx(state, () => undefined),
    actor,
    clock,
  )
}
