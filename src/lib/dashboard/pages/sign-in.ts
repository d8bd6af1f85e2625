/**
 * Signing in and out. With an email and an API token of that email (the form), or with the one-time
 * link `orgctl dashboard` opens; either way the browser gets a session cookie and the token itself
 * goes no further than this form's POST body (never a URL, a page or a log).
 *
 * The form carries a token of its own before any session exists (double submit: a cookie and a
 * field that must match), so another site cannot sign a browser in to an account of its choosing.
 */
import {randomBytes, timingSafeEqual} from 'node:crypto'

import type {FastifyInstance, FastifyReply, FastifyRequest} from 'fastify'

import {Ctx} from '../../domain/context.js'
import {signIn, signOut, useSignInLink} from '../../domain/sessions.js'
import {OrgctlError, toOrgctlError} from '../../errors.js'
import {html} from '../html.js'
import {layout} from '../layout.js'
import {
  checkOrigin,
  clearSessionCookie,
  cookieOptions,
  type DashboardOptions,
  formOf,
  NOTICE_COOKIE,
  readCookies,
  requestIdOf,
  sendPage,
  setCookie,
  setNotice,
  setSessionCookie,
  viewOf,
} from '../plugin.js'

const FORM_COOKIE = 'orgctl_sign_in'
const FORM_PATH = '/dashboard/sign-in'

/**
 * Where to go after signing in: a Dashboard path only (never another site), of printable ASCII (what a
 * browser's own URL is; a line break or a non-Latin character in a Location header would fail the answer).
 */
export function nextPath(value: string | null | undefined): string {
  return value && /^\/dashboard(?:[/?][\x21-\x7e]*)?$/.test(value) && !value.includes('\\') ? value : '/dashboard'
}

/** The sign-in page's notices, by the cookie's value: the page shows only these (nobody else's words). */
const SIGN_IN_NOTICES: Record<string, string> = {'signed-out': 'Signed out.'}

/**
 * A sign-in link followed from another site is refused (and left unused): another site must not sign
 * a browser in to an account of its choosing. `orgctl dashboard` opens it directly (Sec-Fetch-Site: none).
 */
const fromAnotherSite = (request: FastifyRequest) => {
  const site = request.headers['sec-fetch-site']
  return site === 'cross-site' || site === 'same-site'
}

function signInPage(
  request: FastifyRequest,
  reply: FastifyReply,
  options: {email?: string; error?: string; next?: string; notice?: string},
) {
  const formToken = randomBytes(24).toString('base64url')
  setCookie(reply, FORM_COOKIE, formToken, {...cookieOptions(request, 1800), path: FORM_PATH})
  return layout(undefined, {
    title: 'Sign in',
    body: html`<section class="card sign-in">
      <h1>Sign in to the orgctl Dashboard</h1>
      ${options.notice ? html`<p class="notice" role="status">${options.notice}</p>` : ''}
      <form method="post" action="${FORM_PATH}">
        <input type="hidden" name="form" value="${formToken}" />
        <input type="hidden" name="next" value="${nextPath(options.next)}" />
        <label for="email"
          >Email<input id="email" name="email" type="email" autocomplete="username" required value="${options.email ?? ''}"
        /></label>
        <label for="token"
          >API token<input id="token" name="token" type="password" autocomplete="current-password" required aria-describedby="token-help"
        /></label>
        <p id="token-help" class="muted">
          Mint one with <code>orgctl authorizations:create</code>, or run <code>orgctl dashboard</code> to open this page signed in.
        </p>
        ${options.error ? html`<p class="error" role="alert">${options.error}</p>` : ''}
        <button type="submit">Sign in</button>
      </form>
    </section>`,
  })
}

function formTokenMatches(request: FastifyRequest, given: string | null): boolean {
  const expected = readCookies(request)[FORM_COOKIE]
  if (!expected || !given || expected.length !== given.length) return false
  return timingSafeEqual(Buffer.from(expected), Buffer.from(given))
}

export function signInRoutes(scope: FastifyInstance, options: DashboardOptions): void {
  const {storage, clock} = options
  const signedIn = (request: FastifyRequest) => request.view !== undefined

  scope.get('/sign-in', {config: {public: true}}, async (request, reply) => {
    if (signedIn(request)) return reply.redirect('/dashboard', 303)
    const query = new URLSearchParams(request.url.split('?')[1] ?? '')
    const noticeCookie = readCookies(request)[NOTICE_COOKIE]
    if (noticeCookie !== undefined) setCookie(reply, NOTICE_COOKIE, '', {...cookieOptions(request, 0), path: '/dashboard'})
    const notice = noticeCookie === undefined || !Object.hasOwn(SIGN_IN_NOTICES, noticeCookie) ? undefined : SIGN_IN_NOTICES[noticeCookie]
    return sendPage(reply, signInPage(request, reply, {next: query.get('next') ?? undefined, notice}))
  })

  scope.post('/sign-in', {config: {public: true}}, async (request, reply) => {
    checkOrigin(request)
    const form = formOf(request)
    const email = form.get('email')?.trim() ?? ''
    const next = form.get('next') ?? undefined
    if (!formTokenMatches(request, form.get('form'))) {
      return sendPage(reply, signInPage(request, reply, {email, next, error: 'This form has expired: send it again.'}), 403)
    }
    try {
      const {secret} = await storage.write(async (tx) => {
        // Signing in again ends the session this browser had: one session per sign-in, never two.
        const at = {requestId: requestIdOf(request, reply)}
        if (request.sessionSecret) await signOut(new Ctx(tx, viewOf(request).email, clock, at), request.sessionSecret)
        return signIn(new Ctx(tx, '', clock, at), email, form.get('token') ?? '')
      })
      setSessionCookie(request, reply, secret)
      return reply.redirect(nextPath(next), 303)
    } catch (error) {
      const failure = toOrgctlError(error)
      if (failure.id !== 'unauthorized') throw error
      return sendPage(reply, signInPage(request, reply, {email, next, error: failure.message}), 401)
    }
  })

  // The one-time link: the code is in the query string, which the server's log never keeps; used once, it is gone.
  scope.get('/sign-in/link', {config: {public: true, changes: true}}, async (request, reply) => {
    const code = new URLSearchParams(request.url.split('?')[1] ?? '').get('code') ?? ''
    try {
      if (code === '') throw new OrgctlError('unauthorized', 'This sign-in link has no code: run orgctl dashboard for a new one.')
      if (fromAnotherSite(request)) {
        throw new OrgctlError(
          'unauthorized',
          'This sign-in link was followed from another site: run orgctl dashboard, which opens it itself.',
        )
      }
      const {secret} = await storage.write((tx) => useSignInLink(new Ctx(tx, '', clock, {requestId: requestIdOf(request, reply)}), code))
      setSessionCookie(request, reply, secret)
      return reply.redirect('/dashboard', 303)
    } catch (error) {
      const failure = toOrgctlError(error)
      if (failure.id !== 'unauthorized') throw error
      return sendPage(reply, signInPage(request, reply, {error: failure.message}), 401)
    }
  })

  scope.post('/sign-out', async (request, reply) => {
    if (signedIn(request))
      await storage.write((tx) =>
        signOut(new Ctx(tx, viewOf(request).email, clock, {requestId: requestIdOf(request, reply)}), request.sessionSecret!),
      )
    clearSessionCookie(request, reply)
    setNotice(request, reply, 'signed-out')
    return reply.redirect('/dashboard/sign-in', 303)
  })
}
