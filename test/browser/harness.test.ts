/**
 * The browser harness itself (test/helpers/browser.ts, dashboard-server.ts): Chromium starts and reaches a
 * real `orgctl serve`, screenshots land in test-results/screenshots, and what must fail a page test (a page
 * error, a console error, a CSP violation) is collected, and passes only when the test allowed it.
 */
import {existsSync, readFileSync} from 'node:fs'

import {expect, it} from 'vitest'

import {browserInfo, browserSuite, screenshot, useBrowser} from '../helpers/browser.js'
import {useDashboardServer} from '../helpers/dashboard-server.js'

browserSuite('the browser harness', () => {
  const web = useBrowser()
  const dash = useDashboardServer()

  it('loads the API answer of a real orgctl serve: GET /account without a token is a JSON 401', async () => {
    const tab = await web.open('desktop')
    // Chromium logs every 4xx document as a console error: expected here.
    tab.allow(/status of 401/)
    const response = await tab.page.goto(`${dash().url}/account`)
    expect(response?.status()).toBe(401)
    expect(response?.headers()['content-type']).toMatch(/^application\/json/)
    const body = JSON.parse((await response?.text()) ?? '')
    expect(body).toMatchObject({id: 'unauthorized'})
    expect(
      tab.problems.some((line) => /status of 401/.test(line)),
      tab.problems.join('\n'),
    ).toBe(true)
    expect(browserInfo().version).toMatch(/^Chromium \d+\.\d+\.\d+\.\d+ \(playwright-core \d+\.\d+\.\d+\)$/)
  })

  it('collects page errors, console errors and CSP violations, and lets through only the allowed', async () => {
    const tab = await web.open('phone')
    const url = `${dash().url}/__harness`
    await tab.page.route(url, (route) =>
      route.fulfill({
        contentType: 'text/html',
        headers: {'Content-Security-Policy': "default-src 'self'; script-src 'self'"},
        body: '<!doctype html><title>harness</title><p>x</p><script>document.title = "ran"</script>',
      }),
    )
    await tab.page.goto(url)
    expect(await tab.page.title()).toBe('harness')
    await tab.page.evaluate(() => {
      console.error('a console error')
      setTimeout(() => {
        throw new Error('an uncaught error')
      })
    })
    await expect.poll(() => tab.problems.some((line) => line.startsWith('page error:'))).toBe(true)
    const all = tab.problems.join('\n')
    expect(all).toMatch(/CSP violation: script-src(-elem)? blocked inline/)
    expect(all).toMatch(/console error: .*Content Security Policy/)
    expect(all).toMatch(/console error: a console error/)
    expect(all).toMatch(/page error: an uncaught error/)
    tab.allow(/Content Security Policy|CSP violation|a console error|an uncaught error/)
  })

  it('writes full-page screenshots at desktop and phone sizes into test-results/screenshots', async () => {
    for (const size of ['desktop', 'phone'] as const) {
      const tab = await web.open(size)
      await tab.page.route(`${dash().url}/__tall`, (route) =>
        route.fulfill({
          contentType: 'text/html',
          body: '<!doctype html><meta name="viewport" content="width=device-width"><div style="height:3000px">tall</div>',
        }),
      )
      await tab.page.goto(`${dash().url}/__tall`)
      const file = await screenshot(tab.page, `harness-${size}`)
      expect(existsSync(file)).toBe(true)
      // A full page: taller than the viewport (a PNG's height is at bytes 20..23, in device pixels).
      const height = readFileSync(file).readUInt32BE(20)
      expect(height).toBeGreaterThanOrEqual(3000)
    }
  })
})
