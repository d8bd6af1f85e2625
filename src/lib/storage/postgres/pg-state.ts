/**
 * A whole store in and out of PostgreSQL, in the memory engine's shape (memory/state.ts): what
 * `orgctl db:export` writes as an embedded store and `orgctl db:import` copies in.
 *
 * The import is one transaction: into an empty database, or with `replace` into one emptied first in
 * that same transaction (never a merge). Ids, times, token hashes, usage days and ledgers are kept. The
 * schema's foreign keys want a user row for every email a membership, app owner, collaborator or token
 * names: one is made (with the membership's user id where it has one) for each the store has no user
 * record for.
 *
 * Dashboard sessions and sign-in links are not org data: the export leaves them out, and an import
 * signs everyone out (a replaced database's users may be gone; a session is never carried over).
 */
import {derivedId} from '../../domain/ids.js'
import type {Collaborator, FormationEntry, Membership, User} from '../../domain/types.js'
import {conflict} from '../../errors.js'
import {MemoryAuditLog} from '../memory/audit-log.js'
import {emptyState, type State, type StoredApp, type StoredOrg} from '../memory/state.js'
import {eventOf, eventValues} from './pg-audit.js'
import {type DatabaseTarget, describeHost} from './connection.js'
import {appOf, collaboratorOf, dayOf, formationOf, ledgerOf, membershipOf, orgOf, tokenOf, transferOf, userOf} from './rows.js'
import type {Session} from './session.js'
import {
  APP_COLUMNS,
  APPS,
  BY_CREATION,
  COLLABORATOR_COLUMNS,
  FORMATION_COLUMNS,
  MEMBER_COLUMNS,
  ORG_COLUMNS,
  TOKEN_COLUMNS,
  TRANSFER_COLUMNS,
} from './sql.js'

export interface ImportOptions {
  /** Empty a database that holds data first (same transaction); without it such a database is refused. */
  replace: boolean
}

/** The advisory lock two imports at once take turns on ("orgimp" in ASCII). */
const IMPORT_LOCK_KEY = '111114103105109112'
/** Rows per INSERT: big stores go in a few statements, none of them huge. */
const CHUNK = 5000

export async function exportState(db: Session): Promise<State> {
  await db.rows({text: `SET LOCAL statement_timeout = '10min'`})
  const state = emptyState()
  for (const row of await db.rows({text: 'SELECT id, email, created_at FROM users ORDER BY email'})) state.users.set(row.email, userOf(row))
  const orgNames = new Map<string, string>()
  for (const row of await db.rows({text: `SELECT ${ORG_COLUMNS} FROM orgs o ORDER BY o.name`})) {
    state.orgs.set(row.name, {...orgOf(row), members: new Map()})
    state.histories.set(row.name, {usageHistory: [], ledger: []})
    orgNames.set(row.id, row.name)
  }
  for (const row of await db.rows({text: `SELECT m.org_id, ${MEMBER_COLUMNS} FROM memberships m ORDER BY m.org_id, m.email`})) {
    state.orgs.get(orgNames.get(row.org_id)!)!.members.set(row.email, membershipOf(row))
  }
  const appNames = new Map<string, string>()
  for (const row of await db.rows({text: `SELECT ${APP_COLUMNS} FROM ${APPS} ORDER BY a.name`})) {
    state.apps.set(row.name, {...appOf(row), collaborators: new Map(), formation: new Map()})
    appNames.set(row.id, row.name)
  }
  for (const row of await db.rows({text: `SELECT c.app_id, ${COLLABORATOR_COLUMNS} FROM collaborators c ORDER BY c.app_id, c.email`})) {
    state.apps.get(appNames.get(row.app_id)!)!.collaborators.set(row.email, collaboratorOf(row))
  }
  for (const row of await db.rows({text: `SELECT f.app_id, ${FORMATION_COLUMNS} FROM formation f ORDER BY f.app_id, f.type`})) {
    state.apps.get(appNames.get(row.app_id)!)!.formation.set(row.type, formationOf(row))
  }
  for (const row of await db.rows({text: `SELECT ${TRANSFER_COLUMNS} FROM transfers t ORDER BY ${BY_CREATION('t')}`})) {
    state.transfers.set(row.id, transferOf(row))
  }
  for (const row of await db.rows({text: `SELECT ${TOKEN_COLUMNS} FROM tokens k ORDER BY ${BY_CREATION('k')}`}))
    state.tokens.set(row.id, tokenOf(row))
  for (const row of await db.rows({text: 'SELECT email, created_at FROM operators ORDER BY email'})) {
    state.operators.set(row.email, {email: row.email, createdAt: row.created_at})
  }
  for (const row of await db.rows({text: 'SELECT org_id, day, apps, members, dyno_units FROM usage_days ORDER BY org_id, day'})) {
    state.histories.get(orgNames.get(row.org_id)!)!.usageHistory.push(dayOf(row))
  }
  for (const row of await db.rows({text: 'SELECT org_id, at, app, dyno_units, monthly_cents FROM ledger_entries ORDER BY seq'})) {
    state.histories.get(orgNames.get(row.org_id)!)!.ledger.push(ledgerOf(row))
  }
  const events = (await db.rows({text: 'SELECT * FROM audit_events e ORDER BY seq'})).map(eventOf)
  state.audit = new MemoryAuditLog(events)
  return state
}

/** Inserts rows given as columns, a chunk per statement: `sql` selects from `unnest($1::type[], ...)`. */
async function insertColumns(db: Session, sql: string, rows: readonly unknown[][]): Promise<void> {
  for (let start = 0; start < rows.length; start += CHUNK) {
    const chunk = rows.slice(start, start + CHUNK)
    const columns = chunk[0]!.map((_, i) => chunk.map((row) => row[i]))
    await db.rows({text: sql, values: columns})
  }
}

/** Every user the store's records need: its own, plus one for each email they name without a record. */
function usersFor(state: State): User[] {
  const users = new Map<string, User>(state.users)
  // The id every engine's answers already gave them (see derivedId): the round trip keeps it.
  const need = (email: string, createdAt: string, id?: string) => {
    if (!users.has(email)) users.set(email, {id: id ?? derivedId('user', email), email, createdAt})
  }
  for (const org of state.orgs.values()) for (const m of org.members.values()) need(m.email, m.createdAt, m.userId)
  for (const app of state.apps.values()) {
    if (app.owner.kind === 'user') need(app.owner.email, app.createdAt)
    for (const c of app.collaborators.values()) need(c.email, c.createdAt)
  }
  for (const token of state.tokens.values()) need(token.email, token.createdAt)
  for (const transfer of state.transfers.values()) {
    need(transfer.from, transfer.createdAt)
    need(transfer.to, transfer.createdAt)
  }
  return [...users.values()]
}

export async function importState(db: Session, state: State, options: ImportOptions, target: DatabaseTarget): Promise<void> {
  await db.rows({text: 'SELECT pg_advisory_xact_lock($1::bigint)', values: [IMPORT_LOCK_KEY]})
  // A whole team's rows in a few statements: more time than an ordinary statement gets.
  await db.rows({text: `SET LOCAL statement_timeout = '10min'`})
  const held = await db.row({
    text: `SELECT EXISTS (SELECT 1 FROM orgs) OR EXISTS (SELECT 1 FROM apps) OR EXISTS (SELECT 1 FROM users) OR EXISTS (SELECT 1 FROM tokens)
              OR EXISTS (SELECT 1 FROM operators) OR EXISTS (SELECT 1 FROM audit_events) AS any`,
  })
  if (held!.any && !options.replace) {
    throw conflict(
      `Database ${target.database} at ${describeHost(target)} already holds data: pass --replace to empty it and import this store instead (never a merge).`,
    )
  }
  // Above every version the replaced data had, and any it had before (a clock): see the end.
  const floor = await db.row({
    text: `SELECT greatest((SELECT max(version) FROM orgs), (SELECT max(version) FROM apps), 0)::text AS version`,
  })
  const version = Math.max(Date.now(), Number(floor!.version) + 1)
  if (held!.any) {
    // Without RESTART IDENTITY: resetting the ledger's sequence needs its owner, and a role granted the
    // tables' privileges (not their owner) must be able to replace; the ledger's order does not need small numbers.
    await db.rows({
      text: `TRUNCATE users, orgs, memberships, org_people, usage_days, ledger_entries, apps, collaborators, formation, transfers, tokens, operators, audit_events, dashboard_sessions`,
    })
  } else {
    // Not data an import is refused for, but none of them outlives it either.
    await db.rows({text: 'DELETE FROM dashboard_sessions'})
  }
  const orgs: StoredOrg[] = [...state.orgs.values()]
  const apps: StoredApp[] = [...state.apps.values()]
  const orgId = (name: string) => {
    const found = state.orgs.get(name)
    if (!found) throw new Error(`The store's app owner org ${name} is not among its orgs.`)
    return found.id
  }
  await insertColumns(
    db,
    'INSERT INTO users (id, email, created_at) SELECT * FROM unnest($1::text[], $2::text[], $3::text[])',
    usersFor(state).map((u) => [u.id, u.email, u.createdAt]),
  )
  await insertColumns(
    db,
    `INSERT INTO orgs (id, name, created_at, updated_at, limit_apps, limit_members, limit_dyno_units)
     SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::int[], $6::int[], $7::int[])`,
    orgs.map((o) => [o.id, o.name, o.createdAt, o.updatedAt, o.limits.apps, o.limits.members, o.limits['dyno-units']]),
  )
  await insertColumns(
    db,
    `INSERT INTO memberships (org_id, id, email, user_id, role, created_at, updated_at)
     SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[])`,
    orgs.flatMap((o) =>
      [...o.members.values()].map((m: Membership) => [o.id, m.id, m.email, m.userId ?? null, m.role, m.createdAt, m.updatedAt]),
    ),
  )
  await insertColumns(
    db,
    `INSERT INTO apps (id, name, owner_email, owner_org_id, region, locked, created_at, updated_at)
     SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::boolean[], $7::text[], $8::text[])`,
    apps.map((a) => [
      a.id,
      a.name,
      a.owner.kind === 'user' ? a.owner.email : null,
      a.owner.kind === 'org' ? orgId(a.owner.name) : null,
      a.region,
      a.locked,
      a.createdAt,
      a.updatedAt,
    ]),
  )
  // Arrays of arrays do not go through unnest whole: permissions travel as one comma-joined text each.
  await insertColumns(
    db,
    `INSERT INTO collaborators (app_id, id, email, permissions, created_at, updated_at)
     SELECT app_id, id, email, string_to_array(permissions, ','), created_at, updated_at
       FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[]) AS c(app_id, id, email, permissions, created_at, updated_at)`,
    apps.flatMap((a) =>
      [...a.collaborators.values()].map((c: Collaborator) => [a.id, c.id, c.email, c.permissions.join(','), c.createdAt, c.updatedAt]),
    ),
  )
  await insertColumns(
    db,
    `INSERT INTO formation (app_id, id, type, quantity, size, created_at, updated_at)
     SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::int[], $5::text[], $6::text[], $7::text[])`,
    apps.flatMap((a) =>
      [...a.formation.values()].map((f: FormationEntry) => [a.id, f.id, f.type, f.quantity, f.size, f.createdAt, f.updatedAt]),
    ),
  )
  await insertColumns(
    db,
    `INSERT INTO transfers (id, app, app_id, from_email, to_email, state, created_at, updated_at)
     SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[])`,
    [...state.transfers.values()].map((t) => [t.id, t.app, t.appId, t.from, t.to, t.state, t.createdAt, t.updatedAt]),
  )
  await insertColumns(
    db,
    `INSERT INTO tokens (id, email, hash, description, created_at) SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[])`,
    [...state.tokens.values()].map((k) => [k.id, k.email, k.hash, k.description, k.createdAt]),
  )
  await insertColumns(
    db,
    'INSERT INTO operators (email, created_at) SELECT * FROM unnest($1::text[], $2::text[])',
    [...state.operators.values()].map((o) => [o.email, o.createdAt]),
  )
  const histories = [...state.histories].filter(([name]) => state.orgs.has(name))
  await insertColumns(
    db,
    `INSERT INTO usage_days (org_id, day, apps, members, dyno_units) SELECT * FROM unnest($1::text[], $2::text[], $3::int[], $4::int[], $5::int[])`,
    histories.flatMap(([name, h]) => h.usageHistory.map((d) => [orgId(name), d.date, d.apps, d.members, d.dynoUnits])),
  )
  // In the order appended: the identity follows the order rows are inserted in.
  await insertColumns(
    db,
    `INSERT INTO ledger_entries (org_id, at, app, dyno_units, monthly_cents)
     SELECT org_id, at, app, dyno_units, monthly_cents
       FROM unnest($1::text[], $2::text[], $3::text[], $4::int[], $5::int[]) WITH ORDINALITY AS e(org_id, at, app, dyno_units, monthly_cents, n)
      ORDER BY n`,
    histories.flatMap(([name, h]) => h.ledger.map((e) => [orgId(name), e.at, e.app, e.dynoUnits, e.monthlyCents])),
  )
  // The audit log in the order appended (the seq follows the order rows are inserted in).
  await insertColumns(
    db,
    `INSERT INTO audit_events (id, created_at, action, actor_email, actor_id, target_type, target_name,
       org_id, org_name, app_id, app_name, data, request_id)
     SELECT id, created_at, action, actor_email, actor_id, target_type, target_name, org_id, org_name, app_id, app_name, data::json, request_id
       FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[],
                   $10::text[], $11::text[], $12::text[], $13::text[]) WITH ORDINALITY
         AS e(id, created_at, action, actor_email, actor_id, target_type, target_name, org_id, org_name, app_id, app_name, data, request_id, n)
      ORDER BY n`,
    state.audit.events().map(eventValues),
  )
  // The kept member-list sizes, counted once here; and versions no cache can hold from before the import
  // (ids are kept, so a version starting again at 1 could match a stamp of the replaced data).
  await db.rows({
    text: `INSERT INTO org_people (org_id, email, refs)
           SELECT org_id, email, count(*) FROM (
             SELECT org_id, email FROM memberships
             UNION ALL
             SELECT a.owner_org_id, c.email FROM collaborators c JOIN apps a ON a.id = c.app_id WHERE a.owner_org_id IS NOT NULL
           ) AS p GROUP BY org_id, email`,
  })
  await db.rows({
    text: `UPDATE orgs SET version = $1::bigint, member_count = (SELECT count(*) FROM org_people p WHERE p.org_id = orgs.id AND p.refs > 0)`,
    values: [version],
  })
  await db.rows({text: 'UPDATE apps SET version = $1::bigint', values: [version]})
}
