/**
 * Ansible's path tests (run on the controller, as Ansible runs them: exists, file, directory, link,
 * mount, same_file, abs) and its URI tests (uri, url, urn).
 */
import { existsSync, lstatSync, statSync } from 'node:fs'
import path from 'node:path'
import { TemplateError } from '../errors.js'
import type { Kwargs } from './attributes.js'
import { urlsplit } from './filters-more.js'
import { pythonStr } from './python.js'

type PathTest = (value: unknown, args: unknown[], kwargs: Kwargs) => boolean

function stat(value: unknown, follow: boolean) {
  try {
    return follow ? statSync(pythonStr(value)) : lstatSync(pythonStr(value))
  } catch {
    return undefined
  }
}

/** os.path.ismount: a directory whose parent is on another device, or the same inode (the root). */
function isMount(value: unknown): boolean {
  const p = pythonStr(value)
  const self = stat(p, false)
  if (!self || self.isSymbolicLink() || !self.isDirectory()) return false
  const parent = stat(path.join(p, '..'), false)
  if (!parent) return false
  return parent.dev !== self.dev || parent.ino === self.ino
}

function sameFile(a: unknown, b: unknown): boolean {
  const x = stat(a, true)
  const y = stat(b, true)
  if (!x || !y)
    throw new TemplateError(`[Errno 2] No such file or directory: '${pythonStr(x ? b : a)}'`)
  return x.dev === y.dev && x.ino === y.ino
}

/** Ansible's uri test: text with a scheme (among `schemes` when given). */
function isUri(value: unknown, schemes: unknown): boolean {
  if (typeof value !== 'string') return false
  let scheme: unknown
  try {
    scheme = urlsplit(value).scheme
  } catch {
    return false
  }
  if (Array.isArray(schemes) && schemes.length > 0) return schemes.includes(scheme)
  return true
}

function isUrl(value: unknown, schemes: unknown): boolean {
  if (!isUri(value, schemes)) return false
  const parts = urlsplit(value as string)
  return parts.netloc !== '' || parts.scheme === 'file'
}

/** The path and URI tests, by name. */
export const PATH_TESTS: Record<string, PathTest> = {
  abs: (v) => pythonStr(v).startsWith('/'),
  is_abs: (v) => pythonStr(v).startsWith('/'),
  exists: (v) => existsSync(pythonStr(v)),
  link_exists: (v) => stat(v, false) !== undefined,
  file: (v) => stat(v, true)?.isFile() ?? false,
  is_file: (v) => stat(v, true)?.isFile() ?? false,
  directory: (v) => stat(v, true)?.isDirectory() ?? false,
  is_dir: (v) => stat(v, true)?.isDirectory() ?? false,
  link: (v) => stat(v, false)?.isSymbolicLink() ?? false,
  is_link: (v) => stat(v, false)?.isSymbolicLink() ?? false,
  mount: (v) => isMount(v),
  is_mount: (v) => isMount(v),
  same_file: (v, [other]) => sameFile(v, other),
  is_same_file: (v, [other]) => sameFile(v, other),
  uri: (v, [schemes], kw) => isUri(v, kw.schemes ?? schemes),
  url: (v, [schemes], kw) => isUrl(v, kw.schemes ?? schemes),
  urn: (v) => isUri(v, ['urn'])
}
