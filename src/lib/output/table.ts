/**
 * Tables: aligned with a bold header on a terminal (cli-table3); piped, plain
 * tab-separated rows with no header, so `cut -f1` and friends just work.
 */
import {printable} from '../text.js'

export interface Column<T> {
  header: string
  value(row: T): string
  /** Colour for the cell, applied after the value is made printable. */
  style?: (text: string) => string
  /**
   * On a terminal, cut (with …) to what the other columns leave of the line, so a row keeps to one
   * line; never to fewer than FIT_MIN characters. Piped, the whole value: the line is no one's width.
   */
  fit?: boolean
}

export const FIT_MIN = 20
const GAP = 2

type Width = (text: string) => number

/** The text cut to `room` terminal columns with an ellipsis: by code point, each counted as cli-table3 counts it (wide ones 2). */
function cut(text: string, room: number, widthOf: Width): string {
  if (widthOf(text) <= room) return text
  let kept = ''
  let used = 0
  for (const char of text) {
    const each = widthOf(char)
    if (used + each > room - 1) break
    kept += char
    used += each
  }
  return `${kept}…`
}

/** The fitted columns' cells cut to the room the others leave in `width` terminal columns (as cli-table3 measures them). */
function fitted(cells: string[][], columns: readonly Column<unknown>[], width: number, widthOf: Width): string[][] {
  const widest = columns.map((column, i) => cells.reduce((most, line) => Math.max(most, widthOf(line[i]!)), widthOf(column.header)))
  const fixed = widest.reduce((sum, each, i) => (columns[i]!.fit ? sum : sum + each), 0) + GAP * (columns.length - 1)
  const fits = columns.filter((column) => column.fit).length
  const room = Math.max(FIT_MIN, Math.floor((width - fixed) / Math.max(1, fits)))
  return cells.map((line) => line.map((cell, i) => (columns[i]!.fit ? cut(cell, room, widthOf) : cell)))
}

export async function renderTable<T>(
  rows: readonly T[],
  columns: readonly Column<T>[],
  terminal: boolean,
  bold: (text: string) => string,
  width?: number,
): Promise<string> {
  const cells = rows.map((row) => columns.map((column) => printable(column.value(row))))
  if (!terminal) return cells.map((line) => line.join('\t')).join('\n')
  let shown = cells
  if (width !== undefined && columns.some((column) => column.fit)) {
    const {default: stringWidth} = await import('string-width')
    shown = fitted(cells, columns as Column<unknown>[], width, stringWidth)
  }
  const styled = shown.map((line) => line.map((cell, i) => columns[i]!.style?.(cell) ?? cell))
  const {default: Table} = await import('cli-table3')
  const table = new Table({
    head: columns.map((column) => bold(column.header)),
    chars: {
      top: '',
      'top-mid': '',
      'top-left': '',
      'top-right': '',
      bottom: '',
      'bottom-mid': '',
      'bottom-left': '',
      'bottom-right': '',
      left: '',
      'left-mid': '',
      mid: '',
      'mid-mid': '',
      right: '',
      'right-mid': '',
      middle: '  ',
    },
    style: {head: [], border: [], 'padding-left': 0, 'padding-right': 0},
  })
  table.push(...styled)
  return table
    .toString()
    .split('\n')
    .map((line) => line.trimEnd())
    .join('\n')
}
