import { describe, expect, it } from 'vitest'
import { PlaybookError } from '../../src/errors.js'
import { MODULE_CATALOG } from '../../src/modules/registry.js'
import { parsePlaybookText } from '../../src/playbook/playbook-loader.js'
import type { Task } from '../../src/playbook/types.js'

/** The tasks of a one-play playbook (without the implicit flush_handlers). */
function tasksOf(taskYaml: string): Task[] {
  const playbook = parsePlaybookText(
    `- hosts: all\n  tasks:\n${taskYaml}`,
    'site.yml',
    '/base',
    MODULE_CATALOG
  )
  return playbook.plays[0]!.tasks.filter((t) => !t.implicit)
}

function refusal(taskYaml: string): PlaybookError {
  try {
    tasksOf(taskYaml)
  } catch (error) {
    if (error instanceof PlaybookError) return error
    throw error
  }
  throw new Error('the playbook loaded')
}

describe('delegation keywords', () => {
  it('reads delegate_to, delegate_facts and connection on a task, as written', () => {
    const [task] = tasksOf(
      '    - setup:\n      delegate_to: "{{ item }}"\n      delegate_facts: true\n      connection: local\n'
    )
    expect(task).toMatchObject({
      module: 'setup',
      delegateTo: '{{ item }}',
      delegateFacts: true,
      connection: 'local'
    })
  })

  it('reads local_action as its module delegated to localhost, in the string and the mapping forms', () => {
    const [short, mapping, inline] = tasksOf(
      '    - local_action: command echo hi chdir=/tmp\n' +
        '    - local_action:\n        module: copy\n        content: x\n        dest: /tmp/x\n' +
        '    - local_action:\n        module: shell echo {{ x }}\n'
    )
    expect(short).toMatchObject({
      module: 'command',
      delegateTo: 'localhost',
      args: { _raw_params: 'echo hi', chdir: '/tmp' }
    })
    expect(mapping).toMatchObject({
      module: 'copy',
      delegateTo: 'localhost',
      args: { content: 'x', dest: '/tmp/x' }
    })
    expect(inline).toMatchObject({ module: 'shell', args: { _raw_params: 'echo {{ x }}' } })
  })

  it('lets local_action win over delegate_to, as Ansible does', () => {
    const [task] = tasksOf('    - local_action: command true\n      delegate_to: web2\n')
    expect(task!.delegateTo).toBe('localhost')
  })

  it('hands a block’s delegate_to, delegate_facts and connection down to its tasks (a task’s own wins)', () => {
    const [first, second] = tasksOf(
      '    - block:\n' +
        '        - command: "true"\n' +
        '        - command: "true"\n' +
        '          delegate_to: web3\n' +
        '          connection: ssh\n' +
        '      delegate_to: web2\n' +
        '      delegate_facts: true\n' +
        '      connection: local\n'
    )
    expect(first).toMatchObject({ delegateTo: 'web2', delegateFacts: true, connection: 'local' })
    expect(second).toMatchObject({ delegateTo: 'web3', delegateFacts: true, connection: 'ssh' })
  })

  it('refuses action with local_action, and a local_action that is neither text nor a mapping', () => {
    expect(
      refusal('    - action: command true\n      local_action: command true\n').message
    ).toContain('action and local_action are mutually exclusive')
    expect(refusal('    - local_action: [command, "true"]\n').message).toContain(
      'unexpected parameter type in local_action'
    )
  })
})
