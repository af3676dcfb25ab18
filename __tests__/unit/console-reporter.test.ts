import { describe, expect, it } from 'vitest'
import { emptyStats, type HostTaskOutcome, type TaskInfo } from '../../src/executor/events.js'
import { NO_LOG_MESSAGE } from '../../src/report/censor.js'
import { ConsoleReporter } from '../../src/report/console-reporter.js'

function reporter(options: { color?: boolean; verbosity?: number } = {}) {
  let text = ''
  const console = new ConsoleReporter((chunk) => (text += chunk), {
    color: options.color ?? false,
    verbosity: options.verbosity ?? 0
  })
  return { console, output: () => text, lines: () => text.split('\n') }
}

const shellTask: TaskInfo = { name: 'run it', module: 'shell', noLog: false }
const debugTask: TaskInfo = { name: 'show', module: 'debug', noLog: false }

function outcome(
  status: HostTaskOutcome['status'],
  result: Record<string, unknown>,
  extra: Partial<HostTaskOutcome> = {}
): HostTaskOutcome {
  return { host: 'web1', status, ignored: false, result, durationMs: 1, ...extra }
}

describe('ConsoleReporter banners', () => {
  it('pads TASK and PLAY banners with stars to 80 columns', () => {
    const r = reporter()
    r.console.playStart('deploy', undefined)
    r.console.taskStart({ name: 'x', module: 'shell', noLog: false })
    const [, play, , task] = r.lines()
    expect(play).toBe(`PLAY [deploy] ${'*'.repeat(66)}`)
    expect(task).toBe(`TASK [x] ${'*'.repeat(71)}`)
    expect(task).toHaveLength(80)
    expect(r.output().startsWith('\nPLAY [deploy]')).toBe(true)
  })

  it('keeps at least three stars after a long title', () => {
    const r = reporter()
    const name = 'n'.repeat(100)
    r.console.taskStart({ name, module: 'shell', noLog: false })
    expect(r.lines()[1]).toBe(`TASK [${name}] ***`)
  })
})

describe('ConsoleReporter host results', () => {
  it('prints ok/changed without details at verbosity 0', () => {
    const r = reporter()
    r.console.hostResult(shellTask, outcome('changed', { changed: true, rc: 0, stdout: 'hi' }))
    r.console.hostResult(shellTask, outcome('ok', { changed: false }, { host: 'web2' }))
    expect(r.output()).toBe('changed: [web1]\nok: [web2]\n')
  })

  it('adds the one-line JSON result at -v', () => {
    const r = reporter({ verbosity: 1 })
    r.console.hostResult(shellTask, outcome('changed', { changed: true, rc: 0, stdout: 'hi' }))
    expect(r.output()).toBe('changed: [web1] => {"changed": true, "rc": 0, "stdout": "hi"}\n')
  })

  it('shows only msg for debug, indented by 4', () => {
    const r = reporter()
    r.console.hostResult(
      debugTask,
      outcome('ok', { msg: 'hello', changed: false, failed: false, _ansible_verbose_always: true })
    )
    expect(r.output()).toBe('ok: [web1] => {\n    "msg": "hello"\n}\n')
  })

  it('shows the variable for debug var without changed/failed noise', () => {
    const r = reporter()
    r.console.hostResult(debugTask, outcome('ok', { 'x.y': [1, 'a'], changed: false }))
    expect(r.output()).toBe('ok: [web1] => {\n    "x.y": [\n        1,\n        "a"\n    ]\n}\n')
  })

  it('prints a failure as `fatal: [h]: FAILED! => {...}` without the status keys', () => {
    const r = reporter()
    r.console.hostResult(
      shellTask,
      outcome('failed', { changed: true, failed: true, msg: 'non-zero return code', rc: 2 })
    )
    expect(r.output()).toBe(
      'fatal: [web1]: FAILED! => {"changed": true, "msg": "non-zero return code", "rc": 2}\n'
    )
  })

  it('prints ...ignoring after an ignored failure', () => {
    const r = reporter()
    r.console.hostResult(
      shellTask,
      outcome('failed', { changed: false, failed: true, msg: 'boom' }, { ignored: true })
    )
    expect(r.lines()).toEqual([
      'fatal: [web1]: FAILED! => {"changed": false, "msg": "boom"}',
      '...ignoring',
      ''
    ])
  })

  it('prints unreachable hosts with the reason', () => {
    const r = reporter()
    r.console.hostResult(
      shellTask,
      outcome('unreachable', { changed: false, msg: 'connect ECONNREFUSED', unreachable: true })
    )
    expect(r.output()).toBe(
      'fatal: [web1]: UNREACHABLE! => {"changed": false, "msg": "connect ECONNREFUSED", "unreachable": true}\n'
    )
  })

  it('prints skipping: [h] for a skipped task', () => {
    const r = reporter()
    r.console.hostResult(shellTask, outcome('skipped', { skipped: true, changed: false }))
    expect(r.output()).toBe('skipping: [web1]\n')
  })

  it('censors no_log results, even for failures', () => {
    const r = reporter()
    const secretTask = { ...shellTask, noLog: true }
    r.console.hostResult(
      secretTask,
      outcome('failed', { changed: false, failed: true, msg: 'password=hunter2', rc: 1 })
    )
    expect(r.output()).not.toContain('hunter2')
    expect(r.output()).toBe(
      `fatal: [web1]: FAILED! => {"censored": "${NO_LOG_MESSAGE}", "changed": false}\n`
    )
    const debug = reporter()
    debug.console.hostResult({ ...debugTask, noLog: true }, outcome('ok', { msg: 'hunter2' }))
    expect(debug.output()).toBe(`ok: [web1] => {\n    "censored": "${NO_LOG_MESSAGE}"\n}\n`)
  })
})

describe('ConsoleReporter loop items', () => {
  it('prints one line per item and nothing more for the loop as a whole', () => {
    const r = reporter()
    const item = (label: string) => ({ item: { label } })
    r.console.itemResult(shellTask, outcome('changed', { changed: true, item: 'a' }, item('a')))
    r.console.itemResult(
      shellTask,
      outcome(
        'failed',
        {
          ansible_loop_var: 'item',
          changed: false,
          failed: true,
          item: 'b',
          msg: 'boom',
          _ansible_no_log: false
        },
        item('b')
      )
    )
    r.console.itemResult(shellTask, outcome('skipped', { skipped: true, item: 'c' }, item('c')))
    r.console.hostResult(
      shellTask,
      outcome('failed', { failed: true, msg: 'One or more items failed', results: [{}, {}, {}] })
    )
    expect(r.lines()).toEqual([
      'changed: [web1] => (item=a)',
      'failed: [web1] (item=b) => {"ansible_loop_var": "item", "changed": false, "item": "b", "msg": "boom"}',
      'skipping: [web1] => (item=c) ',
      ''
    ])
  })
})

describe('ConsoleReporter retries and notices', () => {
  it('prints the retry line as Ansible does', () => {
    const r = reporter()
    r.console.retrying(shellTask, 'web1', 2, { failed: true })
    expect(r.output()).toBe('FAILED - RETRYING: [web1]: run it (2 retries left).\n')
  })

  it('appends the attempt result at -vv', () => {
    const r = reporter({ verbosity: 2 })
    r.console.retrying(shellTask, 'web1', 1, { changed: false, rc: 1 })
    expect(r.output()).toBe(
      'FAILED - RETRYING: [web1]: run it (1 retries left).Result was: {"changed": false, "rc": 1}\n'
    )
  })

  it('prints warnings with the [WARNING] prefix', () => {
    const r = reporter()
    r.console.warning('something odd')
    expect(r.output()).toBe('[WARNING]: something odd\n')
  })
})

describe('ConsoleReporter recap', () => {
  it('prints the PLAY RECAP exactly as ansible-playbook does, hosts sorted', () => {
    const r = reporter()
    r.console.recap({
      web2: { ...emptyStats(), ok: 1, failed: 1, ignored: 12345 },
      web1: { ...emptyStats(), ok: 2, changed: 1 }
    })
    expect(r.lines()).toEqual([
      '',
      `PLAY RECAP ${'*'.repeat(69)}`,
      'web1                       : ok=2    changed=1    unreachable=0    failed=0    skipped=0    rescued=0    ignored=0   ',
      'web2                       : ok=1    changed=0    unreachable=0    failed=1    skipped=0    rescued=0    ignored=12345',
      '',
      ''
    ])
  })

  it('writes no escape codes when color is off, and colours non-zero counts when on', () => {
    const plain = reporter({ color: false })
    plain.console.recap({ web1: { ...emptyStats(), ok: 1, failed: 1 } })
    plain.console.hostResult(shellTask, outcome('changed', { changed: true }))
    expect(plain.output()).not.toContain('\x1b')

    const colored = reporter({ color: true })
    colored.console.recap({ web1: { ...emptyStats(), ok: 1, failed: 1 } })
    colored.console.hostResult(shellTask, outcome('changed', { changed: true }))
    const out = colored.output()
    expect(out).toContain('\x1b[0;32mok=1   \x1b[0m')
    expect(out).toContain('\x1b[0;31mfailed=1   \x1b[0m')
    expect(out).toContain(' changed=0    ')
    expect(out).toContain('\x1b[0;33mchanged: [web1]\x1b[0m')
    // The host is red when it failed.
    expect(out).toContain('\x1b[0;31mweb1')
  })
})
