/** A plan: the file, each org's state read once, and the changes between them. */
import type {TeamAccess} from '../api/resources.js'
import type {Backend} from '../backend/backend.js'
import {type Change, describeChange, describeSummary, diff, summarize, type Summary} from './diff.js'
import type {AccessFile} from './schema.js'
import {readStates} from './state.js'

export interface Plan {
  file: AccessFile
  states: Map<string, TeamAccess>
  changes: Change[]
  summary: Summary
}

export async function makePlan(backend: Backend, file: AccessFile): Promise<Plan> {
  const states = await readStates(backend, file)
  const changes = diff(file, states)
  return {file, states, changes, summary: summarize(changes)}
}

/** The plan as a person reads it: each org's changes under its name, then the summary line. */
export function planLines(plan: Plan): string[] {
  if (plan.changes.length === 0) {
    const orgs = plan.file.orgs.map((org) => org.name)
    return [`No changes: ${orgs.join(', ')} ${orgs.length === 1 ? 'matches' : 'match'} ${plan.file.source}.`]
  }
  const lines: string[] = []
  for (const org of plan.file.orgs) {
    const mine = plan.changes.filter((change) => change.org === org.name)
    if (mine.length === 0) continue
    lines.push(`${org.name}:`, ...mine.map((change) => `  ${describeChange(change)}`))
  }
  return [...lines, describeSummary(plan.summary)]
}

/** `--json`: exactly {changes: [{action, type, org, app, email, before, after}], summary: {create, update, destroy}}. */
export function planJson(plan: Plan): {changes: Change[]; summary: Summary} {
  return {
    changes: plan.changes.map(({action, type, org, app, email, before, after}) => ({action, type, org, app, email, before, after})),
    summary: plan.summary,
  }
}
