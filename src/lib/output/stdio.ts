/**
 * The standard streams, each set up on first use and written straight to its descriptor when that
 * is a pipe or a file. On a pipe, process.stdout is a net.Socket: creating it (node:net and the
 * stream machinery behind it) costs ~3 ms of every command's start-up, for output one synchronous
 * write carries as well (Node writes to pipes and files synchronously too). A terminal, or anything
 * else, gets Node's own stream.
 */
import {fstatSync, writeSync} from 'node:fs'

export interface Output {
  write(text: string): void
  readonly isTTY: boolean
}

class Descriptor implements Output {
  private direct?: boolean
  /** The reader went away (`orgctl members | head -1`): the rest is dropped, as Node's SIGPIPE-less CLIs do. */
  private closed = false

  constructor(
    private readonly fd: number,
    private readonly stream: () => {write(data: string | Uint8Array): unknown; isTTY?: boolean},
  ) {}

  /** A pipe, a socket or a file: never a terminal. */
  private get plain(): boolean {
    if (this.direct === undefined) {
      try {
        const info = fstatSync(this.fd)
        this.direct = info.isFIFO() || info.isSocket() || info.isFile()
      } catch {
        this.direct = false
      }
    }
    return this.direct
  }

  get isTTY(): boolean {
    return this.plain ? false : Boolean(this.stream().isTTY)
  }

  write(text: string): void {
    if (this.closed) return
    if (!this.plain) {
      this.stream().write(text)
      return
    }
    const bytes = Buffer.from(text)
    for (let offset = 0; offset < bytes.length;) {
      try {
        offset += writeSync(this.fd, bytes, offset)
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code
        if (code === 'EPIPE') {
          this.closed = true
          return
        }
        if (code !== 'EAGAIN') throw error
        // A non-blocking pipe that is full: Node's stream queues the rest and waits for the reader.
        this.direct = false
        this.stream().write(bytes.subarray(offset))
        return
      }
    }
  }
}

export const stdout: Output = new Descriptor(1, () => process.stdout)
export const stderr: Output = new Descriptor(2, () => process.stderr)
/** Only whether a person types into it (reading it is left to process.stdin). */
export const stdin: {readonly isTTY: boolean} = new Descriptor(0, () => ({write: () => undefined, isTTY: process.stdin.isTTY}))
