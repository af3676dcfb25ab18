// Loading a task whose action is a template (`action: "{{ ansible_pkg_mgr }} name=git"`), as Ansible
// 2.14's loader does: the module waits for the run; key=value words are its arguments; free-form words
// are refused at load, since no module is known to take them. The run is in the differential fixture
// semantics-templated-action.yml.
import { describe, expect, it } from 'vitest'
import { MODULE_CATALOG } from '../../src/modules/registry.js'
import { parsePlaybookText } from '../../src/playbook/playbook-loader.js'
import { TEMPLATED_ACTION, type Task } from '../../src/playbook/types.js'

function task(body: string): Task {
  const text = `- hosts: all\n  tasks:\n${body}`
  const plays = parsePlaybookText(text, 'site.yml', '/tmp', MODULE_CATALOG, { rolesPath: [] }).plays
  // The play's own implicit handler flushes are meta tasks: the task is the one that is not.
  return plays[0]!.tasks.find((t) => 'module' in t && t.module !== 'meta') as Task
}

describe('a templated action at load', () => {
  it('keeps the template for the run, with its key=value words as arguments', () => {
    const t = task('    - action: "{{ ansible_pkg_mgr }} name=git state=present"\n')
    expect(t.module).toBe(TEMPLATED_ACTION)
    expect(t.moduleTemplate).toEqual({ template: '{{ ansible_pkg_mgr }}', collections: [] })
    expect(t.args).toEqual({ name: 'git', state: 'present' })
    // Unnamed, it is shown by its template, as Ansible shows it.
    expect(t.name).toBe('{{ ansible_pkg_mgr }}')
  })

  it('takes the mapping form with module:, and local_action', () => {
    const mapped = task('    - action:\n        module: "{{ m }}"\n        msg: hi\n')
    expect(mapped.moduleTemplate?.template).toBe('{{ m }}')
    expect(mapped.args).toEqual({ msg: 'hi' })
    const local = task('    - local_action: "{{ m }} msg=hi"\n')
    expect(local.moduleTemplate?.template).toBe('{{ m }}')
    expect(local.args).toEqual({ msg: 'hi' })
  })

  it('refuses free-form words after the template, as Ansible does', () => {
    expect(() => task('    - action: "{{ runner }} echo hi"\n')).toThrow(
      /this task '\{\{ runner \}\}' has extra params/
    )
  })

  it("gives a module's own words and mapping precedence over args:", () => {
    expect(task('    - debug: msg=words\n      args:\n        msg: args\n').args).toEqual({
      msg: 'words'
    })
    expect(
      task(
        '    - debug:\n        msg: mapping\n        var: x\n      args:\n        msg: args\n        verbosity: 1\n'
      ).args
    ).toEqual({ msg: 'mapping', var: 'x', verbosity: 1 })
  })
})
