// Module names as Ansible resolves them: `ansible.builtin.` / `ansible.legacy.` names for every module, a
// play's and a role's `collections:` searched first for short names, fully qualified names a module
// declares, and a module of a collection we do not implement refused at load with its file and line.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { PlaybookError } from '../../src/errors.js'
import { MODULE_CATALOG, MODULES } from '../../src/modules/registry.js'
import { buildAdhocPlaybook } from '../../src/playbook/adhoc.js'
import type { ModuleCatalog } from '../../src/playbook/loader-support.js'
import { loadPlaybook, parsePlaybookText } from '../../src/playbook/playbook-loader.js'

/** The real catalog, plus a module we pretend comes from ansible.posix too. */
const CATALOG: ModuleCatalog = {
  ...MODULE_CATALOG,
  fqcns: new Map([['ansible.posix.pretend_ping', 'ping']])
}

function tasks(text: string, catalog: ModuleCatalog = CATALOG) {
  return parsePlaybookText(text, 'site.yml', '/base', catalog)
    .plays.flatMap((p) => p.tasks)
    .filter((t) => !t.implicit)
}

function refusal(text: string, catalog: ModuleCatalog = CATALOG): PlaybookError {
  try {
    tasks(text, catalog)
  } catch (error) {
    expect(error).toBeInstanceOf(PlaybookError)
    return error as PlaybookError
  }
  throw new Error('the playbook loaded')
}

describe('module names', () => {
  it('every module answers to its ansible.builtin. and ansible.legacy. names', () => {
    for (const name of MODULES.keys()) {
      for (const prefix of ['', 'ansible.builtin.', 'ansible.legacy.']) {
        const [task] = tasks(`- hosts: all\n  tasks:\n    - ${prefix}${name}: {}\n`)
        expect(task!.module).toBe(name)
      }
    }
  })

  it('a play accepts collections: and looks for short names there first, then in ansible.builtin', () => {
    const found = tasks(
      '- hosts: all\n  collections: [ansible.posix, community.general]\n  tasks:\n    - pretend_ping:\n    - debug: msg=hi\n'
    )
    expect(found.map((t) => [t.module, t.action])).toEqual([
      ['ping', 'pretend_ping'],
      ['debug', 'debug']
    ])
    const fqcn = tasks('- hosts: all\n  tasks:\n    - ansible.posix.pretend_ping:\n')
    expect(fqcn[0]!.module).toBe('ping')
    // Without the collection listed, the short name is nobody's.
    expect(refusal('- hosts: all\n  tasks:\n    - pretend_ping:\n').message).toMatch(
      /couldn't resolve module\/action 'pretend_ping'/
    )
  })

  it('refuses a module of a collection we do not implement, naming both, at its line', () => {
    const error = refusal(
      '- hosts: all\n  tasks:\n    - name: a container\n      community.docker.docker_container:\n        name: web\n'
    )
    expect(error.message).toMatch(
      /community\.docker\.docker_container is not supported: async-playbook does not implement the collection community\.docker/
    )
    expect(error.location).toMatchObject({ file: 'site.yml', line: 3 })
    const partly = refusal('- hosts: all\n  tasks:\n    - ansible.posix.mount: {}\n')
    expect(partly.message).toMatch(
      /ansible\.posix\.mount is not supported: of the collection ansible\.posix, async-playbook implements only ansible\.posix\.pretend_ping/
    )
    const viaCollections = refusal(
      '- hosts: all\n  collections: [community.docker]\n  tasks:\n    - docker_container: {}\n'
    )
    expect(viaCollections.message).toMatch(
      /community\.docker\.docker_container is not supported: .*looked for community\.docker\.docker_container/
    )
    const viaAction = refusal(
      '- hosts: all\n  tasks:\n    - action: community.docker.docker_container name=web\n'
    )
    expect(viaAction.message).toMatch(/community\.docker\.docker_container is not supported/)
  })

  it('refuses collections that are not namespace.collection names', () => {
    expect(refusal('- hosts: all\n  collections: [docker]\n  tasks: []\n').message).toMatch(
      /'collections' must list collection names written namespace\.collection/
    )
  })

  it("refuses collections on a task, pointing to the play or the role's meta", () => {
    expect(
      refusal('- hosts: all\n  tasks:\n    - debug: msg=x\n      collections: [a.b]\n').message
    ).toMatch(/'collections' is taken on a play and in a role's meta\/main\.yml/)
  })

  it("a role's tasks look in the role's meta collections, not the play's", () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'apb-collections-'))
    const role = path.join(dir, 'roles', 'r')
    mkdirSync(path.join(role, 'tasks'), { recursive: true })
    mkdirSync(path.join(role, 'meta'), { recursive: true })
    writeFileSync(path.join(role, 'tasks', 'main.yml'), '- pretend_ping:\n')
    writeFileSync(path.join(role, 'meta', 'main.yml'), 'collections: [ansible.posix]\n')
    writeFileSync(path.join(dir, 'site.yml'), '- hosts: all\n  roles: [r]\n')
    const playbook = loadPlaybook('site.yml', CATALOG, dir)
    expect(playbook.plays[0]!.tasks.filter((t) => !t.implicit)[0]!.module).toBe('ping')
    writeFileSync(path.join(role, 'meta', 'main.yml'), '{}\n')
    writeFileSync(
      path.join(dir, 'play-collections.yml'),
      '- hosts: all\n  collections: [ansible.posix]\n  roles: [r]\n'
    )
    expect(() => loadPlaybook('play-collections.yml', CATALOG, dir)).toThrow(
      /couldn't resolve module\/action 'pretend_ping'/
    )
  })

  it('ad hoc -m takes the same names', () => {
    expect(
      buildAdhocPlaybook('all', 'ansible.posix.pretend_ping', '', CATALOG, '/').plays[0]!.tasks[0]!
        .module
    ).toBe('ping')
    expect(() =>
      buildAdhocPlaybook('all', 'community.docker.docker_container', '', CATALOG, '/')
    ).toThrow(/community\.docker\.docker_container is not supported/)
  })
})
