/**
 * What a command is handed: settings, the terminal, the user's config, and the
 * backend, built once per run. Defaults (org, app, acting user) are resolved
 * here, so every command resolves them the same way.
 */
import type {Backend} from '../backend/backend.js'
import type {LocalBackend} from '../backend/local-backend.js'
import type {EngineChoice} from '../storage/open.js'
import type {Storage} from '../storage/storage.js'
import {UserConfig} from '../config.js'
import {toOrgctlError, unauthorized, usageError} from '../errors.js'
import {parseAppName, parseEmail, parseOrgName} from '../domain/validation.js'
import type {UI} from '../output/ui.js'
import type {Settings} from '../settings.js'
import type {Factory} from './factory.js'

export class CliContext {
  readonly config: UserConfig
  private backendPromise?: Promise<Backend>
  private readonly opened: Backend[] = []
  private dry = false

  constructor(
    readonly settings: Settings,
    readonly ui: UI,
    private readonly factory: Factory,
  ) {
    this.config = new UserConfig(settings.configDir)
  }

  /** The acting user on the embedded store: ORGCTL_USER, else the email saved by `orgctl login --email`. */
  async actor(): Promise<string | undefined> {
    if (this.settings.user !== undefined) {
      try {
        return parseEmail(this.settings.user)
      } catch {
        throw usageError(
          `ORGCTL_USER ${JSON.stringify(this.settings.user)} is not a valid email: set it to an address such as you@example.com.`,
        )
      }
    }
    const saved = await this.config.get('email')
    if (saved === undefined) return undefined
    try {
      return parseEmail(saved)
    } catch {
      throw usageError(
        `The email saved in ${this.config.path} (${JSON.stringify(saved)}) is not a valid email: run orgctl login --email you@example.com.`,
      )
    }
  }

  /** Whether this run is a dry run (--dry-run): see beginDryRun. */
  get dryRun(): boolean {
    return this.dry
  }

  /**
   * Makes this run a dry run (base-command.ts, when the command's --dry-run is given): the backend
   * handed out runs every check and changes nothing (on a storage engine, one rolled-back write for
   * the whole command; over HTTP, each change sent with `Dry-Run: true`), and the UI's action lines
   * say what would be done.
   */
  beginDryRun(): void {
    if (this.backendPromise) throw new Error('A dry run must begin before the backend is opened.')
    this.dry = true
    this.ui.dryRun = true
  }

  backend(): Promise<Backend> {
    this.backendPromise ??= this.openBackend()
    return this.backendPromise
  }

  /** Closes the backend if one was opened (and every other opened with openApi). */
  async close(): Promise<void> {
    const backends = [...this.opened]
    this.opened.length = 0
    await Promise.all(backends.map((backend) => backend.close().catch(() => undefined)))
  }

  /**
   * In this order: the backend API when ORGCTL_API_URL is set; the domain directly on PostgreSQL
   * when ORGCTL_DATABASE_URL is (with ORGCTL_STORE too: a usage error); on the embedded file when
   * ORGCTL_STORE or ORGCTL_USER asks for it; else the API a `login --api-url` saved, or the file.
   * Each loads only its own modules: local commands never load undici, nor pg.
   */
  private async openBackend(): Promise<Backend> {
    if (this.factory.openBackend) return this.factory.openBackend(this)
    const {settings} = this
    if (settings.apiUrl !== undefined) return this.openApi(settings.apiUrl, settings.apiKey ?? (await this.config.get('apiKey')))
    const {chooseEngine} = await import('../storage/open.js')
    const engine = chooseEngine(settings)
    const explicitLocal = engine.kind === 'postgres' || settings.storeFromEnv || settings.user !== undefined
    const apiUrl = explicitLocal ? undefined : await this.config.get('apiUrl')
    if (apiUrl !== undefined) return this.openApi(apiUrl, settings.apiKey ?? (await this.config.get('apiKey')))
    return this.openLocal(engine)
  }

  /** The domain run in this process on a storage engine, for the acting user. */
  async openLocal(engine: EngineChoice): Promise<LocalBackend> {
    const actor = await this.actor()
    const [{openStorage}, {LocalBackend}] = await Promise.all([import('../storage/open.js'), import('../backend/local-backend.js')])
    const backend = new LocalBackend(await this.withDryRun(await openStorage(engine)), actor, this.factory.clock)
    this.opened.push(backend)
    return backend
  }

  /**
   * A storage a command opened itself (one that works on the storage directly, not through the
   * backend), as this run needs it: in a dry run, one rolled-back write for the whole command, which
   * closing closes the storage under it too.
   */
  async withDryRun(storage: Storage): Promise<Storage> {
    if (!this.dry) return storage
    const {DryRunStorage} = await import('../storage/dry-run.js')
    return new DryRunStorage(storage, {closeInner: true})
  }

  /** An HTTP backend for a URL and token. */
  async openApi(apiUrl: string, token: string | undefined): Promise<Backend> {
    let url: URL
    try {
      url = new URL(apiUrl)
      if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('not http')
    } catch {
      throw usageError(`Invalid API URL ${JSON.stringify(apiUrl)}: give one such as http://127.0.0.1:5000.`)
    }
    if (!token) throw unauthorized(`No API token for ${url.origin}: set ORGCTL_API_KEY, or run orgctl login --api-url ${url.origin}.`)
    const [{ApiClient}, {HttpBackend}] = await Promise.all([import('../http/api-client.js'), import('../backend/http-backend.js')])
    const trace = this.settings.debug ? (line: string) => this.factory.stderr.write(`orgctl:http ${line}\n`) : undefined
    const backend = new HttpBackend(
      new ApiClient({baseUrl: url.href, token, trace, userAgent: 'orgctl-cli', deadlineMs: this.settings.apiTimeoutMs, dryRun: this.dry}),
    )
    this.opened.push(backend)
    return backend
  }

  /** Everything piped to the command (`--file -`, `--token-stdin`). */
  readStdin(): Promise<string> {
    return this.factory.stdin.read()
  }

  /** The org: --org/--team, else ORGCTL_ORG, else the config's default. */
  async org(flag: string | undefined): Promise<string> {
    const org = flag ?? this.settings.org ?? (await this.config.get('org'))
    if (org === undefined) throw usageError('Missing org: give --org ORG (or -t ORG), or set ORGCTL_ORG.')
    return parseOrgName(org)
  }

  /** The org if one is given or defaulted, else undefined. */
  async optionalOrg(flag: string | undefined): Promise<string | undefined> {
    const org = flag ?? this.settings.org ?? (await this.config.get('org'))
    return org === undefined ? undefined : parseOrgName(org)
  }

  /**
   * After the org `from` was renamed `to`: a default saved in the config that named it names `to`
   * (its old name is free for anyone to take). ORGCTL_ORG is the caller's to change: the lines say so.
   */
  async followRename(from: string, to: string): Promise<string[]> {
    const lines: string[] = []
    // The rename is done: a config that cannot be read or saved is said, not made the command's failure
    // (a script would take the exit code for the rename's, and its rerun would find no org of that name).
    try {
      if ((await this.config.get('org')) === from) {
        await this.config.set({org: to})
        lines.push(`The default org is now ${to} (saved in ${this.config.path})`)
      }
    } catch (error) {
      lines.push(
        `The saved default org was not followed: ${toOrgctlError(error).message} If it names ${from}, run orgctl login --org ${to}.`,
      )
    }
    if (this.settings.org === from) lines.push(`ORGCTL_ORG still names ${from}: set it to ${to}`)
    return lines
  }

  /** The app: --app, else ORGCTL_APP. */
  app(flag: string | undefined): string {
    const app = flag ?? this.settings.app
    if (app === undefined) throw usageError('Missing app: give --app APP (or -a APP), or set ORGCTL_APP.')
    return parseAppName(app)
  }
}
