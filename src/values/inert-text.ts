/**
 * Making text that comes from targets (command output, job output, registered values that end up in task
 * names and loop labels) and from playbooks inert before it reaches a terminal or a GitHub runner's log.
 *
 * Two hazards:
 * - A terminal runs escape sequences (ANSI CSI, OSC window titles and hyperlinks, C1 controls) and a bare
 *   carriage return lets later text overwrite what was printed. Only the plain colour our reporters add
 *   themselves may reach it.
 * - A GitHub runner reads every line of a step's stdout and stderr as a possible workflow command: a line
 *   ends at `\n` and at a bare `\r`; `::name props::data` is a command when it starts the line (after
 *   leading white space); `##[name props]data` is one wherever it appears in the line. A target that could
 *   print either could forge annotations, register masks, set outputs or `::stop-commands::` our own
 *   commands (so that a secret masked later would be shown).
 */

/** ANSI "select graphic rendition" (colour): the only escape sequence our own reporters write. */
// eslint-disable-next-line no-control-regex
const SGR = /\x1b\[[0-9;]*m/y

/**
 * Characters never printed as they are: C0 controls but tab and newline, DEL, C1 controls (U+0085 is a
 * line break and white space to .NET, U+009B a CSI to some terminals), the line and paragraph separators,
 * and the bidirectional embeddings, overrides and isolates that can make a line read differently from
 * what it holds.
 */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]/

/**
 * Code points a culture-aware string comparison may ignore (Unicode's default-ignorable code points): the
 * runner compares with `StartsWith("::")` and `IndexOf("##[")`, so `#\u00ad#[` must count as `##[`.
 */
const IGNORABLE =
  '[\\u00ad\\u034f\\u061c\\u115f\\u1160\\u17b4\\u17b5\\u180b-\\u180f\\u200b-\\u200f\\u202a-\\u202e' +
  '\\u2060-\\u206f\\u3164\\ufe00-\\ufe0f\\ufeff\\uffa0\\ufff0-\\ufff8' +
  '\\u{1bca0}-\\u{1bca3}\\u{1d173}-\\u{1d17a}\\u{e0000}-\\u{e0fff}]'
/** White space as .NET's String.TrimStart removes it (Char.IsWhiteSpace), plus U+FEFF. */
const LEADING = `(?:[\\s\\u0085]|${IGNORABLE}|\\x1b\\[[0-9;]*m)*`
// The classes hold combining and joining characters on purpose: each is matched on its own.
/** `##[` anywhere in a line: the runner's v1 command form. */
// eslint-disable-next-line no-misleading-character-class
const V1_COMMAND = new RegExp(`#(?:${IGNORABLE})*#(?:${IGNORABLE})*(?=\\[)`, 'gu')
/** `::` at the start of a line, after white space: the runner's v2 command form. */
// eslint-disable-next-line no-misleading-character-class
const V2_COMMAND = new RegExp(`^(${LEADING}:(?:${IGNORABLE})*)(?=:)`, 'u')

/** `\r`, `\x1b`, `\u202e`: how a control character is shown, as Python's repr writes it. */
function escapeChar(c: string): string {
  if (c === '\r') return '\\r'
  const code = c.codePointAt(0)!
  return code < 0x100
    ? `\\x${code.toString(16).padStart(2, '0')}`
    : `\\u${code.toString(16).padStart(4, '0')}`
}

/**
 * Shows control characters as escapes (`\r`, `\x1b`, `\x07`, `\u202e`), keeping tab and newline. With
 * `keepColour`, plain colour sequences (`ESC [ 0;31 m`) are kept: for text whose colour we wrote ourselves,
 * after everything from a target in it went through this function without `keepColour`.
 */
export function visibleControls(text: string, options: { keepColour?: boolean } = {}): string {
  // Most text has no control character at all.
  if (!CONTROL.test(text)) return text
  let out = ''
  let i = 0
  while (i < text.length) {
    const c = text[i]!
    if (c === '\x1b' && options.keepColour) {
      SGR.lastIndex = i
      const colour = SGR.exec(text)
      if (colour) {
        out += colour[0]
        i += colour[0].length
        continue
      }
    }
    out += CONTROL.test(c) ? escapeChar(c) : c
    i++
  }
  return out
}

/**
 * One line (no `\n` in it) made unreadable to a runner as a workflow command, and visible as what it
 * says: control characters escaped (so no bare `\r` can start a new line), a `\` put between `##` and `[`
 * anywhere, and between the colons of a leading `::`. Plain colour is kept (see visibleControls).
 */
export function inertLine(line: string): string {
  return visibleControls(line, { keepColour: true })
    .replace(V1_COMMAND, '$&\\')
    .replace(V2_COMMAND, '$1\\')
}

/** Text made inert line by line (see inertLine); newlines are kept. */
export function inertText(text: string): string {
  return text.split('\n').map(inertLine).join('\n')
}

/** Longest line held back while waiting for its end; longer ones are broken (the rest starts a line). */
const MAX_PENDING_CHARS = 64 * 1024

/**
 * The one writer between the engine's console text and a stream: it passes on only whole lines, each made
 * inert. A line without its newline yet is held until the newline comes (or close()), so whatever this
 * writer has written always ends at a line boundary: a workflow command written to the same stream by
 * someone else (`@actions/core`) therefore always starts a line, and never finds half a line of a
 * target's text in front of it. A CR before a newline is dropped (CRLF line ends); any other CR is shown.
 */
export class InertWriter {
  private pending = ''
  private readonly transform: (line: string) => string

  /**
   * @param sink where the text goes (`process.stdout.write`)
   * @param options.workflowCommands neutralise workflow commands (in the action, or the CLI in a
   *   GitHub runner); without it only control characters are escaped (a terminal)
   */
  constructor(
    private readonly sink: (text: string) => void,
    options: { workflowCommands: boolean }
  ) {
    this.transform = options.workflowCommands
      ? inertLine
      : (line) => visibleControls(line, { keepColour: true })
  }

  /** Text in any chunks: a line may be split anywhere, even between `\r` and `\n`. */
  write(chunk: string): void {
    let text = this.pending + chunk
    let out = ''
    let start = 0
    for (let newline = text.indexOf('\n'); newline >= 0; newline = text.indexOf('\n', start)) {
      out += this.transform(text.slice(start, newline).replace(/\r$/, '')) + '\n'
      start = newline + 1
    }
    text = text.slice(start)
    while (text.length > MAX_PENDING_CHARS) {
      let cut = MAX_PENDING_CHARS
      // Never between the halves of a surrogate pair, nor between a CR and the newline after it.
      if (/[\uD800-\uDBFF\r]/.test(text[cut - 1]!)) cut--
      out += this.transform(text.slice(0, cut)) + '\n'
      text = text.slice(cut)
    }
    this.pending = text
    if (out !== '') this.sink(out)
  }

  /** A whole line of our own that carries names from a playbook or a host (a progress line). */
  line(text: string): void {
    // Written at once: nothing of ours is ever pending, and a pending partial line stays pending.
    this.sink(text.split(/\r?\n/).map(this.transform).join('\n') + '\n')
  }

  /** Writes out a partial last line, ended by a newline. */
  close(): void {
    if (this.pending === '') return
    const rest = this.pending
    this.pending = ''
    this.sink(this.transform(rest) + '\n')
  }
}
