/**
 * In-process Dashboard tests' fixture: a server on the memory engine, seeded by the caller through
 * the domain, and a browser-like client (Accept text/html, cookies, form posts) that signs in as a
 * user with the real sign-in form.
 */
import type {FastifyInstance, InjectOptions} from 'fastify'

import {Ctx, type WriteCtx} from '../../src/lib/domain/context.js'
import {addMember} from '../../src/lib/domain/members.js'
import {createOrg} from '../../src/lib/domain/orgs.js'
import {createAuthorization} from '../../src/lib/domain/tokens.js'
import {DEFAULT_LIMITS} from '../../src/lib/domain/validation.js'
import {buildServer} from '../../src/lib/server/server.js'
import {MemoryStorage} from '../../src/lib/storage/memory/memory-storage.js'

export interface Answer {
  status: number
  headers: Record<string, unknown>
  text: string
}

export interface BrowseOptions {
  cookies?: string
  form?: Record<string, string | string[]>
  headers?: Record<string, string>
}

export interface DashboardFixture {
  storage: MemoryStorage
  server: FastifyInstance
  /** An API token per email given to seed's `tokensFor`. */
  tokens: Record<string, string>
  browse(method: string, url: string, options?: BrowseOptions): Promise<Answer>
  /** Signs in with the form; the session cookie, as a Cookie header's value. */
  signIn(email: string, token?: string): Promise<string>
  /** Posts a form of a page: the CSRF token is read off the page at `from` first. */
  submit(cookies: string, from: string, action: string, fields: Record<string, string | string[]>): Promise<Answer>
  close(): Promise<void>
}

export const cookiesOf = (answer: Answer): string[] => {
  const set = answer.headers['set-cookie']
  return set === undefined ? [] : Array.isArray(set) ? set : [String(set)]
}
export const cookieValue = (answer: Answer, name: string): string | undefined =>
  cookiesOf(answer)
    .find((line) => line.startsWith(`${name}=`))
    ?.split(';')[0]!
    .slice(name.length + 1)
export const csrfOf = (page: string): string | undefined => /name="csrf" value="([^"]+)"/.exec(page)?.[1]

/** Form fields as a urlencoded body; a list is the same name repeated (checkboxes). */
function encodeForm(form: Record<string, string | string[]>): string {
  const params = new URLSearchParams()
  for (const [name, value] of Object.entries(form)) for (const each of Array.isArray(value) ? value : [value]) params.append(name, each)
  return params.toString()
}

/** A browser-like client of one server (several servers on one database each get their own). */
export interface DashboardClient {
  browse(method: string, url: string, options?: BrowseOptions): Promise<Answer>
  /** Signs in with the form; the session cookie, as a Cookie header's value. */
  signIn(email: string, token: string): Promise<string>
  /** Posts a form of a page: the CSRF token is read off the page at `from` first. */
  submit(cookies: string, from: string, action: string, fields: Record<string, string | string[]>): Promise<Answer>
}

export function clientOf(server: FastifyInstance): DashboardClient {
  async function browse(method: string, url: string, options: BrowseOptions = {}): Promise<Answer> {
    const response = await server.inject({
      method: method as InjectOptions['method'],
      url,
      headers: {
        accept: 'text/html,application/xhtml+xml',
        ...(options.cookies ? {cookie: options.cookies} : {}),
        ...(options.form ? {'content-type': 'application/x-www-form-urlencoded'} : {}),
        ...options.headers,
      },
      payload: options.form ? encodeForm(options.form) : undefined,
    })
    return {status: response.statusCode, headers: response.headers, text: response.body}
  }

  async function signIn(email: string, token: string): Promise<string> {
    const form = await browse('GET', '/dashboard/sign-in')
    const formToken = /name="form" value="([^"]+)"/.exec(form.text)![1]!
    const answer = await browse('POST', '/dashboard/sign-in', {
      cookies: `orgctl_sign_in=${cookieValue(form, 'orgctl_sign_in')}`,
      form: {form: formToken, email, token, next: '/dashboard'},
    })
    if (answer.status !== 303) throw new Error(`sign-in as ${email} answered ${answer.status}`)
    return `orgctl_session=${cookieValue(answer, 'orgctl_session')}`
  }

  async function submit(cookies: string, from: string, action: string, fields: Record<string, string | string[]>): Promise<Answer> {
    const page = await browse('GET', from, {cookies})
    const csrf = csrfOf(page.text)
    if (!csrf) throw new Error(`no CSRF token on ${from} (${page.status})`)
    return browse('POST', action, {cookies, form: {csrf, ...fields}})
  }

  return {browse, signIn, submit}
}

export async function startDashboard(
  seed: (as: (email: string) => WriteCtx) => Promise<void>,
  tokensFor: readonly string[],
): Promise<DashboardFixture> {
  const storage = new MemoryStorage()
  const tokens: Record<string, string> = {}
  await storage.write(async (tx) => {
    await seed((email) => new Ctx(tx, email))
    for (const email of tokensFor) tokens[email] = (await createAuthorization(new Ctx(tx, email), 'test')).token
  })
  const server = await buildServer({storage, rateLimitPerHour: 100_000})
  await server.ready()
  const client = clientOf(server)
  return {
    storage,
    server,
    tokens,
    browse: client.browse,
    signIn: (email, token = tokens[email]!) => client.signIn(email, token),
    submit: client.submit,
    close: () => server.close(),
  }
}

/** The set-up most Dashboard tests start from: org acme with an admin and a member, each with a token. */
export function startAcme(admin: string, member: string): Promise<DashboardFixture> {
  return startDashboard(
    async (as) => {
      await createOrg(as(admin), 'acme', DEFAULT_LIMITS)
      await addMember(as(admin), 'acme', member, 'member')
    },
    [admin, member],
  )
}
