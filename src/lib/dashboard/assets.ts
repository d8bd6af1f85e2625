/** The Dashboard's stylesheet and script, with a content hash for their URLs (cached for a year, renamed on change). */
import {createHash} from 'node:crypto'

import {SCRIPT} from './assets/script.js'
import {STYLE} from './assets/style.js'

export interface Asset {
  readonly path: string
  readonly type: string
  readonly body: Buffer
}

function asset(name: string, extension: string, type: string, text: string): Asset {
  const body = Buffer.from(text.trim() + '\n')
  const hash = createHash('sha256').update(body).digest('hex').slice(0, 12)
  return {path: `/dashboard/assets/${name}-${hash}.${extension}`, type, body}
}

export const ASSETS = {
  style: asset('dashboard', 'css', 'text/css; charset=utf-8', STYLE),
  script: asset('dashboard', 'js', 'text/javascript; charset=utf-8', SCRIPT),
} as const
