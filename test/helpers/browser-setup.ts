/**
 * The 'browser' project's globalSetup: finds Chromium (browser.ts findChromium) and launches it once, so a
 * playwright-core that cannot drive this Chromium is told once, here, rather than by every file. Without
 * one it says so in one loud line and the suites skip (browserSuite); under CI=true or
 * ORGCTL_TEST_BROWSER=require that is a failure instead.
 */
import {createRequire} from 'node:module'

import type {TestProject} from 'vitest/node'

import {type BrowserInfo, findChromium, launchChromium} from './browser.js'

const PLAYWRIGHT = (createRequire(import.meta.url)('playwright-core/package.json') as {version: string}).version

function skip(project: TestProject, reason: string): void {
  const required = process.env.CI === 'true' || process.env.ORGCTL_TEST_BROWSER === 'require'
  const line = `Browser suites SKIPPED: ${reason}. Install Debian's chromium (apt-get install chromium) or set ORGCTL_TEST_CHROMIUM.`
  if (required) throw new Error(`${line} (a failure here: ${process.env.CI === 'true' ? 'CI=true' : 'ORGCTL_TEST_BROWSER=require'})`)
  process.stderr.write(`\n\x1b[1;33m*** ${line} ***\x1b[0m\n\n`)
  project.provide('orgctlBrowser', {skipReason: reason} satisfies BrowserInfo)
}

export async function setup(project: TestProject): Promise<void> {
  if (process.env.ORGCTL_TEST_BROWSER === 'off') return skip(project, 'ORGCTL_TEST_BROWSER=off')
  const {executable, looked} = findChromium()
  if (!executable) return skip(project, `no Chromium at ${looked}`)
  let version: string
  try {
    const launched = await launchChromium(executable)
    version = launched.browser.version()
    await launched.close()
  } catch (error) {
    const first = (error as Error).message.split('\n')[0]
    return skip(project, `${executable} did not start under playwright-core ${PLAYWRIGHT}: ${first}`)
  }
  project.provide('orgctlBrowser', {executable, version: `Chromium ${version} (playwright-core ${PLAYWRIGHT})`} satisfies BrowserInfo)
}
