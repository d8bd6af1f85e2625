/** Colours, from chalk, only when the stream is a terminal and NO_COLOR is unset. */
export interface Palette {
  app(text: string): string
  org(text: string): string
  user(text: string): string
  bold(text: string): string
  dim(text: string): string
  ok(text: string): string
  warn(text: string): string
  error(text: string): string
}

const plain = (text: string): string => text

export const PLAIN: Palette = {app: plain, org: plain, user: plain, bold: plain, dim: plain, ok: plain, warn: plain, error: plain}

/** Loads chalk only when colour is on, so piped runs never pay for it. */
export async function loadPalette(enabled: boolean): Promise<Palette> {
  if (!enabled) return PLAIN
  const {Chalk} = await import('chalk')
  const chalk = new Chalk({level: 1})
  return {
    app: chalk.magenta,
    org: chalk.cyan,
    user: chalk.green,
    bold: chalk.bold,
    dim: chalk.dim,
    ok: chalk.green,
    warn: chalk.yellow,
    error: chalk.red,
  }
}
