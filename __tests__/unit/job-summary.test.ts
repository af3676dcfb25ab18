import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { HostStats, HostStatus } from '../../src/executor/events.js'
import { formatTimestamp } from '../../src/modules/command-runner.js'
import {
  MAX_GANTT_BARS,
  SUMMARY_TRUNCATED_NOTE,
  renderJobSummary
} from '../../src/report/job-summary.js'
import type {
  HostResultEntry,
  ResultsDocument,
  TaskEntry
} from '../../src/report/results-document.js'

const T0 = 1_700_000_000_000
const NOW = T0 + 60_000

function stats(partial: Partial<HostStats> = {}): HostStats {
  return {
    ok: 0,
    changed: 0,
    failed: 0,
    unreachable: 0,
    skipped: 0,
    rescued: 0,
    ignored: 0,
    ...partial
  }
}

function result(
  status: HostStatus,
  startOffsetMs: number,
  durationMs: number,
  registered: Record<string, unknown> = {},
  extra: Partial<HostResultEntry> = {}
): HostResultEntry {
  return {
    status,
    started_at: new Date(T0 + startOffsetMs).toISOString(),
    duration_ms: durationMs,
    result: registered,
    ...extra
  }
}

function task(
  name: string,
  module: string,
  line: number,
  results: Record<string, HostResultEntry>
): TaskEntry {
  return { name, module, file: 'deploy.yml', line, results }
}

/** Job times as the engine records them (async_status `start`/`end`). */
const jobTime = (offsetMs: number): string => formatTimestamp(new Date(T0 + offsetMs))

const STDERR = Array.from({ length: 50 }, (_, i) => `error line ${i + 1}`).join('\n') + '\n'

/** Two plays, three hosts: sync, async launched + gathered, async still running, failures. */
function deployDocument(): ResultsDocument {
  return {
    ok: false,
    stats: {
      web1: stats({ ok: 4, changed: 2, failed: 1, skipped: 1 }),
      web2: stats({ ok: 4, changed: 1, ignored: 1 }),
      db1: stats({ ok: 1, unreachable: 1 })
    },
    plays: [
      {
        name: 'Deploy',
        file: 'deploy.yml',
        line: 1,
        tasks: [
          task('Check connectivity', 'ping', 5, {
            web1: result('ok', 0, 800, { ping: 'pong' }),
            web2: result('ok', 0, 900, { ping: 'pong' }),
            db1: result('unreachable', 0, 10_000, {
              unreachable: true,
              msg: 'ssh: connect to host db1 port 22: Connection refused'
            })
          }),
          task('Build assets', 'shell', 9, {
            web1: result('changed', 1000, 200, {
              ansible_job_id: 'j100000000001.1',
              finished: 0,
              started: 1,
              results_file: '/home/u/.ansible_async/j100000000001.1'
            }),
            web2: result('changed', 1000, 300, {
              ansible_job_id: 'j100000000002.2',
              finished: 0,
              started: 1,
              results_file: '/home/u/.ansible_async/j100000000002.2'
            })
          }),
          task('Migrate database', 'command', 14, {
            web1: result('failed', 1300, 2100, {
              rc: 3,
              msg: 'non-zero return code',
              stderr: STDERR,
              stdout: 'migrating...'
            }),
            web2: result('skipped', 1300, 0, { skipped: true })
          }),
          task('Optional cleanup', 'shell', 18, {
            web2: result(
              'failed',
              1500,
              100,
              { rc: 1, msg: 'non-zero return code', stderr: '', stdout: 'nothing to clean\n' },
              { ignored: true }
            )
          })
        ]
      },
      {
        name: 'Finish',
        tasks: [
          task('Wait for build', 'async_status', 30, {
            web1: result('changed', 4000, 5000, {
              ansible_job_id: 'j100000000001.1',
              finished: 1,
              rc: 0,
              start: jobTime(1100),
              end: jobTime(8000)
            })
          })
        ]
      }
    ],
    jobs: {
      web2: {
        build: {
          ansible_job_id: 'j100000000002.2',
          results_file: '/home/u/.ansible_async/j100000000002.2',
          task: 'Build assets',
          file: 'deploy.yml',
          line: 9,
          launched_at: new Date(T0 + 1000).toISOString(),
          async: 600,
          dir: '/home/u/.ansible_async'
        }
      }
    }
  }
}

const render = (doc: ResultsDocument, options: Parameters<typeof renderJobSummary>[1] = {}) =>
  renderJobSummary(doc, { now: NOW, ...options })

function lines(markdown: string): string[] {
  return markdown.split('\n')
}

function mermaidBlocks(markdown: string): string[][] {
  const blocks: string[][] = []
  let current: string[] | undefined
  for (const line of lines(markdown)) {
    if (line === '```mermaid') current = []
    else if (current && line === '```') {
      blocks.push(current)
      current = undefined
    } else current?.push(line)
  }
  return blocks
}

const BAR = /^ {2}([^:#;\n]+) :((?:crit|done|active), )*t\d+, (\d+), (\d+)$/

function bytes(text: string): number {
  return Buffer.byteLength(text, 'utf8')
}

describe('renderJobSummary: outcome and recap', () => {
  it('heads a failed run with ❌ and lists every host in the recap table', () => {
    const md = render(deployDocument(), { title: 'Deploy to staging' })
    expect(lines(md)[0]).toBe('## ❌ Deploy to staging: failed')
    expect(md).toContain(
      '| Host | ok | changed | unreachable | failed | skipped | rescued | ignored |'
    )
    expect(lines(md)).toContain('| ❌ web1 | 4 | 2 | 0 | 1 | 1 | 0 | 0 |')
    expect(lines(md)).toContain('| ✅ web2 | 4 | 1 | 0 | 0 | 0 | 0 | 1 |')
    expect(lines(md)).toContain('| ❌ db1 | 1 | 0 | 1 | 0 | 0 | 0 | 0 |')
  })

  it('heads a successful run with ✅ and has no failures or jobs sections', () => {
    const md = render({
      ok: true,
      stats: { web1: stats({ ok: 1 }) },
      plays: [{ name: 'p', tasks: [task('t', 'ping', 2, { web1: result('ok', 0, 100) })] }],
      jobs: {}
    })
    expect(lines(md)[0]).toBe('## ✅ async-playbook: succeeded')
    expect(md).not.toContain('### Failures')
    expect(md).not.toContain('still running')
    expect(md).not.toContain(SUMMARY_TRUNCATED_NOTE)
  })
})

describe('renderJobSummary: task × host matrix', () => {
  it('has one row per task and one column per inventory host, with status, word and duration', () => {
    const md = render(deployDocument())
    expect(md).toContain('| Task | web1 | web2 | db1 |')
    const row = (name: string) => lines(md).find((l) => l.startsWith(`| ${name}`))
    expect(row('Deploy › Check connectivity <sub>deploy.yml:5</sub>')).toBe(
      '| Deploy › Check connectivity <sub>deploy.yml:5</sub> | ✅ ok 0.8s | ✅ ok 0.9s | 🔌 unreachable 10.0s |'
    )
    expect(row('Deploy › Build assets')).toBe(
      '| Deploy › Build assets <sub>deploy.yml:9</sub> | 🚀 launched 0.2s | 🚀 launched 0.3s | · |'
    )
    expect(row('Deploy › Migrate database')).toBe(
      '| Deploy › Migrate database <sub>deploy.yml:14</sub> | ❌ failed 2.1s | ⏭️ skipped | · |'
    )
    expect(row('Deploy › Optional cleanup')).toBe(
      '| Deploy › Optional cleanup <sub>deploy.yml:18</sub> | · | ⚠️ ignored 0.1s | · |'
    )
    expect(row('Finish › Wait for build')).toBe(
      '| Finish › Wait for build <sub>deploy.yml:30</sub> | 🟡 changed 5.0s | · | · |'
    )
  })

  it('keeps pipes, newlines and HTML in names from breaking the table', () => {
    const doc: ResultsDocument = {
      ok: true,
      stats: { 'a|b': stats({ ok: 1 }) },
      plays: [
        {
          name: 'p',
          tasks: [
            task('echo a | grep b\nsecond line <b>', 'shell', 2, { 'a|b': result('ok', 0, 1) })
          ]
        }
      ],
      jobs: {}
    }
    const md = render(doc)
    expect(md).toContain('| Task | a\\|b |')
    const row = lines(md).find((l) => l.startsWith('| p › echo'))
    expect(row).toBe(
      '| p › echo a \\| grep b second line &lt;b&gt; <sub>deploy.yml:2</sub> | ✅ ok 0.0s |'
    )
  })
})

describe('renderJobSummary: failures', () => {
  it('adds a details block per failed or unreachable task × host with msg, rc and the last 20 stderr lines', () => {
    const md = render(deployDocument())
    expect(md).toContain('### Failures (2, and 1 ignored)')
    const migrate = md.slice(
      md.indexOf('<details><summary>❌ <b>web1</b> failed: Deploy › Migrate')
    )
    const block = migrate.slice(0, migrate.indexOf('</details>') + '</details>'.length)
    expect(block).toContain('(deploy.yml:14) — rc=3 — non-zero return code</summary>')
    expect(block).toContain('stderr (last 20 lines):')
    expect(block).toContain('error line 31\n')
    expect(block).toContain('error line 50\n```')
    expect(block).not.toContain('error line 30\n')
    expect(block).not.toContain('migrating')
    expect(md).toContain(
      '<details><summary>🔌 <b>db1</b> unreachable: Deploy › Check connectivity (deploy.yml:5) — ssh: connect to host db1 port 22: Connection refused</summary>'
    )
  })

  it('shows stdout when stderr is empty, and marks ignored failures', () => {
    const md = render(deployDocument())
    const start = md.indexOf(
      '<details><summary>⚠️ <b>web2</b> failed (ignored): Deploy › Optional cleanup'
    )
    expect(start).toBeGreaterThan(0)
    const block = md.slice(start, md.indexOf('</details>', start))
    expect(block).toContain('stdout:\n\n```text\nnothing to clean\n```')
  })

  it('fences output with more backticks than it contains and escapes the summary line', () => {
    const doc = deployDocument()
    const migrate = doc.plays[0]!.tasks[2]!.results['web1']!
    migrate.result['stderr'] = 'before\n```\n`````\n</details>\n<script>x</script>\nafter'
    migrate.result['msg'] = 'bad </summary></details> <b>x</b>'
    const md = render(doc)
    expect(md).toContain('— bad &lt;/summary&gt;&lt;/details&gt; &lt;b&gt;x&lt;/b&gt;</summary>')
    expect(md).toContain(
      '``````text\nbefore\n```\n`````\n</details>\n<script>x</script>\nafter\n``````'
    )
  })

  it('masks the texts it is given (what Ansible Vault decrypted) in every part, as the log masks them', () => {
    // The summary is also the pull-request comment, which GitHub's log masking never sees.
    const doc = deployDocument()
    const migrate = doc.plays[0]!.tasks[2]!.results['web1']!
    migrate.result['stderr'] = 'connecting as app:Vau1t_S3cret@db\nfailed\n'
    migrate.result['msg'] = 'login Vau1t_S3cret refused'
    const md = renderJobSummary(doc, { now: NOW, secrets: ['Vau1t_S3cret'] })
    expect(md).not.toContain('Vau1t')
    expect(md).toContain('connecting as app:***@db')
    const plan = renderJobSummary(doc, { now: NOW, plan: true, secrets: ['Vau1t_S3cret'] })
    expect(plan).not.toContain('Vau1t')
    // A number among the secrets (a vaulted PIN, a port) leaves the times the timeline reads alone.
    expect(
      renderJobSummary(doc, { now: NOW, secrets: [String(new Date(T0).getUTCFullYear())] })
    ).toBe(renderJobSummary(doc, { now: NOW }))
  })

  it('strips terminal escapes and keeps what a terminal shows of carriage-return progress lines', () => {
    const doc = deployDocument()
    doc.plays[0]!.tasks[2]!.results['web1']!.result['stderr'] =
      'progress 10%\rprogress 100%\r\n\u001b[31mred error\u001b[0m\n'
    const md = render(doc)
    expect(md).toContain('```text\nprogress 100%\nred error\n```')
  })
})

describe('renderJobSummary: jobs still running', () => {
  it('lists each job with host, key, task, jid, launch time and budget, and how to gather them', () => {
    const md = render(deployDocument(), {
      gatherCommand: 'async-playbook --jobs results.json -i inventory.ini'
    })
    expect(md).toContain('### ⏳ Background jobs still running (1)')
    expect(md).toContain('| Host | Key | Task | Job id | Launched | Async budget |')
    expect(lines(md)).toContain(
      '| web2 | `build` | Build assets <sub>deploy.yml:9</sub> | `j100000000002.2` | 2023-11-14 22:13:21 UTC | 10m 00s |'
    )
    expect(md).toContain(
      'Gather them later with:\n\n```\nasync-playbook --jobs results.json -i inventory.ini\n```'
    )
    expect(lines(md)[2]).toBe('3 hosts · 5 tasks · 2 hosts failed · 1 background job still running')
  })

  it('explains how to gather without a command', () => {
    const md = render(deployDocument())
    expect(md).toContain("handing this run's results document to a new run")
  })
})

describe('renderJobSummary: a cancelled run', () => {
  /** Cancelled while `Deploy` ran on web1 and web2: web2 had reported, web1 had not; db1 had failed. */
  function cancelledDocument(): ResultsDocument {
    return {
      ok: false,
      cancelled: true,
      stats: {
        web1: stats({ ok: 1, changed: 1 }),
        web2: stats({ ok: 2, changed: 2 }),
        db1: stats({ unreachable: 1 })
      },
      plays: [
        {
          name: 'site',
          tasks: [
            task('Build', 'shell', 5, {
              web1: result('changed', 0, 100, { ansible_job_id: 'j1.1', finished: 0 }),
              web2: result('changed', 0, 100),
              db1: result('unreachable', 0, 100, { unreachable: true, msg: 'refused' })
            }),
            task('Deploy', 'shell', 9, { web2: result('changed', 200, 100) })
          ]
        }
      ],
      jobs: {
        web1: {
          build: {
            ansible_job_id: 'j1.1',
            task: 'Build',
            launched_at: new Date(T0).toISOString(),
            async: 600
          }
        }
      }
    }
  }

  it('is headed cancelled, and no host that did not finish is shown as done', () => {
    const md = render(cancelledDocument(), { gatherCommand: 'jobs: x' })
    expect(lines(md)[0]).toBe('## ⏹️ async-playbook: cancelled')
    expect(lines(md)[2]).toBe(
      '3 hosts · 2 tasks · 1 host failed · 2 hosts did not finish · 1 background job still running'
    )
    expect(md).not.toContain('✅')
    expect(lines(md)).toContain('| ⏹️ web1 | 1 | 1 | 0 | 0 | 0 | 0 | 0 |')
    expect(lines(md)).toContain('| ⏹️ web2 | 2 | 2 | 0 | 0 | 0 | 0 | 0 |')
    expect(lines(md)).toContain('| ❌ db1 | 0 | 0 | 1 | 0 | 0 | 0 | 0 |')
    expect(md).toContain('⏹️ The run was cancelled before this host finished.')
    // The task it was running on web1 is marked cut short; db1 was out already.
    expect(lines(md)).toContain(
      '| site › Deploy <sub>deploy.yml:9</sub> | ⏹️ cancelled | 🟡 changed 0.1s | · |'
    )
    // Without on-cancel: kill the jobs run on and can be gathered.
    expect(md).toContain('### ⏳ Background jobs still running (1)')
    expect(md).toContain('Gather them later with:')
  })

  it('says the jobs are stopped by the post step with on-cancel: kill, instead of how to gather them', () => {
    const md = render(cancelledDocument(), { gatherCommand: 'jobs: x', jobsStopped: true })
    expect(md).toContain('### ⏹️ Background jobs stopped (1)')
    expect(md).toContain('`on-cancel: kill`: the post step of this action stops these jobs')
    expect(md).not.toContain('Gather them later')
    expect(md).not.toContain('still running')
    expect(lines(md)[2]).toContain('1 background job stopped by the post step')
  })

  it('keeps saying cancelled in the fallback summary', () => {
    const doc = cancelledDocument()
    Object.defineProperty(doc, 'plays', {
      get() {
        throw new Error('boom')
      }
    })
    const md = render(doc)
    expect(lines(md)[0]).toBe('## ⏹️ async-playbook: cancelled')
    expect(md).not.toContain('✅')
  })
})

describe('renderJobSummary: Mermaid timeline', () => {
  it('draws one gantt per host with a section per kind of bar', () => {
    const md = render(deployDocument())
    const charts = mermaidBlocks(md)
    expect(charts).toHaveLength(3)
    const web1 = charts.find((c) => c.includes('  title web1'))!
    expect(web1.slice(0, 5)).toEqual([
      'gantt',
      '  title web1',
      '  dateFormat x',
      '  axisFormat %M:%S',
      '  todayMarker off'
    ])
    expect(web1.filter((l) => l.startsWith('  section '))).toEqual([
      '  section Tasks',
      '  section Async jobs'
    ])
    for (const chart of charts) {
      for (const line of chart.slice(5)) {
        if (line.startsWith('  section ')) continue
        expect(line).toMatch(BAR)
        const [, , , start, end] = BAR.exec(line)!
        expect(Number(end)).toBeGreaterThanOrEqual(Number(start))
      }
    }
    expect(web1).toContain('  Check connectivity :done, t1, 1700000000000, 1700000000800')
    expect(web1).toContain('  Migrate database :crit, done, t3, 1700000001300, 1700000003400')
  })

  it('draws a gathered job from its launch for as long as it ran, and a running one up to now', () => {
    const md = render(deployDocument())
    const [web1, web2] = ['web1', 'web2'].map((host) =>
      mermaidBlocks(md).find((c) => c.includes(`  title ${host}`))!
    )
    const asyncPart = (chart: string[]) => chart.slice(chart.indexOf('  section Async jobs') + 1)
    // Launched at +1000, ran 6.9 s by the target's clock (start +1100, end +8000).
    expect(asyncPart(web1!)).toEqual(['  Build assets :done, t5, 1700000001000, 1700000007900'])
    expect(asyncPart(web2!)).toEqual([
      `  Build assets (running) :active, t4, 1700000001000, ${NOW}`
    ])
    expect(web2).toContain('  section Tasks')
    expect(web2).toContain('  Optional cleanup :done, t3, 1700000001500, 1700000001600')
  })

  it('never draws a job past the moment its end was observed', () => {
    const doc = deployDocument()
    const gather = doc.plays[1]!.tasks[0]!.results['web1']!
    gather.result['end'] = jobTime(1_000_000) // a target clock far ahead
    const web1 = mermaidBlocks(render(doc)).find((c) => c.includes('  title web1'))!
    expect(web1).toContain('  Build assets :done, t5, 1700000001000, 1700000009000')
  })

  it('makes task names safe for Mermaid', () => {
    const doc: ResultsDocument = {
      ok: true,
      stats: { web1: stats({ ok: 2 }) },
      plays: [
        {
          name: 'p',
          tasks: [
            task('step: one; two # three\nfour %% `x`', 'shell', 2, { web1: result('ok', 0, 10) }),
            task('section evil', 'shell', 3, { web1: result('ok', 10, 10) })
          ]
        }
      ],
      jobs: {}
    }
    const [chart] = mermaidBlocks(render(doc))
    expect(chart).toContain('  step one two three four x :done, t1, 1700000000000, 1700000000010')
    expect(chart).toContain('  › section evil :done, t2, 1700000000010, 1700000000020')
    expect(chart!.filter((l) => l.startsWith('  section '))).toEqual(['  section Tasks'])
  })

  it(`caps a chart at ${MAX_GANTT_BARS} bars, keeping the longest, with a note`, () => {
    const tasks = Array.from({ length: 120 }, (_, i) =>
      task(`task ${i}`, 'shell', i + 2, { web1: result('ok', i * 1000, i) })
    )
    const md = render({
      ok: true,
      stats: { web1: stats({ ok: 120 }) },
      plays: [{ name: 'p', tasks }],
      jobs: {}
    })
    const [chart] = mermaidBlocks(md)
    expect(chart!.filter((l) => BAR.test(l))).toHaveLength(MAX_GANTT_BARS)
    expect(chart).toContain('  task 119 :done, t50, 1700000119000, 1700000119119')
    expect(chart!.some((l) => l.startsWith('  task 69 '))).toBe(false)
    expect(md).toContain(`_web1: showing the ${MAX_GANTT_BARS} longest of 120 bars._`)
  })
})

describe('renderJobSummary: size limit', () => {
  function bigDocument(tasks: number, stderrLines: number): ResultsDocument {
    const stderr = Array.from({ length: stderrLines }, (_, i) => `E${i} ${'x'.repeat(150)}`).join(
      '\n'
    )
    return {
      ok: false,
      stats: { web1: stats({ failed: tasks }), web2: stats({ failed: tasks }) },
      plays: [
        {
          name: 'p',
          tasks: Array.from({ length: tasks }, (_, i) =>
            task(`task ${i}`, 'shell', i + 2, {
              web1: result('failed', i, 5, { rc: 1, msg: 'non-zero return code', stderr }),
              web2: result('failed', i, 5, { rc: 1, msg: 'non-zero return code', stderr })
            })
          )
        }
      ],
      jobs: {}
    }
  }

  it('drops output tails first, keeping every matrix row, and says so', () => {
    const doc = bigDocument(40, 20)
    expect(bytes(render(doc))).toBeGreaterThan(100_000)
    const md = render(doc, { maxBytes: 100_000 })
    expect(bytes(md)).toBeLessThanOrEqual(100_000)
    expect(md).toContain(SUMMARY_TRUNCATED_NOTE)
    expect(md).not.toContain('(last 20 lines)')
    expect(md).toContain(
      '| p › task 39 <sub>deploy.yml:41</sub> | ❌ failed 0.0s | ❌ failed 0.0s |'
    )
    expect(md).toContain('```mermaid')
  })

  it('then leaves out matrix rows, then the timeline, but keeps the recap and the jobs to gather', () => {
    const doc = bigDocument(3000, 2)
    doc.jobs = {
      web1: {
        build: {
          ansible_job_id: 'j1.1',
          task: 'build',
          launched_at: new Date(T0).toISOString(),
          async: 60
        }
      }
    }
    const rowsTrimmed = render(doc, { maxBytes: 40_000 })
    expect(bytes(rowsTrimmed)).toBeLessThanOrEqual(40_000)
    expect(rowsTrimmed).toContain('_… and 2800 more tasks: see the results file._')
    expect(rowsTrimmed).toContain('```mermaid')

    const ganttDropped = render(doc, { maxBytes: 30_000 })
    expect(bytes(ganttDropped)).toBeLessThanOrEqual(30_000)
    expect(ganttDropped).not.toContain('```mermaid')

    for (const md of [rowsTrimmed, ganttDropped]) {
      expect(md.endsWith(`> ${SUMMARY_TRUNCATED_NOTE}\n`)).toBe(true)
      expect(lines(md)).toContain('| ❌ web1 | 0 | 0 | 0 | 3000 | 0 | 0 | 0 |')
      expect(md).toContain('| web1 | `build` | build | `j1.1` |')
    }
  })

  it('stays within even a tiny limit, on a character boundary', () => {
    const doc = deployDocument()
    doc.stats['ホスト🚀'.repeat(50)] = stats({ ok: 1 })
    for (const maxBytes of [0, 10, 87, 200, 1000]) {
      const md = render(doc, { maxBytes })
      expect(bytes(md)).toBeLessThanOrEqual(maxBytes)
      expect(Buffer.from(md, 'utf8').toString('utf8')).toBe(md)
      expect(md).not.toContain('\uFFFD')
    }
  })
})

describe('renderJobSummary: hostile documents', () => {
  it('survives huge output, backticks, pipes, </details>, unicode and empty plays', () => {
    const doc = deployDocument()
    const web1 = doc.plays[0]!.tasks[2]!.results['web1']!
    web1.result['stderr'] =
      '`'.repeat(100_000) + '|</details>|'.repeat(1000) + '\n' + '🚀'.repeat(2_000_000)
    web1.result['msg'] = { nested: ['not', 'a', 'string'] }
    doc.plays.push({ name: '', tasks: [] })
    const md = render(doc)
    expect(bytes(md)).toBeLessThanOrEqual(1_000_000)
    expect(md).toContain('{"nested":["not","a","string"]}')
    expect(md).toContain('```mermaid')
  })

  it('lets no target text mention a user or a team, or reference an issue, in the summary or the comment', () => {
    const doc = deployDocument()
    const web1 = doc.plays[0]!.tasks[2]!.results['web1']!
    // A failure's one-line message comes from the target; GitHub turns these into notifications and
    // cross-references (on other repositories too) outside code blocks.
    web1.result['msg'] =
      'cc @octocat @acme/admins see #42 and evil/repo#7, GH-44, evil/repo@abc1234'
    doc.plays[0]!.tasks[2]!.name = 'Migrate @octocat #43'
    // Code blocks (the Mermaid timeline's among them) are never searched by GitHub.
    const md = render(doc).replace(/^(`{3,})[^\n]*\n[\s\S]*?\n\1$/gm, '')
    expect(md).toContain('failed: Deploy › Migrate')
    for (const text of ['@octocat', '@acme', '#42', 'repo#7', '#43', 'GH-44', 'repo@abc'])
      expect(md).not.toContain(text)
    expect(md).toContain('cc @\u200Boctocat')
  })

  it('renders something for malformed documents instead of throwing', () => {
    const malformed: unknown[] = [
      null,
      undefined,
      42,
      'text',
      [],
      {},
      { plays: 'x', stats: [], jobs: null },
      { stats: { web1: null }, plays: [null, { tasks: [null, { results: { web1: 7 } }] }] },
      {
        plays: [
          {
            tasks: [
              { name: 1, results: { web1: { status: 'failed', result: null, started_at: 5 } } }
            ]
          }
        ]
      },
      { jobs: { web1: { k: { launched_at: 'never', async: 'x' } } } }
    ]
    for (const doc of malformed) {
      const md = render(doc as ResultsDocument)
      expect(md).toMatch(/^## /)
    }
  })

  it('falls back to a minimal summary with the recap when reading the document throws', () => {
    const doc = deployDocument()
    Object.defineProperty(doc, 'plays', {
      get() {
        throw new Error('boom')
      }
    })
    const md = render(doc, { title: 'Deploy' })
    expect(lines(md)[0]).toBe('## ❌ Deploy')
    expect(lines(md)).toContain('| ❌ web1 | 4 | 2 | 0 | 1 | 1 | 0 | 0 |')
    expect(md).toContain('could not be rendered (boom)')
  })

  it('never throws and never exceeds maxBytes, whatever the document', () => {
    const status = fc.constantFrom('ok', 'changed', 'failed', 'skipped', 'unreachable', 'weird')
    const entry = fc.record({
      status,
      started_at: fc.oneof(
        fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
        fc.string()
      ),
      duration_ms: fc.oneof(fc.nat(), fc.double()),
      ignored: fc.boolean(),
      result: fc.dictionary(
        fc.constantFrom(
          'rc',
          'msg',
          'stderr',
          'stdout',
          'ansible_job_id',
          'finished',
          'start',
          'end',
          'results'
        ),
        fc.oneof(fc.string({ unit: 'binary' }), fc.integer(), fc.anything())
      )
    })
    const documents = fc.oneof(
      fc.anything(),
      fc.record({
        ok: fc.boolean(),
        stats: fc.dictionary(fc.string({ unit: 'binary' }), fc.anything()),
        plays: fc.array(
          fc.record({
            name: fc.string({ unit: 'binary' }),
            tasks: fc.array(
              fc.record({
                name: fc.string({ unit: 'binary' }),
                module: fc.constantFrom('shell', 'command', 'async_status', 'ping'),
                file: fc.string(),
                line: fc.integer(),
                results: fc.dictionary(fc.string({ unit: 'binary' }), entry)
              })
            )
          })
        ),
        jobs: fc.dictionary(fc.string(), fc.dictionary(fc.string(), fc.anything()))
      })
    )
    fc.assert(
      fc.property(documents, fc.integer({ min: 0, max: 5000 }), (doc, maxBytes) => {
        const md = renderJobSummary(doc as ResultsDocument, { maxBytes, now: NOW })
        expect(bytes(md)).toBeLessThanOrEqual(maxBytes)
      }),
      { numRuns: 200 }
    )
  })
})
