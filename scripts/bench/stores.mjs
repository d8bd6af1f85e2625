// Builds benchmark stores in-process from the compiled domain (dist/), in one store.update each:
// thousands of CLI runs (or thousands of domain calls that each rescan the org) would take minutes.
// Orgs come from createOrg and tokens from createAuthorization; bulk members, apps and collaborators
// are written as the domain would write them (same record shapes, one usage record at the end), with
// limits raised so that nothing in the benchmark trips them.
import {pathToFileURL} from 'node:url'
import {join} from 'node:path'

export const ADMIN = 'admin@bench.test'
export const ORG = 'bench-org'
const BIG_LIMITS = {apps: 1_000_000, members: 10_000_000, 'dyno-units': 1_000_000}

export async function loadDomain(root) {
  const load = (rel) => import(pathToFileURL(join(root, 'dist', rel)).href)
  const [store, context, orgs, tokens, usage] = await Promise.all([
    load('lib/store/json-store.js'),
    load('lib/domain/context.js'),
    load('lib/domain/orgs.js'),
    load('lib/domain/tokens.js'),
    load('lib/domain/usage.js'),
  ])
  return {
    JsonStore: store.JsonStore,
    Ctx: context.Ctx,
    createOrg: orgs.createOrg,
    createAuthorization: tokens.createAuthorization,
    recordUsage: usage.recordUsage,
  }
}

export const memberEmail = (i) => `m${String(i).padStart(6, '0')}@bench.test`
export const appName = (i) => `bench-app-${String(i).padStart(5, '0')}`

/**
 * One org `bench-org` whose admin is admin@bench.test, with `members` members in all (the admin
 * included; the others are m000001@bench.test ...), `apps` org apps created by the admin (who is, as
 * on Heroku, each one's first collaborator with every permission) and `collaboratorsPerApp - 1` more
 * collaborators per app drawn round-robin from the members (so the member list stays `members` long).
 * `personalApps` apps owned by `personalOwner` (a member). Returns {tokens: {email: token}}.
 */
export async function buildStore(
  domain,
  path,
  {members = 1, apps = 0, collaboratorsPerApp = 4, personalApps = 0, personalOwner, tokensFor = []} = {},
) {
  const {JsonStore, Ctx, createOrg, createAuthorization, recordUsage} = domain
  const store = new JsonStore(path)
  return store.update((state) => {
    const admin = new Ctx(state, ADMIN)
    const {org} = createOrg(admin, ORG, BIG_LIMITS)
    const at = admin.at
    for (let i = 1; i < members; i++) {
      const email = memberEmail(i)
      const user = admin.user(email)
      org.members.set(email, {id: admin.newId(), email, userId: user.id, role: 'member', createdAt: at, updatedAt: at})
    }
    const others = members - 1
    let next = 0
    for (let a = 1; a <= apps; a++) {
      const name = appName(a)
      const app = {
        id: admin.newId(),
        name,
        owner: {kind: 'org', name: ORG},
        region: 'us',
        locked: false,
        createdAt: at,
        updatedAt: at,
        collaborators: new Map(),
        formation: new Map(),
      }
      app.collaborators.set(ADMIN, {
        id: admin.newId(),
        email: ADMIN,
        permissions: ['view', 'deploy', 'operate', 'manage'],
        createdAt: at,
        updatedAt: at,
      })
      for (let c = 1; c < collaboratorsPerApp && others > 0; c++) {
        const email = memberEmail((next++ % others) + 1)
        app.collaborators.set(email, {id: admin.newId(), email, permissions: ['view', 'deploy'], createdAt: at, updatedAt: at})
      }
      state.apps.set(name, app)
      admin.history(org).ledger.push({at, app: name, dynoUnits: 0, monthlyCents: 0})
    }
    if (personalApps > 0) {
      const owner = new Ctx(state, personalOwner)
      owner.user(personalOwner)
      for (let a = 1; a <= personalApps; a++) {
        const name = `personal-${String(a).padStart(4, '0')}`
        state.apps.set(name, {
          id: owner.newId(),
          name,
          owner: {kind: 'user', email: personalOwner},
          region: 'us',
          locked: false,
          createdAt: at,
          updatedAt: at,
          collaborators: new Map(),
          formation: new Map(),
        })
      }
    }
    recordUsage(admin, org)
    const tokens = {}
    for (const email of tokensFor) tokens[email] = createAuthorization(new Ctx(state, email), 'orgctl bench').token
    return {tokens}
  })
}
