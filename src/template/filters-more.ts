/**
 * Ansible's remaining builtin filters: comment, itertools (product, combinations, permutations,
 * zip_longest), subelements, extract, urlsplit, controller paths (expanduser, expandvars, realpath),
 * sizes (human_readable, human_to_bytes), random and shuffle, regex_escape and json_query.
 */
import { readFileSync, realpathSync } from 'node:fs'
import { homedir } from 'node:os'
import path from 'node:path'
import { isSecretVariable } from '../connection/local-connection.js'
import { TemplateError } from '../errors.js'
import { getAttribute } from './attributes.js'
import { assertArgumentsDefined } from './jinja-runtime.js'
import { type FilterFunction, iterableItems, toText } from './filter-args.js'
import { jmespathSearch } from './json-query.js'
import { PyTuple, pyRepr, pyTruthy, pyTypeName, toBoolean } from './python.js'
import { randomSource } from './python-random.js'
import { Undefined } from './undefined.js'
import { isRecord } from '../values/records.js'

const COMMENT_STYLES: Record<string, Record<string, string>> = {
  plain: { decoration: '# ' },
  erlang: { decoration: '% ' },
  c: { decoration: '// ' },
  cblock: { beginning: '/*', decoration: ' * ', end: ' */' },
  xml: { beginning: '<!--', decoration: ' - ', end: '-->' }
}

/** Ansible's comment filter: the text as a comment block of a style, each part overridable. */
function comment(text: string, style: string, kw: Record<string, unknown>): string {
  const styleParams = COMMENT_STYLES[style]
  if (!styleParams)
    throw new TemplateError(
      `comment: unknown style '${style}': use plain, erlang, c, cblock or xml`
    )
  const border = toText(kw.decoration ?? styleParams.decoration).trimEnd()
  const p: Record<string, unknown> = {
    newline: '\n',
    beginning: '',
    prefix: border,
    prefix_count: 1,
    decoration: '',
    postfix: border,
    postfix_count: 1,
    end: '',
    ...styleParams,
    ...kw
  }
  const [newline, decoration] = [toText(p.newline), toText(p.decoration)]
  const prefix = toText(p.prefix)
  const beginning = pyTruthy(p.beginning) ? toText(p.beginning) + newline : ''
  const prefixes = pyTruthy(p.prefix)
    ? (prefix !== newline ? prefix + newline : newline).repeat(Math.max(0, Number(p.prefix_count)))
    : ''
  const body = (decoration + text.split(newline).join(newline + decoration))
    .split(decoration + newline)
    .join(decoration.trimEnd() + newline)
  const postfixes = [
    '',
    ...Array<string>(Math.max(0, Number(p.postfix_count))).fill(toText(p.postfix))
  ].join(newline)
  const end = pyTruthy(p.end) ? newline + toText(p.end) : ''
  return beginning + prefixes + body + postfixes + end
}

// itertools yields tuples.
function product(lists: unknown[][]): PyTuple[] {
  return lists.reduce<PyTuple[]>(
    (acc, list) => acc.flatMap((prefix) => list.map((x) => PyTuple.of(...prefix, x))),
    [PyTuple.of()]
  )
}

function combinations(items: unknown[], r: number): PyTuple[] {
  if (r === 0) return [PyTuple.of()]
  return items.flatMap((x, i) =>
    combinations(items.slice(i + 1), r - 1).map((c) => PyTuple.of(x, ...c))
  )
}

function permutations(items: unknown[], r: number): PyTuple[] {
  if (r === 0) return [PyTuple.of()]
  return items.flatMap((x, i) =>
    permutations([...items.slice(0, i), ...items.slice(i + 1)], r - 1).map((p) =>
      PyTuple.of(x, ...p)
    )
  )
}

function countArg(value: unknown, filter: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value))
    throw new TemplateError(`${filter}: expected an integer, got ${pyTypeName(value)}`)
  if (value < 0) throw new TemplateError(`${filter}: r must be non-negative`)
  return value
}

const URL_PARTS = [
  'fragment', 'hostname', 'netloc', 'password', 'path', 'port', 'query', 'scheme', 'username'
] // prettier-ignore

/** Python's urllib.parse.urlsplit, with the attributes Ansible's urlsplit filter returns. */
export function urlsplit(url: string): Record<string, unknown> {
  let rest = url.replace(/[\t\r\n]/g, '')
  let scheme = ''
  const schemeMatch = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(rest)
  if (schemeMatch) {
    scheme = schemeMatch[1]!.toLowerCase()
    rest = rest.slice(schemeMatch[0].length)
  }
  let netloc = ''
  if (rest.startsWith('//')) {
    const end = rest.slice(2).search(/[/?#]/)
    netloc = end < 0 ? rest.slice(2) : rest.slice(2, end + 2)
    rest = end < 0 ? '' : rest.slice(end + 2)
  }
  let fragment = ''
  const hash = rest.indexOf('#')
  if (hash >= 0) [rest, fragment] = [rest.slice(0, hash), rest.slice(hash + 1)]
  let query = ''
  const question = rest.indexOf('?')
  if (question >= 0) [rest, query] = [rest.slice(0, question), rest.slice(question + 1)]
  const at = netloc.lastIndexOf('@')
  const userinfo = at >= 0 ? netloc.slice(0, at) : null
  const hostport = at >= 0 ? netloc.slice(at + 1) : netloc
  const colon = userinfo?.indexOf(':') ?? -1
  const username = userinfo === null ? null : colon >= 0 ? userinfo.slice(0, colon) : userinfo
  const password = userinfo !== null && colon >= 0 ? userinfo.slice(colon + 1) : null
  const bracketed = /^\[([^\]]*)\](?::(.*))?$/.exec(hostport)
  const [host, portText] = bracketed
    ? [bracketed[1]!, bracketed[2] ?? '']
    : hostport.includes(':')
      ? [hostport.slice(0, hostport.indexOf(':')), hostport.slice(hostport.indexOf(':') + 1)]
      : [hostport, '']
  let port: number | null = null
  if (portText !== '') {
    if (!/^\d+$/.test(portText) || Number(portText) > 65535)
      throw new TemplateError(`Port out of range 0-65535 (or not a number): '${portText}'`)
    port = Number(portText)
  }
  const parts: Record<string, unknown> = {
    fragment,
    hostname: host === '' ? null : host.toLowerCase(),
    netloc,
    password,
    path: rest,
    port,
    query,
    scheme,
    username
  }
  return parts
}

function expandUser(p: string): string {
  if (!p.startsWith('~')) return p
  const slash = p.indexOf('/')
  const name = slash < 0 ? p.slice(1) : p.slice(1, slash)
  const tail = slash < 0 ? '' : p.slice(slash)
  let home: string | undefined
  if (name === '') home = process.env.HOME ?? homedir()
  else {
    try {
      home = readFileSync('/etc/passwd', 'utf8')
        .split('\n')
        .map((line) => line.split(':'))
        .find((f) => f[0] === name)?.[5]
    } catch {
      home = undefined
    }
  }
  if (home === undefined) return p
  return (home.replace(/\/+$/, '') || '/') + tail
}

function expandVars(p: string): string {
  return p.replace(/\$(\w+|\{[^}]*\})/g, (whole, name: string) => {
    const key = name.startsWith('{') ? name.slice(1, -1) : name
    // The action's inputs (secrets among them), saved state and tokens are not the playbook's to read.
    return Object.hasOwn(process.env, key) && !isSecretVariable(key) ? process.env[key]! : whole
  })
}

/** Python's os.path.realpath (not strict): the existing part resolved, the rest normalised. */
function realPath(p: string): string {
  const absolute = path.resolve(p)
  const parts = absolute.split('/').filter(Boolean)
  for (let n = parts.length; n >= 0; n--) {
    try {
      const head = realpathSync('/' + parts.slice(0, n).join('/'))
      return path.join(head, ...parts.slice(n))
    } catch {
      // that prefix does not exist: try a shorter one
    }
  }
  return absolute
}

const SIZE_UNITS = ['Y', 'Z', 'E', 'P', 'T', 'G', 'M', 'K', 'B']
const unitLimit = (unit: string) => 2 ** (10 * (SIZE_UNITS.length - 1 - SIZE_UNITS.indexOf(unit)))

function humanReadable(size: unknown, isbits: boolean, unit: unknown): string {
  if (typeof size !== 'number' && typeof size !== 'boolean')
    throw new TemplateError(
      `human_readable() failed on bad input: '>=' not supported between instances of '${pyTypeName(size)}' and 'int'`
    )
  const n = Number(size)
  const wanted = unit === undefined || unit === null ? null : toText(unit).charAt(0).toUpperCase()
  const chosen =
    wanted !== null && SIZE_UNITS.includes(wanted)
      ? wanted
      : (SIZE_UNITS.find((u) => n >= unitLimit(u)) ?? 'B')
  const suffix = chosen === 'B' ? (isbits ? 'bits' : 'Bytes') : chosen + (isbits ? 'b' : 'B')
  return `${(n / unitLimit(chosen)).toFixed(2)} ${suffix}`
}

function humanToBytes(value: unknown, defaultUnit: unknown, isbits: boolean): number {
  const text = toText(value)
  const m = /^\s*(\d*\.?\d*)\s*([A-Za-z]+)?\s*$/.exec(text)
  const fail = () => new TemplateError(`human_to_bytes() can't interpret following string: ${text}`)
  if (!m || m[1] === '' || m[1] === '.') throw fail()
  const unit =
    m[2] ?? (defaultUnit === undefined || defaultUnit === null ? 'B' : toText(defaultUnit))
  const letter = unit.charAt(0).toUpperCase()
  if (!SIZE_UNITS.includes(letter)) throw fail()
  if (unit.length > 2 || (unit.length === 2 && unit.charAt(1) !== (isbits ? 'b' : 'B')))
    throw fail()
  const scaled = Number(m[1]) * unitLimit(letter)
  const floor = Math.floor(scaled)
  const diff = scaled - floor
  return diff === 0.5 ? (floor % 2 === 0 ? floor : floor + 1) : Math.round(scaled)
}

// Python's re.escape (3.7+) escapes only these.
const PYTHON_SPECIAL = new Set('()[]{}?*+-|^$\\.&~# \t\n\r\v\f')

function regexEscape(text: string, reType: string): string {
  if (reType === 'python')
    return [...text].map((ch) => (PYTHON_SPECIAL.has(ch) ? '\\' + ch : ch)).join('')
  if (reType === 'posix_basic') return text.replace(/[\].[^$*\\]/g, '\\$&')
  if (reType === 'posix_extended')
    throw new TemplateError('Regex type (posix_extended) not yet implemented')
  throw new TemplateError(`Invalid regex type (${reType})`)
}

function subelements(value: unknown, spec: unknown, skipMissing: boolean): unknown[] {
  const elements = Array.isArray(value)
    ? value
    : isRecord(value)
      ? Object.values(value)
      : (() => {
          throw new TemplateError('obj must be a list of dicts or a nested dict')
        })()
  const keys = Array.isArray(spec)
    ? spec.map(toText)
    : typeof spec === 'string'
      ? spec.split('.')
      : (() => {
          throw new TemplateError('subelements must be a list or a string')
        })()
  const out: unknown[] = []
  for (const element of elements) {
    let values: unknown = element
    let missing = false
    for (const key of keys) {
      if (!isRecord(values) || !Object.hasOwn(values, key)) {
        if (skipMissing) {
          missing = true
          break
        }
        throw new TemplateError(`could not find '${key}' key in iterated item ${pyRepr(values)}`)
      }
      values = values[key]
    }
    if (missing) continue
    if (!Array.isArray(values))
      throw new TemplateError(
        `the key ${keys.join('.')} should point to a list, got ${pyRepr(values)}`
      )
    for (const item of values) out.push(PyTuple.of(element, item))
  }
  return out
}

function randomFilter(value: unknown, args: unknown[], kw: Record<string, unknown>): unknown {
  const [startArg, stepArg, seedArg] = args
  const source = randomSource(kw.seed ?? seedArg)
  if (typeof value === 'number' && Number.isInteger(value)) {
    const start = Number(kw.start ?? startArg ?? 0)
    const step = Number(kw.step ?? stepArg ?? 1)
    const count = step > 0 ? Math.ceil((value - start) / step) : Math.ceil((value - start) / step)
    if (step === 0) throw new TemplateError('zero step for randrange()')
    if (count <= 0)
      throw new TemplateError(`empty range for randrange() (${start}, ${value}, ${value - start})`)
    return start + step * source.below(count)
  }
  if (typeof value === 'string' || Array.isArray(value)) {
    const items = iterableItems(value)
    if (items.length === 0) throw new TemplateError('Cannot choose from an empty sequence')
    return items[source.below(items.length)]
  }
  throw new TemplateError('random can only be used on sequences and integers')
}

function shuffle(value: unknown, seed: unknown): unknown[] {
  if (!Array.isArray(value) && typeof value !== 'string') return value as unknown[]
  const items = [...iterableItems(value)]
  const source = randomSource(seed)
  for (let i = items.length - 1; i > 0; i--) {
    const j = source.below(i + 1)
    ;[items[i], items[j]] = [items[j], items[i]]
  }
  return items
}

/** The filters above, by name. */
export const MORE_FILTERS: Record<string, FilterFunction> = {
  comment: (v, [style = 'plain'], kw) => comment(toText(v), toText(style), kw),
  product: (v, others, kw) => {
    const lists = [v, ...others].map((l) => iterableItems(l))
    const repeat = Number(kw.repeat ?? 1)
    return product(Array.from({ length: repeat }, () => lists).flat())
  },
  combinations: (v, [r], kw) => combinations(iterableItems(v), countArg(kw.r ?? r, 'combinations')),
  permutations: (v, [r], kw) => {
    const items = iterableItems(v)
    const n = kw.r ?? r
    return permutations(
      items,
      n === undefined || n === null ? items.length : countArg(n, 'permutations')
    )
  },
  zip_longest: (v, others, kw) => {
    const lists = [v, ...others].map((l) => iterableItems(l))
    const n = Math.max(...lists.map((l) => l.length))
    const fill = kw.fillvalue ?? null
    return Array.from({ length: n }, (_, i) =>
      PyTuple.of(...lists.map((l) => (i < l.length ? l[i] : fill)))
    )
  },
  subelements: (v, [spec, skipMissing = false], kw) =>
    subelements(v, spec, toBoolean(kw.skip_missing ?? skipMissing)),
  // A missing key gives an Undefined (which `default` and `is defined` see), as Jinja's getitem does; the
  // keys after it, or an undefined container, keep it (Ansible's Undefined answers any key with itself).
  extract: (v, [container, morekeys, ...rest], kw) => {
    assertArgumentsDefined(v, [morekeys, ...rest], kw)
    let value = container instanceof Undefined ? container : getAttribute(container, v)
    const more = kw.morekeys ?? morekeys
    if (more !== undefined && more !== null)
      for (const key of Array.isArray(more) ? more : [more]) {
        if (value instanceof Undefined) break
        value = getAttribute(value, key)
      }
    return value
  },
  urlsplit: (v, [query = ''], kw) => {
    const parts = urlsplit(toText(v))
    const wanted = toText(kw.query ?? query)
    if (wanted === '') return parts
    if (!URL_PARTS.includes(wanted))
      throw new TemplateError(`urlsplit: unknown URL component: ${wanted}`)
    return parts[wanted]
  },
  expanduser: (v) => expandUser(toText(v)),
  expandvars: (v) => expandVars(toText(v)),
  realpath: (v) => realPath(toText(v)),
  human_readable: (v, [isbits = false, unit], kw) =>
    humanReadable(v, toBoolean(kw.isbits ?? isbits), kw.unit ?? unit),
  human_to_bytes: (v, [defaultUnit, isbits = false], kw) =>
    humanToBytes(v, kw.default_unit ?? defaultUnit, toBoolean(kw.isbits ?? isbits)),
  random: (v, args, kw) => randomFilter(v, args, kw),
  shuffle: (v, [seed], kw) => shuffle(v, kw.seed ?? seed),
  regex_escape: (v, [reType = 'python'], kw) =>
    regexEscape(toText(v), toText(kw.re_type ?? reType)),
  json_query: (v, [expression], kw) => {
    try {
      return jmespathSearch(v, toText(kw.expr ?? expression))
    } catch (error) {
      throw new TemplateError(
        `JMESPathError in json_query filter plugin: ${(error as Error).message}`
      )
    }
  }
}
