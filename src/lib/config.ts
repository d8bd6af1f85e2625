/**
 * The user's saved settings (conf, file mode 0600): the login email, a default
 * org, the API URL and token. conf is loaded only when the file exists or is written.
 */
import {existsSync} from 'node:fs'
import {join} from 'node:path'

import type Conf from 'conf'

export interface ConfigValues {
  email?: string
  org?: string
  apiUrl?: string
  apiKey?: string
}

const CONFIG_NAME = 'config'

export class UserConfig {
  private conf?: Conf<ConfigValues>
  private readonly file: string

  constructor(private readonly directory: string) {
    this.file = join(directory, `${CONFIG_NAME}.json`)
  }

  private async open(): Promise<Conf<ConfigValues>> {
    if (!this.conf) {
      const {default: ConfClass} = await import('conf')
      this.conf = new ConfClass<ConfigValues>({
        projectName: 'orgctl',
        projectSuffix: '',
        configName: CONFIG_NAME,
        configFileMode: 0o600,
        cwd: this.directory,
      })
    }
    return this.conf
  }

  async get<K extends keyof ConfigValues>(key: K): Promise<ConfigValues[K]> {
    // Most runs have no config at all: do not pay for loading conf to learn that.
    if (!this.conf && !existsSync(this.file)) return undefined
    return (await this.open()).get(key)
  }

  async set(values: ConfigValues): Promise<void> {
    const conf = await this.open()
    for (const [key, value] of Object.entries(values) as [keyof ConfigValues, string | undefined][]) {
      if (value === undefined) conf.delete(key)
      else conf.set(key, value)
    }
  }

  get path(): string {
    return this.file
  }
}
