/**
 * The lookups that read controller files (file, fileglob, first_found, template, ini, csvfile) or write one
 * (password), found through the task's search path as Ansible finds them.
 */
import { createHash, randomInt } from 'node:crypto'
import {
  chmodSync,
  existsSync,
  mkdirSync,
  opendirSync,
  readFileSync,
  statSync,
  writeFileSync
} from 'node:fs'
import path from 'node:path'
import { homedir } from 'node:os'
import { templateVariables } from '../template-vars.js'
import { readControllerFile, VaultError, vaultKeyring } from '../../vault/index.js'
import { parseKeyValueArgs } from '../../playbook/kv-args.js'
import { Templar } from '../templar.js'
import { pyRepr, pythonStr, pyStringRepr } from '../python.js'
import { fnmatchSource } from '../../values/fnmatch.js'
import { pythonMatch, translatePythonRegex } from '../../values/python-regex.js'
import { isRecord } from '../../values/records.js'
import { interpolate, parseIni, sectionItems } from './ini-file.js'
import {
  baseDir,
  boolOption,
  findFile,
  findInSearchPath,
  LookupFailure,
  LookupOptionError,
  type LookupPlugin,
  option,
  stringOption,
  termText
} from './lookup-support.js'
import type { JinjaSyntax } from '../jinja-lexer.js'
import { isFile } from '../../file-kinds.js'

/**
 * A controller file's text, as UTF-8: the only `encoding` ini and csvfile take here (another is refused by
 * name, never read wrongly).
 */
function readText(file: string, encoding: unknown = 'utf-8', plugin = '', decrypt = true): string {
  const name = pythonStr(encoding).toLowerCase().replace(/_/g, '-')
  if (!['utf-8', 'utf8', 'u8', 'utf'].includes(name))
    throw new LookupOptionError(
      `the ${plugin} lookup's encoding '${pythonStr(encoding)}' is not supported by async-playbook: only utf-8 files are read; convert the file to UTF-8`
    )
  try {
    // As Ansible's loader: a vault-encrypted file is read decrypted (csvfile opens its file itself).
    return decrypt ? readControllerFile(file).toString('utf8') : readFileSync(file, 'utf8')
  } catch (error) {
    if (error instanceof VaultError) throw error
    throw new LookupFailure(`could not read ${file}: ${(error as Error).message}`)
  }
}

const file: LookupPlugin = {
  run: (call) =>
    call.terms.map((term) => {
      const name = termText(term)
      const found = findFile(call, 'files', name)
      if (found === undefined || statSync(found).isDirectory())
        throw new LookupFailure(`could not locate file in lookup: ${name}`)
      let contents = readText(found)
      if (boolOption(call, 'lstrip', false)) contents = contents.replace(/^\s+/, '')
      if (boolOption(call, 'rstrip', true)) contents = contents.replace(/\s+$/, '')
      return contents
    })
}

/** Python's glob.glob of one pattern in one directory (no recursion; hidden files only when asked). */
function globIn(dir: string, pattern: string): string[] {
  const parts = pattern.split('/').filter((p) => p !== '')
  let current = [pattern.startsWith('/') ? '/' : dir]
  for (const part of parts) {
    const next: string[] = []
    for (const at of current) {
      if (!/[*?[]/.test(part)) {
        const candidate = path.join(at, part)
        if (existsSync(candidate)) next.push(candidate)
        continue
      }
      let names: string[]
      try {
        names = directoryOrder(at)
      } catch {
        continue
      }
      const regex = new RegExp(`^${fnmatchSource(part)}$`, 's')
      for (const name of names) {
        if (name.startsWith('.') && !part.startsWith('.')) continue
        if (regex.test(name)) next.push(path.join(at, name))
      }
    }
    current = next
  }
  return current
}

/** A directory's entries in the order the file system gives them (Python's listdir; Node's readdir sorts). */
function directoryOrder(dir: string): string[] {
  const handle = opendirSync(dir)
  const names: string[] = []
  try {
    for (let entry = handle.readSync(); entry !== null; entry = handle.readSync())
      names.push(entry.name)
  } finally {
    handle.closeSync()
  }
  return names
}

const fileglob: LookupPlugin = {
  run: (call) => {
    const out: string[] = []
    for (const term of call.terms.map(termText)) {
      const base = path.basename(term)
      const dirs: (string | undefined)[] = []
      if (base !== term && !term.endsWith('/')) {
        dirs.push(findFile(call, 'files', path.dirname(term)))
      } else {
        const known = call.vars['ansible_search_path']
        const paths = Array.isArray(known) ? known.map(String) : [baseDir(call.vars)]
        for (const p of paths) dirs.push(path.join(p, 'files'), p)
      }
      for (const dir of dirs) {
        if (!dir) continue
        const found = globIn(dir, base).filter(isFile)
        if (found.length > 0) {
          out.push(...found)
          break
        }
      }
    }
    return out
  }
}

/** first_found's splitting of `files`/`paths` strings on any of `chars`. */
function splitOn(value: unknown, chars: string): string[] {
  if (value === undefined || value === null) return []
  if (typeof value === 'string') return value.split(new RegExp(`[${chars.replace(/\W/g, '\\$&')}]`))
  if (Array.isArray(value)) return value.flatMap((v) => splitOn(v, chars))
  return [pythonStr(value)]
}

const firstFound: LookupPlugin = {
  run: (call) => {
    let search: string[] = []
    let skip = false
    const process = (terms: unknown[]): void => {
      for (const term of terms) {
        let settings: Record<string, unknown>
        if (isRecord(term)) settings = term
        else if (typeof term === 'string') settings = call.options
        else if (Array.isArray(term)) {
          process(term)
          continue
        } else
          throw new LookupFailure(
            `Invalid term supplied, can handle string, mapping or list of strings but got: ${pyTypeClass(term)} for ${pythonStr(term)}`,
            true
          )
        const files = splitOn(settings['files'], ',;')
        const paths = splitOn(settings['paths'], ',:;')
        skip =
          settings['skip'] === undefined ? false : Boolean(pythonTruthyOption(settings['skip']))
        if (paths.length > 0) {
          for (const dir of paths) for (const name of files) search.push(path.join(dir, name))
        } else if (files.length > 0) {
          search = files
        } else search.push(termText(term))
      }
    }
    process(call.terms)
    const subdir = call.subdir ?? 'files'
    for (const name of search) {
      const { found } = findInSearchPath(call.vars, subdir, name)
      if (found !== undefined) return [found]
    }
    if (skip) return []
    throw new LookupFailure('No file was found when using first_found.', true)
  }
}

function pythonTruthyOption(value: unknown): boolean {
  if (typeof value === 'string')
    return ['yes', 'on', '1', 'true', 'y', 't'].includes(value.toLowerCase())
  return Boolean(value)
}

function pyTypeClass(value: unknown): string {
  return `<class '${value === null ? 'NoneType' : typeof value === 'number' ? (Number.isInteger(value) ? 'int' : 'float') : typeof value === 'boolean' ? 'bool' : 'object'}'>`
}

// Made on first use: templar.ts imports this file's importers (a cycle), so not at load time.
let templater: Templar | undefined

/** The template lookup's delimiter options (block ones it does not have). */
const LOOKUP_DELIMITERS = [
  ['variable_start_string', 'variableStart'],
  ['variable_end_string', 'variableEnd'],
  ['comment_start_string', 'commentStart'],
  ['comment_end_string', 'commentEnd']
] as const

const template: LookupPlugin = {
  run: (call) => {
    const convertData = boolOption(call, 'convert_data', true)
    const delimiters: Partial<JinjaSyntax> = {}
    for (const [name, key] of LOOKUP_DELIMITERS)
      if (call.options[name] !== undefined && call.options[name] !== null)
        delimiters[key] = stringOption(call, name, '')
    const templateVars = option(call, 'template_vars', {})
    if (!isRecord(templateVars))
      throw new LookupFailure(`template_vars must be a dict, got ${pythonStr(templateVars)}`)
    return call.terms.map((term) => {
      const name = termText(term)
      const found = findFile(call, 'templates', name)
      if (found === undefined)
        throw new LookupFailure(`the template file ${name} could not be found for the lookup`)
      const text = readText(found)
      const added = {
        ...templateVariables(name, found, ''),
        template_destpath: null,
        ...templateVars
      }
      const vars = Object.assign(Object.create(call.vars) as object, added) as Record<
        string,
        unknown
      >
      // Includes are looked up beside the template, then in each search path's templates/ and itself.
      const known = call.vars['ansible_search_path']
      const searchPath = [
        path.dirname(found),
        ...(Array.isArray(known) ? known.map(String) : []).flatMap((p) => [
          path.join(p, 'templates'),
          p
        ])
      ]
      return (templater ??= new Templar()).renderLookupTemplate(
        text,
        vars,
        convertData,
        searchPath,
        delimiters
      )
    })
  }
}

const INI_OPTIONS = [
  'type',
  'file',
  'section',
  're',
  'encoding',
  'default',
  'case_sensitive',
  'allow_no_value',
  'allow_none'
]

/** The ini lookup's old inline form `key section=s file=f`: words after a `k=` go to that key. */
export function parseIniTerm(term: string): { key: string; params: Record<string, string> } {
  const params: Record<string, string> = {}
  const order: string[] = []
  let current = 'key'
  for (const [index, word] of term.split(/\s+/).filter(Boolean).entries()) {
    if (word.includes('=')) for (const k of INI_OPTIONS) if (word.includes(`${k}=`)) current = k
    if (index === 0 || !params[current]) {
      params[current] = word
      order.push(current)
    } else params[current] += ' ' + word
  }
  let key: string | undefined
  const out: Record<string, string> = {}
  for (const name of order) {
    const param = params[name]!
    if (param.includes('=')) {
      const parts = param.split('=')
      if (parts.length !== 2)
        throw new LookupFailure(
          `Could not use '${param}' from ${pyRepr(order.map((n) => params[n]))}: too many values to unpack (expected 2)`,
          true
        )
      if (!INI_OPTIONS.includes(parts[0]!))
        throw new LookupFailure(`${parts[0]} is not a valid option.`, true)
      out[parts[0]!] = parts[1]!
    } else if (key === undefined) key = param
  }
  if (key === undefined)
    throw new LookupFailure(
      `No key to lookup was provided as first term with in string inline options: ${term}`,
      true
    )
  return { key, params: out }
}

const ini: LookupPlugin = {
  run: (call) => {
    const out: unknown[] = []
    // One set of options for every term: an inline option of one term stays for the next, as in Ansible.
    const settings: Record<string, unknown> = {
      type: 'ini',
      file: 'ansible.ini',
      section: 'global',
      re: false,
      encoding: 'utf-8',
      default: '',
      case_sensitive: false,
      allow_no_value: false,
      ...Object.fromEntries(Object.entries(call.options).filter(([, v]) => v !== undefined))
    }
    for (const term of call.terms.map(termText)) {
      let key = term
      if (term.includes('=') || term.trim().includes(' ')) {
        const parsed = parseIniTerm(term)
        key = parsed.key
        Object.assign(settings, parsed.params)
      }
      const name = pythonStr(settings['file'])
      const found = findFile(call, 'files', name)
      if (found === undefined)
        throw new LookupFailure(
          "Invalid filename: 'None'",
          false,
          'ansible.errors.AnsibleParserError'
        )
      const caseSensitive = pythonTruthyOption(settings['case_sensitive'])
      let text = readText(found, settings['encoding'], 'ini')
      let section = pythonStr(settings['section'])
      if (settings['type'] === 'properties') {
        text = '[java_properties]\n' + text
        section = 'java_properties'
      }
      let data
      try {
        data = parseIni(text, {
          caseSensitive,
          allowNoValue: pythonTruthyOption(settings['allow_no_value'] ?? settings['allow_none'])
        })
      } catch (error) {
        if (
          error instanceof LookupFailure &&
          error.pythonClass === 'configparser.DuplicateOptionError'
        )
          throw new LookupFailure(`Duplicate option in '${name}': ${error.message}`, true)
        throw error
      }
      if (section !== 'DEFAULT' && !data.sections.has(section))
        throw new LookupFailure(`No section '${section}' in ${name}`, true)
      const items = sectionItems(data, section)
      if (pythonTruthyOption(settings['re'])) {
        const regex = translatePythonRegex(key, 'text')
        for (const [k, v] of items)
          if (pythonMatch(regex, k)) out.push(interpolate(items, k, v, caseSensitive))
        continue
      }
      const lookupKey = caseSensitive ? key : key.toLowerCase()
      const value = items.has(lookupKey)
        ? interpolate(items, lookupKey, items.get(lookupKey)!, caseSensitive)
        : settings['default']
      if (value !== null && value !== undefined) {
        if (Array.isArray(value)) out.push(...value)
        else out.push(value)
      }
    }
    return out
  }
}

/** One CSV text read as Python's csv module (excel dialect) with `delimiter`. */
export function parseCsv(text: string, delimiter: string): string[][] {
  const rows: string[][] = []
  let row: string[] = []
  let field = ''
  let quoted = false
  let atStart = true
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          field += '"'
          i++
        } else quoted = false
      } else field += ch
      continue
    }
    if (ch === '"' && atStart) {
      quoted = true
      atStart = false
    } else if (ch === delimiter) {
      row.push(field)
      field = ''
      atStart = true
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++
      row.push(field)
      rows.push(row)
      row = []
      field = ''
      atStart = true
    } else {
      field += ch
      atStart = false
    }
  }
  if (field !== '' || row.length > 0) {
    row.push(field)
    rows.push(row)
  }
  return rows
}

const CSV_OPTIONS = ['col', 'default', 'delimiter', 'file', 'encoding']

const csvfile: LookupPlugin = {
  run: (call) => {
    const out: unknown[] = []
    // One set of options for every term: an inline option of one term stays for the next, as in Ansible.
    const settings: Record<string, unknown> = {
      col: '1',
      default: null,
      delimiter: 'TAB',
      file: 'ansible.csv',
      encoding: 'utf-8',
      ...Object.fromEntries(Object.entries(call.options).filter(([, v]) => v !== undefined))
    }
    for (const term of call.terms.map(termText)) {
      const kv = parseKeyValueArgs(term, false)
      // A term with only options and no key: Ansible finds no search key.
      const raw = kv['_raw_params']
      if (raw === undefined) throw new LookupFailure('Search key is required but was not found')
      const key = String(raw)
      for (const [name, value] of Object.entries(kv)) {
        if (name === '_raw_params') continue
        if (!CSV_OPTIONS.includes(name)) throw new LookupFailure(`${name} is not a valid option`)
        settings[name] = value
      }
      const delimiter = settings['delimiter'] === 'TAB' ? '\t' : pythonStr(settings['delimiter'])
      const found = findFile(call, 'files', pythonStr(settings['file']))
      if (found === undefined)
        throw new LookupFailure("csvfile: [Errno 2] No such file or directory: b'None'")
      const col = Number.parseInt(pythonStr(settings['col']), 10)
      let value: unknown = settings['default']
      const text = readText(found, settings['encoding'], 'csvfile', false)
      for (const row of parseCsv(text, delimiter)) {
        if (row.length > 0 && row[0] === key) {
          const at = col < 0 ? row.length + col : col
          if (!Number.isInteger(col) || at < 0 || at >= row.length)
            throw new LookupFailure('csvfile: list index out of range')
          value = row[at]
          break
        }
      }
      if (value !== null && value !== undefined) {
        if (Array.isArray(value)) out.push(...value)
        else out.push(value)
      }
    }
    return out
  }
}

const PASSWORD_PARAMS = ['length', 'encrypt', 'chars', 'ident', 'seed']
const DEFAULT_PASSWORD_CHARS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.,:-_'
const STRING_MODULE: Record<string, string> = {
  ascii_letters: 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ',
  ascii_lowercase: 'abcdefghijklmnopqrstuvwxyz',
  ascii_uppercase: 'ABCDEFGHIJKLMNOPQRSTUVWXYZ',
  digits: '0123456789',
  hexdigits: '0123456789abcdefABCDEF',
  octdigits: '01234567',
  punctuation: '!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~',
  whitespace: ' \t\n\r\x0b\x0c'
}
STRING_MODULE['printable'] =
  STRING_MODULE['digits']! +
  STRING_MODULE['ascii_letters'] +
  STRING_MODULE['punctuation'] +
  STRING_MODULE['whitespace']

/** A password term read as Ansible's: the path, then `key=value` parameters (length, chars, seed...). */
export function parsePasswordTerm(
  term: string,
  options: Record<string, unknown>
): { relpath: string; length: number; chars: string; seed?: string; encrypt?: unknown } {
  const space = term.indexOf(' ')
  let relpath = space < 0 ? term : term.slice(0, space)
  let params: Record<string, unknown> = {}
  if (space >= 0) {
    params = parseKeyValueArgs(term.slice(space + 1), false)
    if (params['_raw_params'] !== undefined) {
      relpath = `${relpath} ${String(params['_raw_params'])}`
      delete params['_raw_params']
      if (!term.startsWith(relpath))
        throw new LookupFailure(
          'Unrecognized value after key=value parameters given to password lookup'
        )
    }
  }
  const invalid = Object.keys(params).filter((k) => !PASSWORD_PARAMS.includes(k))
  if (invalid.length > 0)
    throw new LookupFailure(
      `Unrecognized parameter(s) given to password lookup: ${invalid.join(', ')}`
    )
  const pick = (name: string): unknown => params[name] ?? options[name] ?? undefined
  const lengthValue = pick('length') ?? 20
  const length = Number.parseInt(pythonStr(lengthValue).trim(), 10)
  if (!/^\s*[+-]?\d+\s*$/.test(pythonStr(lengthValue)))
    throw new LookupFailure(
      `invalid literal for int() with base 10: ${pyStringRepr(pythonStr(lengthValue))}`,
      false,
      'ValueError'
    )
  let specs: string[]
  const chars = pick('chars')
  if (chars === undefined || chars === null) specs = []
  else if (typeof chars === 'string') {
    specs = chars.includes(',,') ? [','] : []
    specs.push(...chars.replace(/,,/g, ',').split(',').filter(Boolean))
  } else specs = (Array.isArray(chars) ? chars : [chars]).map(pythonStr)
  const candidates =
    specs.length === 0
      ? DEFAULT_PASSWORD_CHARS
      : specs
          .map((s) => STRING_MODULE[s] ?? s)
          .join('')
          .replace(/["']/g, '')
  const seed = pick('seed')
  return {
    relpath,
    length,
    chars: candidates,
    ...(seed === undefined || seed === null ? {} : { seed: pythonStr(seed) }),
    ...(pick('encrypt') === undefined || pick('encrypt') === null
      ? {}
      : { encrypt: pick('encrypt') })
  }
}

/**
 * `length` characters of `chars`: from the system's random source, or, with a seed, from a stream derived
 * from it (the same seed gives the same password here, but not the one Python's random.Random gives).
 */
export function randomPassword(length: number, chars: string, seed?: string): string {
  const pool = [...chars]
  if (pool.length === 0)
    throw new LookupFailure('Cannot choose from an empty sequence', false, 'IndexError')
  let out = ''
  let block = Buffer.alloc(0)
  let counter = 0
  let offset = 0
  const seeded = (): number => {
    // 4 bytes at a time from SHA-256(seed || counter); rejection keeps the choice unbiased.
    for (;;) {
      if (offset + 4 > block.length) {
        block = createHash('sha256').update(`${seed}\0${counter++}`).digest()
        offset = 0
      }
      const value = block.readUInt32BE(offset)
      offset += 4
      const limit = 2 ** 32 - (2 ** 32 % pool.length)
      if (value < limit) return value % pool.length
    }
  }
  for (let i = 0; i < length; i++)
    out += pool[seed === undefined ? randomInt(pool.length) : seeded()]
  return out
}

const password: LookupPlugin = {
  refused: ['encrypt', 'ident'],
  run: (call) =>
    call.terms.map((term) => {
      const spec = parsePasswordTerm(termText(term), call.options)
      if (spec.encrypt !== undefined)
        throw new LookupFailure(
          "the password lookup's 'encrypt' is not supported yet: store the plain password and hash it with the password_hash filter where it is used"
        )
      const rel = spec.relpath.startsWith('~')
        ? spec.relpath.replace(/^~(?=\/|$)/, homedir())
        : spec.relpath
      const full = path.resolve(baseDir(call.vars), rel)
      if (full !== '/dev/null' && existsSync(full)) {
        const content = readText(full).replace(/\s+$/, '')
        const salt = content.lastIndexOf(' salt=')
        const stored = salt >= 0 ? content.slice(0, salt) : content
        // A password is a secret: masked in the action's log, as what vault decrypts is.
        vaultKeyring().reveal(stored)
        return stored
      }
      const generated = randomPassword(spec.length, spec.chars, spec.seed)
      vaultKeyring().reveal(generated)
      if (full !== '/dev/null') {
        mkdirSync(path.dirname(full), { recursive: true, mode: 0o700 })
        writeFileSync(full, generated + '\n', { mode: 0o600 })
        chmodSync(full, 0o600)
      }
      return generated
    })
}

const unvault: LookupPlugin = {
  run: (call) =>
    call.terms.map((term) => {
      const name = termText(term)
      const found = findFile(call, 'files', name)
      if (found === undefined)
        throw new LookupFailure(
          `Unable to find file matching "${name}" `,
          false,
          'ansible.errors.AnsibleParserError'
        )
      return readText(found)
    })
}

export const FILE_LOOKUPS: Record<string, LookupPlugin> = {
  file,
  unvault,
  fileglob,
  first_found: firstFound,
  template,
  ini,
  csvfile,
  password
}
