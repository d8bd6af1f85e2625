/**
 * The client side of `apps:transfer`: one app or many, with Heroku's
 * confirmation before an org app goes to a user (it loses its collaborators).
 */
import {TEAM_OWNER_DOMAIN} from '../api/present.js'
import type {TransferResult} from '../api/resources.js'
import type {Backend} from '../backend/backend.js'
import {looksLikeEmail} from '../domain/validation.js'
import {usageError} from '../errors.js'
import {confirmByName} from '../output/prompt.js'
import type {UI} from '../output/ui.js'
import {bulkFailure, concurrencyFor, type ItemResult, runBulk} from './bulk.js'

export type TransferStatus = 'moved' | 'unchanged' | 'pending'

export function transferStatus(result: TransferResult): TransferStatus {
  if (result.transfer?.state === 'pending') return 'pending'
  return result.moved ? 'moved' : 'unchanged'
}

/** How a transfer reads in an action line (a dry run's pending transfer has no id anyone could accept). */
export function transferVerb(result: TransferResult, dryRun = false): string {
  switch (transferStatus(result)) {
    case 'pending':
      if (dryRun) return `pending until ${result.transfer!.recipient.email} accepts it`
      return `pending: ${result.transfer!.recipient.email} can accept it with orgctl transfers:accept ${result.transfer!.id}`
    case 'unchanged':
      return 'done, already there'
    default:
      return 'done'
  }
}

/** Asks before an org app goes to a user, as Heroku does (in single-app transfers). */
export async function confirmTransfer(
  backend: Backend,
  ui: UI,
  app: string,
  recipient: string,
  confirm: string | undefined,
): Promise<void> {
  // A --confirm naming another app is a contradiction, whether or not this move needs one.
  if (confirm !== undefined && confirm !== app) throw usageError(`Confirmation ${JSON.stringify(confirm)} did not match ${app}. Aborted.`)
  if (!looksLikeEmail(recipient)) return
  const found = await backend.getApp(app)
  if (!found.owner.email.endsWith(TEAM_OWNER_DOMAIN) || found.owner.email === recipient) return
  await confirmByName(
    ui,
    app,
    confirm,
    `Moving ${app} out of ${found.team?.name ?? 'its org'} to ${recipient} removes all its collaborators`,
  )
}

export interface BulkTransferItem {
  app: string
  status: TransferStatus | 'failed'
  result?: TransferResult
  error?: {id: string; message: string}
}

export function bulkItems(results: readonly ItemResult<TransferResult>[]): BulkTransferItem[] {
  return results.map((result) =>
    result.ok
      ? {app: result.item, status: transferStatus(result.value), result: result.value}
      : {app: result.item, status: 'failed', error: result.error},
  )
}

/**
 * Transfers each app to the recipient, carrying on past a failure: into an org all at once when it has room
 * for every one, else in the order given. The one bulk transfer, for the CLI (transferMany) and the Dashboard.
 */
export async function transferEach(
  backend: Backend,
  apps: readonly string[],
  recipient: string,
  locked: boolean,
  onResult?: (result: ItemResult<TransferResult>) => void,
): Promise<ItemResult<TransferResult>[]> {
  // Into an org: all at once when it has room for every app (apps limit) and every newcomer (at most one per
  // app plus its collaborators: counted as one, the apps limit is the one that bites); else in the order given.
  const room = looksLikeEmail(recipient)
    ? Infinity
    : await backend.getTeam(recipient).then(
        (team) => Math.min(team.limits.apps - team.usage.apps, team.limits.members - team.usage.members),
        () => undefined,
      )
  return runBulk(apps, (app) => backend.transferApp(app, recipient, {locked}), {concurrency: concurrencyFor(apps.length, room), onResult})
}

/** Transfers each app, reporting each as it finishes; throws a partial failure naming the apps that failed. */
export async function transferMany(
  backend: Backend,
  ui: UI,
  apps: readonly string[],
  recipient: string,
  locked: boolean,
): Promise<BulkTransferItem[]> {
  const results = await transferEach(backend, apps, recipient, locked, (result) =>
    ui.info(
      ui.actionLine(
        `Transferring ${ui.color.app(result.item)} to ${recipient}`,
        result.ok ? transferVerb(result.value, ui.dryRun) : `failed: ${result.error.message}`,
      ),
    ),
  )
  const failure = bulkFailure(results, 'apps', bulkItems, ui.dryRun)
  if (failure) throw failure
  return bulkItems(results)
}
