/** Teams (orgs), their members, apps, features and usage. */
import type {FastifyInstance} from 'fastify'

import type {Limits} from '../../domain/types.js'
import {DEFAULT_LIMITS, parseEmail, parseRole} from '../../domain/validation.js'
import {createTeamBody, memberBody, teamEmailParams, teamParams, usageQuery} from '../schemas.js'
import type {RouteContext} from '../server.js'

type TeamParams = {team: string}

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

export function teamRoutes(app: FastifyInstance, {sendList}: RouteContext): void {
  app.get('/teams', async (request, reply) =>
    sendList(request, reply, await request.backend.listTeams(), {name: (t) => t.name, id: (t) => t.id}),
  )

  app.post('/teams', {schema: {body: createTeamBody}}, async (request, reply) => {
    const body = request.body as {name: string; limits?: Partial<Limits>}
    reply.code(201)
    return request.backend.createTeam(body.name, {...DEFAULT_LIMITS, ...body.limits})
  })

  app.get('/teams/:team', {schema: {params: teamParams}}, (request) => request.backend.getTeam((request.params as TeamParams).team))

  app.get('/teams/:team/features', {schema: {params: teamParams}}, async (request) => {
    const team = await request.backend.getTeam((request.params as TeamParams).team)
    return features(team.created_at)
  })

  app.get('/teams/:team/invitations', {schema: {params: teamParams}}, async (request) => {
    await request.backend.getTeam((request.params as TeamParams).team)
    return []
  })

  app.get('/teams/:team/delinquency', {schema: {params: teamParams}}, async (request) => {
    await request.backend.getTeam((request.params as TeamParams).team)
    return {scheduled_suspension_time: null, scheduled_deletion_time: null}
  })

  app.get('/teams/:team/members', {schema: {params: teamParams}}, async (request, reply) =>
    sendList(request, reply, await request.backend.listMembers((request.params as TeamParams).team), {
      email: (m) => m.email,
      id: (m) => m.id,
    }),
  )

  const memberChange = (request: {params: unknown; body: unknown}) => {
    const body = request.body as {email: string; role: string}
    return {team: (request.params as TeamParams).team, email: parseEmail(body.email), role: parseRole(body.role)}
  }

  app.put('/teams/:team/members', {schema: {params: teamParams, body: memberBody}}, (request) => {
    const {team, email, role} = memberChange(request)
    return request.backend.putMember(team, email, role)
  })

  app.post('/teams/:team/members', {schema: {params: teamParams, body: memberBody}}, async (request, reply) => {
    const {team, email, role} = memberChange(request)
    reply.code(201)
    return request.backend.addMember(team, email, role)
  })

  app.patch('/teams/:team/members', {schema: {params: teamParams, body: memberBody}}, (request) => {
    const {team, email, role} = memberChange(request)
    return request.backend.setMember(team, email, role)
  })

  app.delete('/teams/:team/members/:email', {schema: {params: teamEmailParams}}, (request) => {
    const {team, email} = request.params as {team: string; email: string}
    return request.backend.removeMember(team, parseEmail(email))
  })

  app.get('/teams/:team/apps', {schema: {params: teamParams}}, async (request, reply) =>
    sendList(request, reply, await request.backend.listApps((request.params as TeamParams).team), {
      name: (a) => a.name,
      id: (a) => a.id,
      updated_at: (a) => a.updated_at,
    }),
  )

  for (const period of ['daily', 'monthly'] as const) {
    app.get(`/teams/:team/usage/${period}`, {schema: {params: teamParams, querystring: usageQuery}}, (request) => {
      const query = request.query as {start?: string; end?: string}
      return request.backend.usageHistory((request.params as TeamParams).team, period, query.start, query.end)
    })
  }

  // Extensions (no Heroku resource): usage against the org's limits, and the billing estimate.
  app.get('/teams/:team/resource-usage', {schema: {params: teamParams, querystring: usageQuery}}, (request) =>
    request.backend.teamUsage((request.params as TeamParams).team, (request.query as {history?: string}).history === 'true'),
  )

  app.get('/teams/:team/billing-estimate', {schema: {params: teamParams}}, (request) =>
    request.backend.teamBilling((request.params as TeamParams).team),
  )
}
