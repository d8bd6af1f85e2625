/** Tables: a `fit` column keeps a terminal row to one line; piped, every value is whole. */
import {describe, expect, it} from 'vitest'

import {type Column, FIT_MIN, renderTable} from '../../src/lib/output/table.js'

type Row = {name: string; change: string}
const COLUMNS: Column<Row>[] = [
  {header: 'name', value: (row) => row.name},
  {header: 'change', value: (row) => row.change, fit: true},
]
const ROWS: Row[] = [
  {name: 'dev@acme.test', change: 'role member → admin, apps acme-api, acme-web, acme-worker, acme-docs, acme-cron'},
  {name: 'x', change: 'short'},
]
const plain = (text: string) => text

describe('renderTable with a fit column', () => {
  it('cuts the fit column to what the line leaves, with an ellipsis, on a terminal', async () => {
    const lines = (await renderTable(ROWS, COLUMNS, true, plain, 60)).split('\n')
    for (const line of lines) expect(line.length, line).toBeLessThanOrEqual(60)
    expect(lines[1]).toMatch(/^dev@acme\.test {2}role member → admin, .*…$/)
    expect(lines[2]).toBe('x              short')
  })

  it('never cuts it below FIT_MIN characters, however narrow the terminal', async () => {
    const lines = (await renderTable(ROWS, COLUMNS, true, plain, 10)).split('\n')
    expect(lines[1]!.slice('dev@acme.test  '.length)).toHaveLength(FIT_MIN)
  })

  it('gives every value whole when piped', async () => {
    const text = await renderTable(ROWS, COLUMNS, false, plain, 60)
    expect(text.split('\n')[0]).toBe(`dev@acme.test\t${ROWS[0]!.change}`)
  })

  it('leaves a table without a fit column as it is', async () => {
    const text = await renderTable(ROWS, [COLUMNS[0]!, {...COLUMNS[1]!, fit: false}], true, plain, 30)
    expect(text).toContain(ROWS[0]!.change)
  })
})

describe('renderTable with a fit column and wide characters', () => {
  it('counts a wide character as the two columns it takes, and never splits a surrogate pair', async () => {
    const wide: Row[] = [
      {name: 'dev', change: '名前変更'.repeat(20)},
      {name: 'x', change: `${'a'.repeat(51)}😀😀😀`},
    ]
    const {default: stringWidth} = await import('string-width')
    const lines = (await renderTable(wide, COLUMNS, true, plain, 60)).split('\n')
    for (const line of lines) expect(stringWidth(line), line).toBeLessThanOrEqual(60)
    expect(lines[2]).toMatch(/^x {5}a{51}😀…$/)
    expect(lines.join('')).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/)
  })
})
