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
}

export async function renderTable<T>(
  rows: readonly T[],
  columns: readonly Column<T>[],
  terminal: boolean,
  bold: (text: string) => string,
): Promise<string> {
  const cells = rows.map((row) => columns.map((column) => printable(column.value(row))))
  if (!terminal) return cells.map((line) => line.join('\t')).join('\n')
  const styled = cells.map((line) => line.map((cell, i) => columns[i]!.style?.(cell) ?? cell))
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
