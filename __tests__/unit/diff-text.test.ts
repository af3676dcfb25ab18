// The text `--diff` prints for a result's `diff`, compared with what ansible-playbook's own callback code
// (CallbackBase._get_diff, run through the Python that runs ansible-playbook) makes of the same values:
// hunks as difflib finds them, headers, missing newlines, mappings as JSON, the skip notes, `prepared`.
import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { diffPieces, diffText } from '../../src/report/diff-text.js'
import { ConsoleReporter } from '../../src/report/console-reporter.js'
import type { TaskInfo } from '../../src/executor/events.js'
import { findAnsiblePlaybook } from '../helpers/ansible.js'

const ansiblePlaybook = findAnsiblePlaybook()
const required = process.env['APB_REQUIRE_ANSIBLE'] === '1'

/** The Python interpreter that runs ansible-playbook (its shebang), which can import ansible. */
function ansiblePython(): string | undefined {
  if (!ansiblePlaybook) return undefined
  const first = readFileSync(ansiblePlaybook, 'utf8').split('\n')[0] ?? ''
  const match = /^#!\s*(\S+)(?:\s+(\S+))?/.exec(first)
  if (!match) return undefined
  return match[1]!.endsWith('/env') ? match[2] : match[1]
}

/** Ansible's callback text for each diff value. */
function ansibleDiffs(values: unknown[]): string[] {
  const python = ansiblePython()
  if (!python) throw new Error('no ansible-playbook interpreter')
  const script = [
    'import json, sys',
    'from ansible.plugins.callback import CallbackBase',
    'cb = CallbackBase()',
    'print(json.dumps([cb._get_diff(v) for v in json.load(sys.stdin)]))'
  ].join('\n')
  const run = spawnSync(python, ['-c', script], {
    input: JSON.stringify(values),
    encoding: 'utf8',
    env: { PATH: process.env['PATH'], ANSIBLE_NOCOLOR: '1', HOME: process.env['HOME'] }
  })
  if (run.status !== 0) throw new Error(`python failed: ${run.stderr}`)
  return JSON.parse(run.stdout) as string[]
}

const FIXED_CASES: unknown[] = [
  { before: 'a\nb\n', after: 'a\nc', before_header: '/etc/x', after_header: '/etc/x' },
  { before: '', after: 'one\ntwo\n', after_header: 'dynamically generated' },
  { before: 'same\n', after: 'same\n' },
  { before: null, after: 'x\n' },
  {
    before: { path: '/p', state: 'absent' },
    after: { path: '/p', state: 'directory', mode: '0755' }
  },
  { before: { path: '/p', é: 'ünï' }, after: { path: '/p' } },
  { prepared: '>> Newly checked out abc\n' },
  { prepared: 'no newline' },
  [{ dst_binary: 1 }, { src_binary: 1 }, { dst_larger: 104448 }, { src_larger: 104448 }],
  [
    {
      before: 'l1\nl2\nl3\nl4\nl5\nl6\nl7\nl8\nl9\nl10\nl11\nl12\n',
      after: 'l1\nX\nl3\nl4\nl5\nl6\nl7\nl8\nl9\nl10\nY\nl12\n'
    },
    { before: 'a\r\nb\rc\n', after: 'a\nb\rc\n' }
  ],
  {
    before: 'k\n'.repeat(250) + 'end\n',
    after: 'k\n'.repeat(120) + 'mid\n' + 'k\n'.repeat(130) + 'end\n'
  },
  {}
]

describe.skipIf(!ansiblePlaybook && !required)('diff text as ansible-playbook prints it', () => {
  it('matches Ansible for headers, hunks, missing newlines, mappings, notes and prepared text', () => {
    const theirs = ansibleDiffs(FIXED_CASES)
    FIXED_CASES.forEach((value, i) => {
      expect(diffText(value), JSON.stringify(value)).toBe(theirs[i])
    })
  })

  it('finds the same hunks as difflib for arbitrary edits (property)', () => {
    // Few distinct lines, so that lines repeat and the matching is ambiguous; long texts cross
    // difflib's 200-line threshold where frequent lines stop starting matches.
    const text = fc
      .array(fc.constantFrom('a\n', 'b\n', 'c\n', 'd\n', '\n', 'e'), { maxLength: 40 })
      .map((lines) => lines.join(''))
    const long = fc
      .array(fc.constantFrom('x\n', 'x\n', 'x\n', 'y\n', 'z\n'), { minLength: 190, maxLength: 260 })
      .map((lines) => lines.join(''))
    const cases = [
      ...fc.sample(fc.record({ before: text, after: text }), 300),
      ...fc.sample(fc.record({ before: long, after: long }), 30)
    ]
    const theirs = ansibleDiffs(cases)
    cases.forEach((value, i) => {
      expect(diffText(value), JSON.stringify(value)).toBe(theirs[i])
    })
  })
})

describe('the console prints diffs as the default callback does', () => {
  const copyTask: TaskInfo = { name: 'copy it', module: 'copy', noLog: false, diff: true }
  const changed = {
    changed: true,
    diff: [{ before: 'old\n', after: 'new\n', before_header: '/etc/f', after_header: '/etc/f' }]
  }
  const run = (task: TaskInfo, options: { diff?: boolean; color?: boolean } = {}) => {
    let text = ''
    const reporter = new ConsoleReporter((chunk) => (text += chunk), {
      color: options.color ?? false,
      verbosity: 0,
      ...(options.diff ? { diff: true } : {})
    })
    reporter.hostResult(task, {
      host: 'web1',
      status: 'changed',
      ignored: false,
      result: changed,
      durationMs: 1
    })
    return text
  }

  it('before the status line, for a changed result of a task in diff mode', () => {
    expect(run(copyTask)).toBe(
      '--- before: /etc/f\n+++ after: /etc/f\n@@ -1 +1 @@\n-old\n+new\n\nchanged: [web1]\n'
    )
  })

  it('never for a no_log task, nor for a task out of diff mode without --diff', () => {
    expect(run({ ...copyTask, noLog: true })).toBe('changed: [web1]\n')
    expect(run({ ...copyTask, diff: false })).toBe('changed: [web1]\n')
    // --diff shows what a module returned even for a task whose own `diff` is false, as Ansible's strategy.
    expect(run({ ...copyTask, diff: false }, { diff: true })).toContain('+new\n')
  })

  it('paints added, removed and hunk lines in Ansible diff colours', () => {
    const pieces = diffPieces(changed.diff)
    expect(pieces.map((p) => p.paint)).toEqual([
      'remove',
      'add',
      'lines',
      'remove',
      'add',
      undefined
    ])
    const text = run(copyTask, { color: true })
    expect(text).toContain('\x1b[0;31m-old\x1b[0m\n')
    expect(text).toContain('\x1b[0;32m+new\x1b[0m\n')
    expect(text).toContain('\x1b[0;36m@@ -1 +1 @@\x1b[0m\n')
  })

  it('keeps escape sequences from a file inert', () => {
    let text = ''
    const reporter = new ConsoleReporter((chunk) => (text += chunk), { color: false, verbosity: 0 })
    reporter.hostResult(copyTask, {
      host: 'web1',
      status: 'changed',
      ignored: false,
      result: { changed: true, diff: { before: '', after: 'x\x1b]0;title\x07\n' } },
      durationMs: 1
    })
    expect(text).not.toContain('\x1b')
    expect(text).not.toContain('\x07')
  })
})
