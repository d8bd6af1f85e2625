/**
 * Bulk work: every item is tried (a failure does not stop the rest), each gets
 * its own result, and the whole fails with the list of items that failed.
 * Items run a few at a time; each is its own change, so a rerun finishes the job.
 */
import pLimit from 'p-limit'

import {OrgctlError, toOrgctlError} from '../errors.js'

/**
 * Items in flight at once: over HTTP, concurrent requests; on the embedded store,
 * changes the store commits together (group commit). Each item stays all or nothing.
 */
export const BULK_CONCURRENCY = 8

/**
 * How many items may be in flight when they go to one org: all of them at once when the org has room
 * for every one in its limits; else one after another, so that the items given first are the ones that
 * get the room left (concurrent changes are applied in whatever order they reach the storage: on
 * PostgreSQL, the order they get a connection and the org's lock). `room` is undefined when it could
 * not be read: then in order too.
 */
export function concurrencyFor(items: number, room: number | undefined): number {
  return room !== undefined && room >= items ? BULK_CONCURRENCY : 1
}

export type ItemResult<T> = {item: string; ok: true; value: T} | {item: string; ok: false; error: {id: string; message: string}}

export async function runBulk<T>(
  items: readonly string[],
  work: (item: string) => Promise<T>,
  options: {concurrency: number; onResult?: (result: ItemResult<T>) => void},
): Promise<ItemResult<T>[]> {
  const limit = pLimit(Math.max(1, options.concurrency))
  // Results are reported in the order given, each as soon as those before it are: items finish in any
  // order (on PostgreSQL concurrent changes commit in the order they get their connection and lock).
  const done: (ItemResult<T> | undefined)[] = items.map(() => undefined)
  let reported = 0
  const report = () => {
    for (; reported < items.length && done[reported]; reported++) options.onResult?.(done[reported]!)
  }
  return Promise.all(
    items.map((item, index) =>
      limit(async (): Promise<ItemResult<T>> => {
        let result: ItemResult<T>
        try {
          result = {item, ok: true, value: await work(item)}
        } catch (error) {
          const failure = toOrgctlError(error)
          result = {item, ok: false, error: {id: failure.id, message: failure.message}}
        }
        done[index] = result
        report()
        return result
      }),
    ),
  )
}

/** The error for a bulk run with failures, carrying every item's result; undefined if all went well. */
export function bulkFailure<T>(
  results: readonly ItemResult<T>[],
  noun: string,
  json: (results: readonly ItemResult<T>[]) => unknown,
  dryRun = false,
): OrgctlError | undefined {
  const failed = results.filter((result) => !result.ok).map((result) => result.item)
  if (failed.length === 0) return undefined
  const message = dryRun
    ? `${failed.length} of ${results.length} ${noun} would fail: ${failed.join(', ')}. Nothing was changed (a dry run).`
    : `${failed.length} of ${results.length} ${noun} failed: ${failed.join(', ')}. Fix the cause and rerun the same command: what succeeded is skipped.`
  return new OrgctlError('partial_failure', message, {results: json(results)})
}

/** Unique items, in the order given. */
export function uniqueItems(items: readonly string[]): string[] {
  return [...new Set(items)]
}
