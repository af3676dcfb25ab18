/**
 * The one way user values become shell text. Every value sent to a target shell goes through here.
 * Single quotes make everything literal in POSIX sh; a single quote itself is written as '\''.
 */
export function shellQuote(value: string): string {
  if (value === '') return "''"
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(value)) return value
  return `'${value.replace(/'/g, `'\\''`)}'`
}

/** Quotes each argument and joins them with spaces: an argv the remote shell reproduces exactly. */
export function shellJoin(argv: readonly string[]): string {
  return argv.map(shellQuote).join(' ')
}

/**
 * A command as Ansible shows it in a result (never run): Python's shlex.quote of each word (a word in
 * `'…'`, a quote inside it as `'"'"'`), joined by spaces.
 */
export function pythonShellJoin(words: readonly string[]): string {
  return words
    .map((word) => {
      if (word === '') return "''"
      if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(word)) return word
      return `'${word.replace(/'/g, `'"'"'`)}'`
    })
    .join(' ')
}

/** A valid shell variable name (for `export NAME=…`); anything else is refused. */
export function isShellVariableName(name: string): boolean {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(name)
}

/** shlex's `whitespace`: not \v, \f or Unicode spaces, which stay inside words. */
const SHLEX_WHITESPACE = ' \t\r\n'

/**
 * Splits a command line the way Python's shlex.split (posix mode) does, which is what Ansible's
 * command module uses to turn a free-form string into argv.
 */
export function shlexSplit(input: string): string[] {
  const out: string[] = []
  let current = ''
  let inToken = false
  let i = 0
  while (i < input.length) {
    const c = input[i]!
    if (c === "'") {
      const end = input.indexOf("'", i + 1)
      if (end < 0) throw new Error('No closing quotation')
      current += input.slice(i + 1, end)
      inToken = true
      i = end + 1
      continue
    }
    if (c === '"') {
      i++
      let closed = false
      while (i < input.length) {
        const d = input[i]!
        // Inside double quotes shlex (unlike sh) lets a backslash escape only `\` and `"`.
        if (d === '\\' && i + 1 < input.length && '\\"'.includes(input[i + 1]!)) {
          current += input[i + 1]
          i += 2
          continue
        }
        if (d === '"') {
          closed = true
          i++
          break
        }
        current += d
        i++
      }
      if (!closed) throw new Error('No closing quotation')
      inToken = true
      continue
    }
    if (c === '\\') {
      if (i + 1 >= input.length) throw new Error('No escaped character')
      current += input[i + 1]
      inToken = true
      i += 2
      continue
    }
    if (SHLEX_WHITESPACE.includes(c)) {
      if (inToken) out.push(current)
      current = ''
      inToken = false
      i++
      continue
    }
    current += c
    inToken = true
    i++
  }
  if (inToken) out.push(current)
  return out
}

/**
 * A shell script file's text without comment lines, blank lines and indentation: what is sent with
 * every command that runs it (`/bin/sh -c <text>`). Scripts keep no text that must start a line with
 * blanks or `#` (no here-documents).
 */
export function compactScript(source: string): string {
  return source
    .split('\n')
    .map((line) => line.replace(/^[ \t]+/, ''))
    .filter((line) => line !== '' && !line.startsWith('#'))
    .join('\n')
    .concat('\n')
}
