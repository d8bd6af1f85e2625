/** Reading the file and the orgs it lists, and writing an org's state out in the file's format. */
import {readFile} from 'node:fs/promises'

import {Document, isSeq, visit} from 'yaml'

import type {TeamAccess} from '../api/resources.js'
import type {Backend} from '../backend/backend.js'
import {OrgctlError, usageError} from '../errors.js'
import {describeOsError} from '../os-errors.js'
import {type AccessFile, parseAccessFile} from './schema.js'

/** The file at `path` (`-`: stdin), parsed and checked. */
export async function readAccessFile(path: string, readStdin: () => Promise<string>): Promise<AccessFile> {
  let text: string
  try {
    text = path === '-' ? await readStdin() : await readFile(path, 'utf8')
  } catch (error) {
    throw usageError(`Cannot read ${path}: ${describeOsError(error)}. Give an access file (YAML or JSON; - reads stdin).`)
  }
  return parseAccessFile(text, path === '-' ? 'stdin' : path)
}

/** Each org's whole access state: one read per org, whatever its size. */
export async function readStates(backend: Backend, file: AccessFile): Promise<Map<string, TeamAccess>> {
  const states = await Promise.all(
    file.orgs.map(async (org) => {
      try {
        return await backend.teamAccess(org.name)
      } catch (error) {
        if (error instanceof OrgctlError && error.id === 'not_found')
          throw new OrgctlError('not_found', `${file.source} line ${org.line}: ${error.message} (apply never creates orgs.)`)
        throw error
      }
    }),
  )
  return new Map(states.map((state) => [state.team.name, state]))
}

/** The access file's content for an org as it is today. */
export type AccessBody = ReturnType<typeof accessBody>

/** Today's state of an org as an access file (reading it back plans nothing). Prune is off: turn it on to remove. */
export function accessBody(state: TeamAccess) {
  return {
    version: 1,
    orgs: {
      [state.team.name]: {
        members: Object.fromEntries(state.members.map((member) => [member.email, member.role])),
        apps: Object.fromEntries(
          state.apps.map((app) => [
            app.name,
            {locked: app.locked, collaborators: Object.fromEntries(app.collaborators.map((c) => [c.email, c.permissions]))},
          ]),
        ),
        prune: {members: false, collaborators: false},
      },
    },
  }
}

/** The file's text: JSON, or YAML with each permission list on one line. */
export function formatAccess(body: AccessBody, json: boolean): string {
  if (json) return `${JSON.stringify(body, null, 2)}\n`
  const doc = new Document(body)
  // Permission lists on one line each: `contractor@ext.test: [view, deploy]`.
  visit(doc, {
    Seq(_, node) {
      if (isSeq(node)) node.flow = true
    },
  })
  return doc.toString({lineWidth: 0, flowCollectionPadding: false})
}
