import { describe, expect, it } from 'vitest'
import { PlaybookError } from '../../src/errors.js'
import { MODULE_CATALOG } from '../../src/modules/registry.js'
import { parsePlaybookText } from '../../src/playbook/playbook-loader.js'
import type { Play } from '../../src/playbook/types.js'

function play(text: string): Play {
  return parsePlaybookText(text, 'pb.yml', '/tmp', MODULE_CATALOG).plays[0]!
}

describe('loader: handlers, notify and meta', () => {
  it('loads handlers with listen topics and tasks with notify (string or list)', () => {
    const p = play(`- hosts: all
  force_handlers: true
  handlers:
    - name: restart
      command: echo r
      listen: topic
    - name: reload
      command: echo l
      listen: [a, b]
  tasks:
    - command: "true"
      notify: restart
    - command: "true"
      notify: [restart, topic]
`)
    expect(p.handlers.map((h) => [h.name, h.listen])).toEqual([
      ['restart', ['topic']],
      ['reload', ['a', 'b']]
    ])
    expect(p.forceHandlers).toBe(true)
    const own = p.tasks.filter((t) => !t.implicit)
    expect(own.map((t) => t.notify)).toEqual([['restart'], ['restart', 'topic']])
  })

  it('puts an implicit flush_handlers after pre_tasks, tasks and post_tasks', () => {
    const p = play(`- hosts: all
  pre_tasks: [{ name: pre, command: "true" }]
  tasks: [{ name: main, command: "true" }]
  post_tasks: [{ name: post, command: "true" }]
`)
    expect(p.tasks.map((t) => (t.implicit ? `flush` : t.name))).toEqual([
      'pre',
      'flush',
      'main',
      'flush',
      'post',
      'flush'
    ])
    expect(p.tasks[1]!.args).toEqual({ _raw_params: 'flush_handlers' })
  })

  it("accepts Ansible 2.14's meta actions and refuses the others", () => {
    for (const action of [
      'flush_handlers',
      'end_play',
      'end_host',
      'end_batch',
      'noop',
      'clear_host_errors',
      'clear_facts',
      'reset_connection',
      'refresh_inventory'
    ]) {
      const p = play(`- hosts: all\n  tasks:\n    - ansible.builtin.meta: ${action}\n`)
      expect(p.tasks[1]).toMatchObject({ module: 'meta', args: { _raw_params: action } })
    }
    expect(() => play(`- hosts: all\n  tasks:\n    - meta: end_everything\n`)).toThrow(
      /meta 'end_everything' is not supported: use one of flush_handlers, end_play, end_host, end_batch, noop, clear_host_errors, clear_facts, reset_connection, refresh_inventory/
    )
    expect(() => play(`- hosts: all\n  tasks:\n    - meta: noop\n      loop: [1]\n`)).toThrow(
      PlaybookError
    )
    // Ansible 2.14 accepts `register` on a meta task (and registers nothing: semantics-handlers.yml).
    const registered = play(`- hosts: all\n  tasks:\n    - meta: noop\n      register: r\n`)
    expect(registered.tasks[1]).toMatchObject({ module: 'meta', register: 'r' })
  })

  it('refuses listen outside handlers, flush_handlers as a handler, and what Ansible ignores or refuses in handler blocks', () => {
    expect(() => play(`- hosts: all\n  tasks:\n    - command: "true"\n      listen: x\n`)).toThrow(
      /'listen' belongs on a handler/
    )
    expect(() => play(`- hosts: all\n  handlers:\n    - meta: flush_handlers\n`)).toThrow(
      /'meta: flush_handlers' cannot be used as a handler/
    )
    expect(() =>
      play(
        `- hosts: all\n  handlers:\n    - block:\n        - command: "true"\n      rescue:\n        - command: "true"\n`
      )
    ).toThrow(/'rescue' in a block under `handlers:` would never run/)
    expect(() =>
      play(
        `- hosts: all\n  handlers:\n    - block:\n        - block:\n            - command: "true"\n`
      )
    ).toThrow(/pb.yml:4: Using a block as a handler is not supported/)
    expect(() =>
      play(`- hosts: all\n  handlers:\n    - block:\n        - command: "true"\n      listen: x\n`)
    ).toThrow(/'listen' is not valid on a block of handlers/)
    expect(() =>
      play(`- hosts: all\n  tasks:\n    - command: "true"\n      notify: {a: 1}\n`)
    ).toThrow(/'notify' must be a handler name/)
  })
})
