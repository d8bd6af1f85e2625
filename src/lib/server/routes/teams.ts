/** Teams (orgs), their members, apps, features and usage. */
import {ROUTES} from '../../api/routes.js'
import type {Limits} from '../../domain/types.js'
import {DEFAULT_LIMITS, parseEmail, parseRole} from '../../domain/validation.js'
import {parseAuditFilter, type RawAuditFilter} from '../../domain/audit-filter.js'
import {usageError} from '../../errors.js'
import {auditQuery, createTeamBody, memberBody, resourceUsageQuery, teamLimitsBody, updateTeamBody, usageQuery} from '../schemas.js'
import type {RouteContext} from '../server.js'

/** orgctl adds members directly and always has per-app permissions. */
const features = (at: string) =>
  [
    {name: 'org-access-controls', enabled: true, description: 'Per-app permissions (view, deploy, operate, manage) for collaborators.'},
    {name: 'team-invite-acceptance', enabled: false, description: 'Members are added directly; there are no invitations.'},
  ].map((feature) => ({
    id: feature.name,
    ...feature,
    state: 'general',
    display_name: feature.name,
    doc_url: '',
    feedback_email: '',
    created_at: at,
    updated_at: at,
  }))

export function teamRoutes({on, sendList, clock}: RouteContext): void {
  on(ROUTES.listTeams, {}, async (request, reply) =>
    sendList(request, reply, await request.backend.listTeams(), {name: (t) => t.name, id: (t) => t.id}),
  )

  on(ROUTES.createTeam, {body: createTeamBody}, async (request, reply) => {
    const body = request.body as {name: string; limits?: Partial<Limits>; admin?: string}
    const admin = body.admin === undefined ? undefined : parseEmail(body.admin)
    reply.code(201)
    return request.backend.createTeam(body.name, {...DEFAULT_LIMITS, ...body.limits}, admin === undefined ? {} : {admin})
  })

  on(ROUTES.getTeam, {}, (request) => request.backend.getTeam(request.params.team))

  // Team Update: a rename. `default` is the caller's default team, which the CLI keeps, not the server.
  on(ROUTES.updateTeam, {body: updateTeamBody}, async (request) => {
    const body = request.body as {name?: string; default?: boolean | null}
    if (body.default === true)
      throw usageError('The server keeps no default team: give the team on each request (orgctl: --org, or ORGCTL_ORG).')
    if (body.name === undefined) return request.backend.getTeam(request.params.team)
    return request.backend.renameTeam(request.params.team, body.name)
  })

  on(ROUTES.destroyTeam, {}, (request) => request.backend.destroyTeam(request.params.team))

  // Extension: the limits with their use. Never from the cache: who may see them (operators) is not in an org's stamp.
  on(ROUTES.teamLimits, {timeDependent: true}, (request) => request.backend.teamLimits(request.params.team))
  on(ROUTES.updateTeamLimits, {body: teamLimitsBody}, (request) =>
    request.backend.setTeamLimits(request.params.team, request.body as Partial<Limits>),
  )

  on(ROUTES.teamFeatures, {}, async (request) => {
    const team = await request.backend.getTeam(request.params.team)
    return features(team.created_at)
  })

  on(ROUTES.teamInvitations, {}, async (request) => {
    await request.backend.getTeam(request.params.team)
    return []
  })

  on(ROUTES.teamDelinquency, {}, async (request) => {
    await request.backend.getTeam(request.params.team)
    return {scheduled_suspension_time: null, scheduled_deletion_time: null}
  })

  on(ROUTES.listMembers, {}, async (request, reply) =>
    sendList(request, reply, await request.backend.listMembers(request.params.team), {
      email: (m) => m.email,
      id: (m) => m.id,
    }),
  )

  const memberChange = (request: {params: {team: string}; body: unknown}) => {
    const body = request.body as {email: string; role: string}
    return {team: request.params.team, email: parseEmail(body.email), role: parseRole(body.role)}
  }

  on(ROUTES.putMember, {body: memberBody}, (request) => {
    const {team, email, role} = memberChange(request)
    return request.backend.putMember(team, email, role)
  })

  on(ROUTES.addMember, {body: memberBody}, async (request, reply) => {
    const {team, email, role} = memberChange(request)
    reply.code(201)
    return request.backend.addMember(team, email, role)
  })

  on(ROUTES.setMember, {body: memberBody}, (request) => {
    const {team, email, role} = memberChange(request)
    return request.backend.setMember(team, email, role)
  })

  on(ROUTES.removeMember, {}, (request) => {
    const {team, member} = request.params
    return request.backend.removeMember(team, parseEmail(member))
  })

  on(ROUTES.teamApps, {}, async (request, reply) =>
    sendList(request, reply, await request.backend.listApps(request.params.team), {
      name: (a) => a.name,
      id: (a) => a.id,
      updated_at: (a) => a.updated_at,
    }),
  )

  for (const [route, period] of [
    [ROUTES.teamDailyUsage, 'daily'],
    [ROUTES.teamMonthlyUsage, 'monthly'],
  ] as const) {
    on(route, {query: usageQuery}, (request) => {
      const query = request.query as {start?: string; end?: string}
      return request.backend.usageHistory(request.params.team, period, query.start, query.end)
    })
  }

  // Extensions (no Heroku resource): usage against the org's limits, and the billing estimate.
  on(ROUTES.teamResourceUsage, {query: resourceUsageQuery}, (request) =>
    request.backend.teamUsage(request.params.team, (request.query as {history?: string}).history === 'true'),
  )

  // Its to-date figure moves with the clock, not with the data: never answered from the cache.
  on(ROUTES.teamBilling, {timeDependent: true}, (request) => request.backend.teamBilling(request.params.team))

  // Newest first, paged on each event's place in the log. Never from the cache: a prune changes no org's stamp.
  on(ROUTES.teamAuditEvents, {query: auditQuery, timeDependent: true}, async (request, reply) => {
    const filter = parseAuditFilter(request.query as RawAuditFilter, clock.now(), 'query')
    request.headers.range ??= 'seq ..; order=desc'
    const items = await request.backend.auditEventsBySeq(request.params.team, filter)
    return sendList(request, reply, items, {seq: (item) => String(item.seq).padStart(16, '0')}).map((item) => item.event)
  })
}
