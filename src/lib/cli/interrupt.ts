/**
 * Ctrl-C and SIGTERM end a command at once, with the shell's codes (130, 143; 129 for a hang-up).
 *
 * Without this, a signal could be swallowed: proper-lockfile and write-file-atomic (signal-exit 3)
 * and ora's cli-cursor (signal-exit 4) each install a listener that re-sends the signal only when it
 * is the sole listener, so with both loaded neither does, and Ctrl-C during a spinner did nothing.
 * process.exit() runs their exit handlers (the store's lock is released, a temp file removed); a
 * commit is one rename, so the store is either as it was or changed, never half-written.
 */

export const SIGNAL_EXIT_CODES = {SIGHUP: 129, SIGINT: 130, SIGTERM: 143} as const
export type ExitSignal = keyof typeof SIGNAL_EXIT_CODES

/** The person pressed Ctrl-C (at a prompt): the command stops, and nothing more is changed. */
export class Interrupted extends Error {
  constructor(readonly signal: ExitSignal = 'SIGINT') {
    super('Aborted.')
    this.name = 'Interrupted'
  }

  get exitCode(): number {
    return SIGNAL_EXIT_CODES[this.signal]
  }
}

/**
 * Until the returned function is called, SIGINT, SIGTERM and SIGHUP end the process with their
 * exit code, after `cleanup` (which must be synchronous: stop a spinner, say "Aborted.").
 * With graceSignals, the first ones are left to the command's own listeners (serve drains its
 * requests); this listener still keeps signal-exit from re-sending the signal in the meantime.
 */
export function exitOnSignals(cleanup: (signal: ExitSignal) => void, {graceSignals = 0} = {}): () => void {
  let received = 0
  const installed = (Object.keys(SIGNAL_EXIT_CODES) as ExitSignal[]).map((signal) => {
    const handler = () => {
      if (received++ < graceSignals) return
      try {
        cleanup(signal)
      } finally {
        process.exit(SIGNAL_EXIT_CODES[signal])
      }
    }
    process.on(signal, handler)
    return () => process.off(signal, handler)
  })
  return () => {
    for (const remove of installed) remove()
  }
}
