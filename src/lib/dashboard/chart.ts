/**
 * A small line chart drawn on the server as inline SVG (no script, no inline style: the CSP allows
 * neither; colours come from classes in assets/style.ts). Every value goes through the `html` tag,
 * so a name in a title or label is escaped like anywhere else on the page.
 *
 * Usage history is recorded on the days something changed, so the series is drawn as steps: a
 * level holds until the next recorded day. The x axis is time (a gap of a week is wider than a
 * day); the y axis fits the data, with the limit drawn only when it is near enough to read beside it (yScale).
 */
import {html, type Html} from './html.js'

export interface ChartPoint {
  /** YYYY-MM-DD */
  date: string
  value: number
}

export interface LineChart {
  /** Unique on the page: the prefix of the title's and description's ids. */
  id: string
  title: string
  description: string
  points: readonly ChartPoint[]
  /** The class of the series (its colour), e.g. `line-apps`. */
  series: string
  limit?: number
}

const WIDTH = 640
const HEIGHT = 170
const PAD = {left: 48, right: 12, top: 12, bottom: 30}
const PLOT_W = WIDTH - PAD.left - PAD.right
const PLOT_H = HEIGHT - PAD.top - PAD.bottom
/** Longer histories are shown as weekly peaks: a point a day would be thinner than a pixel on a phone. */
export const DAILY_SPAN_DAYS = 92
const MAX_DATE_LABELS = 6
const DAY_MS = 86_400_000
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']

const dayNumber = (date: string) => Math.round(Date.parse(`${date}T00:00:00Z`) / DAY_MS)
const count = new Intl.NumberFormat('en-US', {maximumFractionDigits: 0})
/** Tick labels stay short (a phone shows them larger): 15K, not 15,000. */
const short = new Intl.NumberFormat('en-US', {notation: 'compact'})
const round = (value: number) => Math.round(value * 10) / 10

/** A step of 1, 2 or 5 times a power of ten (at least 1: the values are counts), giving about `ticks` steps up to max. */
export function niceStep(max: number, ticks = 4): number {
  if (max <= ticks) return 1
  const rough = max / ticks
  const power = 10 ** Math.floor(Math.log10(rough))
  const step = [1, 2, 5, 10].map((each) => each * power).find((each) => each >= rough)!
  return Math.max(1, step)
}

/**
 * The y scale's top: the data's peak (at least 4, so a count going from 0 to 1 is not a cliff),
 * raised to take in the limit when the usage reaches a fifth of it, or the limit is 10 or less;
 * a limit far above the usage would flatten the line to the floor, so the legend says it instead.
 */
export function yScale(values: readonly number[], limit?: number): {top: number; step: number; showsLimit: boolean} {
  const peak = Math.max(0, ...values)
  const showsLimit = limit !== undefined && limit > 0 && limit <= Math.max(5 * peak, 10)
  const wanted = Math.max(4, peak, showsLimit ? limit : 0)
  const step = niceStep(wanted)
  return {top: Math.ceil(wanted / step) * step, step, showsLimit}
}

/** A date label: "15 Nov", with the year where it starts or changes. */
function dateLabel(date: string, previous: string | undefined): string {
  const [year, month, day] = date.split('-')
  const label = `${Number(day)} ${MONTHS[Number(month) - 1]}`
  return previous === undefined || previous.slice(0, 4) !== year ? `${label} ${year}` : label
}

/** Up to MAX_DATE_LABELS indexes, evenly spread, always the first and the last. */
function labelIndexes(length: number): number[] {
  if (length <= MAX_DATE_LABELS) return [...Array(length).keys()]
  const step = (length - 1) / (MAX_DATE_LABELS - 1)
  return [...new Set([...Array(MAX_DATE_LABELS).keys()].map((each) => Math.round(each * step)))]
}

export function lineChart(chart: LineChart): Html {
  const {points, id} = chart
  const values = points.map((point) => point.value)
  const {top, step, showsLimit} = yScale(values, chart.limit)
  const first = points.length > 0 ? dayNumber(points[0]!.date) : 0
  const span = points.length > 1 ? dayNumber(points.at(-1)!.date) - first : 0
  const x = (date: string) => round(PAD.left + (span === 0 ? PLOT_W / 2 : ((dayNumber(date) - first) / span) * PLOT_W))
  const y = (value: number) => round(PAD.top + PLOT_H - (value / top) * PLOT_H)
  const bottom = PAD.top + PLOT_H
  const ticks = [...Array(Math.floor(top / step) + 1).keys()].map((each) => each * step)
  const steps = points.map((point, index) => (index === 0 ? `M${x(point.date)} ${y(point.value)}` : `H${x(point.date)} V${y(point.value)}`))
  const labels = labelIndexes(points.length)
  return html`<svg
    class="chart"
    viewBox="0 0 ${WIDTH} ${HEIGHT}"
    role="img"
    aria-labelledby="${id}-title ${id}-desc"
    xmlns="http://www.w3.org/2000/svg"
  >
    <title id="${id}-title">${chart.title}</title>
    <desc id="${id}-desc">${chart.description}</desc>
    <g class="grid">
      ${ticks.map(
        (tick) =>
          html`<line
              x1="${PAD.left}"
              x2="${WIDTH - PAD.right}"
              y1="${y(tick)}"
              y2="${y(tick)}"
              class="${tick === 0 ? 'axis' : 'tick'}"
            /><text x="${PAD.left - 6}" y="${y(tick) + 4}" text-anchor="end"> ${short.format(tick)} </text>`,
      )}
      <line x1="${PAD.left}" x2="${PAD.left}" y1="${PAD.top}" y2="${bottom}" class="axis" />
    </g>
    <g class="dates">
      ${labels.map((index, order) => {
        const point = points[index]!
        const anchor = labels.length === 1 ? 'middle' : order === 0 ? 'start' : index === points.length - 1 ? 'end' : 'middle'
        const previous = order === 0 ? undefined : points[labels[order - 1]!]!.date
        // The dates between the first and the last are left out on a phone, where the labels are drawn larger.
        const minor = order > 0 && order < labels.length - 1
        return html`<text class="${minor ? 'minor' : ''}" x="${x(point.date)}" y="${HEIGHT - 8}" text-anchor="${anchor}"
          >${dateLabel(point.date, previous)}</text
        >`
      })}
    </g>
    ${
      showsLimit
        ? html`<line
            class="limit"
            x1="${PAD.left}"
            x2="${WIDTH - PAD.right}"
            y1="${y(chart.limit!)}"
            y2="${y(chart.limit!)}"
            stroke-dasharray="6 4"
          />`
        : ''
    }
    <g class="series ${chart.series}">
      ${points.length > 1 ? html`<path d="${steps.join(' ')}" fill="none" stroke-width="2" />` : ''}
      ${points.map(
        (point) =>
          html`<circle cx="${x(point.date)}" cy="${y(point.value)}" r="${points.length > 60 ? 1.5 : 2.5}"
            ><title>${point.date}: ${count.format(point.value)}</title></circle
          >`,
      )}
    </g>
  </svg>`
}

/** The Monday of the (UTC) week a date is in. */
export function weekOf(date: string): string {
  const day = new Date(`${date}T00:00:00Z`)
  day.setUTCDate(day.getUTCDate() - ((day.getUTCDay() + 6) % 7))
  return day.toISOString().slice(0, 10)
}

/**
 * Daily rows as they are, when they span DAILY_SPAN_DAYS or less; else the peak of each field per
 * week (dated by the week's Monday), so a year reads as ~52 points.
 */
export function peaksOf<Row extends {date: string}>(
  rows: readonly Row[],
  fields: readonly Exclude<keyof Row, 'date'>[],
): {period: 'day' | 'week'; rows: Row[]} {
  if (rows.length < 2 || dayNumber(rows.at(-1)!.date) - dayNumber(rows[0]!.date) <= DAILY_SPAN_DAYS) {
    return {period: 'day', rows: [...rows]}
  }
  const weeks = new Map<string, Row>()
  for (const row of rows) {
    const week = weekOf(row.date)
    const peak = weeks.get(week)
    if (!peak) weeks.set(week, {...row, date: week})
    else for (const field of fields) peak[field] = Math.max(Number(peak[field]), Number(row[field])) as Row[typeof field]
  }
  return {period: 'week', rows: [...weeks.values()]}
}
