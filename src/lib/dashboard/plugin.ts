/**
 * The Dashboard: server-rendered pages under /dashboard, for people at a browser rather than a
 * terminal. A thin face like the API's routes: each page asks the same LocalBackend the API uses,
 * for the user signed in, so every rule (the matrix, limits, locking, the last admin) is the
 * domain's, and every refusal is the CLI's own message.
 *
 * Security: a session cookie (HttpOnly, SameSite=Strict, Secure over HTTPS) whose secret is stored
 * only as a hash; every change is a form POST carrying the session's CSRF token, from this origin;
 * a Content-Security-Policy that runs no inline script; everything shown escaped (html.ts); no token
 * in a page, a URL or a log; the API's rate limit applies (per session, or per address signed out).
 */
import {createHmac, timingSafeEqual} from 'node:crypto'

import * as cookie from 'cookie'
import type {FastifyInstance, FastifyReply, FastifyRequest} from 'fastify'

import {LocalBackend} from '../backend/local-backend.js'
import {Ctx, type Clock} from '../domain/context.js'
import {csrfMatches, csrfToken, SESSION_HOURS, sessionEmail} from '../domain/sessions.js'
import {hashToken} from '../domain/tokens.js'
import {OrgctlError, toOrgctlError} from '../errors.js'
import type {RateLimiter} from '../server/rate-limit.js'
import {publicFailure, StatusError} from '../server/failures.js'
import type {Storage} from '../storage/storage.js'
import {ASSETS} from './assets.js'
import {Html, html} from './html.js'
import {layout} from './layout.js'
import {accessRoutes} from './pages/access.js'
import {appsRoutes} from './pages/apps.js'
import {auditRoutes} from './pages/audit.js'
import {billingRoutes} from './pages/billing.js'
import {homePage} from './pages/home.js'
import {signInRoutes} from './pages/sign-in.js'
import {transfersRoutes} from './pages/transfers.js'
import {usageRoutes} from './pages/usage.js'
import {type FormProblem, orgPath, type Page, tabsFor, type View} from './view.js'

export interface DashboardOptions {
  storage: Storage
  clock: Clock
  limiter: RateLimiter
  errorLog?: (line: string) => void
}

declare module 'fastify' {
  interface FastifyRequest {
    /** A Dashboard request's view (signed in), set by its onRequest hook. */
    view?: View
    /** The session cookie's secret, when one was sent and is signed in. */
    sessionSecret?: string
  }
}

const CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
].join('; ')

const HTML_TYPE = 'text/html; charset=utf-8'
export const NOTICE_COOKIE = 'orgctl_notice'

/** Whether a request is the Dashboard's (then the API's token check does not apply: its own session check does). */
export function isDashboardRequest(request: FastifyRequest): boolean {
  // The root is the Dashboard's only for a browser: an API client's `GET /` is checked for its token as always (401 without one).
  if ((request.routeOptions.config as {dashboard?: boolean} | undefined)?.dashboard) return wantsHtml(request)
  return isDashboardPath(request.url)
}

/** Whether a URL is under /dashboard (known before routing, unlike a route's config). */
export const isDashboardPath = (url: string) => url === '/dashboard' || url.startsWith('/dashboard/') || url.startsWith('/dashboard?')

/** The page for a request fastify refused before routing (a malformed URL under /dashboard): HTML, as every Dashboard answer. */
export const frameworkErrorPage = (message: string): string =>
  errorPage(undefined, new OrgctlError('bad_request', `This address is malformed (${message}): start from the Dashboard's home.`)).value

/** Whether the browser asked for a page (an API client asks for JSON, or for anything). */
export const wantsHtml = (request: FastifyRequest) => /\btext\/html\b/.test(request.headers.accept ?? '')

/** Secure cookies over HTTPS (behind a TLS proxy with --trust-proxy, `request.protocol` says so). */
const isSecure = (request: FastifyRequest) => request.protocol === 'https'

/** The session cookie's name: `__Host-` over HTTPS, so only this host, over TLS, on every path, may set it. */
export const sessionCookieName = (request: FastifyRequest) => (isSecure(request) ? '__Host-orgctl_session' : 'orgctl_session')

export function cookieOptions(request: FastifyRequest, maxAgeSeconds: number): cookie.SerializeOptions {
  return {httpOnly: true, sameSite: 'strict', secure: isSecure(request), path: '/', maxAge: maxAgeSeconds}
}

export const readCookies = (request: FastifyRequest): Record<string, string | undefined> => cookie.parse(request.headers.cookie ?? '')

/** Adds a Set-Cookie to the reply (several may be set on one reply). */
export function setCookie(reply: FastifyReply, name: string, value: string, options: cookie.SerializeOptions): void {
  const previous = reply.getHeader('set-cookie')
  const list = previous === undefined ? [] : Array.isArray(previous) ? previous : [String(previous)]
  reply.header('set-cookie', [...list, cookie.serialize(name, value, options)])
}

/** Starts the signed-in session in the browser. */
export function setSessionCookie(request: FastifyRequest, reply: FastifyReply, secret: string): void {
  setCookie(reply, sessionCookieName(request), secret, cookieOptions(request, SESSION_HOURS * 3600))
}

export function clearSessionCookie(request: FastifyRequest, reply: FastifyReply): void {
  setCookie(reply, sessionCookieName(request), '', cookieOptions(request, 0))
}

/** This server's own origin, as a browser would name it (what an Origin header of our own pages says). */
const ownOrigin = (request: FastifyRequest) => `${request.protocol}://${request.host}`

/**
 * Refuses a form posted from another origin. Browsers send Origin with every POST; a request with
 * none (an old browser, curl) must still carry the CSRF token, checked after this.
 */
export function checkOrigin(request: FastifyRequest): void {
  const origin = request.headers.origin
  if (origin !== undefined && origin !== ownOrigin(request)) {
    // Behind a TLS proxy without --trust-proxy every form would be refused as another site's: say what to change.
    if (request.protocol === 'http' && origin === `https://${request.host}`) {
      throw new OrgctlError(
        'forbidden',
        'This server is reached over HTTPS but sees plain HTTP: its operator must start orgctl serve with --trust-proxy behind a TLS proxy.',
      )
    }
    throw new OrgctlError('forbidden', 'This form was sent from another site: open the Dashboard and send it from there.')
  }
}

/** A redirect after a change, with what it did shown once on the next page. */
export function redirectWithNotice(request: FastifyRequest, reply: FastifyReply, to: string, notice?: string): FastifyReply {
  if (notice && request.sessionSecret) setNotice(request, reply, signNotice(request.sessionSecret, notice))
  return reply.redirect(to, 303)
}

export const setNotice = (request: FastifyRequest, reply: FastifyReply, value: string) =>
  setCookie(reply, NOTICE_COOKIE, value, {...cookieOptions(request, 60), path: '/dashboard'})

/**
 * A notice's cookie carries an HMAC of its text by the session's secret: a cookie set by anyone else
 * (a sibling subdomain can set cookies for this host) is not shown, so no other site puts words on our pages.
 */
const noticeMac = (secret: string, text: string) =>
  createHmac('sha256', secret).update(`orgctl dashboard notice\n${text}`).digest('base64url')
const signNotice = (secret: string, text: string) => `${noticeMac(secret, text)}.${text}`

/** The notice's text, when the cookie is this session's own. */
export function verifiedNotice(secret: string, value: string): string | undefined {
  const dot = value.indexOf('.')
  if (dot < 0) return undefined
  const given = Buffer.from(value.slice(0, dot))
  const expected = Buffer.from(noticeMac(secret, value.slice(dot + 1)))
  return given.length === expected.length && timingSafeEqual(given, expected) ? value.slice(dot + 1) : undefined
}

/** The query string (everything after the first `?`). */
export const queryOf = (request: FastifyRequest): URLSearchParams => {
  const at = request.url.indexOf('?')
  return new URLSearchParams(at < 0 ? '' : request.url.slice(at + 1))
}

/** Form fields, parsed from the urlencoded body (a form without fields is an empty one). */
export const formOf = (request: FastifyRequest): URLSearchParams =>
  request.body instanceof URLSearchParams ? request.body : new URLSearchParams()

/** The request's id as the server answers it (its Request-Id), for the audit events a Dashboard request records. */
export const requestIdOf = (request: FastifyRequest, reply: FastifyReply): string => String(reply.getHeader('request-id') ?? request.id)

export function sendPage(reply: FastifyReply, page: Html, status = 200): FastifyReply {
  return reply.code(status).type(HTML_TYPE).send(page.value)
}

/** What a page handler has: the signed-in view (the hook refused the request if there was none). */
export const viewOf = (request: FastifyRequest): View => request.view!

/**
 * A form's POST route: the change runs through the backend; success redirects back (303, so a
 * reload does not send it again) with a notice; a refusal the user can act on (not permitted, the
 * last admin, a limit, a name taken) shows the page again with the message beside the form.
 */
export function formRoute(
  scope: FastifyInstance,
  path: string,
  form: string,
  page: Page,
  act: (view: View, fields: URLSearchParams, request: FastifyRequest) => Promise<{to: string; notice?: string} | Html>,
): void {
  scope.post(path, async (request, reply) => {
    const view = viewOf(request)
    const fields = formOf(request)
    try {
      const done = await act(view, fields, request)
      if (done instanceof Html) return sendPage(reply, done)
      return redirectWithNotice(request, reply, done.to, done.notice)
    } catch (error) {
      const failure = toOrgctlError(error)
      if (!refusalShownBesideForm(failure)) throw error
      const problem: FormProblem = {form, message: failure.message, values: fields}
      const shown = await page(view, problem)
      // A page that does not show this form to this user (a member posting an admin's form) says it on the error page.
      if (!shown.value.includes(`id="${form}-error"`)) return sendPage(reply, errorPage(view, failure), failure.httpStatus)
      return sendPage(reply, shown, failure.httpStatus)
    }
  })
}

/** Failures a form shows beside itself; the rest (session gone, rate limit, the store's) get the error page. */
function refusalShownBesideForm(failure: OrgctlError): boolean {
  return failure.httpStatus < 500 && failure.id !== 'unauthorized' && failure.id !== 'rate_limit'
}

export function registerDashboard(app: FastifyInstance, options: DashboardOptions): void {
  const {storage, clock, limiter} = options

  // The root: a browser gets the Dashboard, an API client what it always got (no such route).
  app.get('/', {config: {dashboard: true}}, async (request, reply) => {
    if (!wantsHtml(request)) return reply.callNotFound()
    return reply.redirect('/dashboard', 303)
  })

  void app.register(
    async (scope) => {
      // The Dashboard's forms are urlencoded; any other body (JSON, multipart) is refused with a page (the API's JSON parser is not for here).
      scope.removeAllContentTypeParsers()
      scope.addContentTypeParser('application/x-www-form-urlencoded', {parseAs: 'string'}, (_request, body, done) => {
        done(null, new URLSearchParams(body as string))
      })
      scope.addContentTypeParser('*', {parseAs: 'string'}, (request, body, done) => {
        if (body === '') return done(null, undefined)
        done(
          new StatusError(
            415,
            'bad_request',
            `The Dashboard takes forms (application/x-www-form-urlencoded), not ${request.headers['content-type'] ?? 'this body'}: send the form from its page.`,
          ),
          undefined,
        )
      })

      scope.addHook('onRequest', async (request, reply) => {
        reply.header('Content-Security-Policy', CSP)
        reply.header('X-Content-Type-Options', 'nosniff')
        // same-origin, not no-referrer: with no-referrer Chromium posts forms with `Origin: null`, which the origin check refuses.
        reply.header('Referrer-Policy', 'same-origin')
        reply.header('X-Frame-Options', 'DENY')
        reply.header('Cache-Control', 'no-store')
        // A form's change is made for real: one sent with the API's Dry-Run header (no browser sends it) is refused, not made
        // under it. So is the one GET that changes something (`changes`: the sign-in link, used up when opened).
        const changes = request.method === 'POST' || (request.routeOptions.config as {changes?: boolean} | undefined)?.changes === true
        if (changes && request.headers['dry-run'] !== undefined) {
          throw new StatusError(
            400,
            'bad_request',
            "The Dashboard's forms take no Dry-Run header: try the change through the API with Dry-Run: true (orgctl ... --dry-run), or send the form without it.",
          )
        }
        // The stylesheet and script are the same for everyone: no session is looked up for them.
        const isAsset = (request.routeOptions.config as {asset?: boolean} | undefined)?.asset === true
        const secret = isAsset ? undefined : readCookies(request)[sessionCookieName(request)]
        const email = secret ? await storage.read((tx) => sessionEmail(new Ctx(tx, '', clock), secret)) : undefined
        const limit = limiter.take(email === undefined ? `address:${request.ip}` : `session:${hashToken(secret!)}`)
        reply.header('RateLimit-Remaining', String(limit.remaining))
        if (!limit.allowed) {
          reply.header('Retry-After', String(limit.retryAfter))
          throw new OrgctlError(
            'rate_limit',
            `Too many requests: the rate limit is ${limiter.perHour} an hour. Retry in ${limit.retryAfter}s.`,
          )
        }
        const isPublic = (request.routeOptions.config as {public?: boolean} | undefined)?.public === true
        if (email === undefined) {
          if (isPublic) return
          if (secret) clearSessionCookie(request, reply)
          const next = request.method === 'GET' ? `?next=${encodeURIComponent(request.url)}` : ''
          return reply.redirect(`/dashboard/sign-in${next}`, 303)
        }
        // A signed-in POST comes from one of our own pages; its CSRF token is checked once the body is parsed (preHandler).
        if (request.method === 'POST') checkOrigin(request)
        request.actor = email
        request.sessionSecret = secret
        const noticeCookie = request.method === 'GET' ? readCookies(request)[NOTICE_COOKIE] : undefined
        if (noticeCookie !== undefined) setCookie(reply, NOTICE_COOKIE, '', {...cookieOptions(request, 0), path: '/dashboard'})
        const notice = noticeCookie === undefined ? undefined : verifiedNotice(secret!, noticeCookie)
        request.view = {
          email,
          csrf: csrfToken(secret!),
          backend: new LocalBackend(storage, email, clock, {requestId: requestIdOf(request, reply)}),
          clock,
          params: {},
          query: queryOf(request),
          notice,
        }
      })

      scope.addHook('preHandler', async (request) => {
        const view = request.view
        if (view) view.params = {...(request.params as Record<string, string>)}
        if (request.method !== 'POST' || !view) return
        // The sign-in form checks its own token (there is no session to take one from when it is sent).
        if ((request.routeOptions.config as {public?: boolean} | undefined)?.public === true) return
        if (!csrfMatches(request.sessionSecret!, formOf(request).get('csrf'))) {
          throw new OrgctlError('forbidden', 'This form has expired or did not come from the Dashboard: reload the page and send it again.')
        }
      })

      scope.setErrorHandler(async (error, request, reply) => {
        const failure = publicFailure(dashboardError(error), error as Error, request, reply, options.errorLog)
        if (failure.id === 'unauthorized') {
          clearSessionCookie(request, reply)
          return reply.redirect('/dashboard/sign-in', 303)
        }
        return sendPage(reply, errorPage(request.view, failure), failure.httpStatus)
      })

      scope.setNotFoundHandler(async (request, reply) => {
        const failure = new OrgctlError(
          'not_found',
          `There is no Dashboard page at ${request.url.split('?')[0]}: start from the Dashboard's home.`,
        )
        return sendPage(reply, errorPage(request.view, failure), 404)
      })

      for (const asset of Object.values(ASSETS)) {
        scope.get(asset.path.replace(/^\/dashboard/, ''), {config: {public: true, asset: true}}, async (_request, reply) =>
          reply.header('Cache-Control', 'public, max-age=31536000, immutable').type(asset.type).send(asset.body),
        )
      }

      signInRoutes(scope, options)
      scope.get('', async (request, reply) => sendPage(reply, await homePage(viewOf(request))))
      // An org opens on the first tab its user's role sees (a collaborator's is Apps).
      scope.get('/orgs/:org', async (request, reply) => {
        const org = (request.params as {org: string}).org
        const team = (await viewOf(request).backend.listTeams()).find((each) => each.name === org)
        return reply.redirect(orgPath(org, team ? tabsFor(team)[0]!.id : 'access'), 303)
      })
      accessRoutes(scope)
      appsRoutes(scope)
      usageRoutes(scope)
      billingRoutes(scope)
      auditRoutes(scope)
      transfersRoutes(scope)
    },
    {prefix: '/dashboard'},
  )
}

/** A failure as the Dashboard shows it: fastify's own 4xx (a body too large, a bad Content-Length) keep their status, not a 500. */
function dashboardError(error: unknown): OrgctlError {
  if (error instanceof OrgctlError) return error
  const {code, statusCode} = error as {code?: string; statusCode?: number}
  if (code === 'FST_ERR_CTP_BODY_TOO_LARGE')
    return new OrgctlError('payload_too_large', 'This form is too large to send: send less at once.')
  if (statusCode !== undefined && statusCode >= 400 && statusCode < 500) {
    return new StatusError(statusCode, 'bad_request', `The server could not read this request: ${(error as Error).message}.`)
  }
  return toOrgctlError(error)
}

/** A page for a failure that no form shows beside itself. */
function errorPage(view: View | undefined, failure: OrgctlError): Html {
  return layout(view, {
    title: 'Something went wrong',
    body: html`<h1>${failure.httpStatus === 404 ? 'Not found' : failure.httpStatus === 403 ? 'Not permitted' : 'Something went wrong'}</h1>
      <p class="error" role="alert">${failure.message}</p>
      <p><a href="/dashboard">Back to the Dashboard</a></p>`,
  })
}
