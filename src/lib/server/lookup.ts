/**
 * Heroku takes an id wherever it takes a name: `/apps/{app_id_or_name}`, `/teams/{team_name_or_id}`,
 * `{team-member_email_or_id}`, `{collaborator_email_or_id}`, `{app-transfer_id_or_name}`, a formation's
 * type or id, an account's email, id or `~`. The routes turn each into the name the domain knows, so
 * the answer by id is the answer by name. An id of something the caller may not see is left as it
 * is: the domain then answers the same not-found it gives any unknown name, without the name.
 */
import {appSubject, Ctx, orgStanding} from '../domain/context.js'
import {asciiLower} from '../domain/validation.js'
import type {LocalBackend} from '../backend/local-backend.js'
import {notFound} from '../errors.js'
import type {Storage} from '../storage/storage.js'

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

/** Names of orgs and apps are never UUID-shaped (at most 30 characters): only an id needs a look. */
export const isUuid = (value: string): boolean => UUID.test(value)

/** An app's name from its name or id. */
export async function appName(storage: Storage, actor: string, ref: string): Promise<string> {
  if (!UUID.test(ref)) return ref
  return storage.read(async (tx) => {
    const app = await tx.apps.byId(ref)
    if (!app) return ref
    return (await appSubject(new Ctx(tx, actor), app, actor)).standing === 'none' ? ref : app.name
  })
}

/** An org's name from its name or id. */
export async function orgName(storage: Storage, actor: string, ref: string): Promise<string> {
  if (!UUID.test(ref)) return ref
  return storage.read(async (tx) => {
    const org = await tx.orgs.byId(ref)
    if (!org) return ref
    // An operator may name any org by its id (its limits are theirs to see); anyone else, one they stand in.
    const visible = (await orgStanding(new Ctx(tx, actor), org.name, actor)) !== 'none' || (await tx.operators.has(actor))
    return visible ? org.name : ref
  })
}

/** An account's email from its email, id, or `~` (the caller). */
export async function accountEmail(storage: Storage, actor: string, ref: string): Promise<string> {
  if (ref === '~') return actor
  if (!UUID.test(ref)) return ref
  return (await storage.read((tx) => tx.users.byId(ref)))?.email ?? ref
}

/** A member's email from their email, membership id or user id (as the member list shows them). */
export async function memberEmail(backend: LocalBackend, team: string, ref: string): Promise<string> {
  if (!UUID.test(ref)) return ref
  const found = (await backend.listMembers(team)).find((member) => member.id === ref || member.user.id === ref)
  if (!found) throw notFound(`Couldn't find member ${ref} in org ${team}: give their email or an id from its member list.`)
  return found.email
}

/** A collaborator's email from their email, collaborator id or user id (as the collaborator list shows them). */
export async function collaboratorEmail(backend: LocalBackend, app: string, ref: string): Promise<string> {
  if (!UUID.test(ref)) return ref
  const found = (await backend.listAccess(app)).find((collaborator) => collaborator.id === ref || collaborator.user.id === ref)
  if (!found) throw notFound(`Couldn't find collaborator ${ref} on app ${app}: give their email or an id from its collaborator list.`)
  return found.user.email
}

/** A formation's type from its type or id (a type it does not have yet stays as given: scaling adds it). */
export async function formationType(backend: LocalBackend, app: string, ref: string): Promise<string> {
  if (!UUID.test(ref)) return asciiLower(ref)
  const found = (await backend.listFormation(app)).find((entry) => entry.id === ref)
  return found ? found.type : ref
}

/** A transfer's id from its id, or its app's name or id (the pending one first, else the latest). */
export async function transferId(backend: LocalBackend, ref: string): Promise<string> {
  const transfers = await backend.listTransfers()
  if (transfers.some((transfer) => transfer.id === ref)) return ref
  const matching = transfers
    .filter((transfer) => transfer.app.name === ref || transfer.app.id === ref)
    .sort((a, b) => Number(b.state === 'pending') - Number(a.state === 'pending') || (a.updated_at < b.updated_at ? 1 : -1))
  return matching[0]?.id ?? ref
}
