/** The read repositories of the PostgreSQL engine: one statement per answer, over a Session. */
import type {OrgFigures, OutsideCollaborator, ReadTx, StampScope} from '../storage.js'
import {appOf, collaboratorOf, dayOf, formationOf, ledgerOf, membershipOf, orgOf, sessionOf, tokenOf, transferOf, userOf} from './rows.js'
import {auditReads} from './pg-audit.js'
import type {Session} from './session.js'
import {
  APP_COLUMNS,
  APP_ID,
  APPS,
  BY_CREATION,
  COLLABORATOR_COLUMNS,
  FORMATION_COLUMNS,
  MEMBER_COLUMNS,
  named,
  ORG_COLUMNS,
  ORG_ID,
  SIZE_UNITS,
  TOKEN_COLUMNS,
  TRANSFER_COLUMNS,
  userByEmail,
} from './sql.js'

const q = {
  userByEmail,
  userById: named('user-by-id', 'SELECT id, email, created_at FROM users WHERE id = $1'),
  userIds: named('user-ids', 'SELECT email, id FROM users WHERE email = ANY($1::text[])'),
  orgByName: named('org-by-name', `SELECT ${ORG_COLUMNS} FROM orgs o WHERE o.name = $1`),
  orgById: named('org-by-id', `SELECT ${ORG_COLUMNS} FROM orgs o WHERE o.id = $1`),
  orgsWithMember: named(
    'orgs-with-member',
    `SELECT ${ORG_COLUMNS}, m.id AS m_id, m.user_id, m.role, m.created_at AS m_created_at, m.updated_at AS m_updated_at
       FROM memberships m JOIN orgs o ON o.id = m.org_id WHERE m.email = $1 ORDER BY o.name`,
  ),
  orgsWithCollaborator: named(
    'orgs-with-collaborator',
    `SELECT ${ORG_COLUMNS} FROM orgs o
      WHERE o.id IN (SELECT a.owner_org_id FROM collaborators c JOIN apps a ON a.id = c.app_id WHERE c.email = $1)
      ORDER BY o.name`,
  ),
  member: named('member-get', `SELECT ${MEMBER_COLUMNS} FROM memberships m WHERE m.org_id = ${ORG_ID('$1')} AND m.email = $2`),
  members: named('member-list', `SELECT ${MEMBER_COLUMNS} FROM memberships m WHERE m.org_id = ${ORG_ID('$1')} ORDER BY m.email`),
  membersByEmails: named(
    'member-by-emails',
    `SELECT ${MEMBER_COLUMNS} FROM memberships m WHERE m.org_id = ${ORG_ID('$1')} AND m.email = ANY($2::text[]) ORDER BY m.email`,
  ),
  // The member list is memberships plus the people an org app is shared with.
  inList: named(
    'member-in-list',
    `SELECT m.email FROM memberships m WHERE m.org_id = ${ORG_ID('$1')} AND m.email = ANY($2::text[])
     UNION
     SELECT c.email FROM collaborators c JOIN apps a ON a.id = c.app_id
      WHERE a.owner_org_id = ${ORG_ID('$1')} AND c.email = ANY($2::text[])`,
  ),
  admins: named(
    'member-admins',
    `SELECT ${MEMBER_COLUMNS} FROM memberships m WHERE m.org_id = ${ORG_ID('$1')} AND m.role = 'admin' ORDER BY m.email`,
  ),
  appByName: named('app-by-name', `SELECT ${APP_COLUMNS} FROM ${APPS} WHERE a.name = $1`),
  appById: named('app-by-id', `SELECT ${APP_COLUMNS} FROM ${APPS} WHERE a.id = $1`),
  appsOfOrg: named('apps-of-org', `SELECT ${APP_COLUMNS} FROM ${APPS} WHERE a.owner_org_id = ${ORG_ID('$1')} ORDER BY a.name`),
  appsOwnedBy: named('apps-owned-by', `SELECT ${APP_COLUMNS} FROM ${APPS} WHERE a.owner_email = $1 ORDER BY a.name`),
  appsSharedWith: named(
    'apps-shared-with',
    `SELECT ${APP_COLUMNS} FROM collaborators c JOIN ${APPS} ON a.id = c.app_id WHERE c.email = $1 ORDER BY a.name`,
  ),
  // The member-list size is kept (orgs.member_count); apps and dyno units are counted over the org's apps only.
  figures: named(
    'org-figures',
    `SELECT o.id, o.member_count,
            (SELECT count(*)::int FROM apps a WHERE a.owner_org_id = o.id) AS apps,
            (SELECT coalesce(sum(f.quantity * s.units), 0)::int
               FROM apps a JOIN formation f ON f.app_id = a.id JOIN ${SIZE_UNITS} ON s.size = f.size
              WHERE a.owner_org_id = o.id) AS dyno_units
       FROM orgs o WHERE o.name = $1`,
  ),
  collaborator: named(
    'collaborator-get',
    `SELECT ${COLLABORATOR_COLUMNS} FROM collaborators c WHERE c.app_id = ${APP_ID('$1')} AND c.email = $2`,
  ),
  collaborators: named(
    'collaborator-list',
    `SELECT ${COLLABORATOR_COLUMNS} FROM collaborators c WHERE c.app_id = ${APP_ID('$1')} ORDER BY c.email`,
  ),
  collaboratorsOfOrg: named(
    'collaborator-of-org',
    `SELECT a.name AS app_name, ${COLLABORATOR_COLUMNS} FROM collaborators c JOIN apps a ON a.id = c.app_id
      WHERE a.owner_org_id = ${ORG_ID('$1')} ORDER BY a.name, c.email`,
  ),
  // By the person's collaborator rows (few), not by the org's apps (many).
  appsInOrg: named(
    'collaborator-apps-in-org',
    `SELECT a.name, c.created_at FROM collaborators c JOIN apps a ON a.id = c.app_id
      WHERE c.email = $2 AND a.owner_org_id = ${ORG_ID('$1')} ORDER BY a.name`,
  ),
  outside: named(
    'collaborator-outside',
    `SELECT c.email, min(c.created_at) AS since
       FROM collaborators c JOIN apps a ON a.id = c.app_id
      WHERE a.owner_org_id = ${ORG_ID('$1')}
        AND NOT EXISTS (SELECT 1 FROM memberships m WHERE m.org_id = a.owner_org_id AND m.email = c.email)
      GROUP BY c.email ORDER BY c.email`,
  ),
  formation: named('formation-of', `SELECT ${FORMATION_COLUMNS} FROM formation f WHERE f.app_id = ${APP_ID('$1')} ORDER BY f.type`),
  transferById: named('transfer-by-id', `SELECT ${TRANSFER_COLUMNS} FROM transfers t WHERE t.id = $1`),
  transferPending: named('transfer-pending', `SELECT ${TRANSFER_COLUMNS} FROM transfers t WHERE t.app_id = $1 AND t.state = 'pending'`),
  transfersInvolving: named(
    'transfers-involving',
    `SELECT ${TRANSFER_COLUMNS} FROM transfers t WHERE t.from_email = $1 OR t.to_email = $1 ORDER BY ${BY_CREATION('t')}`,
  ),
  tokenByHash: named('token-by-hash', `SELECT ${TOKEN_COLUMNS} FROM tokens k WHERE k.hash = $1`),
  tokensOf: named('tokens-of', `SELECT ${TOKEN_COLUMNS} FROM tokens k WHERE k.email = $1 ORDER BY ${BY_CREATION('k')}`),
  days: named('usage-days', `SELECT day, apps, members, dyno_units FROM usage_days WHERE org_id = ${ORG_ID('$1')} ORDER BY day`),
  lastDay: named(
    'usage-last-day',
    `SELECT day, apps, members, dyno_units FROM usage_days WHERE org_id = ${ORG_ID('$1')} ORDER BY day DESC LIMIT 1`,
  ),
  ledger: named('ledger', `SELECT at, app, dyno_units, monthly_cents FROM ledger_entries WHERE org_id = ${ORG_ID('$1')} ORDER BY seq`),
  oldestLedger: named('ledger-oldest', `SELECT at FROM ledger_entries WHERE org_id = ${ORG_ID('$1')} ORDER BY seq LIMIT 1`),
  operators: named('operators', 'SELECT email, created_at FROM operators ORDER BY email'),
  isOperator: named('operator-has', 'SELECT 1 FROM operators WHERE email = $1'),
  sessionByHash: named('session-by-hash', 'SELECT hash, kind, email, created_at, expires_at FROM dashboard_sessions WHERE hash = $1'),
  // An app's answers depend on its owner org too (roles there decide access to it): both in its stamp.
  stamp: named(
    'stamp',
    `SELECT (SELECT id || ':' || version FROM orgs WHERE name = $1) AS org,
            (SELECT a.id || ':' || a.version || ':' || coalesce(ao.id || ':' || ao.version, 'personal')
               FROM apps a LEFT JOIN orgs ao ON ao.id = a.owner_org_id WHERE a.name = $2) AS app`,
  ),
}

export function readRepositories(db: Session): ReadTx {
  return {
    audit: auditReads(db),
    async stamp(scope: StampScope) {
      if (scope.org === undefined && scope.app === undefined) return undefined
      // Inside a write the versions are bumped only at COMMIT: no key would be right yet (as on the memory engine).
      if (db.writing) return undefined
      const row = (await db.row(q.stamp(scope.org ?? null, scope.app ?? null)))!
      const parts: string[] = []
      if (scope.org !== undefined) parts.push(`org=${row.org ?? 'none'}`)
      if (scope.app !== undefined) parts.push(`app=${row.app ?? 'none'}`)
      return parts.join(' ')
    },

    users: {
      async byEmail(email) {
        const row = await db.row(q.userByEmail(email))
        return row && userOf(row)
      },
      async byId(id) {
        const row = await db.row(q.userById(id))
        return row && userOf(row)
      },
      async idsByEmail(emails) {
        const ids = new Map<string, string>()
        if (emails.length === 0) return ids
        for (const row of await db.rows(q.userIds([...emails]))) ids.set(row.email, row.id)
        return ids
      },
    },

    orgs: {
      async byName(name) {
        const row = await db.row(q.orgByName(name))
        return row && orgOf(row)
      },
      async byId(id) {
        const row = await db.row(q.orgById(id))
        return row && orgOf(row)
      },
      async withMember(email) {
        return (await db.rows(q.orgsWithMember(email))).map((row) => ({
          org: orgOf(row),
          membership: membershipOf({...row, id: row.m_id, email, created_at: row.m_created_at, updated_at: row.m_updated_at}),
        }))
      },
      async withCollaborator(email) {
        return (await db.rows(q.orgsWithCollaborator(email))).map(orgOf)
      },
    },

    operators: {
      async list() {
        return (await db.rows(q.operators())).map((row) => ({email: row.email, createdAt: row.created_at}))
      },
      async has(email) {
        return (await db.row(q.isOperator(email))) !== undefined
      },
    },

    sessions: {
      async byHash(hash) {
        const row = await db.row(q.sessionByHash(hash))
        return row && sessionOf(row)
      },
    },

    members: {
      async get(org, email) {
        const row = await db.row(q.member(org, email))
        return row && membershipOf(row)
      },
      async list(org) {
        return (await db.rows(q.members(org))).map(membershipOf)
      },
      async byEmails(org, emails) {
        if (emails.length === 0) return []
        return (await db.rows(q.membersByEmails(org, [...emails]))).map(membershipOf)
      },
      async inList(org, emails) {
        if (emails.length === 0) return new Set()
        return new Set((await db.rows(q.inList(org, [...emails]))).map((row) => row.email as string))
      },
      async admins(org) {
        return (await db.rows(q.admins(org))).map(membershipOf)
      },
    },

    apps: {
      async byName(name) {
        const row = await db.row(q.appByName(name))
        return row && appOf(row)
      },
      async byId(id) {
        const row = await db.row(q.appById(id))
        return row && appOf(row)
      },
      async ofOrg(org) {
        return (await db.rows(q.appsOfOrg(org))).map(appOf)
      },
      async ownedBy(email) {
        return (await db.rows(q.appsOwnedBy(email))).map(appOf)
      },
      async sharedWith(email) {
        return (await db.rows(q.appsSharedWith(email))).map(appOf)
      },
      async figures(org): Promise<OrgFigures> {
        const row = await db.row(q.figures(org))
        if (!row) return {apps: 0, members: 0, dynoUnits: 0}
        // Plus what this write changed: the kept count is brought up to date at COMMIT.
        return {apps: row.apps, members: row.member_count + (db.orgs.get(row.id) ?? 0), dynoUnits: row.dyno_units}
      },
    },

    collaborators: {
      async get(app, email) {
        const row = await db.row(q.collaborator(app, email))
        return row && collaboratorOf(row)
      },
      async list(app) {
        return (await db.rows(q.collaborators(app))).map(collaboratorOf)
      },
      async ofOrg(org) {
        return (await db.rows(q.collaboratorsOfOrg(org))).map((row) => ({app: row.app_name as string, collaborator: collaboratorOf(row)}))
      },
      async inOrg(org, email) {
        return (await db.rows(q.appsInOrg(org, email))).length > 0
      },
      async appsInOrg(org, email) {
        return (await db.rows(q.appsInOrg(org, email))).map((row) => row.name as string)
      },
      async outsideMembers(org): Promise<OutsideCollaborator[]> {
        return (await db.rows(q.outside(org))).map((row) => ({email: row.email, since: row.since}))
      },
      async sinceInOrg(org, email) {
        let since: string | undefined
        for (const row of await db.rows(q.appsInOrg(org, email))) if (since === undefined || row.created_at < since) since = row.created_at
        return since
      },
    },

    formation: {
      async of(app) {
        return (await db.rows(q.formation(app))).map(formationOf)
      },
    },

    transfers: {
      async byId(id) {
        const row = await db.row(q.transferById(id))
        return row && transferOf(row)
      },
      async pendingFor(appId) {
        const row = await db.row(q.transferPending(appId))
        return row && transferOf(row)
      },
      async involving(email) {
        return (await db.rows(q.transfersInvolving(email))).map(transferOf)
      },
    },

    tokens: {
      async byHash(hash) {
        const row = await db.row(q.tokenByHash(hash))
        return row && tokenOf(row)
      },
      async of(email) {
        return (await db.rows(q.tokensOf(email))).map(tokenOf)
      },
    },

    history: {
      async days(org) {
        return (await db.rows(q.days(org))).map(dayOf)
      },
      async lastDay(org) {
        const row = await db.row(q.lastDay(org))
        return row && dayOf(row)
      },
      async ledger(org) {
        return (await db.rows(q.ledger(org))).map(ledgerOf)
      },
      async oldestLedgerAt(org) {
        return (await db.row(q.oldestLedger(org)))?.at
      },
    },
  }
}
