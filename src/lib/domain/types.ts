/** The domain model: the records every storage engine keeps (src/lib/storage/storage.ts). */

export const ORG_ROLES = ['admin', 'member', 'collaborator'] as const
/** A stored membership role. Heroku's `owner` is accepted on input as `admin`, `viewer` as `member`. */
export type OrgRole = (typeof ORG_ROLES)[number]

export const APP_PERMISSIONS = ['view', 'deploy', 'operate', 'manage'] as const
export type AppPermission = (typeof APP_PERMISSIONS)[number]

export const PERMISSION_DESCRIPTIONS: Record<AppPermission, string> = {
  view: 'Can view the app, its collaborators and its dynos.',
  deploy: 'Can deploy the app and change its config.',
  operate: 'Can scale and restart dynos.',
  manage: 'Can manage who has access to the app, and destroy it.',
}

export const REGIONS = ['us', 'eu'] as const
export type Region = (typeof REGIONS)[number]

export const LIMIT_NAMES = ['apps', 'members', 'dyno-units'] as const
export type LimitName = (typeof LIMIT_NAMES)[number]
export type Limits = Record<LimitName, number>

export interface User {
  id: string
  email: string
  createdAt: string
}

export interface Membership {
  id: string
  email: string
  /**
   * The member's user id, kept with the membership so that a member list needs no user records
   * (absent from memberships written before it was kept: then the user record gives it).
   */
  userId?: string
  role: OrgRole
  createdAt: string
  updatedAt: string
}

/** Usage on one day: the peak of each resource seen that day. */
export interface UsageDay {
  date: string
  apps: number
  members: number
  dynoUnits: number
}

/** A change of an app's dyno rate inside an org, for the billing estimate. */
export interface LedgerEntry {
  at: string
  app: string
  dynoUnits: number
  monthlyCents: number
}

export interface Org {
  id: string
  name: string
  createdAt: string
  updatedAt: string
  limits: Limits
}

/** Someone of the platform's people: once any is named, only they create orgs and change limits. */
export interface Operator {
  email: string
  createdAt: string
}

export type AppOwner = {kind: 'user'; email: string} | {kind: 'org'; name: string}

export interface Collaborator {
  id: string
  email: string
  permissions: AppPermission[]
  createdAt: string
  updatedAt: string
}

export interface FormationEntry {
  id: string
  type: string
  quantity: number
  size: DynoSize
  createdAt: string
  updatedAt: string
}

export interface App {
  id: string
  name: string
  owner: AppOwner
  region: Region
  locked: boolean
  createdAt: string
  updatedAt: string
}

export const TRANSFER_STATES = ['pending', 'accepted', 'declined'] as const
export type TransferState = (typeof TRANSFER_STATES)[number]

export interface Transfer {
  id: string
  app: string
  appId: string
  from: string
  to: string
  state: TransferState
  createdAt: string
  updatedAt: string
}

/** A transfer its sender withdrew: no longer in the store, reported as Heroku does. */
export type CancelledTransfer = Omit<Transfer, 'state'> & {state: 'cancelled'}

export interface Token {
  id: string
  email: string
  /** sha256 of the token, hex: the token itself is never stored. */
  hash: string
  description: string
  createdAt: string
}

/**
 * A Dashboard sign-in (src/lib/dashboard): a browser's session, or a one-time link that starts one
 * (`orgctl dashboard`). Kept in storage, so that every instance serving one database knows it.
 */
export interface DashboardSession {
  /** sha256 of its secret, hex: the secret (a cookie's value, a link's code) is never stored. */
  hash: string
  kind: 'session' | 'link'
  email: string
  createdAt: string
  /** When it stops working (ISO): a session some hours on, a link a couple of minutes. */
  expiresAt: string
}

/** As Heroku: at most 100 dynos of one type. */
export const MAX_DYNOS_PER_TYPE = 100

export const DYNO_SIZES = {
  'standard-1x': {units: 1, monthlyCents: 2500},
  'standard-2x': {units: 2, monthlyCents: 5000},
  'performance-m': {units: 8, monthlyCents: 25_000},
  'performance-l': {units: 16, monthlyCents: 50_000},
} as const
export type DynoSize = keyof typeof DYNO_SIZES

/** The actions the audit log records, `resource.verb` after Heroku's resources. */
export const AUDIT_ACTIONS = [
  'team.create',
  'team.update',
  'team.destroy',
  'team.limits-update',
  'operator.create',
  'operator.destroy',
  'team-member.create',
  'team-member.update',
  'team-member.destroy',
  'collaborator.create',
  'collaborator.update',
  'collaborator.destroy',
  'app.create',
  'app.destroy',
  'app.lock',
  'app.unlock',
  'app.transfer',
  'app-transfer.create',
  'app-transfer.accept',
  'app-transfer.decline',
  'app-transfer.cancel',
  'formation.update',
  'authorization.create',
  'dashboard.sign-in',
  'dashboard.sign-out',
  'authorization.destroy',
  'audit.prune',
] as const
export type AuditAction = (typeof AUDIT_ACTIONS)[number]

/**
 * One change, as the audit log keeps it: names are copied in (the history of a removed member or a
 * destroyed app stays readable), and the org is kept by id (an org created again under an old name
 * starts with an empty log). Never a token.
 */
export interface AuditEvent {
  id: string
  createdAt: string
  action: AuditAction
  actor: {email: string; id?: string}
  target: {type: string; name: string}
  /** The org the event belongs to (none: authorization and operator events). */
  org?: {id: string; name: string}
  app?: {id: string; name: string}
  data: {before: unknown; after: unknown}
  requestId?: string
}

/** An event as an engine hands it back: with its place in the log (larger: appended later). */
export interface StoredAuditEvent extends AuditEvent {
  seq: number
}
