// Builds benchmark data in-process from the compiled domain (dist/): thousands of CLI runs (or thousands
// of domain calls that each rescan the org) would take minutes. The data is built once as an in-memory
// State (the memory engine's shape), then written out as an embedded store file (as `db:export` writes
// one) or copied into a PostgreSQL database (as `db:import` does, one transaction).
// Orgs come from createOrg and tokens from createAuthorization, through a transaction over the State;
// bulk members, apps and collaborators are written as the domain would write them (same record shapes,
// one usage record at the end), with limits raised so that nothing in the benchmark trips them.
import {readdirSync, readFileSync} from 'node:fs'
import {join} from 'node:path'
import {pathToFileURL} from 'node:url'

export const ADMIN = 'admin@bench.test'
export const ORG = 'bench-org'
const BIG_LIMITS = {apps: 1_000_000, members: 10_000_000, 'dyno-units': 1_000_000}

export async function loadDomain(root) {
  const load = (rel) => import(pathToFileURL(join(root, 'dist', rel)).href)
  const [state, stateTx, copy, context, orgs, tokens, usage] = await Promise.all([
    load('lib/storage/memory/state.js'),
    load('lib/storage/memory/state-tx.js'),
    load('lib/storage/copy.js'),
    load('lib/domain/context.js'),
    load('lib/domain/orgs.js'),
    load('lib/domain/tokens.js'),
    load('lib/domain/usage.js'),
  ])
  return {
    root,
    emptyState: state.emptyState,
    stateTx: stateTx.stateTx,
    writeStoreFile: copy.writeStoreFile,
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
 * `personalApps` apps owned by `personalOwner` (a member). `events` more audit events of the org, a
 * mix of role changes, permission changes, locks and scalings as the domain records them, a
 * millisecond apart after the org's creation. Returns {state, tokens: {email: token}}.
 */
export async function buildState(
  domain,
  {members = 1, apps = 0, collaboratorsPerApp = 4, personalApps = 0, personalOwner, tokensFor = [], events = 0} = {},
) {
  const {emptyState, stateTx, Ctx, createOrg, createAuthorization, recordUsage} = domain
  const state = emptyState()
  const tx = stateTx(state, () => undefined)
  const admin = new Ctx(tx, ADMIN)
  const {org} = await createOrg(admin, ORG, BIG_LIMITS)
  const at = admin.at
  const stored = state.orgs.get(ORG)
  const user = (email) => {
    let found = state.users.get(email)
    if (!found) state.users.set(email, (found = {id: admin.newId(), email, createdAt: at}))
    return found
  }
  for (let i = 1; i < members; i++) {
    const email = memberEmail(i)
    stored.members.set(email, {id: admin.newId(), email, userId: user(email).id, role: 'member', createdAt: at, updatedAt: at})
  }
  const others = members - 1
  let next = 0
  const ledger = state.histories.get(ORG).ledger
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
    ledger.push({at, app: name, dynoUnits: 0, monthlyCents: 0})
  }
  if (personalApps > 0) {
    user(personalOwner)
    for (let a = 1; a <= personalApps; a++) {
      const name = `personal-${String(a).padStart(4, '0')}`
      state.apps.set(name, {
        id: admin.newId(),
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
  await recordUsage(admin, org)
  await appendEvents(tx, admin, org, state, {members, apps, events})
  const tokens = {}
  for (const email of tokensFor) tokens[email] = (await createAuthorization(new Ctx(tx, email), 'orgctl bench')).token
  return {state, tokens}
}

/** `events` audit events of the org by its admin, as the domain shapes them (see buildState). */
async function appendEvents(tx, admin, org, state, {members, apps, events}) {
  const actor = {email: ADMIN, id: state.users.get(ADMIN).id}
  for (let i = 0; i < events; i++) {
    const createdAt = new Date(Date.parse(admin.at) + i + 1).toISOString()
    const email = memberEmail((i % Math.max(1, members - 1)) + 1)
    const name = apps > 0 ? appName((i % apps) + 1) : undefined
    const app = name && {id: state.apps.get(name).id, name}
    const base = {id: admin.newId(), createdAt, actor, org: {id: org.id, name: org.name}}
    const kind = name ? i % 4 : 0
    const event =
      kind === 0
        ? {
            ...base,
            action: 'team-member.update',
            target: {type: 'team-member', name: email},
            data: {before: {email, role: 'member'}, after: {email, role: 'admin'}},
          }
        : kind === 1
          ? {
              ...base,
              action: 'collaborator.update',
              target: {type: 'collaborator', name: email},
              app,
              data: {before: {email, permissions: ['view']}, after: {email, permissions: ['view', 'deploy']}},
            }
          : kind === 2
            ? {...base, action: 'app.lock', target: {type: 'app', name}, app, data: {before: {locked: false}, after: {locked: true}}}
            : {
                ...base,
                action: 'formation.update',
                target: {type: 'formation', name},
                app,
                data: {before: [{type: 'web', quantity: 1, size: 'standard-1x'}], after: [{type: 'web', quantity: 2, size: 'standard-2x'}]},
              }
    await tx.audit.append(event)
  }
}

/** The same data as an embedded store file at `path` (replaced if there). */
export async function buildStore(domain, path, options) {
  const {state, tokens} = await buildState(domain, options)
  await domain.writeStoreFile(path, state, {force: true})
  return {tokens}
}

/** The same data copied into the (migrated) PostgreSQL database at `url`, replacing what it holds. */
export async function buildDatabase(domain, url, options) {
  const {state, tokens} = await buildState(domain, options)
  // dist/ from tsc has no migrations folder beside the module: hand it the files as the bundle embeds them.
  if (globalThis.__ORGCTL_MIGRATIONS__ === undefined) {
    const dir = join(domain.root, 'src', 'lib', 'storage', 'postgres', 'migrations')
    globalThis.__ORGCTL_MIGRATIONS__ = readdirSync(dir)
      .filter((file) => file.endsWith('.sql'))
      .map((file) => ({file, sql: readFileSync(join(dir, file), 'utf8')}))
  }
  const {PostgresStorage} = await import(pathToFileURL(join(domain.root, 'dist', 'lib/storage/postgres/pg-storage.js')).href)
  const storage = await PostgresStorage.open(url, {source: 'the bench'})
  try {
    await storage.importState(state, {replace: true})
  } finally {
    await storage.close()
  }
  return {tokens}
}
