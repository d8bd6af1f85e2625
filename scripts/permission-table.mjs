// Writes the permission matrix (from the code, the one source) into README.md between markers.
import {readFileSync, writeFileSync} from 'node:fs'

import {describeOperator, describeRule, PERMISSION_MATRIX, STANDINGS} from '../dist/lib/domain/permissions.js'

const header = ['action', 'commands', ...STANDINGS, 'operator', 'locked app']
const rows = PERMISSION_MATRIX.map((rule) => [
  `\`${rule.action}\``,
  rule.commands
    .split(', ')
    .map((command) => `\`${command}\``)
    .join(', '),
  ...STANDINGS.map((standing) => describeRule(rule.rules[standing])),
  describeOperator(rule),
  rule.lockedAdminsOnly ? 'admins only' : '',
])
const table = [header, header.map(() => '---'), ...rows].map((cells) => `| ${cells.join(' | ')} |`).join('\n')
const readme = readFileSync('README.md', 'utf8')
const start = '<!-- permissions -->'
const stop = '<!-- permissionsstop -->'
const before = readme.slice(0, readme.indexOf(start) + start.length)
const after = readme.slice(readme.indexOf(stop))
writeFileSync('README.md', `${before}\n${table}\n${after}`)
console.log(`wrote ${rows.length} rows of the permission matrix to README.md`)
