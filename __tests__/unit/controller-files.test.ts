// Where template, copy and script find a relative `src` on the controller (Ansible's search order).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { findControllerFile } from '../../src/modules/controller-files.js'
import { ModuleArgumentError } from '../../src/modules/module.js'
import type { RoleRef, Task } from '../../src/playbook/types.js'

const root = mkdtempSync(path.join(tmpdir(), 'apb-controller-files-'))
afterAll(() => rmSync(root, { recursive: true, force: true }))

function file(relative: string): string {
  const full = path.join(root, relative)
  mkdirSync(path.dirname(full), { recursive: true })
  writeFileSync(full, relative)
  return full
}

const role: RoleRef = {
  name: 'web',
  path: path.join(root, 'roles/web'),
  defaults: {},
  vars: {},
  params: {}
}

function find(src: string, task: Partial<Task>, kind: 'templates' | 'files' = 'templates') {
  return findControllerFile(src, kind, { baseDir: root, task: task as Task })
}

describe('findControllerFile', () => {
  it("prefers the role's templates/ (or files/), then the role, its tasks/, then the playbook's", () => {
    file('templates/site.j2')
    file('site.j2')
    const inRoleTasks = file('roles/web/tasks/templates/site.j2')
    expect(find('site.j2', { role, dir: path.join(role.path, 'tasks') })).toBe(inRoleTasks)
    const inRoleRoot = file('roles/web/site.j2')
    expect(find('site.j2', { role, dir: path.join(role.path, 'tasks') })).toBe(inRoleRoot)
    const inRole = file('roles/web/templates/site.j2')
    expect(find('site.j2', { role, dir: path.join(role.path, 'tasks') })).toBe(inRole)
    // Outside the role, the playbook's templates/ wins over its directory.
    expect(find('site.j2', { dir: root })).toBe(path.join(root, 'templates/site.j2'))
    const copied = file('roles/web/files/app.txt')
    expect(find('app.txt', { role, dir: path.join(role.path, 'tasks') }, 'files')).toBe(copied)
  })

  it('looks next to the included file that holds the task before the playbook directory', () => {
    const near = file('tasks/sub/templates/inc.j2')
    file('inc.j2')
    expect(find('inc.j2', { dir: path.join(root, 'tasks/sub') })).toBe(near)
  })

  it('names every place it looked when the file is nowhere, and refuses a directory', () => {
    const error = (() => {
      try {
        find('missing.j2', { role, dir: path.join(role.path, 'tasks') })
      } catch (e) {
        return e as Error
      }
      throw new Error('no error')
    })()
    expect(error).toBeInstanceOf(ModuleArgumentError)
    expect(error.message).toContain("Could not find or access 'missing.j2'")
    for (const place of [
      'roles/web/templates/missing.j2',
      'roles/web/missing.j2',
      'roles/web/tasks/templates/missing.j2',
      'roles/web/tasks/missing.j2',
      'templates/missing.j2',
      'missing.j2'
    ])
      expect(error.message).toContain(path.join(root, place))
    mkdirSync(path.join(root, 'files/adir'), { recursive: true })
    expect(() => find('adir', { dir: root }, 'files')).toThrow(/is a directory/)
  })
})
