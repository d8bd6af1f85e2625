/**
 * The audit log as the memory and JSON engines keep it: events in the order appended, each with its
 * seq. The memory engine holds them in an array; the JSON engine in a file of its own beside the
 * store (json/audit-file.ts), read only when a query needs it.
 */
import type {AuditEvent, StoredAuditEvent} from '../../domain/types.js'
import type {AuditQuery} from '../storage.js'

export interface AuditLog {
  /** Every event, oldest first (on the JSON engine: read in at the first call). */
  events(): readonly StoredAuditEvent[]
  append(event: AuditEvent): void
  /** Removes the events created before `before`; how many. */
  prune(before: string): number
  /** A copy to change (a write's working copy). */
  clone(): AuditLog
  /**
   * Marks the log as it is now (a nested unit's start); the function returned puts it back so, in
   * place (a failed unit's events go with it). The JSON engine's log is not read for it.
   */
  savepoint(): () => void
}

export class MemoryAuditLog implements AuditLog {
  constructor(
    private list: StoredAuditEvent[] = [],
    /** The seq the next event gets (never reused, even once pruned). */
    private nextSeq = (list.at(-1)?.seq ?? 0) + 1,
  ) {}

  events(): readonly StoredAuditEvent[] {
    return this.list
  }

  append(event: AuditEvent): void {
    this.list.push({...structuredClone(event), seq: this.nextSeq++})
  }

  prune(before: string): number {
    const kept = this.list.filter((event) => event.createdAt >= before)
    const removed = this.list.length - kept.length
    this.list = kept
    return removed
  }

  clone(): AuditLog {
    return new MemoryAuditLog([...this.list], this.nextSeq)
  }

  savepoint(): () => void {
    // append pushes onto the list, prune replaces it: the list and its length say it all.
    const list = this.list
    const length = list.length
    return () => {
      list.length = length
      this.list = list
    }
  }
}

/** `team-member.*` as a test of an action (only [a-z0-9.*-] reach here: nothing else to escape). */
export function actionMatcher(pattern: string): (action: string) => boolean {
  if (!pattern.includes('*')) return (action) => action === pattern
  const re = new RegExp(`^${pattern.replace(/[.-]/g, '\\$&').replace(/\*/g, '.*')}$`)
  return (action) => re.test(action)
}

/** The events of a query, newest first (copies). */
export function selectEvents(events: readonly StoredAuditEvent[], query: AuditQuery): StoredAuditEvent[] {
  const matches = eventMatcher(query)
  const out: StoredAuditEvent[] = []
  if (query.afterSeq !== undefined) {
    // The `limit` events right after afterSeq: walked oldest first, then given newest first.
    for (let i = 0; i < events.length && out.length < query.limit; i++) {
      const event = events[i]!
      if (event.seq > query.afterSeq && matches(event)) out.push(structuredClone(event))
    }
    return out.reverse()
  }
  for (let i = events.length - 1; i >= 0 && out.length < query.limit; i--) {
    const event = events[i]!
    if (matches(event)) out.push(structuredClone(event))
  }
  return out
}

/** Whether an event is one the query asks for (its filters; the page's own bounds included). */
function eventMatcher(query: AuditQuery): (event: StoredAuditEvent) => boolean {
  const action = query.action === undefined ? undefined : actionMatcher(query.action)
  return (event) => {
    if (query.beforeSeq !== undefined && event.seq >= query.beforeSeq) return false
    if ((event.org?.id ?? null) !== query.orgId) return false
    if (query.app !== undefined && event.app?.name !== query.app) return false
    if (query.actor !== undefined && event.actor.email !== query.actor) return false
    if (action && !action(event.action)) return false
    if (query.since !== undefined && event.createdAt < query.since) return false
    if (query.until !== undefined && event.createdAt >= query.until) return false
    return true
  }
}
