/**
 * Shell completion scripts for bash, zsh and fish, generated from the commands oclif knows (ids,
 * aliases, flags and their values). They are printed, not cached: nothing is written anywhere,
 * and a script made by one version describes that version's commands.
 */

export const SHELLS = ['bash', 'zsh', 'fish'] as const
export type Shell = (typeof SHELLS)[number]

export interface CompletionFlag {
  name: string
  char?: string
  aliases?: string[]
  charAliases?: string[]
  description?: string
  /** Takes a value. */
  option: boolean
  /** The values it takes, when they are a fixed list. */
  options?: readonly string[]
}

export interface CompletionCommand {
  id: string
  summary?: string
  /** The values of its first argument, when they are a fixed list. */
  argOptions?: readonly string[]
  flags: CompletionFlag[]
}

/** Every way to write a command's flags: --name, its aliases, -c and its letters. */
function flagWords(flag: CompletionFlag): string[] {
  return [
    `--${flag.name}`,
    ...(flag.aliases ?? []).map((alias) => `--${alias}`),
    ...(flag.char ? [`-${flag.char}`] : []),
    ...(flag.charAliases ?? []).map((c) => `-${c}`),
  ]
}

const oneLine = (text: string | undefined) => (text ?? '').split('\n')[0]!.trim()

function bash(bin: string, commands: CompletionCommand[]): string {
  const fn = `_${bin.replace(/\W/g, '_')}_complete`
  const cases = commands
    .map((command) => {
      const flags = command.flags.flatMap(flagWords).join(' ')
      const args = (command.argOptions ?? []).join(' ')
      return `    ${command.id}) flags='${flags}'; args='${args}' ;;`
    })
    .join('\n')
  return `# ${bin} completion for bash. Load it with: source <(${bin} autocomplete bash)  (add that line to ~/.bashrc)
${fn}() {
  local line="\${COMP_LINE:0:\${COMP_POINT:-\${#COMP_LINE}}}"
  local -a words
  read -ra words <<< "$line"
  [[ "$line" == *[[:space:]] || \${#words[@]} -eq 0 ]] && words+=('')
  local cur="\${words[\${#words[@]}-1]}"
  local commands='${commands.map((command) => command.id).join(' ')}'
  if (( \${#words[@]} <= 2 )); then
    COMPREPLY=($(compgen -W "$commands" -- "$cur"))
  else
    local flags='' args=''
    case "\${words[1]}" in
${cases}
    esac
    if [[ "$cur" == -* ]]; then
      COMPREPLY=($(compgen -W "$flags" -- "$cur"))
    elif [[ -n "$args" ]] && (( \${#words[@]} == 3 )); then
      COMPREPLY=($(compgen -W "$args" -- "$cur"))
    else
      COMPREPLY=()
    fi
  fi
  # bash splits words at ':' (COMP_WORDBREAKS): a completion must not repeat what comes before it.
  if [[ "$cur" == *:* && "$COMP_WORDBREAKS" == *:* ]]; then
    local prefix="\${cur%"\${cur##*:}"}"
    COMPREPLY=("\${COMPREPLY[@]#"$prefix"}")
  fi
}
complete -o default -F ${fn} ${bin}
`
}

/** Text inside a zsh single-quoted string, and inside _arguments/_describe specs. */
const zshQuote = (text: string) => text.replaceAll("'", "'\\''")
const zshSpec = (text: string) => zshQuote(text.replace(/([\\:[\]])/g, '\\$1'))

function zsh(bin: string, commands: CompletionCommand[]): string {
  const fn = `_${bin.replace(/\W/g, '_')}`
  const described = commands.map((command) => `    '${zshSpec(command.id)}:${zshSpec(oneLine(command.summary))}'`).join('\n')
  const cases = commands
    .map((command) => {
      const specs = command.flags.flatMap((flag) =>
        flagWords(flag).map((word) => {
          const value = flag.option ? `:${zshSpec(flag.name)}:${flag.options ? `(${flag.options.map(zshSpec).join(' ')})` : ''}` : ''
          return `'${zshQuote(word)}[${zshSpec(oneLine(flag.description))}]${value}'`
        }),
      )
      const args = command.argOptions ? `'1:value:(${command.argOptions.map(zshSpec).join(' ')})'` : `'*:file:_files'`
      return `    ${command.id})\n      _arguments -s ${[...specs, args].join(' ')}\n      ;;`
    })
    .join('\n')
  return `#compdef ${bin}
# ${bin} completion for zsh. Load it with: source <(${bin} autocomplete zsh)  (add that line to ~/.zshrc,
# after compinit), or save it as _${bin} in a folder of your $fpath.
${fn}() {
  local -a commands
  commands=(
${described}
  )
  if (( CURRENT == 2 )); then
    _describe -t commands '${bin} command' commands
    return
  fi
  case "$words[2]" in
${cases}
    *)
      _files
      ;;
  esac
}
if [[ "$funcstack[1]" == "${fn}" ]]; then
  ${fn} "$@"
else
  compdef ${fn} ${bin}
fi
`
}

/** Text inside a fish single-quoted string. */
const fishQuote = (text: string) => `'${text.replace(/[\\']/g, '\\$&')}'`

function fish(bin: string, commands: CompletionCommand[]): string {
  const lines = [
    `# ${bin} completion for fish. Load it with: ${bin} autocomplete fish | source`,
    `# (or save it as ~/.config/fish/completions/${bin}.fish)`,
    `complete -c ${bin} -f`,
  ]
  const all = commands.map((command) => command.id).join(' ')
  for (const command of commands) {
    lines.push(
      `complete -c ${bin} -n ${fishQuote(`not __fish_seen_subcommand_from ${all}`)} -a ${fishQuote(command.id)} -d ${fishQuote(oneLine(command.summary))}`,
    )
  }
  for (const command of commands) {
    const when = `-n ${fishQuote(`__fish_seen_subcommand_from ${command.id}`)}`
    if (command.argOptions) lines.push(`complete -c ${bin} ${when} -a ${fishQuote(command.argOptions.join(' '))}`)
    for (const flag of command.flags) {
      const names = [flag.name, ...(flag.aliases ?? [])].map((name) => `-l ${name}`)
      const chars = [flag.char, ...(flag.charAliases ?? [])].filter(Boolean).map((c) => `-s ${c}`)
      const value = flag.option ? (flag.options ? ` -x -a ${fishQuote(flag.options.join(' '))}` : ' -r -F') : ''
      lines.push(`complete -c ${bin} ${when} ${[...names, ...chars].join(' ')}${value} -d ${fishQuote(oneLine(flag.description))}`)
    }
  }
  return `${lines.join('\n')}\n`
}

/** The completion script for a shell. */
export function completionScript(shell: Shell, bin: string, commands: CompletionCommand[]): string {
  const sorted = [...commands].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
  return {bash, zsh, fish}[shell](bin, sorted)
}
