/**
 * Every route of the Platform API that orgctl speaks, once: the server registers exactly these, and
 * the HTTP backend builds its paths from them, so a path cannot be typed twice and drift.
 * A `{param}` names what goes there; each takes a name or an id, as on Heroku.
 */

export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'

export interface Route<P extends string = string> {
  readonly method: Method
  readonly path: P
  /** Heroku's name for the link (schema title), or "extension". */
  readonly title: string
}

const route = <P extends string>(method: Method, path: P, title: string): Route<P> => ({method, path, title})

export const ROUTES = {
  account: route('GET', '/account', 'Account Info'),
  rateLimits: route('GET', '/account/rate-limits', 'Rate Limit Info'),
  userApps: route('GET', '/users/{user}/apps', 'App List Owned and Collaborated'),
  createAuthorization: route('POST', '/oauth/authorizations', 'OAuth Authorization Create'),
  listAuthorizations: route('GET', '/oauth/authorizations', 'OAuth Authorization List'),
  getAuthorization: route('GET', '/oauth/authorizations/{authorization}', 'OAuth Authorization Info'),
  revokeAuthorization: route('DELETE', '/oauth/authorizations/{authorization}', 'OAuth Authorization Delete'),
  permissions: route('GET', '/teams/permissions', 'Team App Permission List'),
  createDashboardLink: route('POST', '/account/dashboard-links', 'extension'),

  listTeams: route('GET', '/teams', 'Team List'),
  createTeam: route('POST', '/teams', 'Team Create'),
  getTeam: route('GET', '/teams/{team}', 'Team Info'),
  updateTeam: route('PATCH', '/teams/{team}', 'Team Update'),
  destroyTeam: route('DELETE', '/teams/{team}', 'Team Delete'),
  teamLimits: route('GET', '/teams/{team}/limits', 'extension'),
  updateTeamLimits: route('PATCH', '/teams/{team}/limits', 'extension'),
  teamFeatures: route('GET', '/teams/{team}/features', 'Team Feature List'),
  teamInvitations: route('GET', '/teams/{team}/invitations', 'Team Invitation List'),
  teamDelinquency: route('GET', '/teams/{team}/delinquency', 'Team Delinquency Info'),
  listMembers: route('GET', '/teams/{team}/members', 'Team Member List'),
  putMember: route('PUT', '/teams/{team}/members', 'Team Member Create or Update'),
  addMember: route('POST', '/teams/{team}/members', 'Team Member Create'),
  setMember: route('PATCH', '/teams/{team}/members', 'Team Member Update'),
  removeMember: route('DELETE', '/teams/{team}/members/{member}', 'Team Member Delete'),
  teamApps: route('GET', '/teams/{team}/apps', 'Team App List By Team'),
  teamDailyUsage: route('GET', '/teams/{team}/usage/daily', 'Team Daily Usage Info'),
  teamMonthlyUsage: route('GET', '/teams/{team}/usage/monthly', 'Team Monthly Usage Info'),
  teamResourceUsage: route('GET', '/teams/{team}/resource-usage', 'extension'),
  teamBilling: route('GET', '/teams/{team}/billing-estimate', 'extension'),
  teamAuditEvents: route('GET', '/teams/{team}/audit-events', 'extension'),
  teamAccess: route('GET', '/teams/{team}/access', 'extension'),

  listApps: route('GET', '/apps', 'App List'),
  createApp: route('POST', '/apps', 'App Create'),
  createTeamApp: route('POST', '/teams/apps', 'Team App Create'),
  getApp: route('GET', '/apps/{app}', 'App Info'),
  getTeamApp: route('GET', '/teams/apps/{app}', 'Team App Info'),
  updateApp: route('PATCH', '/apps/{app}', 'App Update'),
  updateTeamApp: route('PATCH', '/teams/apps/{app}', 'Team App Update Locked / Transfer'),
  destroyApp: route('DELETE', '/apps/{app}', 'App Delete'),
  destroyTeamApp: route('DELETE', '/teams/apps/{app}', 'extension'),
  listAddons: route('GET', '/apps/{app}/addons', 'Add-on List By App'),
  listDynos: route('GET', '/apps/{app}/dynos', 'Dyno List'),
  getDyno: route('GET', '/apps/{app}/dynos/{dyno}', 'Dyno Info'),
  listFormation: route('GET', '/apps/{app}/formation', 'Formation List'),
  getFormation: route('GET', '/apps/{app}/formation/{formation}', 'Formation Info'),
  batchUpdateFormation: route('PATCH', '/apps/{app}/formation', 'Formation Batch Update'),
  updateFormation: route('PATCH', '/apps/{app}/formation/{formation}', 'Formation Update'),

  listCollaborators: route('GET', '/apps/{app}/collaborators', 'Collaborator List'),
  addCollaborator: route('POST', '/apps/{app}/collaborators', 'Collaborator Create'),
  getCollaborator: route('GET', '/apps/{app}/collaborators/{collaborator}', 'Collaborator Info'),
  removeCollaborator: route('DELETE', '/apps/{app}/collaborators/{collaborator}', 'Collaborator Delete'),
  listTeamCollaborators: route('GET', '/teams/apps/{app}/collaborators', 'Team App Collaborator List'),
  addTeamCollaborator: route('POST', '/teams/apps/{app}/collaborators', 'Team App Collaborator Create'),
  getTeamCollaborator: route('GET', '/teams/apps/{app}/collaborators/{collaborator}', 'Team App Collaborator Info'),
  updateTeamCollaborator: route('PATCH', '/teams/apps/{app}/collaborators/{collaborator}', 'Team App Collaborator Update'),
  removeTeamCollaborator: route('DELETE', '/teams/apps/{app}/collaborators/{collaborator}', 'Team App Collaborator Delete'),
  accessCheck: route('GET', '/apps/{app}/access-checks/{user}/{permission}', 'extension'),
  accessHolders: route('GET', '/apps/{app}/access-holders/{permission}', 'extension'),

  listTransfers: route('GET', '/account/app-transfers', 'App Transfer List'),
  createTransfer: route('POST', '/account/app-transfers', 'App Transfer Create'),
  getTransfer: route('GET', '/account/app-transfers/{transfer}', 'App Transfer Info'),
  updateTransfer: route('PATCH', '/account/app-transfers/{transfer}', 'App Transfer Update'),
  deleteTransfer: route('DELETE', '/account/app-transfers/{transfer}', 'App Transfer Delete'),
} as const

export type RouteName = keyof typeof ROUTES

/** The names of a path's `{params}`. */
export type ParamsOf<P extends string> = P extends `${string}{${infer Name}}${infer Rest}` ? Name | ParamsOf<Rest> : never

/** A route's path with its params filled in, each percent-encoded. */
export function pathFor<P extends string>(
  route: Route<P>,
  ...params: [ParamsOf<P>] extends [never] ? [] : [Record<ParamsOf<P>, string>]
): string {
  const values = (params[0] ?? {}) as Record<string, string>
  return route.path.replace(/\{(\w+)\}/g, (_, name: string) => {
    const value = values[name]
    if (value === undefined) throw new Error(`pathFor ${route.path}: no value for {${name}}`)
    return encodeURIComponent(value)
  })
}

/** The path in the router's syntax (`/apps/:app`). */
export function routerPath(route: Route): string {
  return route.path.replace(/\{(\w+)\}/g, ':$1')
}

/** The names of a route's params, in order. */
export function paramNames(route: Route): string[] {
  return [...route.path.matchAll(/\{(\w+)\}/g)].map((match) => match[1]!)
}

/** The methods the table has for a concrete path (for 405 and Allow), in the table's order. */
export function methodsFor(path: string): Method[] {
  const methods: Method[] = []
  for (const entry of Object.values(ROUTES) as Route[]) {
    if (matcher(entry).test(path) && !methods.includes(entry.method)) methods.push(entry.method)
  }
  return methods
}

const matchers = new Map<string, RegExp>()
function matcher(entry: Route): RegExp {
  let found = matchers.get(entry.path)
  if (!found) {
    found = new RegExp(`^${entry.path.replace(/\{\w+\}/g, '[^/]+')}/?$`)
    matchers.set(entry.path, found)
  }
  return found
}
