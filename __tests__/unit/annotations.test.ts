import * as core from '@actions/core'
import { afterEach, describe, expect, it, vi } from 'vitest'
import type { HostStatus } from '../../src/executor/events.js'
import {
  buildAnnotations,
  formatAnnotationCommand,
  type Annotation
} from '../../src/report/annotations.js'
import type {
  HostResultEntry,
  ResultsDocument,
  TaskEntry
} from '../../src/report/results-document.js'

function entry(
  status: HostStatus,
  result: Record<string, unknown> = {},
  ignored = false
): HostResultEntry {
  return {
    status,
    started_at: '2023-11-14T22:13:20.000Z',
    duration_ms: 10,
    result,
    ...(ignored ? { ignored: true } : {})
  }
}

function task(name: string, line: number, results: Record<string, HostResultEntry>): TaskEntry {
  return { name, module: 'command', file: 'deploy.yml', line, results }
}

function documentOf(...tasks: TaskEntry[]): ResultsDocument {
  return { ok: false, stats: {}, plays: [{ name: 'Deploy', tasks }], jobs: {} }
}

const failed = (msg: string, rc = 1, stderr = '') =>
  entry('failed', { msg, rc, stderr, stdout: '', failed: true })

describe('buildAnnotations', () => {
  it('says why an include failed from its `reason` (an include result has no msg)', () => {
    const doc = documentOf(
      task('include_tasks', 4, {
        web1: entry('failed', {
          failed: true,
          reason: "site.yml:4: 'include_tasks: nope.yml' cannot be read: it could not be found"
        })
      })
    )
    const [annotation] = buildAnnotations(doc, { inlinePlaybook: false })
    expect(annotation).toMatchObject({ level: 'error', file: 'deploy.yml', line: 4 })
    expect(annotation!.message).toBe(
      "web1: site.yml:4: 'include_tasks: nope.yml' cannot be read: it could not be found"
    )
  })

  it('makes one error per failed task, at its line, naming each host with its msg and rc', () => {
    const doc = documentOf(
      task('ping', 3, { web1: entry('ok'), web2: entry('ok') }),
      task('migrate', 7, {
        web1: failed('non-zero return code', 2, 'psql: relation "users" does not exist\n'),
        web2: failed('non-zero return code', 2, 'psql: relation "users" does not exist\n'),
        web3: entry('changed')
      })
    )
    expect(buildAnnotations(doc, { inlinePlaybook: false })).toEqual([
      {
        level: 'error',
        title: 'Task failed: migrate',
        file: 'deploy.yml',
        line: 7,
        message:
          'web1: non-zero return code (rc=2): psql: relation "users" does not exist\n' +
          'web2: non-zero return code (rc=2): psql: relation "users" does not exist'
      }
    ])
  })

  it('reports unreachable hosts as errors too', () => {
    const doc = documentOf(
      task('gather facts', 2, {
        db1: entry('unreachable', {
          unreachable: true,
          msg: 'ssh: connect to host db1: Connection refused'
        })
      }),
      task('deploy', 5, {
        web1: failed('boom'),
        db1: entry('unreachable', { unreachable: true, msg: 'Connection reset' })
      })
    )
    const annotations = buildAnnotations(doc, { inlinePlaybook: false })
    expect(annotations.map((a) => [a.level, a.title, a.message])).toEqual([
      [
        'error',
        'Task unreachable: gather facts',
        'db1: unreachable: ssh: connect to host db1: Connection refused'
      ],
      ['error', 'Task failed: deploy', 'web1: boom (rc=1)\ndb1: unreachable: Connection reset']
    ])
  })

  it('makes a warning for a task whose failure was ignored', () => {
    const doc = documentOf(
      task('optional cleanup', 11, {
        web1: entry(
          'failed',
          { msg: 'non-zero return code', rc: 1, stderr: 'rm: cannot remove' },
          true
        ),
        web2: entry('ok')
      })
    )
    expect(buildAnnotations(doc, { inlinePlaybook: false })).toEqual([
      {
        level: 'warning',
        title: 'Task failed (ignored): optional cleanup',
        file: 'deploy.yml',
        line: 11,
        message: 'web1: non-zero return code (rc=1): rm: cannot remove'
      }
    ])
  })

  it('leaves out file and line for an inline playbook or a task without a file', () => {
    const doc = documentOf(task('migrate', 7, { web1: failed('boom') }), {
      name: 'no file',
      module: 'shell',
      results: { web1: failed('bang') }
    })
    const inline = buildAnnotations(doc, { inlinePlaybook: true })
    expect(inline.map((a) => [a.file, a.line])).toEqual([
      [undefined, undefined],
      [undefined, undefined]
    ])
    expect(formatAnnotationCommand(inline[0]!)).toBe(
      '::error title=Task failed%3A migrate::web1: boom (rc=1)'
    )
    const fromFile = buildAnnotations(doc, { inlinePlaybook: false })
    expect(fromFile[1]).not.toHaveProperty('file')
  })

  it('keeps 10 errors for 25 failed tasks, the 10th counting the 16 left out', () => {
    const tasks = Array.from({ length: 25 }, (_, i) =>
      task(`step ${i + 1}`, i + 2, { web1: failed('boom') })
    )
    const annotations = buildAnnotations(documentOf(...tasks), { inlinePlaybook: false })
    expect(annotations).toHaveLength(10)
    expect(annotations.slice(0, 9).map((a) => a.title)).toEqual(
      Array.from({ length: 9 }, (_, i) => `Task failed: step ${i + 1}`)
    )
    expect(annotations[9]).toEqual({
      level: 'error',
      title: '16 more failed tasks',
      message: '… and 16 more failed tasks: see the job summary'
    })
  })

  it('limits errors and warnings separately, and adds no aggregate at exactly the limit', () => {
    const tasks = [
      ...Array.from({ length: 10 }, (_, i) => task(`fail ${i}`, i + 2, { web1: failed('boom') })),
      ...Array.from({ length: 12 }, (_, i) =>
        task(`ignored ${i}`, i + 20, { web1: entry('failed', { msg: 'meh' }, true) })
      )
    ]
    const annotations = buildAnnotations(documentOf(...tasks), { inlinePlaybook: false })
    const errors = annotations.filter((a) => a.level === 'error')
    const warnings = annotations.filter((a) => a.level === 'warning')
    expect(errors.map((a) => a.title)).toEqual(
      Array.from({ length: 10 }, (_, i) => `Task failed: fail ${i}`)
    )
    expect(warnings).toHaveLength(10)
    expect(warnings[9]!.message).toBe(
      '… and 3 more tasks with ignored failures: see the job summary'
    )
  })

  it('honours a smaller maxPerLevel, down to a lone aggregate', () => {
    const tasks = Array.from({ length: 4 }, (_, i) =>
      task(`t${i}`, i + 2, { web1: failed('boom') })
    )
    expect(
      buildAnnotations(documentOf(...tasks), { inlinePlaybook: false, maxPerLevel: 3 }).map(
        (a) => a.message
      )
    ).toEqual([
      'web1: boom (rc=1)',
      'web1: boom (rc=1)',
      '… and 2 more failed tasks: see the job summary'
    ])
    expect(
      buildAnnotations(documentOf(...tasks), { inlinePlaybook: false, maxPerLevel: 1 })
    ).toEqual([
      {
        level: 'error',
        title: '4 more failed tasks',
        message: '4 failed tasks: see the job summary'
      }
    ])
    expect(
      buildAnnotations(documentOf(...tasks), { inlinePlaybook: false, maxPerLevel: 0 })
    ).toEqual([])
  })

  it('keeps messages short: 500 characters per host, 20 hosts, one line each', () => {
    const results: Record<string, HostResultEntry> = {}
    for (let i = 0; i < 25; i++)
      results[`web${i}`] = failed(`line one\nline two ${'x'.repeat(2000)}`)
    const [annotation] = buildAnnotations(documentOf(task('big', 2, results)), {
      inlinePlaybook: false
    })
    const lines = annotation!.message.split('\n')
    expect(lines).toHaveLength(21)
    expect(lines[0]!.startsWith('web0: line one line two xxx')).toBe(true)
    expect(lines[0]!.length).toBeLessThanOrEqual('web0: '.length + 500)
    expect(lines[0]!.endsWith('…')).toBe(true)
    expect(lines[20]).toBe('… and 5 more hosts')
  })

  it('takes rc and stderr from the failed item of a loop', () => {
    const doc = documentOf(
      task('loop', 4, {
        web1: entry('failed', {
          msg: 'One or more items failed',
          results: [
            { item: 'a', rc: 0, stderr: '', failed: false },
            { item: 'b', rc: 5, stderr: 'b is broken\n', failed: true }
          ]
        })
      })
    )
    expect(buildAnnotations(doc, { inlinePlaybook: false })[0]!.message).toBe(
      'web1: One or more items failed (rc=5): b is broken'
    )
  })

  it('says why a loop item failed when it printed nothing, and why an item was unreachable', () => {
    const doc = documentOf(
      task('loop', 4, {
        web1: entry('failed', {
          msg: 'One or more items failed',
          results: [
            { item: 'a', failed: false, msg: 'ok' },
            { item: 'b', failed: true, msg: 'b is not allowed' }
          ]
        }),
        web2: entry('unreachable', {
          msg: 'All items completed',
          unreachable: true,
          results: [
            { item: 0, changed: true },
            { item: 1, unreachable: true, msg: 'Failed to connect to the host via ssh: timed out' }
          ]
        })
      })
    )
    const messages = buildAnnotations(doc, { inlinePlaybook: false }).map((a) => a.message)
    expect(messages.join('\n')).toContain('web1: One or more items failed: b is not allowed')
    expect(messages.join('\n')).toContain(
      'web2: unreachable: Failed to connect to the host via ssh: timed out'
    )
  })

  it('never throws on a malformed document', () => {
    const malformed: unknown[] = [
      null,
      {},
      { plays: 'x' },
      { plays: [null, { tasks: [null, { results: null }, { results: { web1: null } }] }] },
      {
        plays: [
          { tasks: [{ name: { x: 1 }, results: { web1: { status: 'failed', result: 'str' } } }] }
        ]
      }
    ]
    for (const doc of malformed)
      expect(() =>
        buildAnnotations(doc as ResultsDocument, { inlinePlaybook: false })
      ).not.toThrow()
    const throwing = documentOf(task('ok', 2, { web1: failed('boom') }))
    Object.defineProperty(throwing.plays[0]!.tasks, 1, {
      get() {
        throw new Error('boom')
      }
    })
    ;(throwing.plays[0]!.tasks as unknown[]).length = 2
    expect(buildAnnotations(throwing, { inlinePlaybook: false })).toHaveLength(1)
  })
})

describe('formatAnnotationCommand', () => {
  afterEach(() => {
    vi.restoreAllMocks()
  })

  it('writes the workflow command with file, line and title', () => {
    expect(
      formatAnnotationCommand({
        level: 'error',
        file: 'deploy.yml',
        line: 7,
        title: 'Task failed: migrate',
        message: 'message'
      })
    ).toBe('::error file=deploy.yml,line=7,title=Task failed%3A migrate::message')
  })

  it("escapes data and properties as GitHub's runner expects", () => {
    expect(
      formatAnnotationCommand({
        level: 'warning',
        file: 'dir,1/a:b%.yml',
        title: '100% done, ok: yes\r\nnext',
        message: 'web1: 50% of 2:1, done\r\nweb2: ::error::nope'
      })
    ).toBe(
      '::warning file=dir%2C1/a%3Ab%25.yml,title=100%25 done%2C ok%3A yes%0D%0Anext::' +
        'web1: 50%25 of 2:1, done%0D%0Aweb2: ::error::nope'
    )
  })

  it('writes no properties when there are none, and leaves out empty ones', () => {
    expect(formatAnnotationCommand({ level: 'notice', message: 'hi' })).toBe('::notice::hi')
    expect(
      formatAnnotationCommand({ level: 'error', message: 'm', title: '', file: 'a.yml' })
    ).toBe('::error file=a.yml::m')
  })

  it('matches what @actions/core prints, property by property', () => {
    const written: string[] = []
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      written.push(String(chunk))
      return true
    })
    const annotations: Annotation[] = [
      { level: 'error', file: 'a,b:c.yml', line: 12, title: 'T: 100%, x\ny', message: 'm%\r\n:,' },
      { level: 'warning', title: 'only title', message: 'line1\nline2' },
      { level: 'notice', message: 'plain' }
    ]
    for (const a of annotations) {
      const props = { title: a.title, file: a.file, startLine: a.line }
      if (a.level === 'error') core.error(a.message, props)
      else if (a.level === 'warning') core.warning(a.message, props)
      else core.notice(a.message, props)
    }
    vi.restoreAllMocks()
    const parse = (command: string) => {
      const m = /^::(\w+)(?: ([^:]*))?::(.*)$/s.exec(command.trim())!
      return { level: m[1], props: new Set((m[2] ?? '').split(',').filter(Boolean)), data: m[3] }
    }
    expect(annotations.map((a) => parse(formatAnnotationCommand(a)))).toEqual(written.map(parse))
  })
})

describe('formatAnnotationCommand with a column', () => {
  it('writes file, line and col before the title, and no col without a line', () => {
    expect(
      formatAnnotationCommand({
        level: 'error',
        file: 'site.yml',
        line: 6,
        col: 5,
        title: 'YAML syntax error',
        message: 'bad indentation'
      })
    ).toBe('::error file=site.yml,line=6,col=5,title=YAML syntax error::bad indentation')
    expect(formatAnnotationCommand({ level: 'error', file: 'a.yml', col: 5, message: 'm' })).toBe(
      '::error file=a.yml::m'
    )
  })
})
