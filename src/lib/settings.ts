/** Everything orgctl reads from the environment, read once at start-up and handed in. */
import {join} from 'node:path'

import envPaths from 'env-paths'

import {usageError} from './errors.js'

export interface Settings {
  /** The embedded store's file (ORGCTL_STORE, else under the user's data directory). */
  storePath: string
  /** ORGCTL_STORE was set: the embedded store was asked for explicitly. */
  storeFromEnv: boolean
  /** A PostgreSQL database to run on instead of the file (ORGCTL_DATABASE_URL): its password is never shown. */
  databaseUrl?: string
  /** The acting user on the embedded store or the database (ORGCTL_USER). */
  user?: string
  /** The default org (ORGCTL_ORG). */
  org?: string
  /** The default app (ORGCTL_APP). */
  app?: string
  /** Where the config lives (ORGCTL_CONFIG_DIR, else the user's config directory). */
  configDir: string
  /** The backend API (ORGCTL_API_URL, with ORGCTL_API_KEY). */
  apiUrl?: string
  apiKey?: string
  /** How long one API call may take, retries included (ORGCTL_API_TIMEOUT, seconds; default 30). */
  apiTimeoutMs: number
  /** Stack traces and request traces (DEBUG). */
  debug: boolean
  /** NO_COLOR set: never colour. */
  noColor: boolean
}

const nonEmpty = (value: string | undefined): string | undefined => (value === undefined || value.trim() === '' ? undefined : value.trim())

/** A number of seconds from the environment, in milliseconds; a value that is not one is refused, never ignored. */
function positiveSeconds(name: string, value: string | undefined): number | undefined {
  const text = nonEmpty(value)
  if (text === undefined) return undefined
  const seconds = Number(text)
  if (!Number.isFinite(seconds) || seconds <= 0 || seconds > 86_400)
    throw usageError(
      `${name} ${JSON.stringify(text)} is not a number of seconds: set it to one from 0.001 to 86400 (such as 30), or unset it.`,
    )
  return seconds * 1000
}

export function settingsFromEnv(env: NodeJS.ProcessEnv): Settings {
  const paths = envPaths('orgctl', {suffix: ''})
  return {
    storePath: nonEmpty(env.ORGCTL_STORE) ?? join(paths.data, 'store.json'),
    storeFromEnv: nonEmpty(env.ORGCTL_STORE) !== undefined,
    databaseUrl: nonEmpty(env.ORGCTL_DATABASE_URL),
    user: nonEmpty(env.ORGCTL_USER),
    org: nonEmpty(env.ORGCTL_ORG),
    app: nonEmpty(env.ORGCTL_APP),
    configDir: nonEmpty(env.ORGCTL_CONFIG_DIR) ?? paths.config,
    apiUrl: nonEmpty(env.ORGCTL_API_URL),
    apiKey: nonEmpty(env.ORGCTL_API_KEY),
    apiTimeoutMs: positiveSeconds('ORGCTL_API_TIMEOUT', env.ORGCTL_API_TIMEOUT) ?? 30_000,
    debug: Boolean(nonEmpty(env.DEBUG)),
    noColor: env.NO_COLOR !== undefined && env.NO_COLOR !== '',
  }
}
