/**
 * A dry run's action lines: the command's own line in the conditional. `Adding dev@acme.test to
 * acme-widgets as member` becomes `Would add dev@acme.test to acme-widgets as member`; the status the
 * real line ends with (`done, already there`) is kept in brackets, a failure as it is.
 */

/** The verbs of the action lines, by their -ing form (any other: the regular rules below). */
const VERBS: Record<string, string> = {
  Adding: 'add',
  Applying: 'apply',
  Accepting: 'accept',
  Cancelling: 'cancel',
  Changing: 'change',
  Creating: 'create',
  Declining: 'decline',
  Deleting: 'delete',
  Destroying: 'destroy',
  Giving: 'give',
  Importing: 'import',
  Joining: 'join',
  Leaving: 'leave',
  Locking: 'lock',
  Lowering: 'lower',
  Making: 'make',
  Migrating: 'migrate',
  Moving: 'move',
  Naming: 'name',
  Pruning: 'prune',
  Raising: 'raise',
  Removing: 'remove',
  Renaming: 'rename',
  Revoking: 'revoke',
  Scaling: 'scale',
  Setting: 'set',
  Transferring: 'transfer',
  Unlocking: 'unlock',
  Updating: 'update',
}

/** `Adding x` -> `Would add x`. */
export function conditional(text: string): string {
  const [first = '', ...rest] = text.split(' ')
  const verb = VERBS[first] ?? regularBase(first)
  return verb === undefined ? `Would do: ${text}` : ['Would', verb, ...rest].join(' ')
}

/**
 * The line a dry run prints for an action and its status: `done` is left out, any other outcome
 * (`done, already there`, `pending: ...`) goes in brackets, and a failure follows as it would.
 */
export function conditionalLine(text: string, status: string, paintFailure: (text: string) => string = (plain) => plain): string {
  const line = conditional(text)
  if (status === 'done') return line
  if (status.startsWith('failed')) return `${line}... ${paintFailure(status)}`
  return `${line} (${status.replace(/^done, /, '')})`
}

/** An -ing word's base by the plain rules (Granting -> grant); undefined when it is not one. */
function regularBase(word: string): string | undefined {
  if (!/^[A-Z][a-z]+ing$/.test(word) || word.length < 6) return undefined
  return word.slice(0, -3).toLowerCase()
}
