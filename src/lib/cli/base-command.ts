/**
 * The base of every command: builds the context, prints results as JSON under
 * --json, and turns every error into one line and a stable exit code.
 */
import {Command, type Interfaces} from '@oclif/core'

import {OrgctlError, toOrgctlError, usageError} from '../errors.js'
import {loadPalette} from '../output/palette.js'
import {OutputError} from '../output/stdio.js'
import {UI} from '../output/ui.js'
import {settingsFromEnv} from '../settings.js'
import {CliContext} from './context.js'
import {type Factory, processFactory} from './factory.js'
import {exitOnSignals, Interrupted} from './interrupt.js'
import {booleanWithValue, type CommandShape, describeParseFailure, isParseFailure, usageLine} from './usage.js'

/** oclif's parsed flags and args (its FlagOutput and ArgOutput, which it does not export). */
type Outputs = {[name: string]: any}

/** Commands that stop themselves on SIGINT/SIGTERM (serve finishes the requests in flight, then exits 0). */
const STOP_THEMSELVES = new Set(['serve', 'dashboard'])

export abstract class OrgctlCommand extends Command {
  static override enableJsonFlag = true

  protected ctx!: CliContext
  /** Where the command gets its environment, streams, clock and backend: an in-process test sets its own before running it. */
  factory: Factory = processFactory()
  private releaseSignals?: () => void

  override async init(): Promise<void> {
    // A command that stops itself gets the first signal to itself (a second one ends it at once); a
    // listener of ours stays meanwhile, or signal-exit (loaded by the store's lock) would see itself
    // alone once the command's `once` listener ran, and re-send the signal: serve died of SIGTERM.
    this.releaseSignals = exitOnSignals(
      (signal) => {
        this.ctx?.ui.interrupted()
        if (signal === 'SIGINT') this.factory.stderr.write('Aborted.\n')
      },
      {graceSignals: STOP_THEMSELVES.has(this.id ?? '') ? 1 : 0},
    )
    await super.init()
    const misused = booleanWithValue(this.argv, this.ctor as CommandShape)
    if (misused !== undefined) throw usageError(misused)
    const {factory} = this
    const settings = settingsFromEnv(factory.env)
    const json = this.jsonEnabled()
    const color = await loadPalette(factory.stdout.isTTY && !json && !settings.noColor)
    this.ctx = new CliContext(
      settings,
      new UI({stdout: factory.stdout, stderr: factory.stderr, stdin: factory.stdin}, json, color),
      factory,
    )
  }

  /** The command's flags, with --dry-run (flags.ts: dryRunFlag) making the run a dry run before anything is opened. */
  protected override async parse<F extends Outputs, B extends Outputs, A extends Outputs>(
    options?: Interfaces.Input<F, B, A>,
    argv?: string[],
  ): Promise<Interfaces.ParserOutput<F, B, A>> {
    const parsed = await super.parse(options, argv)
    if ((parsed.flags as Record<string, unknown>)['dry-run'] === true && !this.ctx.dryRun) this.ctx.beginDryRun()
    return parsed
  }

  /** Kept-alive connections would hold the process open after the work is done. */
  override async finally(error: Error | undefined): Promise<void> {
    this.releaseSignals?.()
    await this.ctx?.close()
    return super.finally(error)
  }

  /** Exactly one JSON document on stdout: indented for a person at a terminal, compact for a program (as gh does). */
  override logJson(json: unknown): void {
    const {stdout} = this.factory
    stdout.write(`${JSON.stringify(json, null, stdout.isTTY ? 2 : undefined)}\n`)
  }

  override async catch(thrown: Error & {exitCode?: number}): Promise<never> {
    // stdout failed: its line is on stderr already (see stdio.ts).
    if (thrown instanceof OutputError) return this.exit(thrown.exitCode)
    const {stderr, env} = this.factory
    if (thrown instanceof Interrupted) {
      this.ctx?.ui.interrupted()
      stderr.write(`${thrown.message}\n`)
      return this.exit(thrown.exitCode)
    }
    const {args, flags, baseFlags, enableJsonFlag, strict} = this.ctor as CommandShape
    const error = asOrgctlError(thrown, {id: this.id, args, flags, baseFlags, enableJsonFlag, strict}, this.config.bin)
    // If stdout fails here too, the line on stderr still tells the error.
    if (this.ctx?.ui.json ?? this.jsonEnabled()) this.factory.stdout.quietly(() => this.logJson(error.toJSON()))
    stderr.write(`Error: ${error.message}\n`)
    if (env.DEBUG) stderr.write(`${thrown.stack ?? thrown}\n`)
    return this.exit(error.exitCode)
  }
}

/** oclif's parse errors become usage errors, on one line naming the argument or flag, with the usage. */
function asOrgctlError(thrown: unknown, command: CommandShape, bin: string): OrgctlError {
  // Every usage error ends with the command's usage, whichever check found it (oclif's parser or ours).
  if (thrown instanceof OrgctlError && thrown.id === 'invalid_params' && command.id && !thrown.message.includes(' Usage: '))
    return usageError(`${thrown.message.replace(/\s+$/, '')} Usage: ${usageLine(bin, command)}`)
  if (thrown instanceof OrgctlError) return thrown
  if (isParseFailure(thrown)) return usageError(describeParseFailure(thrown, command, bin))
  return toOrgctlError(thrown)
}
