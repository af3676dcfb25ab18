/**
 * How the YAML writer (yaml-emitter.ts) may write a scalar, decided as libyaml decides it (Ansible's to_yaml
 * dumps through PyYAML's CSafeDumper, whose emitter is libyaml's): which styles its characters allow, and
 * whether a string written plain would read back as another type under PyYAML's YAML 1.1 resolver.
 */

// PyYAML's implicit resolver patterns, as it matches them on dump (Python's `$` also matches before a final
// newline, which only matters for multi-line text, never written plain).
const RESOLVES_TO_OTHER_TYPE = [
  /^(?:yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$/,
  /^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)$/,
  /^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$/,
  /^(?:~|null|Null|NULL|)$/,
  /^(?:[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]|[0-9][0-9][0-9][0-9]-[0-9][0-9]?-[0-9][0-9]?(?:[Tt]|[ \t]+)[0-9][0-9]?:[0-9][0-9]:[0-9][0-9](?:\.[0-9]*)?(?:[ \t]*(?:Z|[-+][0-9][0-9]?(?::[0-9][0-9])?))?)$/,
  /^(?:<<)$/,
  /^(?:=)$/
]

/** Whether PyYAML would read `text`, written without quotes, as something other than a string. */
export function readsAsOtherType(text: string): boolean {
  const body = text.endsWith('\n') ? text.slice(0, -1) : text
  return RESOLVES_TO_OTHER_TYPE.some((pattern) => pattern.test(body) || pattern.test(text))
}

/** What libyaml's analysis of a scalar allows. */
export interface ScalarAnalysis {
  empty: boolean
  multiline: boolean
  flowPlain: boolean
  blockPlain: boolean
  singleQuoted: boolean
  block: boolean
}

/** Line breaks as YAML counts them. */
export function isBreak(ch: string | undefined): boolean {
  return ch === '\n' || ch === '\r' || ch === '\x85' || ch === '\u2028' || ch === '\u2029'
}

/** A space, a tab, a line break, or the end of the text. */
function isBlankOrEnd(ch: string | undefined): boolean {
  return ch === undefined || ch === ' ' || ch === '\t' || isBreak(ch)
}

/**
 * Characters libyaml writes as they are (allow_unicode on): newline, printable ASCII and the printable
 * part of the Basic Multilingual Plane. Characters beyond it (emoji), control characters, U+0085, the byte
 * order mark and U+FFFE/U+FFFF are not, and force double quotes with an escape.
 */
export function isPrintable(ch: string): boolean {
  const code = ch.codePointAt(0)!
  if (code === 0x0a || (code >= 0x20 && code <= 0x7e)) return true
  if (code >= 0xa0 && code <= 0xd7ff) return true
  return code >= 0xe000 && code <= 0xfffd && code !== 0xfeff
}

const FIRST_INDICATORS = '#,[]{}&*!|>\'"%@`'
const FLOW_INDICATORS = ',?[]{}'

/** Which styles the characters of `text` allow, by libyaml's rules. */
export function analyzeScalar(text: string): ScalarAnalysis {
  if (text === '')
    return {
      empty: true,
      multiline: false,
      flowPlain: false,
      blockPlain: true,
      singleQuoted: true,
      block: false
    }
  const chars = Array.from(text)
  let flowIndicators = false
  let blockIndicators = false
  if (text.startsWith('---') || text.startsWith('...')) flowIndicators = blockIndicators = true
  let special = false
  let lineBreaks = false
  let leadingSpace = false
  let leadingBreak = false
  let trailingSpace = false
  let trailingBreak = false
  let breakSpace = false
  let spaceBreak = false
  let previousSpace = false
  let previousBreak = false
  let precededByBlank = true
  const last = chars.length - 1
  chars.forEach((ch, i) => {
    const followedByBlank = isBlankOrEnd(chars[i + 1])
    if (i === 0) {
      if (FIRST_INDICATORS.includes(ch)) flowIndicators = blockIndicators = true
      if (ch === '?' || ch === ':') {
        flowIndicators = true
        if (followedByBlank) blockIndicators = true
      }
      if (ch === '-' && followedByBlank) flowIndicators = blockIndicators = true
    } else {
      if (FLOW_INDICATORS.includes(ch)) flowIndicators = true
      if (ch === ':') {
        flowIndicators = true
        if (followedByBlank) blockIndicators = true
      }
      if (ch === '#' && precededByBlank) flowIndicators = blockIndicators = true
    }
    if (!isPrintable(ch)) special = true
    if (isBreak(ch)) lineBreaks = true
    if (ch === ' ') {
      if (i === 0) leadingSpace = true
      if (i === last) trailingSpace = true
      if (previousBreak) breakSpace = true
      previousSpace = true
      previousBreak = false
    } else if (isBreak(ch)) {
      if (i === 0) leadingBreak = true
      if (i === last) trailingBreak = true
      if (previousSpace) spaceBreak = true
      previousBreak = true
      previousSpace = false
    } else {
      previousSpace = previousBreak = false
    }
    precededByBlank = isBlankOrEnd(ch)
  })
  const result: ScalarAnalysis = {
    empty: false,
    multiline: lineBreaks,
    flowPlain: true,
    blockPlain: true,
    singleQuoted: true,
    block: true
  }
  if (leadingSpace || leadingBreak || trailingSpace || trailingBreak)
    result.flowPlain = result.blockPlain = false
  if (trailingSpace) result.block = false
  if (breakSpace) result.flowPlain = result.blockPlain = result.singleQuoted = false
  if (spaceBreak || special)
    result.flowPlain = result.blockPlain = result.singleQuoted = result.block = false
  if (lineBreaks) result.flowPlain = result.blockPlain = false
  if (flowIndicators) result.flowPlain = false
  if (blockIndicators) result.blockPlain = false
  return result
}

const ESCAPES: Record<string, string> = {
  '\0': '0',
  '\x07': 'a',
  '\b': 'b',
  '\t': 't',
  '\n': 'n',
  '\v': 'v',
  '\f': 'f',
  '\r': 'r',
  '\x1b': 'e',
  '"': '"',
  '\\': '\\',
  '\x85': 'N',
  '\xa0': '_',
  '\u2028': 'L',
  '\u2029': 'P'
}

/** A character of a double-quoted scalar as libyaml writes it: itself, or an escape. */
export function doubleQuotedChar(ch: string): string {
  if (isPrintable(ch) && !isBreak(ch) && ch !== '"' && ch !== '\\') return ch
  const named = ESCAPES[ch]
  if (named !== undefined) return `\\${named}`
  const code = ch.codePointAt(0)!
  const hex = code.toString(16).toUpperCase()
  if (code <= 0xff) return `\\x${hex.padStart(2, '0')}`
  if (code <= 0xffff) return `\\u${hex.padStart(4, '0')}`
  return `\\U${hex.padStart(8, '0')}`
}
