/** Records for the storage tests: valid for every engine (the PostgreSQL schema checks names, roles, sizes). */
import type {
  App,
  AppPermission,
  Collaborator,
  DynoSize,
  FormationEntry,
  Membership,
  Org,
  OrgRole,
  Token,
  Transfer,
  User,
} from '../../src/lib/domain/types.js'

let n = 0
export const nextId = (prefix: string) => `${prefix}-${String(++n).padStart(6, '0')}`

/** A time on day `day` of November 2026 (and `ms` milliseconds into it), as the domain writes times. */
export const at = (day: number, ms = 0) => new Date(Date.UTC(2026, 10, day, 0, 0, 0, ms)).toISOString()

export const user = (email: string, day = 1): User => ({id: nextId('user'), email, createdAt: at(day)})

export const org = (name: string, limits = {apps: 100, members: 100, 'dyno-units': 100}): Org => ({
  id: nextId('org'),
  name,
  createdAt: at(1),
  updatedAt: at(1),
  limits: {...limits},
})

export const membership = (email: string, role: OrgRole = 'member', extra: Partial<Membership> = {}): Membership => ({
  id: nextId('mem'),
  email,
  role,
  createdAt: at(2),
  updatedAt: at(2),
  ...extra,
})

export const orgApp = (name: string, orgName: string, extra: Partial<App> = {}): App => ({
  id: nextId('app'),
  name,
  owner: {kind: 'org', name: orgName},
  region: 'us',
  locked: false,
  createdAt: at(3),
  updatedAt: at(3),
  ...extra,
})

export const personalApp = (name: string, email: string, extra: Partial<App> = {}): App => ({
  id: nextId('app'),
  name,
  owner: {kind: 'user', email},
  region: 'eu',
  locked: false,
  createdAt: at(3),
  updatedAt: at(3),
  ...extra,
})

export const collaborator = (email: string, day = 4, permissions: AppPermission[] = ['view']): Collaborator => ({
  id: nextId('col'),
  email,
  permissions,
  createdAt: at(day),
  updatedAt: at(day),
})

export const dyno = (type: string, quantity: number, size: DynoSize = 'standard-1x'): FormationEntry => ({
  id: nextId('dyno'),
  type,
  quantity,
  size,
  createdAt: at(5),
  updatedAt: at(5),
})

export const transfer = (
  app: App,
  from: string,
  to: string,
  day = 6,
  state: Transfer['state'] = 'pending',
  id = nextId('tr'),
): Transfer => ({
  id,
  app: app.name,
  appId: app.id,
  from,
  to,
  state,
  createdAt: at(day),
  updatedAt: at(day),
})

export const token = (email: string, hashChar: string, day = 7, id = nextId('tok')): Token => ({
  id,
  email,
  hash: hashChar.repeat(64),
  description: `token ${hashChar}`,
  createdAt: at(day),
})
