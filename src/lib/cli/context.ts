/**
 * What a command is handed: settings, the terminal, the user's config, and the
 * backend, built once per run. Defaults (org, app, acting user) are resolved
 * here, so every command resolves them the same way.
 */
import type {Backend} from '../backend/backend.js'
import {UserConfig} from '../config.js'
import {usageError} from '../errors.js'
import {parseAppName, parseEmail, parseOrgName} from '../domain/validation.js'
import type {UI} from '../output/ui.js'
import type {Settings} from '../settings.js'

export class CliContext {
  readonly config: UserConfig
  private backendPromise?: Promise<Backend>

  constructor(
    readonly settings: Settings,
    readonly ui: UI,
  ) {
    this.config = new UserConfig(settings.configDir)
  }

  /** The acting user on the embedded store: ORGCTL_USER, else the email saved by `orgctl login --email`. */
  async actor(): Promise<string | undefined> {
    if (this.settings.user !== undefined) {
      try {
        return parseEmail(this.settings.user)
      } catch {
        throw usageError(`ORGCTL_USER ${JSON.stringify(this.settings.user)} is not a valid email: set it to an address such as you@example.com.`)
      }
    }
    return this.config.get('email')
  }

  backend(): Promise<Backend> {
    this.backendPromise ??= this.openBackend()
    return this.backendPromise
  }

  private async openBackend(): Promise<Backend> {
    const [{JsonStore}, {LocalBackend}] = await Promise.all([import('../store/json-store.js'), import('../backend/local-backend.js')])
    return new LocalBackend(new JsonStore(this.settings.storePath), await this.actor())
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

  /** The app: --app, else ORGCTL_APP. */
  app(flag: string | undefined): string {
    const app = flag ?? this.settings.app
    if (app === undefined) throw usageError('Missing app: give --app APP (or -a APP), or set ORGCTL_APP.')
    return parseAppName(app)
  }
}
