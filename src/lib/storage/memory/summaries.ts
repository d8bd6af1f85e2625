/** What an org's apps add up to, counted from the apps (the JSON file also keeps these in its `orgApps` part). */
import {appRate} from '../../domain/usage.js'
import type {OrgAppsSummary, StoredApp} from './state.js'

interface WorkingSummary {
  apps: number
  dynoUnits: number
  collaborators: Set<string>
  since: Map<string, string>
}

const emptySummary = (): WorkingSummary => ({apps: 0, dynoUnits: 0, collaborators: new Set(), since: new Map()})

/** Sums up one org's apps. */
export function summarizeApps(apps: Iterable<StoredApp>): OrgAppsSummary {
  const summary = emptySummary()
  for (const app of apps) addToSummary(summary, app)
  return summary
}

/** Sums up the apps of every org, by org name, in one pass. */
export function summarizeOrgApps(apps: Iterable<StoredApp>): Map<string, OrgAppsSummary> {
  const summaries = new Map<string, WorkingSummary>()
  for (const app of apps) {
    if (app.owner.kind !== 'org') continue
    let summary = summaries.get(app.owner.name)
    if (!summary) summaries.set(app.owner.name, (summary = emptySummary()))
    addToSummary(summary, app)
  }
  return summaries
}

function addToSummary(summary: WorkingSummary, app: StoredApp): void {
  summary.apps++
  summary.dynoUnits += appRate(app.formation.values()).dynoUnits
  for (const [email, collaborator] of app.collaborators) {
    summary.collaborators.add(email)
    const earlier = summary.since.get(email)
    if (earlier === undefined || collaborator.createdAt < earlier) summary.since.set(email, collaborator.createdAt)
  }
}
