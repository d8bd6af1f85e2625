/** Rows of the PostgreSQL schema (migrations/0001_init.sql) as the domain's records. */
import type {
  App,
  AppPermission,
  Collaborator,
  DashboardSession,
  DynoSize,
  FormationEntry,
  LedgerEntry,
  Membership,
  Org,
  OrgRole,
  Region,
  Token,
  Transfer,
  TransferState,
  UsageDay,
  User,
} from '../../domain/types.js'

export type Row = Record<string, any>

export const userOf = (row: Row): User => ({id: row.id, email: row.email, createdAt: row.created_at})

export const orgOf = (row: Row): Org => ({
  id: row.id,
  name: row.name,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
  limits: {apps: row.limit_apps, members: row.limit_members, 'dyno-units': row.limit_dyno_units},
})

export function membershipOf(row: Row): Membership {
  const {id, email, role, created_at: createdAt, updated_at: updatedAt} = row
  // Absent, not undefined, when it was not kept: records compare equal to what was put.
  return row.user_id === null
    ? {id, email, role: role as OrgRole, createdAt, updatedAt}
    : {id, email, userId: row.user_id, role: role as OrgRole, createdAt, updatedAt}
}

export const appOf = (row: Row): App => ({
  id: row.id,
  name: row.name,
  owner: row.owner_org === null ? {kind: 'user', email: row.owner_email} : {kind: 'org', name: row.owner_org},
  region: row.region as Region,
  locked: row.locked,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
})

export const collaboratorOf = (row: Row): Collaborator => ({
  id: row.id,
  email: row.email,
  permissions: row.permissions as AppPermission[],
  createdAt: row.created_at,
  updatedAt: row.updated_at,
})

export const formationOf = (row: Row): FormationEntry => ({
  id: row.id,
  type: row.type,
  quantity: row.quantity,
  size: row.size as DynoSize,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
})

export const transferOf = (row: Row): Transfer => ({
  id: row.id,
  app: row.app,
  appId: row.app_id,
  from: row.from_email,
  to: row.to_email,
  state: row.state as TransferState,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
})

export const tokenOf = (row: Row): Token => ({
  id: row.id,
  email: row.email,
  hash: row.hash,
  description: row.description,
  createdAt: row.created_at,
})

export const dayOf = (row: Row): UsageDay => ({date: row.day, apps: row.apps, members: row.members, dynoUnits: row.dyno_units})

export const ledgerOf = (row: Row): LedgerEntry => ({at: row.at, app: row.app, dynoUnits: row.dyno_units, monthlyCents: row.monthly_cents})

export const sessionOf = (row: Row): DashboardSession => ({
  hash: row.hash,
  kind: row.kind,
  email: row.email,
  createdAt: row.created_at,
  expiresAt: row.expires_at,
})
