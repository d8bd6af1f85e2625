/**
 * The resources both backends return, shaped like Heroku Platform API v3
 * resources so jq filters written for Heroku work. Fields marked "extension"
 * have no Heroku counterpart.
 */

export interface Ref {
  id: string
  name: string
}

export interface UserRef {
  id: string
  email: string
}

export interface Account {
  id: string
  email: string
  name: string | null
  created_at: string
  updated_at: string
  default_team: Ref | null
  default_organization: Ref | null
}

export interface Limits {
  apps: number
  members: number
  'dyno-units': number
}

export interface Team {
  id: string
  name: string
  role: 'admin' | 'member' | 'collaborator'
  type: 'team'
  default: boolean
  membership_limit: number
  credit_card_collections: boolean
  enterprise_account: null
  identity_provider: null
  provisioned_licenses: boolean
  created_at: string
  updated_at: string
  /** extension: the org's resource limits */
  limits: Limits
}

/** What creating a team answers: role null when the caller is not a member (an operator who made it for its first admin). */
export type CreatedTeam = Omit<Team, 'role'> & {role: Team['role'] | null}

export interface TeamInfo extends Team {
  /** extension: current use of each limited resource */
  usage: Limits
}

export interface TeamMember {
  id: string
  email: string
  role: 'admin' | 'member' | 'collaborator' | null
  federated: boolean
  two_factor_authentication: boolean
  identity_provider: null
  user: {id: string; email: string; name: null}
  created_at: string
  updated_at: string
}

export interface App {
  id: string
  name: string
  owner: UserRef
  team: Ref | null
  organization: Ref | null
  locked: boolean
  /** team-app: whether the acting user is a collaborator on it */
  joined: boolean
  region: Ref
  stack: Ref
  build_stack: Ref
  space: null
  internal_routing: null
  maintenance: boolean
  /** null: the app lives on no git host (orgctl's own apps); a real Platform API gives its URL. */
  git_url: string | null
  /** null: the app is served at no web address orgctl knows of. */
  web_url: string | null
  released_at: string | null
  archived_at: null
  created_at: string
  updated_at: string
}

export interface Permission {
  name: string
  description: string
}

export interface Collaborator {
  id: string
  app: Ref
  user: {id: string; email: string; federated: boolean}
  role: 'owner' | 'admin' | 'member' | 'collaborator' | null
  permissions: Permission[]
  created_at: string
  updated_at: string
}

export interface AppTransfer {
  id: string
  app: Ref
  owner: UserRef
  recipient: UserRef
  state: 'pending' | 'accepted' | 'declined' | 'cancelled'
  created_at: string
  updated_at: string
}

/** The answer to a transfer request: the app where it now is, or the pending transfer. */
export interface TransferResult {
  app: App
  /** Present when the move awaits the recipient (personal to personal). */
  transfer?: AppTransfer
  /** extension: false when the app was already owned by the recipient (nothing changed) */
  moved: boolean
}

export interface Formation {
  id: string
  app: Ref
  type: string
  quantity: number
  size: string
  command: string
  created_at: string
  updated_at: string
}

/** extension: current use of each limited resource, and optionally its daily history. */
export interface TeamUsage {
  team: Ref
  resources: {name: keyof Limits; used: number; limit: number}[]
  history?: {date: string; apps: number; members: number; 'dyno-units': number}[]
}

/** extension: an org's limits with their current use, and who may change them */
export interface TeamLimits {
  team: Ref
  resources: {name: keyof Limits; used: number; limit: number}[]
  /** operators once one is named on the platform, else the team's admins */
  set_by: 'operators' | 'admins'
}

/** extension: this month's estimated charges, in US dollars. */
export interface TeamBilling {
  team: Ref
  month: string
  period_start: string
  period_end: string
  currency: 'USD'
  apps: {app_name: string; dyno_units: number; monthly_rate: number; to_date: number; projected: number}[]
  total_to_date: number
  total_projected: number
}

export interface Authorization {
  id: string
  description: string
  created_at: string
  user: UserRef
  access_token: {token: string; expires_in: null; id: string} | null
}

/** team-daily-usage / team-monthly-usage: `dynos` is the peak of dyno units in the period. */
export interface TeamPeriodUsage {
  id: string
  name: string
  date?: string
  month?: string
  dynos: number
  addons: number
  data: number
  partner: number
  space: number
  apps: {app_name: string; dynos: number; addons: number; data: number; partner: number}[]
}

/** One change in an org's audit log (extension: Heroku keeps audit trails behind an Enterprise add-on). */
/** A one-time link that opens the Dashboard signed in (`orgctl dashboard`): its path on the server, with the code. */
export interface DashboardLink {
  /** null on a dry run (`Dry-Run: true`): no link was stored, so none is shown. */
  path: string | null
  expires_at: string
}

export interface AuditEvent {
  id: string
  created_at: string
  /** `resource.verb`, such as `team-member.create`. */
  action: string
  actor: UserRef
  target: {type: string; name: string}
  team: Ref | null
  app: Ref | null
  data: {before: unknown; after: unknown}
  request_id: string | null
}

/** access:check (extension): whether a user holds a permission on an app, and why. */
export interface AccessCheck {
  allowed: boolean
  email: string
  app: string
  permission: 'view' | 'deploy' | 'operate' | 'manage'
  via: string
}

/** An org's whole access state (extension, for access as code): memberships, apps, collaborators. */
export interface TeamAccess {
  team: Ref
  members: {email: string; role: 'admin' | 'member' | 'collaborator'}[]
  apps: {
    id: string
    name: string
    locked: boolean
    collaborators: {email: string; permissions: ('view' | 'deploy' | 'operate' | 'manage')[]}[]
  }[]
}
