/**
 * The access file (access as code): YAML, or the same schema as JSON (a `.json` file, or text that
 * starts with `{`). Parsed with `yaml`, whose node ranges and LineCounter let every error name its
 * line. Emails are case-folded and checked as everywhere else (parseEmail); roles and permissions too.
 *
 *   version: 1
 *   orgs:
 *     acme-widgets:
 *       members: {boss@acme.test: admin, dev@acme.test: member}
 *       apps:
 *         acme-api:
 *           locked: true
 *           collaborators: {contractor@ext.test: [deploy]}
 *       prune: {members: false, collaborators: true}
 *
 * A section left out is not managed (no `members`: the org's members are left as they are; no
 * `locked`: the lock is left; no `collaborators`: the app's collaborators are left).
 */
import {isMap, isScalar, isSeq, LineCounter, type Node, parseDocument, type YAMLMap} from 'yaml'

import type {AppPermission, OrgRole} from '../domain/types.js'
import {parseAppName, parseEmail, parseOrgName, parsePermissions, parseRole} from '../domain/validation.js'
import {OrgctlError, usageError} from '../errors.js'

export interface AccessFile {
  /** The file's name, for messages. */
  source: string
  orgs: OrgSpec[]
}

export interface OrgSpec {
  name: string
  line: number
  members?: Map<string, {role: OrgRole; line: number}>
  apps: AppSpec[]
  prune: {members: boolean; collaborators: boolean}
}

export interface AppSpec {
  name: string
  line: number
  locked?: boolean
  collaborators?: Map<string, {permissions: AppPermission[]; line: number}>
}

/** Whether to read the text as JSON: a `.json` file, or text that starts with `{`. */
export function isJson(source: string, text: string): boolean {
  return /\.json$/i.test(source) || text.trimStart().startsWith('{')
}

/** Parses and checks the whole file; the first problem is a usage error naming the file and line. */
export function parseAccessFile(text: string, source: string): AccessFile {
  const lines = new LineCounter()
  const json = isJson(source, text)
  const doc = parseDocument(text, {lineCounter: lines, uniqueKeys: false, prettyErrors: false, ...(json ? {schema: 'json'} : {})})
  const at = (node: Node | null | undefined): number => (node?.range ? lines.linePos(node.range[0]).line : 1)
  const fail = (line: number, message: string): never => {
    throw usageError(`${source} line ${line}: ${message}`)
  }
  const first = doc.errors[0]
  if (first) {
    const line = lines.linePos(first.pos[0]).line
    fail(line, `${json ? 'invalid JSON' : 'invalid YAML'}: ${first.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '')}.`)
  }
  const root = doc.contents
  if (!isMap(root)) return fail(at(root), 'the file must be a mapping with version: 1 and orgs.')

  /** The pairs of a mapping, keys checked against the ones allowed there. */
  // Keys checked here, once each (yaml's own uniqueKeys compares every pair: seconds on an org of thousands).
  const entries = (map: YAMLMap, where: string, allowed?: readonly string[]) => {
    const lineOf = new Map<string, number>()
    return map.items.map((pair) => {
      const key = pair.key as Node
      if (!isScalar(key) || typeof key.value !== 'string' || key.value === '') fail(at(key), `${where}: keys must be non-empty names.`)
      const name = (key as {value: string}).value
      if (allowed && !allowed.includes(name)) fail(at(key), `unknown key ${JSON.stringify(name)} in ${where}: use ${allowed.join(', ')}.`)
      const earlier = lineOf.get(name)
      if (earlier !== undefined) fail(at(key), `${JSON.stringify(name)} is given twice in ${where} (also line ${earlier}): give it once.`)
      lineOf.set(name, at(key))
      return {name, line: at(key), value: pair.value as Node | null}
    })
  }
  const mapping = (node: Node | null, line: number, what: string): YAMLMap => {
    if (node === null || (isScalar(node) && node.value === null)) return {items: []} as unknown as YAMLMap
    if (!isMap(node)) fail(at(node) || line, `${what} must be a mapping.`)
    return node as YAMLMap
  }
  const boolean = (node: Node | null, line: number, what: string): boolean => {
    if (!isScalar(node) || typeof node.value !== 'boolean') return fail(at(node) || line, `${what} must be true or false.`)
    return node.value
  }
  /** Runs a project check (parseEmail, parseRole, ...) with its message put on the line. */
  const checked = <T>(line: number, check: () => T): T => {
    try {
      return check()
    } catch (error) {
      if (error instanceof OrgctlError) return fail(line, error.message.replace(/\s*Usage: .*$/, ''))
      throw error
    }
  }
  const scalarText = (node: Node | null, line: number, what: string): string => {
    if (!isScalar(node) || (typeof node.value !== 'string' && typeof node.value !== 'number'))
      return fail(at(node) || line, `${what} must be a name.`)
    return String(node.value)
  }

  const top = new Map(entries(root, 'the file', ['version', 'orgs']).map((entry) => [entry.name, entry]))
  const version = top.get('version')
  if (!version) fail(1, 'missing version: start the file with version: 1.')
  if (!isScalar(version!.value) || version!.value.value !== 1) fail(version!.line, 'version must be 1.')
  const orgsEntry = top.get('orgs')
  if (!orgsEntry) return fail(1, 'missing orgs: list the orgs the file manages under orgs.')

  const orgs: OrgSpec[] = []
  for (const org of entries(mapping(orgsEntry.value, orgsEntry.line, 'orgs'), 'orgs')) {
    const name = checked(org.line, () => parseOrgName(org.name))
    const spec: OrgSpec = {name, line: org.line, apps: [], prune: {members: false, collaborators: false}}
    for (const section of entries(mapping(org.value, org.line, `org ${name}`), `org ${name}`, ['members', 'apps', 'prune'])) {
      if (section.name === 'members') {
        spec.members = new Map()
        for (const member of entries(mapping(section.value, section.line, `members of ${name}`), `members of ${name}`)) {
          const email = checked(member.line, () => parseEmail(member.name))
          // scalarText fails naming the line already: only parseRole's message needs it put on.
          const text = scalarText(member.value, member.line, `the role of ${email}`)
          const role = checked(member.line, () => parseRole(text))
          const earlier = spec.members.get(email)
          if (earlier)
            fail(member.line, `${email} is listed twice in members of ${name} (also line ${earlier.line}): list each member once.`)
          spec.members.set(email, {role, line: member.line})
        }
      } else if (section.name === 'prune') {
        for (const what of entries(mapping(section.value, section.line, `prune of ${name}`), `prune of ${name}`, [
          'members',
          'collaborators',
        ]))
          spec.prune[what.name as 'members' | 'collaborators'] = boolean(what.value, what.line, `prune.${what.name}`)
      } else {
        for (const app of entries(mapping(section.value, section.line, `apps of ${name}`), `apps of ${name}`)) {
          const appName = checked(app.line, () => parseAppName(app.name))
          const appSpec: AppSpec = {name: appName, line: app.line}
          for (const field of entries(mapping(app.value, app.line, `app ${appName}`), `app ${appName}`, ['locked', 'collaborators'])) {
            if (field.name === 'locked') appSpec.locked = boolean(field.value, field.line, `locked of ${appName}`)
            else appSpec.collaborators = collaborators(field.value, field.line, appName)
          }
          spec.apps.push(appSpec)
        }
      }
    }
    orgs.push(spec)
  }
  // A file that manages nothing would plan "no changes" for ever: surely a mistake (an indentation lost).
  if (orgs.length === 0) fail(orgsEntry.line, 'orgs lists no org: list the orgs the file manages under orgs.')
  // An app belongs to one org: listed under two, the file contradicts itself.
  const seen = new Map<string, OrgSpec>()
  for (const org of orgs) {
    for (const app of org.apps) {
      const other = seen.get(app.name)
      if (other) fail(app.line, `app ${app.name} is listed under ${other.name} and ${org.name}: an app belongs to one org.`)
      seen.set(app.name, org)
    }
  }
  return {source, orgs}

  function collaborators(node: Node | null, line: number, app: string): Map<string, {permissions: AppPermission[]; line: number}> {
    const found = new Map<string, {permissions: AppPermission[]; line: number}>()
    for (const entry of entries(mapping(node, line, `collaborators of ${app}`), `collaborators of ${app}`)) {
      const email = checked(entry.line, () => parseEmail(entry.name))
      const value = entry.value
      const names =
        value === null || (isScalar(value) && value.value === null)
          ? []
          : isSeq(value)
            ? value.items.map((item) => scalarText(item as Node, entry.line, `a permission of ${email}`))
            : fail(at(value), `the permissions of ${email} must be a list, such as [deploy, operate] (view is implied).`)
      const permissions = checked(at(value) || entry.line, () => parsePermissions(names))
      const earlier = found.get(email)
      if (earlier) fail(entry.line, `${email} is listed twice in collaborators of ${app} (also line ${earlier.line}): list each once.`)
      found.set(email, {permissions, line: entry.line})
    }
    return found
  }
}
