/**
 * The base of every command: builds the context, prints results as JSON under
 * --json, and turns every error into one line and a stable exit code.
 */
import {Command} from '@oclif/core'

import {OrgctlError, toOrgctlError, usageError} from '../errors.js'
import {loadPalette} from '../output/palette.js'
import {OutputError} from '../output/stdio.js'
import {UI} from '../output/ui.js'
import {settingsFromEnv} from '../settings.js'
import {CliContext} from './context.js'
import {type Factory, processFactory} from './factory.js'

export abstract class OrgctlCommand extends Command {
  static override enableJsonFlag = true

  protected ctx!: CliContext
  /** Where the command gets its environment, streams, clock and backend: an in-process test sets its own before running it. */
  factory: Factory = processFactory()

  override async init(): Promise<void> {
    await super.init()
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

  /** Kept-alive connections would hold the process open after the work is done. */
  override async finally(error: Error | undefined): Promise<void> {
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
    const error = asOrgctlError(thrown)
    // If stdout fails here too, the line on stderr still tells the error.
    if (this.ctx?.ui.json ?? this.jsonEnabled()) this.factory.stdout.quietly(() => this.logJson(error.toJSON()))
    const {stderr, env} = this.factory
    stderr.write(`Error: ${error.message}\n`)
    if (env.DEBUG) stderr.write(`${thrown.stack ?? thrown}\n`)
    return this.exit(error.exitCode)
  }
}

/** oclif's parse errors become usage errors, on one line. */
function asOrgctlError(thrown: unknown): OrgctlError {
  if (thrown instanceof OrgctlError) return thrown
  const oclif = thrown as {parse?: unknown; oclif?: {exit?: number}; message?: string}
  if (oclif && typeof oclif === 'object' && ('parse' in oclif || oclif.oclif?.exit === 2)) {
    const first = String(oclif.message ?? 'Invalid usage')
      .split('\n')[0]!
      .trim()
    return usageError(`${first.replace(/\.$/, '')}. See --help for usage.`)
  }
  return toOrgctlError(thrown)
}
