/** The domain model: what the store holds, in memory. */

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
  members: Map<string, Membership>
}

/** What an org has used over time: apart from the org, so that reading its members does not read it. */
export interface OrgHistory {
  usageHistory: UsageDay[]
  ledger: LedgerEntry[]
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
  collaborators: Map<string, Collaborator>
  formation: Map<string, FormationEntry>
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

/** What an org's apps add up to: everything about them that member lists, standings and limits need. */
export interface OrgAppsSummary {
  apps: number
  dynoUnits: number
  /** Everyone an app of the org is shared with. */
  collaborators: ReadonlySet<string>
  /** When each of them was first given access to one of its apps (absent in a summary kept without it). */
  since?: ReadonlyMap<string, string>
}

/** The whole state of the embedded store. */
export interface State {
  users: Map<string, User>
  orgs: Map<string, Org>
  /** By org name. */
  histories: Map<string, OrgHistory>
  apps: Map<string, App>
  transfers: Map<string, Transfer>
  tokens: Map<string, Token>
  /**
   * Each org's apps summed up, by org name, when the store kept it and the apps have not been read:
   * then a member list or a limit check need not read thousands of apps. Undefined otherwise
   * (count from `apps`); an org missing from it has no apps.
   */
  readonly orgAppsSummaries?: ReadonlyMap<string, OrgAppsSummary>
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

export function emptyState(): State {
  return {users: new Map(), orgs: new Map(), histories: new Map(), apps: new Map(), transfers: new Map(), tokens: new Map()}
}
