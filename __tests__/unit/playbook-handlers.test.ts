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

  it('accepts the supported meta actions and refuses the others', () => {
    for (const action of ['flush_handlers', 'end_play', 'end_host', 'noop']) {
      const p = play(`- hosts: all\n  tasks:\n    - ansible.builtin.meta: ${action}\n`)
      expect(p.tasks[1]).toMatchObject({ module: 'meta', args: { _raw_params: action } })
    }
    expect(() => play(`- hosts: all\n  tasks:\n    - meta: clear_facts\n`)).toThrow(
      /meta 'clear_facts' is not supported: use one of flush_handlers, end_play, end_host, noop/
    )
    expect(() => play(`- hosts: all\n  tasks:\n    - meta: noop\n      loop: [1]\n`)).toThrow(
      PlaybookError
    )
  })

  it('refuses listen outside handlers, and blocks or meta as handlers', () => {
    expect(() => play(`- hosts: all\n  tasks:\n    - command: "true"\n      listen: x\n`)).toThrow(
      /'listen' belongs on a handler/
    )
    expect(() =>
      play(`- hosts: all\n  handlers:\n    - block:\n        - command: "true"\n`)
    ).toThrow(/blocks, imports and includes under `handlers:`/)
    expect(() => play(`- hosts: all\n  handlers:\n    - meta: noop\n`)).toThrow(
      /'meta' cannot be used as a handler/
    )
    expect(() =>
      play(`- hosts: all\n  tasks:\n    - command: "true"\n      notify: {a: 1}\n`)
    ).toThrow(/'notify' must be a handler name/)
  })
})
