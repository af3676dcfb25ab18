// What a path on the controller is, for the readers that look a file up among candidates (vars files, a
// template's search path, the file lookups): one stat, and a missing or unreadable path is no error.
import { statSync } from 'node:fs'

/** What `path` is (following symbolic links): a regular file, a directory, something else, or nothing. */
export function kindOf(path: string): 'file' | 'directory' | 'other' | undefined {
  try {
    const stat = statSync(path)
    return stat.isDirectory() ? 'directory' : stat.isFile() ? 'file' : 'other'
  } catch {
    return undefined
  }
}

/** Whether `path` is a regular file (following symbolic links). */
export function isFile(path: string): boolean {
  return kindOf(path) === 'file'
}
