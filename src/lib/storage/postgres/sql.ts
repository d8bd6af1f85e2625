/**
 * The statements of the PostgreSQL engine, each a named (prepared) statement: parsed and planned once per
 * connection, then only bound and run. Parameters of INSERT ... SELECT carry explicit casts, since their
 * types are not taken from the target columns there.
 */
import type {QueryConfig} from 'pg'

import {DYNO_SIZES} from '../../domain/types.js'

/** A statement of fixed text under a name: `statement(values)` is what `client.query` takes. */
export function named(name: string, text: string): (...values: unknown[]) => QueryConfig {
  return (...values) => ({name, text, values})
}

/** The id of the org, or of the app, named by a parameter. */
export const ORG_ID = (param: string) => `(SELECT id FROM orgs WHERE name = ${param})`
export const APP_ID = (param: string) => `(SELECT id FROM apps WHERE name = ${param})`

/** Used by reads and by users.ensure (a statement name must be prepared once). */
export const userByEmail = named('user-by-email', 'SELECT id, email, created_at FROM users WHERE email = $1')

/** Dyno units per size, as a table for joins: built from the domain's own table, so it is said once. */
export const SIZE_UNITS = `(VALUES ${Object.entries(DYNO_SIZES)
  .map(([size, {units}]) => `('${size}', ${units})`)
  .join(', ')}) AS s(size, units)`

export const ORG_COLUMNS = 'o.id, o.name, o.created_at, o.updated_at, o.limit_apps, o.limit_members, o.limit_dyno_units'
export const APP_COLUMNS = 'a.id, a.name, a.owner_email, ao.name AS owner_org, a.region, a.locked, a.created_at, a.updated_at'
/** Apps with the name of their owner org. */
export const APPS = 'apps a LEFT JOIN orgs ao ON ao.id = a.owner_org_id'
export const MEMBER_COLUMNS = 'm.id, m.email, m.user_id, m.role, m.created_at, m.updated_at'
export const COLLABORATOR_COLUMNS = 'c.id, c.email, c.permissions, c.created_at, c.updated_at'
export const FORMATION_COLUMNS = 'f.id, f.type, f.quantity, f.size, f.created_at, f.updated_at'
export const TRANSFER_COLUMNS = 't.id, t.app, t.app_id, t.from_email, t.to_email, t.state, t.created_at, t.updated_at'
export const TOKEN_COLUMNS = 'k.id, k.email, k.hash, k.description, k.created_at'
/** Oldest first, the id breaking ties byte-wise (ids are not COLLATE "C" columns). */
export const BY_CREATION = (alias: string) => `${alias}.created_at, ${alias}.id COLLATE "C"`
