/**
 * The standard streams, each set up on first use and written straight to its descriptor when that
 * is a pipe, a file or /dev/null-like device. On a pipe, process.stdout is a net.Socket: creating it
 * (node:net and the stream machinery behind it) costs ~3 ms of every command's start-up, for output
 * one synchronous write carries as well (Node writes to pipes and files synchronously too). A
 * terminal, or anything else, gets Node's own stream.
 *
 * When the operating system refuses a write (a full disk, an I/O error), stdout says so once, on
 * stderr, in one line naming where it was writing and whether the command's change was made, and
 * the exit code is output_error's; a reader that went away (EPIPE, `orgctl members | head -1`) is
 * a silent success. stderr's own failures are dropped: there is nowhere left to tell them, and the
 * exit code still tells the outcome.
 */
import {fstatSync, readlinkSync, writeSync} from 'node:fs'

import {OrgctlError} from '../errors.js'
import {describeOsError} from '../os-errors.js'

export interface Output {
  write(text: string): void
  readonly isTTY: boolean
  /** A terminal's width as it reports it (undefined when not a terminal; may be 0). */
  readonly columns?: number
  /** Runs `work` with this stream's failures dropped (the error path's own output). */
  quietly(work: () => void): void
}

type NodeStream = NodeJS.WritableStream & {isTTY?: boolean}

/** Set once a change has been committed (the store, the config, an API call that changes things). */
let changeMade = false

/** Records that this run has made its change: output that fails from now on must say so. */
export function changeCommitted(): void {
  changeMade = true
}

/** Whether this run has made a change already (so a later failure must not say nothing was changed). */
export const changeWasMade = (): boolean => changeMade

/** stdout failed: its line is on stderr already (written when it failed), so no one prints it again. */
export class OutputError extends OrgctlError {
  constructor(message: string) {
    super('output_error', message)
    this.name = 'OutputError'
  }

  /** If it reaches oclif's own handler (after the command, e.g. the --json result), only the exit code. */
  readonly skipOclifErrorHandling = true
  get oclif(): {exit: number} {
    return {exit: this.exitCode}
  }
}

/** Where a descriptor writes (a path), when the system says. */
function targetOf(fd: number): string | undefined {
  try {
    const target = readlinkSync(`/proc/self/fd/${fd}`).replace(/ \(deleted\)$/, '')
    return target.startsWith('/') ? target : undefined
  } catch {
    return undefined
  }
}

/** /dev/null, /dev/full, /dev/zero: Linux's memory devices (major 1), which are never terminals. */
const isMemoryDevice = (rdev: number) => Math.floor(rdev / 256) % 4096 === 1

class Descriptor implements Output {
  private direct?: boolean
  /** Nothing more is written: the reader went away, or a write failed and was reported. */
  private closed = false
  private quiet = 0
  private node?: NodeStream

  constructor(
    private readonly fd: number,
    private readonly name: 'stdout' | 'stderr' | 'stdin',
    private readonly stream: () => NodeStream,
    /** Whether a failure is told (stdout) or only dropped (stderr). */
    private readonly reports: boolean,
  ) {}

  /** A pipe, a socket, a file or a memory device: never a terminal. */
  private get plain(): boolean {
    if (this.direct === undefined) {
      try {
        const info = fstatSync(this.fd)
        this.direct = info.isFIFO() || info.isSocket() || info.isFile() || (info.isCharacterDevice() && isMemoryDevice(info.rdev))
      } catch {
        this.direct = false
      }
    }
    return this.direct
  }

  private nodeStream(): NodeStream {
    if (!this.node) {
      this.node = this.stream()
      // stdin's is only asked whether it is a terminal: there is nothing to watch.
      if (this.name !== 'stdin') watch(this.node, this)
    }
    return this.node
  }

  get isTTY(): boolean {
    return this.plain ? false : Boolean(this.nodeStream().isTTY)
  }

  get columns(): number | undefined {
    return this.isTTY ? (this.nodeStream() as {columns?: number}).columns : undefined
  }

  write(text: string): void {
    if (this.closed) return
    if (!this.plain) {
      this.streamWrite(text)
      return
    }
    const bytes = Buffer.from(text)
    for (let offset = 0; offset < bytes.length;) {
      try {
        offset += writeSync(this.fd, bytes, offset)
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code
        if (code === 'EINTR') continue
        if (code !== 'EAGAIN') return this.fail(error as Error, true)
        // A non-blocking pipe that is full: Node's stream queues the rest and waits for the reader.
        this.direct = false
        this.streamWrite(bytes.subarray(offset))
        return
      }
    }
  }

  private streamWrite(data: string | Uint8Array): void {
    try {
      this.nodeStream().write(data)
    } catch (error) {
      this.fail(error as Error, true)
    }
  }

  /** Runs `work` with failures of this stream dropped silently (the error path's own output). */
  quietly(work: () => void): void {
    this.quiet++
    try {
      work()
    } catch (error) {
      if (!(error instanceof OutputError)) throw error
    } finally {
      this.quiet--
    }
  }

  /** A write failed: when `thrown`, the command stops here (its output is gone, so is its point). */
  fail(error: Error, thrown: boolean): void {
    if (this.closed) return
    this.closed = true
    const code = (error as NodeJS.ErrnoException).code
    if (code === 'EPIPE' || code === 'ERR_STREAM_DESTROYED' || !this.reports || this.quiet > 0) return
    const target = targetOf(this.fd)
    const where = target ? `${target} (${this.name})` : this.name
    const why = describeOsError(error)
    const fix =
      code === 'ENOSPC' || code === 'EDQUOT'
        ? `free some space or send ${this.name} elsewhere`
        : code === 'EIO'
          ? `check the terminal or disk, or send ${this.name} elsewhere`
          : `send ${this.name} elsewhere`
    const failure = new OutputError(
      changeMade
        ? `The change was made, but its output could not be written to ${where}: ${why}. Check the result (e.g. with a listing) before running the command again; ${fix}.`
        : `Cannot write the output to ${where}: ${why}. Nothing was changed: ${fix}, then run the command again.`,
    )
    stderr.write(`Error: ${failure.message}\n`)
    if (process.env.DEBUG) stderr.write(`${error.stack ?? error}\n`)
    process.exitCode = failure.exitCode
    if (thrown) throw failure
  }
}

/**
 * A Node stream's failures (a terminal gone, a queued write refused) go to its descriptor, never
 * uncaught. It replaces oclif's handler, which lets EPIPE go as this one does but throws any other
 * failure from the event (an uncaught exception printing a line of the bundle's source).
 */
function watch(stream: NodeStream, descriptor: Descriptor): void {
  if (watched.has(stream)) return
  watched.add(stream)
  stream.removeAllListeners('error')
  stream.on('error', (error: Error) => descriptor.fail(error, false))
}
const watched = new WeakSet<object>()

export const stdout = new Descriptor(1, 'stdout', () => process.stdout, true)
export const stderr = new Descriptor(2, 'stderr', () => process.stderr, false)
/** Only whether a person types into it (reading it is left to process.stdin). */
export const stdin: {readonly isTTY: boolean} = new Descriptor(
  0,
  'stdin',
  () => ({isTTY: process.stdin.isTTY}) as unknown as NodeStream,
  false,
)

/**
 * Whoever else writes to process.stdout or process.stderr (oclif's help and --version, ora's
 * spinner) gets the same handling of failures: the streams are watched when Node first makes them
 * (they stay lazy: making one on a pipe costs start-up time).
 */
for (const [key, descriptor] of [
  ['stdout', stdout],
  ['stderr', stderr],
] as const) {
  const property = Object.getOwnPropertyDescriptor(process, key)
  if (!property?.get || !property.configurable) continue
  const make = property.get
  Object.defineProperty(process, key, {
    configurable: true,
    enumerable: property.enumerable,
    get() {
      const stream = make.call(process) as NodeStream
      watch(stream, descriptor)
      return stream
    },
  })
}
