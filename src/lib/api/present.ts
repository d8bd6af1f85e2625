/** Domain objects to API resources: the one place the wire shape is decided. */
import type {AccessView} from '../domain/access.js'
import type {OrgAccessState} from '../domain/access-state.js'
import type {AccessCheck} from '../domain/checks.js'
import {derivedId} from '../domain/ids.js'
import type {MemberView} from '../domain/members.js'
import type {CreatedOrg, OrgLimits, OrgUsage, OrgView} from '../domain/orgs.js'
import {
  type App as DomainApp,
  type FormationEntry,
  type Org,
  PERMISSION_DESCRIPTIONS,
  type StoredAuditEvent,
  type User,
} from '../domain/types.js'
import type {AppView, AuthorizationView, TransferView, UserRef} from '../domain/views.js'
import type {Billing, Usage} from '../domain/usage.js'
import {TEAM_OWNER_DOMAIN} from '../domain/validation.js'
import type * as R from './resources.js'

export {TEAM_OWNER_DOMAIN}

function userRef(user: UserRef): R.UserRef {
  return {id: user.id ?? derivedId('user', user.email), email: user.email}
}

export function presentAccount(user: User, defaultTeam?: Org): R.Account {
  const team = defaultTeam ? {id: defaultTeam.id, name: defaultTeam.name} : null
  return {
    id: user.id,
    email: user.email,
    name: null,
    created_at: user.createdAt,
    updated_at: user.createdAt,
    default_team: team,
    default_organization: team,
  }
}

export function presentTeam({org, role}: OrgView): R.Team {
  return {
    id: org.id,
    name: org.name,
    role,
    type: 'team',
    default: false,
    membership_limit: org.limits.members,
    credit_card_collections: false,
    enterprise_account: null,
    identity_provider: null,
    provisioned_licenses: false,
    created_at: org.createdAt,
    updated_at: org.updatedAt,
    limits: {...org.limits},
  }
}

export function presentCreatedTeam({org, role}: CreatedOrg): R.CreatedTeam {
  return {...presentTeam({org, role: 'admin'}), role}
}

export function presentTeamInfo(view: OrgView & {usage: Usage}): R.TeamInfo {
  return {...presentTeam(view), usage: {...view.usage}}
}

export function presentMember(view: MemberView): R.TeamMember {
  const {org} = view
  const user = userRef({email: view.email, id: view.userId})
  // Someone an app is shared with joined the list when they were first given access.
  const at = view.membership?.createdAt ?? view.since ?? org.createdAt
  return {
    id: view.membership?.id ?? derivedId(`member:${org.name}`, view.email),
    email: view.email,
    role: view.role,
    federated: false,
    two_factor_authentication: false,
    identity_provider: null,
    user: {id: user.id, email: user.email, name: null},
    created_at: at,
    updated_at: view.membership?.updatedAt ?? view.since ?? at,
  }
}

/** A removal that found nobody: the same shape, with no role. */
export function presentAbsentMember(view: MemberView): R.TeamMember {
  return {...presentMember(view), role: null}
}

export function presentApp({app, team: found, owner: user, joined}: AppView): R.App {
  const team = found ? {id: found.id, name: found.name} : null
  const owner = found ? {id: found.id || derivedId('org', found.name), email: `${found.name}${TEAM_OWNER_DOMAIN}`} : userRef(user!)
  const stack = {id: derivedId('stack', 'heroku-24'), name: 'heroku-24'}
  return {
    id: app.id,
    name: app.name,
    owner,
    team,
    organization: team,
    locked: app.locked,
    joined,
    region: {id: derivedId('region', app.region), name: app.region},
    stack,
    build_stack: stack,
    space: null,
    internal_routing: null,
    maintenance: false,
    // orgctl hosts nothing: no made-up herokuapp.com or git.heroku.com addresses.
    git_url: null,
    web_url: null,
    released_at: null,
    archived_at: null,
    created_at: app.createdAt,
    updated_at: app.updatedAt,
  }
}

export function presentAccess(view: AccessView): R.Collaborator {
  const {app} = view
  const user = userRef(view.user)
  const at = view.collaborator?.createdAt ?? view.since ?? app.createdAt
  return {
    id: view.collaborator?.id ?? derivedId(`collaborator:${app.name}`, view.user.email),
    app: {id: app.id, name: app.name},
    user: {id: user.id, email: user.email, federated: false},
    role: view.role,
    permissions: view.permissions.map((name) => ({name, description: PERMISSION_DESCRIPTIONS[name]})),
    created_at: at,
    updated_at: view.collaborator?.updatedAt ?? at,
  }
}

/** A removal that found nobody: the same shape, with no role and no permissions. */
export function presentAbsentAccess(view: AccessView): R.Collaborator {
  return {...presentAccess({...view, role: 'collaborator', permissions: [], collaborator: undefined}), role: null}
}

export function presentTransfer({transfer, owner, recipient}: TransferView): R.AppTransfer {
  return {
    id: transfer.id,
    app: {id: transfer.appId, name: transfer.app},
    owner: userRef(owner),
    recipient: userRef(recipient),
    state: transfer.state,
    created_at: transfer.createdAt,
    updated_at: transfer.updatedAt,
  }
}

export function presentFormation(app: DomainApp, entry: FormationEntry): R.Formation {
  return {
    id: entry.id,
    app: {id: app.id, name: app.name},
    type: entry.type,
    quantity: entry.quantity,
    size: entry.size,
    command: entry.type === 'web' ? 'npm start' : `npm run ${entry.type}`,
    created_at: entry.createdAt,
    updated_at: entry.updatedAt,
  }
}

export function presentUsage(view: OrgUsage, withHistory: boolean): R.TeamUsage {
  const usage: R.TeamUsage = {
    team: {id: view.org.id, name: view.org.name},
    resources: (['apps', 'members', 'dyno-units'] as const).map((name) => ({name, used: view.usage[name], limit: view.org.limits[name]})),
  }
  if (withHistory) {
    usage.history = view.history.map((day) => ({date: day.date, apps: day.apps, members: day.members, 'dyno-units': day.dynoUnits}))
  }
  return usage
}

export function presentLimits(view: OrgLimits): R.TeamLimits {
  return {
    team: {id: view.org.id, name: view.org.name},
    resources: (['apps', 'members', 'dyno-units'] as const).map((name) => ({name, used: view.usage[name], limit: view.org.limits[name]})),
    set_by: view.setBy,
  }
}

const dollars = (cents: number): number => Math.round(cents) / 100

export function presentBilling(org: Org, billing: Billing): R.TeamBilling {
  return {
    team: {id: org.id, name: org.name},
    month: billing.month,
    period_start: billing.periodStart,
    period_end: billing.periodEnd,
    currency: 'USD',
    apps: billing.apps.map((app) => ({
      app_name: app.app,
      dyno_units: app.dynoUnits,
      monthly_rate: dollars(app.monthlyCents),
      to_date: dollars(app.toDateCents),
      projected: dollars(app.projectedCents),
    })),
    total_to_date: dollars(billing.toDateCents),
    total_projected: dollars(billing.projectedCents),
  }
}

/** An authorization; the token itself only once, when it is minted. */
export function presentAuthorization({record, user, token}: AuthorizationView): R.Authorization {
  return {
    id: record.id,
    description: record.description,
    created_at: record.createdAt,
    user: userRef(user),
    access_token: token === undefined ? null : {token, expires_in: null, id: record.id},
  }
}

/** Daily or monthly peaks, between start and end (inclusive, by date or month). */
export function presentPeriodUsage(view: OrgUsage, period: 'daily' | 'monthly', start?: string, end?: string): R.TeamPeriodUsage[] {
  const keyOf = (date: string) => (period === 'daily' ? date : date.slice(0, 7))
  const peaks = new Map<string, number>()
  for (const day of view.history) {
    const key = keyOf(day.date)
    if ((start && key < start) || (end && key > end)) continue
    peaks.set(key, Math.max(peaks.get(key) ?? 0, day.dynoUnits))
  }
  return [...peaks].map(([key, dynos]) => ({
    id: view.org.id,
    name: view.org.name,
    ...(period === 'daily' ? {date: key} : {month: key}),
    dynos,
    addons: 0,
    data: 0,
    partner: 0,
    space: 0,
    apps: [],
  }))
}

export function presentAuditEvent(event: StoredAuditEvent): R.AuditEvent {
  return {
    id: event.id,
    created_at: event.createdAt,
    action: event.action,
    actor: userRef(event.actor),
    target: {type: event.target.type, name: event.target.name},
    team: event.org ? {id: event.org.id, name: event.org.name} : null,
    app: event.app ? {id: event.app.id, name: event.app.name} : null,
    data: {before: event.data.before ?? null, after: event.data.after ?? null},
    request_id: event.requestId ?? null,
  }
}

export function presentAccessCheck(check: AccessCheck): R.AccessCheck {
  return {allowed: check.allowed, email: check.email, app: check.app.name, permission: check.permission, via: check.via}
}

export function presentTeamAccess(state: OrgAccessState): R.TeamAccess {
  return {
    team: {id: state.org.id, name: state.org.name},
    members: state.members.map(({email, role}) => ({email, role})),
    apps: state.apps.map(({app, collaborators}) => ({
      id: app.id,
      name: app.name,
      locked: app.locked,
      collaborators: collaborators.map(({email, permissions}) => ({email, permissions: [...permissions]})),
    })),
  }
}
