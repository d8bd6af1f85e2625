/** The user's saved settings (conf): the login email, a default org. Loaded only when needed. */
import type Conf from 'conf'

export interface ConfigValues {
  email?: string
  org?: string
}

export class UserConfig {
  private conf?: Conf<ConfigValues>

  constructor(private readonly directory?: string) {}

  private async open(): Promise<Conf<ConfigValues>> {
    if (!this.conf) {
      const {default: ConfClass} = await import('conf')
      this.conf = new ConfClass<ConfigValues>({
        projectName: 'orgctl',
        projectSuffix: '',
        configName: 'config',
        configFileMode: 0o600,
        ...(this.directory ? {cwd: this.directory} : {}),
      })
    }
    return this.conf
  }

  async get<K extends keyof ConfigValues>(key: K): Promise<ConfigValues[K]> {
    return (await this.open()).get(key)
  }

  async set(values: ConfigValues): Promise<void> {
    const conf = await this.open()
    for (const [key, value] of Object.entries(values) as [keyof ConfigValues, string | undefined][]) {
      if (value === undefined) conf.delete(key)
      else conf.set(key, value)
    }
  }

  async path(): Promise<string> {
    return (await this.open()).path
  }
}
