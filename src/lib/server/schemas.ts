/** JSON schemas of the request bodies and parameters (fastify validates every request against them). */

const name = {type: 'string', minLength: 1, maxLength: 100} as const
const email = {type: 'string', minLength: 3, maxLength: 254} as const

export const teamParams = {type: 'object', required: ['team'], properties: {team: name}} as const
export const appParams = {type: 'object', required: ['app'], properties: {app: name}} as const
export const appEmailParams = {type: 'object', required: ['app', 'email'], properties: {app: name, email}} as const
export const teamEmailParams = {type: 'object', required: ['team', 'email'], properties: {team: name, email}} as const
// No maxLength: an id nobody has is not found, however long (as on the embedded store).
export const idParams = {type: 'object', required: ['id'], properties: {id: {type: 'string', minLength: 1}}} as const

export const roleSchema = {type: 'string', enum: ['admin', 'member', 'collaborator', 'owner', 'viewer']} as const
const permissions = {type: 'array', maxItems: 10, items: {type: 'string', enum: ['view', 'deploy', 'operate', 'manage']}} as const
const limits = {
  type: 'object',
  additionalProperties: false,
  properties: {
    apps: {type: 'integer', minimum: 0, maximum: 1_000_000},
    members: {type: 'integer', minimum: 0, maximum: 1_000_000},
    'dyno-units': {type: 'integer', minimum: 0, maximum: 1_000_000},
  },
} as const

export const createTeamBody = {type: 'object', required: ['name'], properties: {name, limits}} as const
export const memberBody = {
  type: 'object',
  required: ['email', 'role'],
  properties: {email, role: roleSchema, federated: {type: 'boolean'}},
} as const
export const createAppBody = {
  type: 'object',
  properties: {
    name,
    region: {type: 'string', maxLength: 100},
    stack: {type: 'string', maxLength: 100},
    team: name,
    personal: {type: 'boolean'},
    locked: {type: 'boolean'},
  },
} as const
export const patchTeamAppBody = {
  type: 'object',
  anyOf: [{required: ['locked']}, {required: ['owner']}],
  properties: {locked: {type: 'boolean'}, owner: {type: 'string', minLength: 1, maxLength: 254}},
} as const
export const patchAppBody = {
  type: 'object',
  properties: {name, maintenance: {type: 'boolean'}, build_stack: {type: 'string', maxLength: 100}},
} as const
export const collaboratorBody = {
  type: 'object',
  required: ['user'],
  properties: {user: email, permissions, silent: {type: 'boolean'}},
} as const
export const permissionsBody = {type: 'object', required: ['permissions'], properties: {permissions}} as const
export const transferBody = {
  type: 'object',
  required: ['app', 'recipient'],
  properties: {app: name, recipient: email, silent: {type: 'boolean'}},
} as const
export const transferStateBody = {
  type: 'object',
  required: ['state'],
  properties: {state: {type: 'string', enum: ['accepted', 'declined']}},
} as const
export const formationBody = {
  type: 'object',
  required: ['updates'],
  properties: {
    updates: {
      type: 'array',
      minItems: 1,
      maxItems: 20,
      items: {
        type: 'object',
        required: ['type'],
        properties: {
          type: {type: 'string', pattern: '^[a-zA-Z][a-zA-Z0-9_-]{0,29}$'},
          // A count, or (extension) a relative change such as "+1" or "-2".
          quantity: {
            anyOf: [
              {type: 'integer', minimum: 0, maximum: 100},
              {type: 'string', pattern: '^[+-]?\\d{1,3}$'},
            ],
          },
          size: {type: 'string', maxLength: 30},
        },
      },
    },
  },
} as const
export const authorizationBody = {
  type: 'object',
  properties: {
    description: {type: 'string', maxLength: 200},
    scope: {type: 'array', items: {type: 'string', maxLength: 50}},
    expires_in: {type: ['integer', 'null']},
  },
} as const
export const usageQuery = {
  type: 'object',
  properties: {
    start: {type: 'string', pattern: '^\\d{4}-\\d{2}(-\\d{2})?$'},
    end: {type: 'string', pattern: '^\\d{4}-\\d{2}(-\\d{2})?$'},
    history: {type: 'string', enum: ['true', 'false']},
  },
} as const
