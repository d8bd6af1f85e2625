/**
 * HTML built from tagged templates: every value put in is escaped, unless it is already `Html`
 * (made by this tag, or by `raw` for the few constant fragments). So a name, an email or a message
 * holding `<script>` renders as text wherever it lands, in text or in an attribute.
 */
export class Html {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value
  }
}

const ESCAPES: Record<string, string> = {'&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;'}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => ESCAPES[char]!)
}

/** What may go in a template: text (escaped), Html (as is), lists of either, and nothing (false, null, undefined). */
export type Part = Html | string | number | boolean | null | undefined | readonly Part[]

function render(part: Part): string {
  if (part === null || part === undefined || part === false || part === true) return ''
  if (part instanceof Html) return part.value
  if (Array.isArray(part)) return part.map(render).join('')
  return escapeHtml(String(part))
}

export function html(strings: TemplateStringsArray, ...parts: Part[]): Html {
  let out = strings[0]!
  for (let index = 0; index < parts.length; index++) out += render(parts[index]!) + strings[index + 1]!
  return new Html(out)
}

/** A constant fragment the code itself wrote (never data). */
export const raw = (value: string): Html => new Html(value)
