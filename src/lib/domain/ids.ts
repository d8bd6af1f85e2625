/** Ids. */
import {crypto} from '../builtins.js'

/**
 * A stable UUID-shaped id derived from a name, for things kept without an id of their own (a user known
 * only by email in an older store, a stack, a region): the same name gives the same id on every engine.
 */
export function derivedId(kind: string, name: string): string {
  const hex = crypto().createHash('sha256').update(`${kind}:${name}`).digest('hex')
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`
}
