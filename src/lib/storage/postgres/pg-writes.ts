/**
 * The write repositories of the PostgreSQL engine. Every change records the org and app it touched on
 * the Session (their versions are bumped once, before COMMIT), and keeps `org_people` and the org's
 * member-list size right: a person is counted while a membership or an app of the org shared with them
 * says so (see migrations/0001_init.sql). Each such change is one statement where it can be.
 */
import type {App, Collaborator, FormationEntry, LedgerEntry, Membership, Org, Token, Transfer, UsageDay, User} from '../../domain/types.js'
import {conflict} from '../../errors.js'
import type {ReadTx, WriteTx} from '../storage.js'
import type {Row} from './rows.js'
import {userOf} from './rows.js'
import {auditWrites} from './pg-audit.js'
import type {Session} from './session.js'
import {named, ORG_ID, userByEmail} from './sql.js'

/** One more reason for these people to be in the org's member list; `refs` = 1 marks a newcomer. */
const PEOPLE_UP = (rows: string) => `INSERT INTO org_people (org_id, email, refs) ${rows}
  ON CONFLICT (org_id, email) DO UPDATE SET refs = org_people.refs + 1 RETURNING refs`

const q = {
  lockOrgs: named('lock-orgs', 'SELECT id FROM orgs WHERE name = ANY($1::text[]) ORDER BY name FOR UPDATE'),
  lockApp: named('lock-app', 'SELECT id FROM apps WHERE name = $1 FOR UPDATE'),
  ensureUser: named(
    'user-ensure',
    'INSERT INTO users (id, email, created_at) VALUES ($1, $2, $3) ON CONFLICT (email) DO NOTHING RETURNING id, email, created_at',
  ),
  insertOrg: named(
    'org-insert',
    `INSERT INTO orgs (id, name, created_at, updated_at, limit_apps, limit_members, limit_dyno_units)
     VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING RETURNING id`,
  ),
  updateOrg: named(
    'org-update',
    'UPDATE orgs SET updated_at = $2, limit_apps = $3, limit_members = $4, limit_dyno_units = $5 WHERE name = $1 RETURNING id',
  ),
  renameOrg: named(
    'org-rename',
    `UPDATE orgs SET name = $2 WHERE name = $1 AND NOT EXISTS (SELECT 1 FROM orgs WHERE name = $2) RETURNING id`,
  ),
  // Its memberships, people, usage days and ledger go with it (ON DELETE CASCADE); its apps must be gone.
  removeOrg: named(
    'org-remove',
    `DELETE FROM orgs WHERE name = $1 AND NOT EXISTS (SELECT 1 FROM apps a WHERE a.owner_org_id = orgs.id) RETURNING id`,
  ),
  addOperator: named(
    'operator-add',
    'INSERT INTO operators (email, created_at) VALUES ($1, $2) ON CONFLICT (email) DO NOTHING RETURNING email',
  ),
  removeOperator: named('operator-remove', 'DELETE FROM operators WHERE email = $1 RETURNING email'),
  // A put replaces the whole record (as on the other engines); xmax = 0 tells a row inserted from one updated.
  putMember: named(
    'member-put',
    `WITH m AS (
       INSERT INTO memberships (id, org_id, email, user_id, role, created_at, updated_at)
       SELECT $2, o.id, $3, $4, $5, $6, $7 FROM orgs o WHERE o.name = $1
       ON CONFLICT (org_id, email) DO UPDATE SET id = EXCLUDED.id, user_id = EXCLUDED.user_id, role = EXCLUDED.role,
         created_at = EXCLUDED.created_at, updated_at = EXCLUDED.updated_at
       RETURNING org_id, (xmax = 0) AS inserted),
     p AS (${PEOPLE_UP('SELECT m.org_id, $3, 1 FROM m WHERE m.inserted')})
     SELECT m.org_id, (SELECT refs FROM p) AS refs FROM m`,
  ),
  removeMember: named(
    'member-remove',
    `WITH m AS (DELETE FROM memberships WHERE org_id = ${ORG_ID('$1')} AND email = $2 RETURNING org_id),
     p AS (UPDATE org_people SET refs = refs - 1 FROM m WHERE org_people.org_id = m.org_id AND org_people.email = $2 RETURNING refs)
     SELECT m.org_id, (SELECT refs FROM p) AS refs FROM m`,
  ),
  insertApp: named(
    'app-insert',
    `INSERT INTO apps (id, name, owner_email, owner_org_id, region, locked, created_at, updated_at)
     VALUES ($1, $2, $3, ${ORG_ID('$4')}, $5, $6, $7, $8) ON CONFLICT DO NOTHING RETURNING id, owner_org_id`,
  ),
  // The row as it was comes from the locking sub-select: an owner change moves its people between orgs.
  updateApp: named(
    'app-update',
    `UPDATE apps SET owner_email = $2, owner_org_id = ${ORG_ID('$3')}, locked = $4, updated_at = $5
       FROM (SELECT id, owner_org_id FROM apps WHERE name = $1 FOR UPDATE) AS old
      WHERE apps.id = old.id
      RETURNING apps.id, old.owner_org_id AS old_org, apps.owner_org_id AS new_org`,
  ),
  peopleDownForApp: named(
    'people-down-for-app',
    `WITH p AS (UPDATE org_people SET refs = refs - 1
                 WHERE org_id = $1 AND email IN (SELECT email FROM collaborators WHERE app_id = $2) RETURNING refs)
     SELECT count(*) FILTER (WHERE refs = 0)::int AS gone FROM p`,
  ),
  peopleUpForApp: named(
    'people-up-for-app',
    `WITH p AS (${PEOPLE_UP('SELECT $1::text, email, 1 FROM collaborators WHERE app_id = $2')})
     SELECT count(*) FILTER (WHERE refs = 1)::int AS added FROM p`,
  ),
  removeApp: named(
    'app-remove',
    `WITH a AS (SELECT id, owner_org_id FROM apps WHERE name = $1),
     p AS (UPDATE org_people SET refs = refs - 1 FROM collaborators c, a
            WHERE c.app_id = a.id AND org_people.org_id = a.owner_org_id AND org_people.email = c.email RETURNING refs),
     d AS (DELETE FROM apps USING a WHERE apps.id = a.id RETURNING apps.id)
     SELECT a.id, a.owner_org_id, (SELECT count(*) FROM p WHERE refs = 0)::int AS gone FROM a`,
  ),
  putCollaborator: named(
    'collaborator-put',
    `WITH a AS (SELECT id, owner_org_id FROM apps WHERE name = $1),
     c AS (
       INSERT INTO collaborators (id, app_id, email, permissions, created_at, updated_at)
       SELECT $2, a.id, $3, $4::text[], $5, $6 FROM a
       ON CONFLICT (app_id, email) DO UPDATE SET id = EXCLUDED.id, permissions = EXCLUDED.permissions,
         created_at = EXCLUDED.created_at, updated_at = EXCLUDED.updated_at
       RETURNING (xmax = 0) AS inserted),
     p AS (${PEOPLE_UP('SELECT a.owner_org_id, $3, 1 FROM a, c WHERE c.inserted AND a.owner_org_id IS NOT NULL')})
     SELECT a.id, a.owner_org_id, (SELECT refs FROM p) AS refs FROM a`,
  ),
  removeCollaborator: named(
    'collaborator-remove',
    `WITH a AS (SELECT id, owner_org_id FROM apps WHERE name = $1),
     c AS (DELETE FROM collaborators USING a WHERE collaborators.app_id = a.id AND collaborators.email = $2 RETURNING a.owner_org_id),
     p AS (UPDATE org_people SET refs = refs - 1 FROM c WHERE org_people.org_id = c.owner_org_id AND org_people.email = $2 RETURNING refs)
     SELECT a.id, a.owner_org_id, (SELECT refs FROM p) AS refs FROM a`,
  ),
  removeCollaborators: named(
    'collaborator-remove-all',
    `WITH a AS (SELECT id, owner_org_id FROM apps WHERE name = $1),
     c AS (DELETE FROM collaborators USING a WHERE collaborators.app_id = a.id RETURNING collaborators.email, a.owner_org_id),
     p AS (UPDATE org_people SET refs = refs - 1 FROM c WHERE org_people.org_id = c.owner_org_id AND org_people.email = c.email RETURNING refs)
     SELECT a.id, a.owner_org_id, (SELECT count(*) FROM p WHERE refs = 0)::int AS gone FROM a`,
  ),
  appRef: named('app-ref', 'SELECT id, owner_org_id FROM apps WHERE name = $1'),
  clearFormation: named('formation-clear', 'DELETE FROM formation WHERE app_id = $1'),
  insertFormation: named(
    'formation-insert',
    `INSERT INTO formation (id, app_id, type, quantity, size, created_at, updated_at)
     SELECT e.id, $1, e.type, e.quantity, e.size, e.created_at, e.updated_at
       FROM unnest($2::text[], $3::text[], $4::int[], $5::text[], $6::text[], $7::text[]) AS e(id, type, quantity, size, created_at, updated_at)`,
  ),
  insertTransfer: named(
    'transfer-insert',
    `INSERT INTO transfers (id, app, app_id, from_email, to_email, state, created_at, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING RETURNING id`,
  ),
  updateTransfer: named('transfer-update', 'UPDATE transfers SET state = $2, updated_at = $3 WHERE id = $1 RETURNING app_id'),
  removeTransfer: named('transfer-remove', 'DELETE FROM transfers WHERE id = $1 RETURNING app_id'),
  insertToken: named('token-insert', 'INSERT INTO tokens (id, email, hash, description, created_at) VALUES ($1, $2, $3, $4, $5)'),
  removeToken: named('token-remove', 'DELETE FROM tokens WHERE id = $1'),
  // Sessions touch no org or app: nothing here records a version to bump.
  insertSession: named(
    'session-insert',
    `INSERT INTO dashboard_sessions (hash, kind, email, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (hash) DO NOTHING RETURNING hash`,
  ),
  // Of two removals at once, the second waits on the row lock and then finds the row gone: one wins.
  removeSession: named('session-remove', 'DELETE FROM dashboard_sessions WHERE hash = $1 RETURNING hash'),
  removeSessionsOf: named(
    'sessions-remove-of',
    'WITH d AS (DELETE FROM dashboard_sessions WHERE email = $1 RETURNING 1) SELECT count(*)::int AS n FROM d',
  ),
  pruneSessions: named(
    'sessions-prune',
    'WITH d AS (DELETE FROM dashboard_sessions WHERE expires_at <= $1 RETURNING 1) SELECT count(*)::int AS n FROM d',
  ),
  putDay: named(
    'usage-put-day',
    `INSERT INTO usage_days (org_id, day, apps, members, dyno_units) SELECT o.id, $2, $3::int, $4::int, $5::int FROM orgs o WHERE o.name = $1
     ON CONFLICT (org_id, day) DO UPDATE SET apps = EXCLUDED.apps, members = EXCLUDED.members, dyno_units = EXCLUDED.dyno_units
     RETURNING org_id, (xmax = 0) AS inserted`,
  ),
  trimDays: named(
    'usage-trim',
    `DELETE FROM usage_days WHERE org_id = $1 AND day <= (
       SELECT day FROM usage_days WHERE org_id = $1 ORDER BY day DESC OFFSET $2::int LIMIT 1)`,
  ),
  clearDays: named('usage-clear', 'DELETE FROM usage_days WHERE org_id = $1'),
  appendLedger: named(
    'ledger-append',
    `INSERT INTO ledger_entries (org_id, at, app, dyno_units, monthly_cents) SELECT o.id, $2, $3, $4::int, $5::int FROM orgs o WHERE o.name = $1
     RETURNING org_id`,
  ),
  clearLedger: named('ledger-clear', `DELETE FROM ledger_entries WHERE org_id = ${ORG_ID('$1')}`),
  insertLedger: named(
    'ledger-insert',
    `INSERT INTO ledger_entries (org_id, at, app, dyno_units, monthly_cents)
     SELECT o.id, e.at, e.app, e.dyno_units, e.monthly_cents
       FROM orgs o, unnest($2::text[], $3::text[], $4::int[], $5::int[]) WITH ORDINALITY AS e(at, app, dyno_units, monthly_cents, n)
      WHERE o.name = $1 ORDER BY e.n
     RETURNING org_id`,
  ),
  orgRef: named('org-ref', 'SELECT id FROM orgs WHERE name = $1'),
}

const missing = (what: string, name: string) => new Error(`No ${what} ${name} in this transaction.`)

/** The member-list change a people row's new `refs` means: a newcomer (1 after an increase) or a leaver (0). */
const arrived = (refs: number | null | undefined) => (refs === 1 ? 1 : 0)
const left = (refs: number | null | undefined) => (refs === 0 ? -1 : 0)

export function writeRepositories(db: Session, reads: ReadTx): WriteTx {
  /** An app's id and owner org, or the app missing. */
  const appRef = async (name: string): Promise<Row> => {
    const row = await db.row(q.appRef(name))
    if (!row) throw missing('app', name)
    return row
  }

  return {
    ...reads,
    audit: auditWrites(db, reads.audit),
    async lockOrgs(names) {
      if (names.length > 0) await db.rows(q.lockOrgs([...new Set(names)]))
    },
    async lockApp(name) {
      await db.rows(q.lockApp(name))
    },
    nested: (fn) => db.savepoint(fn),

    users: {
      ...reads.users,
      async ensure(user: User) {
        // Another transaction may have just created it: no conflict, its record is the one.
        const inserted = await db.row(q.ensureUser(user.id, user.email, user.createdAt))
        return userOf(inserted ?? (await db.row(userByEmail(user.email)))!)
      },
    },

    orgs: {
      ...reads.orgs,
      async insert(org: Org) {
        const {limits} = org
        const row = await db.row(
          q.insertOrg(org.id, org.name, org.createdAt, org.updatedAt, limits.apps, limits.members, limits['dyno-units']),
        )
        if (!row) throw conflict(`The org name ${org.name} is already taken: choose another name.`)
      },
      async update(org: Org) {
        const {limits} = org
        const row = await db.row(q.updateOrg(org.name, org.updatedAt, limits.apps, limits.members, limits['dyno-units']))
        if (!row) throw missing('org', org.name)
        db.touchOrg(row.id)
      },
      async rename(from: string, to: string) {
        const ref = await db.row(q.orgRef(from))
        if (!ref) throw missing('org', from)
        if (from === to) return
        // Apps, members and history refer to the org by id: one row changes.
        const row = await db.row(q.renameOrg(from, to))
        if (!row) throw conflict(`The org name ${to} is already taken: choose another name.`)
        db.touchOrg(row.id)
      },
      async remove(name: string) {
        const ref = await db.row(q.orgRef(name))
        if (!ref) return
        if (!(await db.row(q.removeOrg(name)))) throw new Error(`The org ${name} still has apps: move or destroy them first.`)
      },
    },

    members: {
      ...reads.members,
      async put(org: string, m: Membership) {
        const row = await db.row(q.putMember(org, m.id, m.email, m.userId ?? null, m.role, m.createdAt, m.updatedAt))
        if (!row) throw missing('org', org)
        db.touchOrg(row.org_id, arrived(row.refs))
      },
      async remove(org: string, email: string) {
        const row = await db.row(q.removeMember(org, email))
        if (row) db.touchOrg(row.org_id, left(row.refs))
      },
    },

    apps: {
      ...reads.apps,
      async insert(app: App) {
        const {owner} = app
        const row = await db.row(
          q.insertApp(
            app.id,
            app.name,
            owner.kind === 'user' ? owner.email : null,
            owner.kind === 'org' ? owner.name : null,
            app.region,
            app.locked,
            app.createdAt,
            app.updatedAt,
          ),
        )
        if (!row) throw conflict(`The app name ${app.name} is already taken: choose another, or leave it out to get a generated one.`)
        db.touchOrg(row.owner_org_id)
      },
      async update(app: App) {
        const {owner} = app
        const row = await db.row(
          q.updateApp(
            app.name,
            owner.kind === 'user' ? owner.email : null,
            owner.kind === 'org' ? owner.name : null,
            app.locked,
            app.updatedAt,
          ),
        )
        if (!row) throw missing('app', app.name)
        db.touchApp(row.id)
        if (row.old_org === row.new_org) return db.touchOrg(row.new_org)
        if (row.old_org) db.touchOrg(row.old_org, -(await db.row(q.peopleDownForApp(row.old_org, row.id)))!.gone)
        if (row.new_org) db.touchOrg(row.new_org, (await db.row(q.peopleUpForApp(row.new_org, row.id)))!.added)
      },
      async remove(name: string) {
        const row = await db.row(q.removeApp(name))
        if (row) db.touchOrg(row.owner_org_id, -row.gone)
      },
    },

    collaborators: {
      ...reads.collaborators,
      async put(app: string, c: Collaborator) {
        const row = await db.row(q.putCollaborator(app, c.id, c.email, c.permissions, c.createdAt, c.updatedAt))
        if (!row) throw missing('app', app)
        db.touchApp(row.id)
        db.touchOrg(row.owner_org_id, arrived(row.refs))
      },
      async remove(app: string, email: string) {
        const row = await db.row(q.removeCollaborator(app, email))
        if (!row) return
        db.touchApp(row.id)
        db.touchOrg(row.owner_org_id, left(row.refs))
      },
      async removeAll(app: string) {
        const row = await db.row(q.removeCollaborators(app))
        if (!row) return
        db.touchApp(row.id)
        db.touchOrg(row.owner_org_id, -row.gone)
      },
    },

    formation: {
      ...reads.formation,
      async replace(app: string, entries: readonly FormationEntry[]) {
        const ref = await appRef(app)
        await db.rows(q.clearFormation(ref.id))
        if (entries.length > 0) {
          const column = <K extends keyof FormationEntry>(key: K) => entries.map((entry) => entry[key])
          await db.rows(
            q.insertFormation(
              ref.id,
              column('id'),
              column('type'),
              column('quantity'),
              column('size'),
              column('createdAt'),
              column('updatedAt'),
            ),
          )
        }
        db.touchApp(ref.id)
        db.touchOrg(ref.owner_org_id)
      },
    },

    transfers: {
      ...reads.transfers,
      async insert(t: Transfer) {
        const row = await db.row(q.insertTransfer(t.id, t.app, t.appId, t.from, t.to, t.state, t.createdAt, t.updatedAt))
        if (!row) throw conflict(`${t.app} already has a pending transfer: cancel it first, or wait for its answer.`)
        db.touchApp(t.appId)
      },
      async update(t: Transfer) {
        const row = await db.row(q.updateTransfer(t.id, t.state, t.updatedAt))
        if (!row) throw missing('transfer', t.id)
        db.touchApp(row.app_id)
      },
      async remove(id: string) {
        db.touchApp((await db.row(q.removeTransfer(id)))?.app_id)
      },
    },

    tokens: {
      ...reads.tokens,
      async insert(token: Token) {
        await db.rows(q.insertToken(token.id, token.email, token.hash, token.description, token.createdAt))
      },
      async remove(id: string) {
        await db.rows(q.removeToken(id))
      },
    },

    sessions: {
      ...reads.sessions,
      async insert(session) {
        const {hash, kind, email, createdAt, expiresAt} = session
        // As the memory engine (a hash of 256 random bits: never in practice).
        if (!(await db.row(q.insertSession(hash, kind, email, createdAt, expiresAt)))) {
          throw conflict('That Dashboard session exists already: sign in again.')
        }
      },
      async remove(hash) {
        return (await db.row(q.removeSession(hash))) !== undefined
      },
      async removeOf(email) {
        return (await db.row(q.removeSessionsOf(email)))!.n as number
      },
      async prune(now) {
        return (await db.row(q.pruneSessions(now)))!.n as number
      },
    },

    operators: {
      ...reads.operators,
      async add(operator) {
        return (await db.row(q.addOperator(operator.email, operator.createdAt))) !== undefined
      },
      async remove(email) {
        return (await db.row(q.removeOperator(email))) !== undefined
      },
    },

    history: {
      ...reads.history,
      async putDay(org: string, day: UsageDay, keep: number) {
        const row = await db.row(q.putDay(org, day.date, day.apps, day.members, day.dynoUnits))
        if (!row) throw missing('org', org)
        db.touchOrg(row.org_id)
        // Only a new day can make too many (a member add mostly rewrites today's).
        if (keep <= 0) await db.rows(q.clearDays(row.org_id))
        else if (row.inserted) await db.rows(q.trimDays(row.org_id, keep))
      },
      async appendLedger(org: string, entry: LedgerEntry) {
        const row = await db.row(q.appendLedger(org, entry.at, entry.app, entry.dynoUnits, entry.monthlyCents))
        if (!row) throw missing('org', org)
        db.touchOrg(row.org_id)
      },
      async replaceLedger(org: string, entries: readonly LedgerEntry[]) {
        const ref = await db.row(q.orgRef(org))
        if (!ref) throw missing('org', org)
        await db.rows(q.clearLedger(org))
        if (entries.length > 0) {
          const column = <K extends keyof LedgerEntry>(key: K) => entries.map((entry) => entry[key])
          await db.rows(q.insertLedger(org, column('at'), column('app'), column('dynoUnits'), column('monthlyCents')))
        }
        db.touchOrg(ref.id)
      },
    },
  }
}
