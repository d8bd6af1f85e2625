/**
 * The permission matrix, written down once as data and enforced in one place
 * (`authorize`). The README's table and `orgctl permissions` print it from here.
 */
import {forbidden, notFound} from '../errors.js'
import type {AppPermission} from './types.js'

/**
 * How the acting user stands towards an org or an app.
 * On an org app: the org role, else `collaborator` if the app is shared with them.
 * On a personal app: its owner stands as `admin`, a user it is shared with as `collaborator`.
 */
export const STANDINGS = ['admin', 'member', 'collaborator', 'none'] as const
export type Standing = (typeof STANDINGS)[number]

/** allow, deny, or allow when the user holds this permission on the app. */
export type Rule = 'allow' | 'deny' | {needs: AppPermission}

export type Scope = 'user' | 'org' | 'app'

export interface ActionRule {
  action: string
  scope: Scope
  /** The commands that perform it, for the docs. */
  commands: string
  /** Finishes "You cannot ...". */
  describe: string
  rules: Record<Standing, Rule>
  /** On a locked app only admins may do this. */
  lockedAdminsOnly?: boolean
  /** An operator (one of the platform's people, src/lib/domain/operators.ts) may do this on any org. */
  operator?: 'allow'
  /** Once any operator is named, only operators may do this; with none named, `rules` decide. */
  operatorsOnly?: boolean
}

const ALL: Record<Standing, Rule> = {admin: 'allow', member: 'allow', collaborator: 'allow', none: 'allow'}
const ADMIN: Record<Standing, Rule> = {admin: 'allow', member: 'deny', collaborator: 'deny', none: 'deny'}
const STAFF: Record<Standing, Rule> = {admin: 'allow', member: 'allow', collaborator: 'deny', none: 'deny'}
const needs = (permission: AppPermission, memberRule?: Rule): Record<Standing, Rule> => ({
  admin: 'allow',
  member: memberRule ?? {needs: permission},
  collaborator: {needs: permission},
  none: 'deny',
})

export const PERMISSION_MATRIX = [
  {action: 'orgs:list', scope: 'user', commands: 'orgs', describe: 'list your orgs', rules: ALL},
  {
    action: 'orgs:create',
    scope: 'user',
    commands: 'orgs:create',
    describe: 'create an org',
    rules: ALL,
    operator: 'allow',
    operatorsOnly: true,
  },
  {
    action: 'audit:prune',
    scope: 'user',
    commands: 'audit:prune, audit without --org',
    describe: 'prune the audit log, or read the events of no org',
    rules: ALL,
    operator: 'allow',
    operatorsOnly: true,
  },
  {action: 'apps:create-personal', scope: 'user', commands: 'create, apps', describe: 'create or list personal apps', rules: ALL},
  {
    action: 'transfers:respond',
    scope: 'user',
    commands: 'transfers, transfers:accept, transfers:decline, transfers:cancel',
    describe: 'answer transfers addressed to you, or cancel your own',
    rules: ALL,
  },
  {
    action: 'authorizations:create',
    scope: 'user',
    commands: 'authorizations:create',
    describe: 'mint an API token for yourself',
    rules: ALL,
  },
  {action: 'orgs:info', scope: 'org', commands: 'orgs:info', describe: 'see the org', rules: STAFF},
  {action: 'orgs:usage', scope: 'org', commands: 'orgs:usage', describe: "see the org's usage", rules: ADMIN},
  {action: 'orgs:billing', scope: 'org', commands: 'orgs:billing', describe: "see the org's billing", rules: ADMIN},
  {action: 'orgs:limits', scope: 'org', commands: 'orgs:limits', describe: "see the org's limits", rules: STAFF, operator: 'allow'},
  {
    action: 'orgs:limits-set',
    scope: 'org',
    commands: 'orgs:limits --set',
    describe: "change the org's limits",
    rules: ADMIN,
    operator: 'allow',
    operatorsOnly: true,
  },
  {action: 'orgs:rename', scope: 'org', commands: 'orgs:rename', describe: 'rename the org', rules: ADMIN},
  {action: 'orgs:destroy', scope: 'org', commands: 'orgs:destroy', describe: 'destroy the org', rules: ADMIN},
  {action: 'members:list', scope: 'org', commands: 'members', describe: 'list members', rules: STAFF},
  {action: 'members:add', scope: 'org', commands: 'members:add', describe: 'add members', rules: ADMIN},
  {action: 'members:set', scope: 'org', commands: 'members:set', describe: "change members' roles", rules: ADMIN},
  {action: 'members:remove', scope: 'org', commands: 'members:remove', describe: 'remove members', rules: ADMIN},
  {action: 'apps:list', scope: 'org', commands: 'apps --org', describe: "list the org's apps", rules: STAFF},
  {
    action: 'access:export',
    scope: 'org',
    commands: 'access:export, plan, apply',
    describe: "read the org's whole access state",
    rules: STAFF,
  },
  {action: 'apps:create', scope: 'org', commands: 'create --org', describe: 'create apps', rules: STAFF},
  {action: 'apps:transfer-in', scope: 'org', commands: 'apps:transfer ORG', describe: 'transfer apps into the org', rules: STAFF},
  {action: 'audit:list', scope: 'org', commands: 'audit', describe: "see the org's audit log", rules: ADMIN},
  {action: 'apps:info', scope: 'app', commands: 'apps:info', describe: 'see the app', rules: needs('view', 'allow')},
  {action: 'access:list', scope: 'app', commands: 'access', describe: "see the app's collaborators", rules: needs('view', 'allow')},
  {
    action: 'access:check',
    scope: 'app',
    commands: 'access:check, access:who-can',
    describe: 'check who holds a permission on the app',
    rules: needs('view', 'allow'),
  },
  {action: 'ps:list', scope: 'app', commands: 'ps', describe: "see the app's dynos", rules: needs('view', 'allow')},
  {action: 'ps:scale', scope: 'app', commands: 'ps:scale', describe: 'scale the app', rules: needs('operate')},
  {
    action: 'access:add',
    scope: 'app',
    commands: 'access:add',
    describe: 'give access to the app',
    rules: needs('manage'),
    lockedAdminsOnly: true,
  },
  {action: 'access:update', scope: 'app', commands: 'access:update', describe: 'change permissions on the app', rules: needs('manage')},
  {action: 'access:remove', scope: 'app', commands: 'access:remove', describe: "remove others' access to the app", rules: needs('manage')},
  {action: 'apps:destroy', scope: 'app', commands: 'apps:destroy', describe: 'destroy the app', rules: needs('manage')},
  {
    action: 'apps:join',
    scope: 'app',
    commands: 'apps:join',
    describe: 'join the app',
    rules: {admin: 'allow', member: 'allow', collaborator: 'deny', none: 'deny'},
    lockedAdminsOnly: true,
  },
  {
    action: 'apps:leave',
    scope: 'app',
    commands: 'apps:leave, access:remove SELF',
    describe: 'leave the app',
    rules: {admin: 'allow', member: 'allow', collaborator: 'allow', none: 'deny'},
  },
  {action: 'apps:lock', scope: 'app', commands: 'apps:lock, apps:unlock', describe: 'lock or unlock the app', rules: ADMIN},
  {action: 'apps:transfer-out', scope: 'app', commands: 'apps:transfer', describe: 'transfer the app away', rules: ADMIN},
] as const satisfies readonly ActionRule[]

export type Action = (typeof PERMISSION_MATRIX)[number]['action']

const BY_ACTION = new Map<string, ActionRule>(PERMISSION_MATRIX.map((rule) => [rule.action, rule]))

export function ruleFor(action: Action): ActionRule {
  return BY_ACTION.get(action)!
}

/** Who the request is about, for the messages. */
export interface Subject {
  standing: Standing
  /** The acting user's permissions on the app (app scope only). */
  permissions: readonly AppPermission[]
  locked?: boolean
  /** `org acme` or `app acme-api`. */
  target: string
  /** The acting user is an operator. */
  operator?: boolean
  /** Some operator is named (then `operatorsOnly` actions are theirs alone). */
  operatorsNamed?: boolean
}

/** Whether the matrix lets this subject perform the action. */
export function isAllowed(action: Action, subject: Subject): boolean {
  const spec = ruleFor(action)
  if (spec.operator === 'allow' && subject.operator) return true
  if (spec.operatorsOnly && subject.operatorsNamed) return false
  if (spec.lockedAdminsOnly && subject.locked && subject.standing !== 'admin') return false
  return allows(spec.rules[subject.standing], subject)
}

/** One cell of a rule row, for a subject: the one evaluation behind isAllowed and holdsPermission. */
function allows(rule: Rule, subject: Subject): boolean {
  if (rule === 'allow') return true
  if (rule === 'deny') return false
  return subject.permissions.includes(rule.needs)
}

/**
 * What holding an app permission means, as a row of the matrix: an admin (or a personal app's owner)
 * holds every one; a member views every app of the org and holds the others only as a collaborator
 * with them; a collaborator holds what they were given. The rows above that need a permission use
 * the same cells (`needs`), so `access:check` answers what enforcement does.
 */
export const PERMISSION_RULES: Record<AppPermission, Record<Standing, Rule>> = {
  view: needs('view', 'allow'),
  deploy: needs('deploy'),
  operate: needs('operate'),
  manage: needs('manage'),
}

/** Whether the subject holds the permission on the app (`access:check`). */
export function holdsPermission(permission: AppPermission, subject: Subject): boolean {
  return allows(PERMISSION_RULES[permission][subject.standing], subject)
}

/**
 * Enforces the matrix. Someone with no standing learns no more than a
 * "not found" would tell; everyone else is told which role or permission would do.
 */
export function authorize(action: Action, subject: Subject): void {
  if (isAllowed(action, subject)) return
  const spec = ruleFor(action)
  if (spec.operatorsOnly && subject.operatorsNamed && (spec.scope === 'user' || subject.standing !== 'none')) {
    throw forbidden(
      `You cannot ${actionOn(spec, subject)}: operators are named on this platform, and only an operator can. Ask one (orgctl operators lists them, where the store is kept).`,
    )
  }
  if (subject.standing === 'none') throw notFound(`Couldn't find ${subject.target}, or you have no access to it.`)
  if (spec.lockedAdminsOnly && subject.locked && subject.standing !== 'admin' && spec.rules[subject.standing] !== 'deny') {
    throw forbidden(`You cannot ${spec.describe}: ${subject.target} is locked, so only an admin can. Ask an admin to unlock it.`)
  }
  const rule = spec.rules[subject.standing]
  const hint = subject.standing === 'member' && typeof rule === 'object' ? ` Join it first (orgctl apps:join) or ask an admin.` : ''
  throw forbidden(`You cannot ${actionOn(spec, subject)}: that needs ${whoMay(spec)} (you are ${describeStanding(subject)}).${hint}`)
}

/**
 * The action named on its target: "scale app acme-api", "rename org acme", "see org acme's usage",
 * "add members in org acme" (never "scale the app in app acme-api", nor "see the org's usage in org acme").
 */
function actionOn(spec: ActionRule, subject: Subject): string {
  if (spec.scope === 'user') return spec.describe
  const the = spec.scope === 'app' ? /\bthe app\b/ : /\bthe org\b/
  return the.test(spec.describe) ? spec.describe.replace(the, subject.target) : `${spec.describe} in ${subject.target}`
}

/** "an admin", "an admin or a member", "an admin, or the manage permission on the app". */
export function whoMay(spec: ActionRule): string {
  const who = whoMayByStanding(spec)
  return spec.operator === 'allow' ? `${who}, or an operator` : who
}

function whoMayByStanding(spec: ActionRule): string {
  const roles: string[] = []
  let permission: AppPermission | undefined
  for (const standing of STANDINGS) {
    const rule = spec.rules[standing]
    if (rule === 'allow' && standing !== 'none') roles.push(standing === 'admin' ? 'an admin' : `a ${standing}`)
    if (typeof rule === 'object') permission = rule.needs
  }
  const who = roles.join(' or ')
  return permission ? `${who}, or the ${permission} permission on the app` : who
}

function describeStanding(subject: Subject): string {
  if (subject.standing === 'admin') return 'an admin'
  const base = `a ${subject.standing}`
  return subject.permissions.length > 0 ? `${base} with ${subject.permissions.join(', ')}` : base
}

/**
 * The operator column, for the docs: yes (on any org, member or not), yes and only them once any
 * operator is named, or nothing (an operator may do only what their standing gives).
 */
export function describeOperator(spec: ActionRule): string {
  if (spec.operatorsOnly) return 'yes; once named, only them'
  return spec.operator === 'allow' ? 'yes' : ''
}

/** The matrix cell as text, for the docs: allow, -, or the permission needed. */
export function describeRule(rule: Rule): string {
  if (rule === 'allow') return 'yes'
  if (rule === 'deny') return '-'
  return `with ${rule.needs}`
}
