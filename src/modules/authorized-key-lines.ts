/**
 * The authorized_keys file as ansible.posix.authorized_key reads and writes it, without the target: its
 * lines parsed into entries (a key: options, type, blob, comment; anything else kept as written), the
 * task's keys applied to them (present, absent, exclusive, key_options, comment) and the file written
 * back. What a user sees of it is Ansible's: one entry per key blob (a repeated blob, a repeated blank or
 * comment line keeps only its last line), a changed key moved to the end, a key written as
 * `OPTIONS TYPE BLOB COMMENT` with a blank after the blob when there is no comment.
 */

/** Key types Ansible's module knows (a line without one is not a key). */
const KEY_TYPES = new Set([
  'sk-ecdsa-sha2-nistp256@openssh.com',
  'sk-ecdsa-sha2-nistp256-cert-v01@openssh.com',
  'webauthn-sk-ecdsa-sha2-nistp256@openssh.com',
  'ecdsa-sha2-nistp256',
  'ecdsa-sha2-nistp256-cert-v01@openssh.com',
  'ecdsa-sha2-nistp384',
  'ecdsa-sha2-nistp384-cert-v01@openssh.com',
  'ecdsa-sha2-nistp521',
  'ecdsa-sha2-nistp521-cert-v01@openssh.com',
  'sk-ssh-ed25519@openssh.com',
  'sk-ssh-ed25519-cert-v01@openssh.com',
  'ssh-ed25519',
  'ssh-ed25519-cert-v01@openssh.com',
  'ssh-dss',
  'ssh-rsa',
  'ssh-xmss@openssh.com',
  'ssh-xmss-cert-v01@openssh.com',
  'rsa-sha2-256',
  'rsa-sha2-512',
  'ssh-rsa-cert-v01@openssh.com',
  'rsa-sha2-256-cert-v01@openssh.com',
  'rsa-sha2-512-cert-v01@openssh.com',
  'ssh-dss-cert-v01@openssh.com'
])

/** Key options in their order, a name given twice kept twice (`permitopen` may repeat). */
export type KeyOptions = Array<[name: string, value: string | null]>

/** One entry of the file: a key, or a line kept as written (`verbatim`: comments, blanks, others). */
export interface KeyEntry {
  /** The key blob, or for a verbatim line the line itself: what entries are told apart by. */
  id: string
  verbatim: boolean
  type: string
  options: KeyOptions
  comment: string
  /** Where it goes in the file (entries are written in this order, ties in the order they came). */
  rank: number
}

/** Python's str.splitlines boundaries. */
// eslint-disable-next-line no-control-regex -- Python's splitlines splits at these separators too
const LINE_BREAK = /\r\n|[\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]/g

/** Splits text as Python's splitlines does, keeping each line's end when `keepEnds`. */
export function splitLines(text: string, keepEnds: boolean): string[] {
  const lines: string[] = []
  let start = 0
  for (const match of text.matchAll(LINE_BREAK)) {
    const end = match.index + match[0].length
    lines.push(text.slice(start, keepEnds ? end : match.index))
    start = end
  }
  if (start < text.length) lines.push(text.slice(start))
  return lines
}

/** Splits a line into words on blanks, tabs and line ends (no quoting: a quote is a character). */
function words(line: string): string[] {
  return line.split(/[ \t\r\n]+/).filter((w) => w !== '')
}

/**
 * Reads key options (`no-pty,from="10.0.0.1,10.0.0.2",command="x"`): commas inside quotes do not
 * separate them.
 */
export function parseOptions(text: string | null | undefined): KeyOptions {
  const options: KeyOptions = []
  if (!text) return options
  const parts = text.split(/((?:[^,"']|"[^"]*"|'[^']*')+)/).slice(1, -1)
  for (const part of parts) {
    const eq = part.indexOf('=')
    if (eq >= 0) options.push([part.slice(0, eq), part.slice(eq + 1)])
    else if (part !== ',') options.push([part, null])
  }
  return options
}

/** Thrown for a key line that names a key type but no key after it. */
export class KeyLineError extends Error {}

/**
 * Reads one line: a key entry, a verbatim entry for a comment (`# …`), or undefined when no known key
 * type is in it.
 */
export function parseKeyLine(raw: string, rank: number): KeyEntry | undefined {
  const line = raw.replaceAll('\\#', '#')
  const parts = words(line)
  if (parts[0] === '#') return verbatimEntry(line, rank)
  const at = parts.findIndex((part) => KEY_TYPES.has(part))
  if (at < 0) return undefined
  const blob = parts[at + 1]
  if (blob === undefined) throw new KeyLineError(`no key after the key type in: ${raw.trim()}`)
  return {
    id: blob,
    verbatim: false,
    type: parts[at]!,
    options: parseOptions(at > 0 ? parts.slice(0, at).join(' ') : null),
    comment: parts.slice(at + 2).join(' '),
    rank
  }
}

function verbatimEntry(line: string, rank: number): KeyEntry {
  return { id: line, verbatim: true, type: '', options: [], comment: '', rank }
}

/** The file's entries by id, in the order they were met (a later line with the same id replaces). */
export function parseKeyFile(text: string): Map<string, KeyEntry> {
  const entries = new Map<string, KeyEntry>()
  splitLines(text, true).forEach((line, rank) => {
    const entry = parseKeyLine(line, rank) ?? verbatimEntry(line, rank)
    entries.set(entry.id, entry)
  })
  return entries
}

/** The file's text for these entries. */
export function serializeKeys(entries: Map<string, KeyEntry>): string {
  return [...entries.values()]
    .sort((a, b) => a.rank - b.rank)
    .map((entry) => {
      if (entry.verbatim) return entry.id
      const options =
        entry.options.length === 0
          ? ''
          : `${entry.options.map(([name, value]) => (value === null ? name : `${name}=${value}`)).join(',')} `
      return `${options}${entry.type} ${entry.id} ${entry.comment}\n`
    })
    .join('')
}

/** Options compared as Ansible compares them: the same values under each name, names in any order. */
function sameOptions(a: KeyOptions, b: KeyOptions): boolean {
  const group = (options: KeyOptions): Map<string, Array<string | null>> => {
    const byName = new Map<string, Array<string | null>>()
    for (const [name, value] of options) byName.set(name, [...(byName.get(name) ?? []), value])
    return byName
  }
  const ga = group(a)
  const gb = group(b)
  if (ga.size !== gb.size) return false
  for (const [name, values] of ga) {
    const other = gb.get(name)
    if (other?.length !== values.length || values.some((v, i) => v !== other[i])) return false
  }
  return true
}

function sameEntry(a: KeyEntry, b: KeyEntry): boolean {
  return (
    a.id === b.id &&
    a.verbatim === b.verbatim &&
    a.type === b.type &&
    a.comment === b.comment &&
    sameOptions(a.options, b.options)
  )
}

export interface KeyRequest {
  /** The `key` text (or what its URL gave). */
  keys: string
  state: 'present' | 'absent'
  exclusive: boolean
  keyOptions: string | null
  comment: string | null
}

export type KeyChange = { ok: true; changed: boolean; content: string } | { ok: false; msg: string }

/** Applies the task to the file's text: whether it changes, and its new text. */
export function applyKeys(existingText: string, request: KeyRequest): KeyChange {
  const entries = parseKeyFile(existingText)
  const wanted = splitLines(request.keys, false).filter((line) => line && !line.startsWith('#'))
  const keep = new Set<string>()
  const firstNewRank = entries.size
  let changed = false
  for (const [index, line] of wanted.entries()) {
    let parsed: KeyEntry | undefined
    try {
      parsed = parseKeyLine(line, index)
    } catch (error) {
      if (error instanceof KeyLineError) return { ok: false, msg: `invalid key specified: ${line}` }
      throw error
    }
    if (parsed === undefined) return { ok: false, msg: `invalid key specified: ${line}` }
    if (request.keyOptions !== null) parsed.options = parseOptions(request.keyOptions)
    if (request.comment !== null) parsed.comment = request.comment
    const existing = entries.get(parsed.id)
    if (request.state === 'absent') {
      if (existing !== undefined) {
        entries.delete(parsed.id)
        changed = true
      }
      continue
    }
    keep.add(parsed.id)
    if (existing !== undefined && sameEntry(existing, parsed)) continue
    // A key whose options or comment differ is taken out and written anew after the others.
    entries.delete(parsed.id)
    entries.set(parsed.id, { ...parsed, rank: firstNewRank + index })
    changed = true
  }
  if (request.state === 'present' && request.exclusive) {
    for (const id of [...entries.keys()]) {
      if (!keep.has(id)) {
        entries.delete(id)
        changed = true
      }
    }
  }
  return { ok: true, changed, content: changed ? serializeKeys(entries) : existingText }
}
