/**
 * Ansible's smaller builtin filters: md5 and sha1, the math filters (log, pow, root), controller paths
 * (path_join, relpath, splitext, fileglob, win_basename, win_dirname, win_splitdrive), urldecode,
 * rekey_on_member, from_yaml_all.
 */
import { createHash } from 'node:crypto'
import { opendirSync, statSync } from 'node:fs'
import path from 'node:path'
import { TemplateError } from '../errors.js'
import { getAttribute } from './attributes.js'
import { type FilterFunction, iterableItems, toText } from './filter-args.js'
import { PyFloat, PyTuple, pyFloat, pyRepr, pyTypeName } from './python.js'
import { fromYaml } from './serialize.js'
import { fnmatchSource } from '../values/fnmatch.js'
import { isRecord } from '../values/records.js'
import { isFile } from '../file-kinds.js'

function number(value: unknown, filter: string): number {
  if (typeof value === 'number') return value
  if (typeof value === 'boolean') return value ? 1 : 0
  throw new TemplateError(`${filter}() can only be used on numbers: ${pyTypeName(value)} given`)
}

function mathDomain(filter: string): TemplateError {
  return new TemplateError(`${filter}(): math domain error`)
}

/**
 * A math filter's result as Python's math module gives it: always a float; NaN from finite numbers
 * (a negative number to a fractional power) is its "math domain error", an overflow its "math range error".
 */
function mathFloat(result: number, filter: string, ...inputs: number[]): number | PyFloat {
  if (inputs.every(Number.isFinite)) {
    if (Number.isNaN(result)) throw mathDomain(filter)
    if (!Number.isFinite(result)) throw new TemplateError(`${filter}(): math range error`)
  }
  return pyFloat(result)
}

function entries(dir: string): string[] {
  try {
    const handle = opendirSync(dir)
    const names: string[] = []
    try {
      for (let e = handle.readSync(); e !== null; e = handle.readSync()) names.push(e.name)
    } finally {
      handle.closeSync()
    }
    return names
  } catch {
    return []
  }
}

/** Python's glob.glob: wildcards in any component, hidden names only for a pattern starting with '.'. */
function glob(pattern: string): string[] {
  const absolute = pattern.startsWith('/')
  let found = [absolute ? '/' : '']
  for (const part of pattern.split('/').filter(Boolean)) {
    const next: string[] = []
    for (const base of found) {
      if (!/[*?[]/.test(part)) {
        const candidate = base === '' ? part : path.join(base, part)
        try {
          statSync(candidate)
          next.push(candidate)
        } catch {
          // not there
        }
        continue
      }
      const regex = new RegExp(`^(?:${fnmatchSource(part)})$`)
      for (const name of entries(base === '' ? '.' : base))
        if (regex.test(name) && (part.startsWith('.') || !name.startsWith('.')))
          next.push(base === '' ? name : path.join(base, name))
    }
    found = next
  }
  return found
}

function winSplitDrive(text: string): PyTuple<string> {
  const unc = /^([\\/]{2}[^\\/]+[\\/][^\\/]+)(.*)$/s.exec(text)
  if (unc) return PyTuple.of(unc[1]!, unc[2]!)
  return /^[A-Za-z]:/.test(text)
    ? PyTuple.of(text.slice(0, 2), text.slice(2))
    : PyTuple.of('', text)
}

function rekeyOnMember(data: unknown, key: unknown, duplicates: string): Record<string, unknown> {
  const items = isRecord(data) ? Object.values(data) : Array.isArray(data) ? data : null
  if (!items) throw new TemplateError(`Type is not a valid list, set, or dict: ${pyTypeName(data)}`)
  if (!['error', 'overwrite'].includes(duplicates))
    throw new TemplateError(
      `duplicates parameter to rekey_on_member has unknown value: ${duplicates}`
    )
  const out: Record<string, unknown> = {}
  for (const item of items) {
    if (!isRecord(item)) throw new TemplateError(`List item is not a valid dict: ${pyRepr(item)}`)
    if (!Object.hasOwn(item, toText(key)))
      throw new TemplateError(`Key ${toText(key)} was not found`)
    const k = toText(getAttribute(item, key))
    if (Object.hasOwn(out, k) && duplicates === 'error')
      throw new TemplateError(`Key ${k} is not unique, cannot correctly turn into dict`)
    out[k] = item
  }
  return out
}

/** Each document of a YAML stream (split at `---` lines; a `...` line ends one), as from_yaml reads it. */
function loadYamlDocuments(text: string): unknown[] {
  const docs: string[][] = [[]]
  for (const line of text.split('\n')) {
    if (/^---(\s|$)/.test(line)) {
      docs.push([line.slice(3)])
      continue
    }
    if (/^\.\.\.(\s|$)/.test(line)) {
      docs.push([])
      continue
    }
    docs[docs.length - 1]!.push(line)
  }
  return docs
    .map((lines) => lines.join('\n'))
    .filter((doc, i) => (i === 0 ? doc.trim() !== '' : true))
    .filter((doc) => doc.trim() !== '' || docs.length === 1)
    .map((doc) => fromYaml(doc))
}

/** The filters above, by name. */
export const PATH_FILTERS: Record<string, FilterFunction> = {
  md5: (v) => createHash('md5').update(toText(v), 'utf8').digest('hex'),
  sha1: (v) => createHash('sha1').update(toText(v), 'utf8').digest('hex'),
  log: (v, [base = Math.E], kw) => {
    const x = number(v, 'log')
    const b = number(kw.base ?? base, 'log')
    if (x <= 0 || b <= 0) throw mathDomain('log')
    if (b === 1) throw new TemplateError('log(): float division by zero')
    return mathFloat(b === 10 ? Math.log10(x) : Math.log(x) / Math.log(b), 'log', x, b)
  },
  pow: (v, args, kw) => {
    if (args.length > 1)
      throw new TemplateError('pow() takes one argument, the exponent: 2 | pow(3)')
    const y = kw.y ?? args[0]
    if (y === undefined) throw new TemplateError('pow() needs the exponent: 2 | pow(3)')
    const x = number(v, 'pow')
    const n = number(y, 'pow')
    if (x === 0 && n < 0) throw mathDomain('pow')
    return mathFloat(x ** n, 'pow', x, n)
  },
  root: (v, [base = 2], kw) => {
    const x = number(v, 'root')
    const b = number(kw.base ?? base, 'root')
    if (b === 0) throw new TemplateError('root(): float division by zero')
    if (x === 0 && b < 0) throw mathDomain('root')
    return mathFloat(b === 2 ? Math.sqrt(x) : x ** (1 / b), 'root', x, b)
  },
  path_join: (v) =>
    typeof v === 'string'
      ? v
      : iterableItems(
          v,
          `|path_join expects string or sequence, got <class '${pyTypeName(v)}'> instead.`
        )
          .map(toText)
          .reduce(
            (acc, part) =>
              part.startsWith('/') || acc === ''
                ? part
                : acc.endsWith('/')
                  ? acc + part
                  : `${acc}/${part}`,
            ''
          ),
  relpath: (v, [start], kw) => {
    const from = kw.start ?? start
    return (
      path.relative(
        path.resolve(from === undefined || from === null ? '.' : toText(from)),
        path.resolve(toText(v))
      ) || '.'
    )
  },
  splitext: (v) => {
    const text = toText(v)
    const base = text.slice(text.lastIndexOf('/') + 1)
    const dot = base.replace(/^\.+/, (dots) => ' '.repeat(dots.length)).lastIndexOf('.')
    if (dot <= 0) return PyTuple.of(text, '')
    const at = text.length - base.length + dot
    return PyTuple.of(text.slice(0, at), text.slice(at))
  },
  fileglob: (v) => glob(toText(v)).filter(isFile),
  urldecode: (v) => {
    const text = toText(v).replace(/\+/g, ' ')
    return text.replace(/(%[0-9A-Fa-f]{2})+/g, (run) => {
      try {
        return decodeURIComponent(run)
      } catch {
        return Buffer.from(run.replace(/%/g, ''), 'hex').toString('utf8')
      }
    })
  },
  win_basename: (v) => {
    const rest = winSplitDrive(toText(v))[1]!
    return rest.slice(Math.max(rest.lastIndexOf('\\'), rest.lastIndexOf('/')) + 1)
  },
  win_dirname: (v) => {
    const [drive = '', rest = ''] = winSplitDrive(toText(v))
    const cut = Math.max(rest.lastIndexOf('\\'), rest.lastIndexOf('/')) + 1
    const head = rest.slice(0, cut)
    const trimmed = /^[\\/]+$/.test(head) ? head : head.replace(/[\\/]+$/, '')
    return drive + trimmed
  },
  win_splitdrive: (v) => winSplitDrive(toText(v)),
  rekey_on_member: (v, [key, duplicates = 'error'], kw) =>
    rekeyOnMember(v, kw.key ?? key, toText(kw.duplicates ?? duplicates)),
  from_yaml_all: (v) => loadYamlDocuments(toText(v))
}
