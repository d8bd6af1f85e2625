/** How resources are named in human output. */
import type {App} from '../api/resources.js'
import type {Palette} from './palette.js'

/** `acme-api [locked] (eu)`, as the Heroku CLI lists apps. */
export function appLabel(color: Palette, app: App): string {
  return `${color.app(app.name)}${app.locked ? ' [locked]' : ''}${app.region.name === 'us' ? '' : ` (${app.region.name})`}`
}

export function permissionList(permissions: readonly {name: string}[]): string {
  return permissions.map((permission) => permission.name).join(', ')
}
