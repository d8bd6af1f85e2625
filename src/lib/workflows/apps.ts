/** Listings that take more than one call: every app you can see, and the apps that can move to a recipient. */
import type {App} from '../api/resources.js'
import type {Backend} from '../backend/backend.js'
import {isAllowed, type Standing} from '../domain/permissions.js'
import {canMoveTo, type MovableApp, type TransferRecipient} from '../domain/transfers.js'
import {looksLikeEmail, parseEmail} from '../domain/validation.js'

const standingIn = (role: string): Standing => (role === 'admin' || role === 'member' || role === 'collaborator' ? role : 'none')

/**
 * Personal and shared apps, plus the apps of every org whose apps you may list (admin, member),
 * in name order, each once. Works the same on both backends: it is made of their calls.
 */
export async function listAllApps(backend: Backend): Promise<App[]> {
  const [own, teams] = await Promise.all([backend.listApps(), backend.listTeams()])
  const listable = teams.filter((team) => isAllowed('apps:list', {standing: standingIn(team.role), permissions: [], target: ''}))
  const byName = new Map(own.map((app) => [app.name, app]))
  for (const apps of await Promise.all(listable.map((team) => backend.listApps(team.name)))) {
    for (const app of apps) byName.set(app.name, app)
  }
  return [...byName.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
}

/** The apps you could move to the recipient (an org name or an email), by the domain's rule. */
export async function transferCandidates(backend: Backend, recipient: string): Promise<App[]> {
  const [apps, teams, account] = await Promise.all([listAllApps(backend), backend.listTeams(), backend.account()])
  const roles = new Map(teams.map((team) => [team.name, standingIn(team.role)]))
  const target: TransferRecipient = looksLikeEmail(recipient.trim())
    ? {kind: 'user', email: parseEmail(recipient)}
    : {kind: 'org', name: recipient, standing: roles.get(recipient) ?? 'none'}
  const movable = (app: App): MovableApp =>
    app.team
      ? {owner: {kind: 'org', name: app.team.name}, standing: roles.get(app.team.name) ?? 'none'}
      : {owner: {kind: 'user', email: app.owner.email}, standing: app.owner.email === account.email ? 'admin' : 'collaborator'}
  return apps.filter((app) => canMoveTo(movable(app), target))
}
