/**
 * Operators: the platform's people. Kept in storage, so every server instance agrees. With none
 * named, anyone may create an org and an org's admins set its limits (as before operators existed);
 * once one is named, only operators do both, on every backend. Named and removed only by commands
 * run directly on the storage (by whoever holds the file or the database), never over the API.
 */
import {recordEvent} from './audit.js'
import type {Ctx, WriteCtx} from './context.js'
import type {Operator} from './types.js'
import {parseEmail} from './validation.js'

export interface OperatorStatus {
  /** The actor is an operator. */
  operator: boolean
  /** Some operator is named. */
  operatorsNamed: boolean
}

/** How the actor stands towards the platform, for the matrix's operator rules. */
export async function operatorStatus(ctx: Ctx, email: string = ctx.actor): Promise<OperatorStatus> {
  const operator = await ctx.tx.operators.has(email)
  return {operator, operatorsNamed: operator || (await ctx.tx.operators.list()).length > 0}
}

export function listOperators(ctx: Ctx): Promise<Operator[]> {
  return ctx.tx.operators.list()
}

export interface OperatorChange {
  email: string
  /** The record as it is now (added, or already there); undefined once removed. */
  operator?: Operator
  /** False when it changed nothing (named already, or not named). */
  changed: boolean
  /** How many operators there are after the change. */
  remaining: number
}

/** Names an operator; naming one already named changes nothing. */
export async function addOperator(ctx: WriteCtx, value: string): Promise<OperatorChange> {
  const email = parseEmail(value)
  const changed = await ctx.tx.operators.add({email, createdAt: ctx.at})
  if (changed) await recordEvent(ctx, {action: 'operator.create', target: {type: 'operator', name: email}, after: {email}})
  const all = await ctx.tx.operators.list()
  return {email, operator: all.find((operator) => operator.email === email), changed, remaining: all.length}
}

/** Removes an operator (the last one too: then anyone may create an org again, which the command says). */
export async function removeOperator(ctx: WriteCtx, value: string): Promise<OperatorChange> {
  const email = parseEmail(value)
  const changed = await ctx.tx.operators.remove(email)
  if (changed) await recordEvent(ctx, {action: 'operator.destroy', target: {type: 'operator', name: email}, before: {email}})
  return {email, changed, remaining: (await ctx.tx.operators.list()).length}
}
