/**
 * The only door to the terminal. stdout carries data (tables, JSON); stderr
 * carries action lines, warnings and errors. Spinners (ora) appear only when
 * stderr is a terminal; under --json nothing but the JSON document is printed.
 */
import {printable} from '../text.js'
import {conditional, conditionalLine} from './conditional.js'
import {type Palette, PLAIN} from './palette.js'
import {type Column, renderTable} from './table.js'

export interface Streams {
  stdout: {write(text: string): unknown; isTTY?: boolean; columns?: number}
  stderr: {write(text: string): unknown; isTTY?: boolean}
  stdin: {isTTY?: boolean}
}

export class UI {
  /** The spinner drawing now, stopped on Ctrl-C so the terminal is left tidy. */
  private spinner?: {stop(): unknown}
  /** A dry run (--dry-run, CliContext.beginDryRun): action lines say what would be done, in the conditional. */
  dryRun = false

  constructor(
    readonly streams: Streams,
    readonly json: boolean,
    readonly color: Palette,
  ) {}

  /** Prompts are allowed only with a person at both ends. */
  get interactive(): boolean {
    return Boolean(this.streams.stdin.isTTY && this.streams.stderr.isTTY) && !this.json
  }

  get terminal(): boolean {
    return Boolean(this.streams.stdout.isTTY)
  }

  /**
   * A line of data on stdout (suppressed under --json, where the JSON is the data). With no text, a
   * blank line between sections: on a terminal only, since piped stdout carries nothing but rows.
   */
  out(line = ''): void {
    if (this.json || (line === '' && !this.terminal)) return
    this.streams.stdout.write(`${line}\n`)
  }

  /**
   * Prose about the data (an empty list, a total): part of the human view on a terminal; piped, it
   * goes to stderr, so stdout stays rows only. Nowhere under --json.
   */
  note(line: string): void {
    if (this.json) return
    if (this.terminal) this.streams.stdout.write(`${line}\n`)
    else this.streams.stderr.write(`${line}\n`)
  }

  /** Label and value pairs (an app, an org): aligned `Label:  value` on a terminal, `Label<TAB>value` rows when piped. */
  fields(pairs: readonly (readonly [string, string])[]): void {
    const width = Math.max(0, ...pairs.map(([label]) => label.length)) + 2
    for (const [label, raw] of pairs) {
      const value = printable(raw)
      this.out(this.terminal ? `${`${label}:`.padEnd(width)}${value}`.trimEnd() : `${label}\t${value}`)
    }
  }

  /** A line for the person on stderr. */
  info(line: string): void {
    if (!this.json) this.streams.stderr.write(`${line}\n`)
  }

  warn(line: string): void {
    this.streams.stderr.write(`${this.color.warn('Warning:')} ${line}\n`)
  }

  /** A heading above data, as the Heroku CLI prints it: on a terminal only. */
  header(text: string): void {
    if (!this.terminal) return
    this.out(`=== ${this.color.bold(text)}`)
    this.out()
  }

  async table<T>(rows: readonly T[], columns: readonly Column<T>[]): Promise<void> {
    if (this.json || rows.length === 0) return
    const width = usableColumns(this.streams.stdout.columns)
    this.out(await renderTable(rows, columns, this.terminal, this.color.bold, width))
  }

  /**
   * `Adding x to acme as member... done`, with a spinner on a terminal. When the
   * work fails the line is dropped, so the error is the one line a person reads.
   */
  async action<T>(text: string, work: () => Promise<T>, status: (result: T) => string = () => 'done'): Promise<T> {
    if (this.json) return work()
    if (this.streams.stderr.isTTY) return this.spin(text, work, status)
    const result = await work()
    this.streams.stderr.write(`${this.actionLine(text, status(result))}\n`)
    return result
  }

  /**
   * An action's line with its outcome (`done`, `done, already there`, `failed: why`), as `action`
   * ends it: for lines printed after the work (a bulk run's items). In a dry run: `Would add ...`.
   */
  actionLine(text: string, status: string): string {
    if (this.dryRun) return conditionalLine(text, status, this.color.error)
    return `${text}... ${status.startsWith('failed') ? this.color.error(status) : status}`
  }

  /** Stops a spinner that is drawing (the process is about to exit on a signal). */
  interrupted(): void {
    this.spinner?.stop()
    this.spinner = undefined
  }

  private async spin<T>(text: string, work: () => Promise<T>, status: (result: T) => string): Promise<T> {
    const {default: ora} = await import('ora')
    // ora draws with cursor moves: it gets Node's own stream (a spinner runs only on a terminal),
    // seen through measuredTerminal, and colours its frames only when colour is on (it ignores NO_COLOR).
    const spinner = ora({
      text: this.dryRun ? conditional(text) : text,
      stream: measuredTerminal(process.stderr),
      isEnabled: true,
      // ora's stdin-discarder puts a terminal in raw mode and never reads it (it adds its listener
      // without resuming the stream): Ctrl-C was then a byte nobody read, not a SIGINT.
      discardStdin: false,
      color: this.color === PLAIN ? false : 'cyan',
    }).start()
    this.spinner = spinner
    try {
      const result = await work()
      const outcome = status(result)
      spinner.stopAndPersist({symbol: '', text: this.dryRun ? conditionalLine(text, outcome) : `${text}... ${this.color.ok(outcome)}`})
      return result
    } catch (error) {
      spinner.stop()
      throw error
    } finally {
      if (this.spinner === spinner) this.spinner = undefined
    }
  }
}

/** Columns to assume when a terminal reports none, as oclif does. */
export const DEFAULT_COLUMNS = 80

/** A width to lay text out in: the terminal's, or DEFAULT_COLUMNS when it reports 0 or nothing. */
export function usableColumns(columns: number | undefined): number {
  return columns !== undefined && Number.isFinite(columns) && columns > 0 ? Math.floor(columns) : DEFAULT_COLUMNS
}

/**
 * A terminal stream whose width is never 0. A terminal can report 0 columns (`docker run -t`,
 * `script` without a terminal, some CI runners), and ora divides by the width to count the lines it
 * drew: at 0 it counted Infinity and erased lines for ever, in one synchronous loop that no signal
 * could interrupt. The width is read on every frame, so a resize (even to 0) is followed safely.
 */
function measuredTerminal(stream: NodeJS.WriteStream): NodeJS.WriteStream {
  const view = {
    isTTY: true,
    get columns() {
      return usableColumns(stream.columns)
    },
    get rows() {
      return stream.rows
    },
    write: (...args: Parameters<NodeJS.WriteStream['write']>) => stream.write(...args),
    cursorTo: (...args: Parameters<NodeJS.WriteStream['cursorTo']>) => stream.cursorTo(...args),
    moveCursor: (...args: Parameters<NodeJS.WriteStream['moveCursor']>) => stream.moveCursor(...args),
    clearLine: (...args: Parameters<NodeJS.WriteStream['clearLine']>) => stream.clearLine(...args),
    once(event: string, listener: (...args: unknown[]) => void) {
      stream.once(event, listener)
      return view
    },
    removeListener(event: string, listener: (...args: unknown[]) => void) {
      stream.removeListener(event, listener)
      return view
    },
  }
  return view as unknown as NodeJS.WriteStream
}
