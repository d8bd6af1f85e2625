#!/usr/bin/env node
// Measures the Dashboard in Debian's headless Chromium (playwright-core) against a real `orgctl serve`
// on an org of 2,000 members, 50 apps and 1,000 audit events: the weight of each page (its HTML, plus the one stylesheet
// and the one script every page loads), and the time to first render of the Access tab (first
// contentful paint, each run in a fresh browser context: nothing cached), next to the server's own
// time to answer it. Usage: npm run build && node scripts/measure-dashboard.mjs [--runs N].
// Everything in a temp dir; loopback only.
import {spawnSync} from 'node:child_process'
import {existsSync, rmSync} from 'node:fs'
import {join} from 'node:path'

import {chromium} from 'playwright-core'

import {BIN, measureSetup, ROOT} from './bench/measure-setup.mjs'
import {serveOrgctl, stopAll} from './bench/serve.mjs'
import {ADMIN, ORG, buildStore, loadDomain} from './bench/stores.mjs'

const {runs: RUNS, tmp: TMP, env} = measureSetup('dashboard')
const store = join(TMP, 'store.json')
const SHAPE = {members: 2000, apps: 50, collaboratorsPerApp: 4, tokensFor: [ADMIN], events: 1000}
const BROWSER =
  process.env.ORGCTL_TEST_CHROMIUM ?? (existsSync('/usr/lib/chromium/chromium') ? '/usr/lib/chromium/chromium' : '/usr/bin/chromium')
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
]
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]
const kb = (bytes) => `${(bytes / 1024).toFixed(1)} KB`
let browser

try {
  const domain = await loadDomain(ROOT)
  const {tokens} = await buildStore(domain, store, SHAPE)
  const url = await serveOrgctl(BIN, ['serve'], {...env, ORGCTL_STORE: store})
  const linked = spawnSync(process.execPath, [BIN, 'dashboard', '--no-open'], {
    env: {...env, ORGCTL_API_URL: url, ORGCTL_API_KEY: tokens[ADMIN]},
    encoding: 'utf8',
  })
  const link = /(http:\/\/\S+\/dashboard\/sign-in\/link\?code=\S+)/.exec(linked.stderr)?.[1]
  if (!link) throw new Error(`orgctl dashboard gave no link: ${linked.stderr}`)

  browser = await chromium.launch({executablePath: BROWSER, args: ARGS})
  const first = await browser.newContext()
  await (await first.newPage()).goto(link)
  const cookies = await first.cookies()
  await first.close()
  if (!cookies.some((cookie) => cookie.name === 'orgctl_session')) throw new Error('the link did not sign in')

  // Each page's weight: the HTML as sent, plus every stylesheet and script it loads (one each).
  const pages = {
    'sign-in': '/dashboard/sign-in',
    home: '/dashboard',
    'access (page 1 of 20)': `/dashboard/orgs/${ORG}/access`,
    apps: `/dashboard/orgs/${ORG}/apps`,
    usage: `/dashboard/orgs/${ORG}/usage`,
    billing: `/dashboard/orgs/${ORG}/billing`,
    'audit (page 1 of 11)': `/dashboard/orgs/${ORG}/audit`,
    transfers: '/dashboard/transfers',
  }
  console.log(`Dashboard on ${ORG}: 2,000 members, 50 apps, 1,000 audit events (Chromium ${browser.version()}, ${RUNS} runs)`)
  console.log('page weight (HTML + CSS + JS, uncompressed: the server sends no compression, see docs/architecture.md):')
  for (const [name, path] of Object.entries(pages)) {
    const context = await browser.newContext()
    if (name !== 'sign-in') await context.addCookies(cookies)
    const page = await context.newPage()
    const sizes = {html: 0, css: 0, js: 0}
    const bodies = []
    page.on('response', (response) => {
      const kind = {document: 'html', stylesheet: 'css', script: 'js'}[response.request().resourceType()]
      if (!kind) return
      bodies.push(
        response.body().then(
          (body) => (sizes[kind] += body.length),
          () => undefined,
        ),
      )
    })
    const answer = await page.goto(`${url}${path}`, {waitUntil: 'load'})
    // A refusal or an error page would weigh something else: measure only the page itself.
    if (!answer?.ok()) throw new Error(`${path} answered ${answer?.status()}`)
    await Promise.all(bodies)
    const total = sizes.html + sizes.css + sizes.js
    console.log(
      `  ${name.padEnd(22)} ${kb(total).padStart(9)}  (HTML ${kb(sizes.html)}, CSS ${kb(sizes.css)}, JS ${kb(sizes.js)})${total > 100 * 1024 ? '  OVER 100 KB' : ''}`,
    )
    await context.close()
  }

  // First renders, cold: a fresh context per run, so the stylesheet and script are fetched too. The Access
  // tab, and as the ratio's floor the sign-in page (the smallest page, no storage read but the session's).
  const access = `${url}/dashboard/orgs/${ORG}/access`
  const {paints, responses} = await coldPaints(access, cookies)
  const floor = await coldPaints(`${url}/dashboard/sign-in`, [])
  // The server alone: the same page fetched without a browser.
  const cookie = cookies.map((each) => `${each.name}=${each.value}`).join('; ')
  const fetches = await serverTimes(access, cookie)
  console.log(`Access tab of 2,000 members (the first 100 shown), median of ${RUNS}:`)
  console.log(
    `  first contentful paint, cold context: ${median(paints).toFixed(0)} ms after navigation start ` +
      `(${(median(paints) / median(floor.paints)).toFixed(2)}x the sign-in page's ${median(floor.paints).toFixed(0)} ms)`,
  )
  console.log(`  of which the HTML's request to its last byte: ${median(responses).toFixed(0)} ms`)
  console.log(`  the server's answer fetched without a browser: ${median(fetches).toFixed(0)} ms`)
  const audit = await serverTimes(`${url}/dashboard/orgs/${ORG}/audit`, cookie)
  console.log(`Audit tab of 1,000 events (the newest 100 shown), the server's answer without a browser: ${median(audit).toFixed(0)} ms`)
} finally {
  await browser?.close()
  stopAll()
  rmSync(TMP, {recursive: true, force: true})
}

/** The server's time to answer a page, fetched without a browser (the first run warms it). */
async function serverTimes(target, cookie) {
  const times = []
  for (let run = 0; run <= RUNS; run++) {
    const started = performance.now()
    const answer = await fetch(target, {headers: {accept: 'text/html', cookie}})
    await answer.text()
    if (run > 0) times.push(performance.now() - started)
  }
  return times
}

/** First contentful paint and the HTML's request-to-last-byte of a page, each run in a fresh context; the first run warms the server. */
async function coldPaints(target, cookies) {
  const paints = []
  const responses = []
  for (let run = 0; run <= RUNS; run++) {
    const context = await browser.newContext()
    await context.addCookies(cookies)
    const page = await context.newPage()
    await page.goto(target, {waitUntil: 'load'})
    // The paint entry can be recorded after `load`: wait for it (buffered, so an earlier one counts too).
    const timing = await page.evaluate(
      () =>
        new Promise((resolveTiming) => {
          const navigation = performance.getEntriesByType('navigation')[0]
          new PerformanceObserver((list, observer) => {
            const paint = list.getEntriesByName('first-contentful-paint')[0]
            if (!paint) return
            observer.disconnect()
            resolveTiming({fcp: paint.startTime, responseEnd: navigation.responseEnd, requestStart: navigation.requestStart})
          }).observe({type: 'paint', buffered: true})
        }),
    )
    await context.close()
    if (run === 0) continue
    paints.push(timing.fcp)
    responses.push(timing.responseEnd - timing.requestStart)
  }
  return {paints, responses}
}
