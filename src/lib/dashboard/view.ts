/**
 * What a Dashboard page is given: who is signed in, the backend that acts for them (the same
 * LocalBackend the API's routes use: every rule is the domain's), and what the request asked.
 */
import type * as R from '../api/resources.js'
import type {LocalBackend} from '../backend/local-backend.js'
import type {Clock} from '../domain/context.js'
import {isAllowed, type Action} from '../domain/permissions.js'
import type {Html} from './html.js'

export interface View {
  email: string
  /** The session's CSRF token, for every form that changes something. */
  csrf: string
  backend: LocalBackend
  /** The server's clock (a filter's `7d` is counted back from it, as the API's is). */
  clock: Clock
  /** The path params (org, app, transfer id), as names. */
  params: Record<string, string>
  /** The query string. */
  query: URLSearchParams
  /** What the last change did, shown once at the top (after a redirect). */
  notice?: string
}

/** A form that was refused: shown again beside it, with what was typed. */
export interface FormProblem {
  form: string
  message: string
  values: URLSearchParams
}

/** A page: rendered for a GET, and again with the problem when one of its forms is refused. */
export type Page = (view: View, problem?: FormProblem) => Promise<Html>

/** The org tabs, each shown to those the matrix lets take its action (the domain still checks each request). */
export const ORG_TABS = [
  {id: 'access', label: 'Access', action: 'members:list'},
  {id: 'apps', label: 'Apps', action: undefined},
  {id: 'usage', label: 'Usage', action: 'orgs:usage'},
  {id: 'billing', label: 'Billing', action: 'orgs:billing'},
  {id: 'audit', label: 'Audit', action: 'audit:list'},
] as const satisfies readonly {id: string; label: string; action: Action | undefined}[]

export type OrgTab = (typeof ORG_TABS)[number]['id']

/** Whether the user's role in the org lets them take an org-wide action, by the permission matrix. */
export function mayInOrg(team: Pick<R.Team, 'name' | 'role'>, action: Action): boolean {
  return isAllowed(action, {standing: team.role, permissions: [], target: `org ${team.name}`})
}

/** The org tabs this role sees (Apps for everyone: a collaborator sees the apps shared with them). */
export function tabsFor(team: Pick<R.Team, 'name' | 'role'>): (typeof ORG_TABS)[number][] {
  return ORG_TABS.filter((tab) => tab.action === undefined || mayInOrg(team, tab.action))
}

/** A path segment. */
export const seg = (value: string) => encodeURIComponent(value)
export const orgPath = (org: string, tab?: string) => `/dashboard/orgs/${seg(org)}${tab ? `/${tab}` : ''}`
export const appPath = (org: string, app: string) => `/dashboard/orgs/${seg(org)}/apps/${seg(app)}`
