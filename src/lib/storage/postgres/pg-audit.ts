/** The audit log on PostgreSQL (migrations/NNNN_audit.sql): every filter is in the SQL, newest first by seq. */
import type {AuditAction, AuditEvent, StoredAuditEvent} from '../../domain/types.js'
import type {AuditQuery, AuditReads, WriteTx} from '../storage.js'
import type {Row} from './rows.js'
import type {Session} from './session.js'
import {named} from './sql.js'

const COLUMNS = `e.seq, e.id, e.created_at, e.action, e.actor_email, e.actor_id, e.target_type, e.target_name,
  e.org_id, e.org_name, e.app_id, e.app_name, e.data, e.request_id`

/** One statement per kind of org filter (an org's id, or none), the other filters each on when given. */
const listText = (org: string, first: number, after = false): string => {
  const p = (i: number) => `$${first + i}`
  return `SELECT ${COLUMNS} FROM audit_events e
     WHERE ${org}
       AND (${p(0)}::text IS NULL OR e.app_name = ${p(0)})
       AND (${p(1)}::text IS NULL OR e.actor_email = ${p(1)})
       AND (${p(2)}::text IS NULL OR e.action LIKE ${p(2)})
       AND (${p(3)}::text IS NULL OR e.created_at >= ${p(3)})
       AND (${p(4)}::text IS NULL OR e.created_at < ${p(4)})
       AND (${p(5)}::bigint IS NULL OR e.seq < ${p(5)})
       AND (${p(6)}::bigint IS NULL OR e.seq > ${p(6)})
     ORDER BY e.seq ${after ? 'ASC' : 'DESC'} LIMIT ${p(7)}`
}

/** The `limit` events right after a seq (the page before), given newest first as every list. */
const afterText = (org: string, first: number) => `SELECT * FROM (${listText(org, first, true)}) page ORDER BY page.seq DESC`

const q = {
  ofOrg: named('audit-of-org', listText('e.org_id = $1', 2)),
  ofNoOrg: named('audit-of-no-org', listText('e.org_id IS NULL', 1)),
  ofOrgAfter: named('audit-of-org-after', afterText('e.org_id = $1', 2)),
  ofNoOrgAfter: named('audit-of-no-org-after', afterText('e.org_id IS NULL', 1)),
  append: named(
    'audit-append',
    `INSERT INTO audit_events (id, created_at, action, actor_email, actor_id, target_type, target_name,
       org_id, org_name, app_id, app_name, data, request_id)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12::json, $13)`,
  ),
  prune: named('audit-prune', 'WITH d AS (DELETE FROM audit_events WHERE created_at < $1 RETURNING 1) SELECT count(*)::int AS n FROM d'),
}

/** `team-member.*` as a LIKE pattern (the domain allows only [a-z0-9.*-]; the rest is escaped all the same). */
function likePattern(pattern: string): string {
  return pattern.replace(/[\\%_]/g, '\\$&').replace(/\*/g, '%')
}

export function eventOf(row: Row): StoredAuditEvent {
  return {
    seq: Number(row.seq),
    id: row.id,
    createdAt: row.created_at,
    action: row.action as AuditAction,
    actor: row.actor_id === null ? {email: row.actor_email} : {email: row.actor_email, id: row.actor_id},
    target: {type: row.target_type, name: row.target_name},
    ...(row.org_id === null ? {} : {org: {id: row.org_id, name: row.org_name}}),
    ...(row.app_id === null ? {} : {app: {id: row.app_id, name: row.app_name}}),
    data: row.data,
    ...(row.request_id === null ? {} : {requestId: row.request_id}),
  }
}

/** The values of an event's row, in the order of `audit-append`. */
export function eventValues(event: AuditEvent): unknown[] {
  return [
    event.id,
    event.createdAt,
    event.action,
    event.actor.email,
    event.actor.id ?? null,
    event.target.type,
    event.target.name,
    event.org?.id ?? null,
    event.org?.name ?? null,
    event.app?.id ?? null,
    event.app?.name ?? null,
    JSON.stringify(event.data),
    event.requestId ?? null,
  ]
}

export function auditReads(db: Session): AuditReads {
  return {
    async list(query: AuditQuery) {
      const filters = [
        query.app ?? null,
        query.actor ?? null,
        query.action === undefined ? null : likePattern(query.action),
        query.since ?? null,
        query.until ?? null,
        query.beforeSeq ?? null,
        query.afterSeq ?? null,
        query.limit,
      ]
      const after = query.afterSeq !== undefined
      const rows = await db.rows(
        query.orgId === null ? (after ? q.ofNoOrgAfter : q.ofNoOrg)(...filters) : (after ? q.ofOrgAfter : q.ofOrg)(query.orgId, ...filters),
      )
      return rows.map(eventOf)
    },
  }
}

export function auditWrites(db: Session, reads: AuditReads): WriteTx['audit'] {
  return {
    ...reads,
    async append(event) {
      await db.rows(q.append(...eventValues(event)))
    },
    async prune(before) {
      return (await db.row(q.prune(before)))!.n as number
    },
  }
}
