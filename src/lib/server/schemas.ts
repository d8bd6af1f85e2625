/**
 * JSON schemas of the request bodies and query strings (fastify validates every request against
 * them). Every object refuses keys it does not list, naming them. Each lists the attributes Heroku's
 * schema documents for the link, so Heroku's own clients pass: where orgctl has nothing the attribute
 * could change (a stack, billing details, `federated`, `silent`, `expires_in`), it is accepted and
 * ignored; where honouring it would need something orgctl does not have (a Private Space, internal
 * routing, maintenance mode, a rename), the route refuses it with "not supported" unless it asks for
 * nothing (null, false, the current value).
 */

const name = {type: 'string', minLength: 1, maxLength: 100} as const
const email = {type: 'string', minLength: 3, maxLength: 254} as const
/** An account: its email, its id, or `~` (the caller). */
const account = {type: 'string', minLength: 1, maxLength: 254} as const
/** A nullable string Heroku documents that orgctl keeps nothing of. */
const ignoredString = {type: ['string', 'null'], maxLength: 1000} as const

const object = <P extends Record<string, object>>(properties: P) => ({type: 'object', additionalProperties: false, properties}) as const

export const roleSchema = {type: 'string', enum: ['admin', 'member', 'collaborator', 'owner', 'viewer']} as const
const permissions = {type: 'array', maxItems: 10, items: {type: 'string', enum: ['view', 'deploy', 'operate', 'manage']}} as const
const limits = object({
  apps: {type: 'integer', minimum: 0, maximum: 1_000_000},
  members: {type: 'integer', minimum: 0, maximum: 1_000_000},
  'dyno-units': {type: 'integer', minimum: 0, maximum: 1_000_000},
})

/** Heroku's Team Create takes billing details; orgctl bills nobody, so they are ignored. */
const BILLING_FIELDS = [
  'address_1',
  'address_2',
  'card_number',
  'city',
  'country',
  'cvv',
  'expiration_month',
  'expiration_year',
  'first_name',
  'last_name',
  'other',
  'postal_code',
  'state',
  'nonce',
  'device_data',
] as const

/** extension: `admin`, the new team's first admin when not the caller (an operator provisioning it for them). */
export const createTeamBody = {
  ...object({name, limits, admin: email, ...Object.fromEntries(BILLING_FIELDS.map((field) => [field, ignoredString]))}),
  required: ['name'],
} as const
/** Team Update: a new name; `default` (the caller's default team) is kept by the CLI, not the server. */
export const updateTeamBody = {...object({name, default: {type: ['boolean', 'null']}})} as const
export const teamLimitsBody = limits
export const memberBody = {...object({email, role: roleSchema, federated: {type: 'boolean'}}), required: ['email', 'role']} as const

const appCreateFields = {
  name,
  region: {type: 'string', maxLength: 100},
  stack: {type: 'string', maxLength: 100},
  // The Heroku CLI sends --features as one comma-separated string; the schema says an array.
  feature_flags: {
    description: 'a list of feature names',
    anyOf: [
      {type: 'array', maxItems: 50, items: {type: 'string', maxLength: 100}},
      {type: 'string', maxLength: 1000},
    ],
  },
} as const
/** POST /apps (App Create). */
export const createAppBody = object(appCreateFields)
/** POST /teams/apps (Team App Create), plus `kernel`, which the Heroku CLI sends for --kernel. */
export const createTeamAppBody = object({
  ...appCreateFields,
  team: name,
  personal: {type: 'boolean'},
  locked: {type: 'boolean'},
  space: {type: ['string', 'null'], maxLength: 100},
  internal_routing: {type: ['boolean', 'null']},
  kernel: {type: ['string', 'null'], maxLength: 100},
})
export const patchTeamAppBody = {
  ...object({locked: {type: 'boolean'}, owner: {type: 'string', minLength: 1, maxLength: 254}}),
  anyOf: [{required: ['locked']}, {required: ['owner']}],
} as const
export const patchAppBody = object({name, maintenance: {type: 'boolean'}, build_stack: {type: 'string', maxLength: 100}})
export const collaboratorBody = {...object({user: account, permissions, silent: {type: 'boolean'}}), required: ['user']} as const
export const permissionsBody = {...object({permissions}), required: ['permissions']} as const
export const transferBody = {
  ...object({app: name, recipient: account, silent: {type: 'boolean'}}),
  required: ['app', 'recipient'],
} as const
export const transferStateBody = {...object({state: {type: 'string', enum: ['accepted', 'declined']}}), required: ['state']} as const

const dynoType = {type: 'string', pattern: '^[a-zA-Z][a-zA-Z0-9_-]{0,29}$'} as const
const formationFields = {
  // A count, or (extension) a relative change such as "+1" or "-2": the domain bounds it, as for ps:scale.
  quantity: {
    description: 'a whole number of dynos, or a change such as "+1" or "-2"',
    anyOf: [{type: 'integer'}, {type: 'string', pattern: '^[+-]?\\d{1,7}$'}],
  },
  size: {type: 'string', maxLength: 30},
} as const
export const formationBody = {
  ...object({
    updates: {
      type: 'array',
      minItems: 1,
      maxItems: 20,
      items: {...object({type: dynoType, ...formationFields}), required: ['type']},
    },
  }),
  required: ['updates'],
} as const
/** PATCH /apps/{app}/formation/{type} (Formation Update). */
export const formationUpdateBody = object(formationFields)
export const authorizationBody = object({
  description: {type: 'string', maxLength: 200},
  scope: {type: 'array', items: {type: 'string', maxLength: 50}},
  expires_in: {type: ['integer', 'null']},
  client: ignoredString,
})
export const usageQuery = object({
  start: {type: 'string', pattern: '^\\d{4}-\\d{2}(-\\d{2})?$'},
  end: {type: 'string', pattern: '^\\d{4}-\\d{2}(-\\d{2})?$'},
})
export const resourceUsageQuery = object({history: {type: 'string', enum: ['true', 'false']}})
/** The audit log's filters (checked further by parseAuditFilter, with the CLI's own messages). */
export const auditQuery = object({
  app: {type: 'string', maxLength: 100},
  actor: {type: 'string', maxLength: 254},
  action: {type: 'string', maxLength: 64},
  since: {type: 'string', maxLength: 64},
  until: {type: 'string', maxLength: 64},
  limit: {type: 'string', maxLength: 7},
})
