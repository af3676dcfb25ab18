import { describe, expect, it } from 'vitest'
import { emptyStats, type HostTaskOutcome, type TaskInfo } from '../../src/executor/events.js'
import { NO_LOG_MESSAGE } from '../../src/report/censor.js'
import { ConsoleReporter, type ConsoleOptions } from '../../src/report/console-reporter.js'
import { runModuleOn } from '../helpers/module-harness.js'
import { PyFloat } from '../../src/values/py-float.js'

function reporter(options: Partial<ConsoleOptions> = {}) {
  let text = ''
  const console = new ConsoleReporter((chunk) => (text += chunk), {
    ...options,
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

  it('prints an integral float in a result as Python does (1.0), at any depth, and drops _ansible_ keys', () => {
    const r = reporter({ verbosity: 1 })
    const result = {
      changed: false,
      ratio: new PyFloat(1),
      nested: { n: [new PyFloat(1500)], _ansible_x: 1 }
    }
    r.console.hostResult(shellTask, outcome('ok', result))
    expect(r.output()).toBe(
      'ok: [web1] => {"changed": false, "nested": {"n": [1500.0]}, "ratio": 1.0}\n'
    )
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

  it('prints skipping: [h] after a skipped loop, and for an empty one', () => {
    const r = reporter()
    r.console.itemResult(
      shellTask,
      outcome('skipped', { skipped: true, item: 1 }, { item: { label: '1' } })
    )
    r.console.hostResult(
      shellTask,
      outcome('skipped', { skipped: true, changed: false, results: [{ skipped: true }] })
    )
    r.console.hostResult(
      shellTask,
      outcome('skipped', { skipped: true, changed: false, results: [] })
    )
    expect(r.lines()).toEqual([
      'skipping: [web1] => (item=1) ',
      'skipping: [web1]',
      'skipping: [web1]',
      ''
    ])
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

/** Runs the real assert module (it decides whether its result is shown in full). */
async function assertResult(args: Record<string, unknown>): Promise<Record<string, unknown>> {
  return (await runModuleOn('assert', args)).result
}

describe('ConsoleReporter results a module shows in full (assert)', () => {
  const assertTask: TaskInfo = { name: 'check', module: 'assert', noLog: false }

  it('prints a passing assert’s msg without -v, indented as Ansible', async () => {
    const r = reporter()
    r.console.hostResult(assertTask, outcome('ok', await assertResult({ that: ['1 == 1'] })))
    r.console.hostResult(
      assertTask,
      outcome('ok', await assertResult({ that: '2 > 1', success_msg: ['a', 'b'] }))
    )
    expect(r.output()).toBe(
      'ok: [web1] => {\n    "changed": false,\n    "msg": "All assertions passed"\n}\n' +
        'ok: [web1] => {\n    "changed": false,\n    "msg": [\n        "a",\n        "b"\n    ]\n}\n'
    )
  })

  it('prints a failing assert indented, and a quiet one as a one-line result', async () => {
    const r = reporter()
    r.console.hostResult(
      assertTask,
      outcome('failed', await assertResult({ that: ['1 == 2'], fail_msg: 'nope' }))
    )
    r.console.hostResult(assertTask, outcome('ok', await assertResult({ that: true, quiet: true })))
    r.console.hostResult(
      assertTask,
      outcome('failed', await assertResult({ that: '1 == 2', quiet: 'yes' }))
    )
    expect(r.lines()).toEqual([
      'fatal: [web1]: FAILED! => {',
      '    "assertion": "1 == 2",',
      '    "changed": false,',
      '    "evaluated_to": false,',
      '    "msg": "nope"',
      '}',
      'ok: [web1]',
      'fatal: [web1]: FAILED! => {"assertion": "1 == 2", "changed": false, "evaluated_to": false, "msg": "Assertion failed"}',
      ''
    ])
  })

  it('refuses messages that are neither a string nor a list of strings, in Ansible’s words', async () => {
    await expect(assertResult({ that: true, success_msg: 3 })).rejects.toThrow(
      "Incorrect type for success_msg, expected a string or list and got <class 'int'>"
    )
    await expect(assertResult({ that: true, fail_msg: ['a', 1] })).rejects.toThrow(
      'Type of one of the elements in fail_msg or msg list is not string type'
    )
  })

  it('prints a debug failure on one line, as Ansible (only its results are shown in full)', () => {
    const r = reporter()
    r.console.hostResult(
      debugTask,
      outcome('failed', {
        failed: true,
        msg: 'The task includes an option with an undefined variable.'
      })
    )
    expect(r.output()).toBe(
      'fatal: [web1]: FAILED! => {"msg": "The task includes an option with an undefined variable."}\n'
    )
  })
})

describe('ConsoleReporter warnings and exceptions of a result', () => {
  it('prints a module’s warnings above its line and leaves them out of the result shown', () => {
    const r = reporter({ verbosity: 1 })
    r.console.hostResult(
      shellTask,
      outcome('changed', { changed: true, rc: 0, warnings: ['careful', 'twice'] })
    )
    expect(r.lines()).toEqual([
      '[WARNING]: careful',
      '[WARNING]: twice',
      'changed: [web1] => {"changed": true, "rc": 0}',
      ''
    ])
  })

  it('prints the last line of an exception, or all of it at -vvv', () => {
    const result = {
      changed: false,
      failed: true,
      msg: 'MODULE FAILURE',
      exception: 'Traceback\n  here\nException: boom\n'
    }
    const r = reporter()
    r.console.hostResult(shellTask, outcome('failed', { ...result }))
    expect(r.lines()[0]).toBe(
      'An exception occurred during task execution. To see the full traceback, use -vvv. The error was: Exception: boom'
    )
    expect(r.output()).not.toContain('"exception"')
    const vvv = reporter({ verbosity: 3 })
    vvv.console.hostResult(shellTask, outcome('failed', { ...result }))
    expect(vvv.output()).toContain('The full traceback is:\nTraceback\n  here\nException: boom\n')
    expect(vvv.output()).not.toContain('"exception"')
  })
})

describe('ConsoleReporter ANSIBLE_DISPLAY_OK_HOSTS / ANSIBLE_DISPLAY_SKIPPED_HOSTS', () => {
  it('hides ok lines, and a task banner until a line is shown under it', () => {
    const r = reporter({ displayOkHosts: false })
    r.console.taskStart({ name: 'quiet', module: 'shell', noLog: false })
    r.console.hostResult(shellTask, outcome('ok', { changed: false }))
    r.console.taskStart({ name: 'loud', module: 'shell', noLog: false })
    r.console.hostResult(shellTask, outcome('ok', { changed: false }))
    r.console.hostResult(shellTask, outcome('changed', { changed: true }, { host: 'web2' }))
    r.console.hostResult(shellTask, outcome('skipped', { skipped: true }, { host: 'web3' }))
    expect(r.output()).toBe(`\nTASK [loud] ${'*'.repeat(68)}\nchanged: [web2]\nskipping: [web3]\n`)
  })

  it('hides skipped lines and skipped loop items', () => {
    const r = reporter({ displaySkippedHosts: false })
    r.console.taskStart({ name: 'maybe', module: 'shell', noLog: false })
    r.console.itemResult(shellTask, outcome('skipped', { skipped: true }, { item: { label: '1' } }))
    r.console.hostResult(shellTask, outcome('skipped', { skipped: true, results: [] }))
    expect(r.output()).toBe('')
    r.console.itemResult(shellTask, outcome('ok', { changed: false }, { item: { label: '2' } }))
    expect(r.output()).toBe(`\nTASK [maybe] ${'*'.repeat(67)}\nok: [web1] => (item=2)\n`)
  })

  it('prints every banner at once when nothing is hidden', () => {
    const r = reporter({ displayOkHosts: true, displaySkippedHosts: true })
    r.console.taskStart({ name: 'x', module: 'shell', noLog: false })
    expect(r.output()).toBe(`\nTASK [x] ${'*'.repeat(71)}\n`)
  })
})
