/**
 * `orgctl dashboard`: a one-time sign-in link, opened in a browser. Against an API the server mints
 * it (POST /account/dashboard-links); on a storage engine this process serves the Dashboard itself,
 * on a loopback address only, until Ctrl-C, and mints the link on the same storage.
 */
import open from 'open'

import type {DashboardLink} from '../api/resources.js'
import {LINK_MINUTES} from '../domain/sessions.js'
import {OrgctlError} from '../errors.js'
import {listenOn} from '../server/listen.js'
import type {CliContext} from './context.js'

export interface DashboardRun {
  open: boolean
  port: number
}

export interface OpenedDashboard {
  url: string
  expires_at: string
  /** Whether this process served the Dashboard (the embedded store) rather than an API's server. */
  served: boolean
}

/** Starts a browser on the URL; where none can start, says so (the link is printed either way). */
async function startBrowser(ctx: CliContext, url: string): Promise<void> {
  try {
    const child = await open(url, {wait: false})
    child.once('error', () => ctx.ui.warn('Could not start a browser: open the link above yourself.'))
    child.unref()
  } catch {
    ctx.ui.warn('Could not start a browser: open the link above yourself.')
  }
}

async function present(ctx: CliContext, run: DashboardRun, url: string, link: DashboardLink, served: boolean): Promise<OpenedDashboard> {
  const result = {url, expires_at: link.expires_at, served}
  ctx.ui.info(`Dashboard sign-in link (works once, for ${LINK_MINUTES} minutes): ${url}`)
  if (run.open) await startBrowser(ctx, url)
  return result
}

/** The link's address (a link without a path is a dry run's, which this command never asks for). */
function linkUrl(link: DashboardLink, base: string): string {
  if (link.path === null)
    throw new OrgctlError('network_error', `${base} answered a sign-in link without its path: run orgctl dashboard again.`)
  return new URL(link.path, base).href
}

export async function openDashboard(ctx: CliContext, run: DashboardRun): Promise<OpenedDashboard> {
  const backend = await ctx.backend()
  if (backend.kind === 'http') {
    const link = await backend.createDashboardLink()
    return present(ctx, run, linkUrl(link, backend.location), link, false)
  }
  const {LocalBackend} = await import('../backend/local-backend.js')
  if (!(backend instanceof LocalBackend)) throw new Error('A local backend runs on a storage.')
  await backend.account()
  const {buildServer} = await import('../server/server.js')
  const server = await buildServer({storage: backend.storage, errorLog: (line) => ctx.ui.warn(line)})
  // Loopback only: this server is for the browser on this machine, signed in by the link it prints.
  const address = await listenOn(server, '127.0.0.1', run.port, 'Pick another --port.')
  const link = await backend.createDashboardLink()
  const result = await present(ctx, run, linkUrl(link, address), link, true)
  ctx.ui.info(`Serving the Dashboard on ${address} (${backend.location}); press Ctrl-C to stop.`)
  await new Promise<void>((resolve) => {
    const stop = () => void server.close().finally(resolve)
    process.once('SIGTERM', stop)
    process.once('SIGINT', stop)
  })
  return result
}
