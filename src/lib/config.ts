/**
 * The user's saved settings (conf, file mode 0600): the login email, a default
 * org, the API URL and token. conf is loaded only when the file exists or is written.
 * Any failure to read or write it is a store error naming the file (exit 7), and a
 * change is written in one write: all of it, or none.
 */
import {existsSync} from 'node:fs'
import {join} from 'node:path'

import type Conf from 'conf'

import {makeFolders} from './folders.js'
import {type OrgctlError, storeError} from './errors.js'
import {describeOsError, osCode} from './os-errors.js'
import {changeCommitted, changeWasMade} from './output/stdio.js'

export interface ConfigValues {
  email?: string
  org?: string
  apiUrl?: string
  apiKey?: string
}

const CONFIG_NAME = 'config'

const ADVICE: Record<string, string> = {
  ENOSPC: 'Free some space, then run the command again.',
  EDQUOT: 'Free some space, then run the command again.',
  EROFS: 'Remount it read-write, or point ORGCTL_CONFIG_DIR elsewhere.',
  EACCES: 'Check the permissions of the file and its folder, or point ORGCTL_CONFIG_DIR elsewhere.',
  EPERM: 'Check the file and its folder (lsattr; chattr -i if immutable), or point ORGCTL_CONFIG_DIR elsewhere.',
  ENOTDIR: 'Point ORGCTL_CONFIG_DIR at a folder.',
  EISDIR: 'Remove the folder in its place, or point ORGCTL_CONFIG_DIR elsewhere.',
}

export class UserConfig {
  private conf?: Conf<ConfigValues>
  private readonly file: string

  constructor(private readonly directory: string) {
    this.file = join(directory, `${CONFIG_NAME}.json`)
  }

  /** conf, loaded; it reads the file (and makes the folder when there is none) as it starts. */
  private async open(doing: 'read' | 'write'): Promise<Conf<ConfigValues>> {
    if (!this.conf) {
      const {default: ConfClass} = await import('conf')
      try {
        // conf makes its folder with Node's recursive mkdir, which never returns under /proc: made here first.
        await makeFolders(this.directory, 0o700)
        this.conf = new ConfClass<ConfigValues>({
          projectName: 'orgctl',
          projectSuffix: '',
          configName: CONFIG_NAME,
          configFileMode: 0o600,
          cwd: this.directory,
        })
      } catch (error) {
        throw this.failure(doing, error)
      }
    }
    return this.conf
  }

  async get<K extends keyof ConfigValues>(key: K): Promise<ConfigValues[K]> {
    // Most runs have no config at all: do not pay for loading conf to learn that.
    if (!this.conf && !existsSync(this.file)) return undefined
    const value: unknown = (await this.open('read')).get(key)
    if (value !== undefined && typeof value !== 'string') {
      throw storeError(
        `The config file ${this.file} has a ${key} that is not text: fix or delete that entry (or the file). It was left as it is.`,
      )
    }
    return value
  }

  /** Sets the values given (undefined removes one), in one write. */
  async set(values: ConfigValues): Promise<void> {
    const conf = await this.open('write')
    try {
      const next: Record<string, unknown> = {...conf.store}
      for (const [key, value] of Object.entries(values)) {
        if (value === undefined) delete next[key]
        else next[key] = value
      }
      conf.store = next as ConfigValues
    } catch (error) {
      throw this.failure('write', error)
    }
    changeCommitted()
  }

  get path(): string {
    return this.file
  }

  private failure(doing: 'read' | 'write', error: unknown): OrgctlError {
    if (error instanceof SyntaxError) {
      return storeError(
        `The config file ${this.file} is not valid JSON: fix it, or delete it and run orgctl login again. It was left as it is.`,
      )
    }
    // conf makes its folder with mkdir -p, which says EEXIST when the folder is a file.
    const cause = osCode(error) === 'EEXIST' ? Object.assign(new Error(), {code: 'ENOTDIR'}) : error
    const advice = ADVICE[osCode(cause) ?? ''] ?? 'Check the file and its folder, or point ORGCTL_CONFIG_DIR elsewhere.'
    const what = doing === 'read' ? `Cannot read the config file ${this.file}` : `Cannot save the config file ${this.file}`
    // After a change elsewhere (logout revokes its token on the server first), only the file is untouched.
    const outcome = doing === 'read' ? '' : changeWasMade() ? ' The file was left as it was.' : ' Nothing was changed.'
    return storeError(`${what}: ${describeOsError(cause)}. ${advice}${outcome}`)
  }
}
