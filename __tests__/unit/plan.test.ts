// Unit: the plan of a check-mode run (report/plan.ts): unified diffs as ansible-playbook --diff prints
// them, the summary's plan section (counts, hosts per task, diffs per host and file), its size limits,
// no_log, inert text, and the `plan` output.
import { describe, expect, it } from 'vitest'
import { renderJobSummary } from '../../src/report/job-summary.js'
import {
  buildPlan,
  packageNames,
  planOutput,
  PLAN_CUT_NOTE,
  renderPlan
} from '../../src/report/plan.js'
import type { ResultsDocument } from '../../src/report/results-document.js'
import { entryDiffText as unifiedDiff } from '../../src/report/diff-text.js'

const numbered = (n: number, from = 1): string =>
  Array.from({ length: n }, (_, i) => `line ${i + from}\n`).join('')

describe('unifiedDiff', () => {
  // Expected texts: Python's difflib.unified_diff (what ansible-playbook --diff uses) on the same input,
  // with Ansible's "\ No newline at end of file" after a last line without one.
  const header = '--- before: /etc/app.conf\n+++ after: /etc/app.conf\n'
  const diff = (before: string, after: string): string =>
    unifiedDiff({
      before,
      after,
      before_header: '/etc/app.conf',
      after_header: '/etc/app.conf'
    })

  it('splits hunks more than six unchanged lines apart, with three lines of context', () => {
    const after =
      numbered(20).replace('line 3\n', 'line three\n').replace('line 17\n', '') + 'line 21'
    expect(diff(numbered(20), after)).toBe(
      header +
        '@@ -1,6 +1,6 @@\n line 1\n line 2\n-line 3\n+line three\n line 4\n line 5\n line 6\n' +
        '@@ -14,7 +14,7 @@\n line 14\n line 15\n line 16\n-line 17\n line 18\n line 19\n line 20\n+line 21\n' +
        '\\ No newline at end of file\n'
    )
  })

  it('joins changes closer than seven lines into one hunk', () => {
    expect(diff('a\nb\nc\nd\n', 'a\nB\nc\nd\ne\nf\ng\nh\ni\nj\nk\nl\nm\nZ\n')).toBe(
      header + '@@ -1,4 +1,14 @@\n a\n-b\n+B\n c\n d\n+e\n+f\n+g\n+h\n+i\n+j\n+k\n+l\n+m\n+Z\n'
    )
  })

  it('writes a new file as -0,0 and a missing last newline as Ansible does', () => {
    expect(diff('', 'new\n')).toBe(header + '@@ -0,0 +1 @@\n+new\n')
    expect(diff('x\ny', 'x\ny\n')).toBe(
      header + '@@ -1,2 +1,2 @@\n x\n-y\n\\ No newline at end of file\n+y\n'
    )
  })

  it('shows a state mapping as sorted JSON, headers without a name as before/after, prepared as is', () => {
    expect(
      unifiedDiff({
        before: { path: '/tmp/x', mode: '0644' },
        after: { path: '/tmp/x', mode: '0600' }
      })
    ).toBe(
      '--- before\n+++ after\n@@ -1,4 +1,4 @@\n {\n-    "mode": "0644",\n+    "mode": "0600",\n     "path": "/tmp/x"\n }\n'
    )
    expect(unifiedDiff({ prepared: 'Inst nginx (1.2)\n' })).toBe('Inst nginx (1.2)\n')
    expect(unifiedDiff({ before: 'same\n', after: 'same\n' })).toBe('')
  })

  it('stays fast and complete on a large rewrite', () => {
    const text = unifiedDiff({ before: numbered(5000), after: numbered(5000, 2) })
    expect(text).toContain('-line 1\n')
    expect(text).toContain('+line 5001\n')
  })
})

function result(status: 'ok' | 'changed' | 'failed', result: Record<string, unknown>) {
  return { status, started_at: '2026-01-01T00:00:00Z', duration_ms: 10, result }
}

const stats = (changed: number, failed = 0) => ({
  ok: 3,
  changed,
  failed,
  unreachable: 0,
  skipped: 0,
  rescued: 0,
  ignored: 0
})

const APT_PLAN =
  'The following NEW packages will be installed:\n  nginx nginx-common\n' +
  '0 upgraded, 2 newly installed, 0 to remove and 0 not upgraded.\n' +
  'Inst nginx-common (1.22.1 Debian:12)\nInst nginx (1.22.1 Debian:12)\n'

function planDocument(): ResultsDocument {
  return {
    ok: true,
    stats: { web1: stats(3), web2: stats(2), db1: stats(0) },
    jobs: {},
    plays: [
      {
        name: 'web',
        tasks: [
          {
            name: 'nginx.conf',
            module: 'ansible.builtin.template',
            file: 'site.yml',
            line: 7,
            results: {
              web1: result('changed', {
                changed: true,
                dest: '/etc/nginx/nginx.conf',
                diff: [
                  {
                    before: 'worker_processes 1;\nlisten 80;\n',
                    after: 'worker_processes 4;\nlisten 80;\n',
                    before_header: '/etc/nginx/nginx.conf',
                    after_header: 'templates/nginx.conf.j2'
                  }
                ]
              }),
              web2: result('changed', {
                changed: true,
                dest: '/etc/nginx/nginx.conf',
                diff: [
                  {
                    before: '',
                    after: 'worker_processes 4;\n',
                    before_header: '/etc/nginx/nginx.conf',
                    after_header: 'templates/nginx.conf.j2'
                  }
                ]
              }),
              db1: result('ok', { changed: false })
            }
          },
          {
            name: 'install nginx',
            module: 'apt',
            results: {
              web1: result('changed', { changed: true, diff: { prepared: APT_PLAN } }),
              web2: result('changed', { changed: true, diff: { prepared: APT_PLAN } })
            }
          },
          {
            name: 'restart',
            module: 'service',
            results: { web1: result('changed', { changed: true, name: 'nginx', state: 'started' }) }
          },
          {
            name: 'secret file',
            module: 'copy',
            results: {
              db1: result('ok', {
                censored:
                  "the output has been hidden due to the fact that 'no_log: true' was specified for this result",
                changed: false
              })
            }
          }
        ]
      }
    ]
  }
}

describe('the plan', () => {
  it('counts hosts, tasks, files, packages and services that would change', () => {
    const plan = buildPlan(planDocument())
    expect(plan.changedHosts).toEqual(['web1', 'web2'])
    expect(plan.hosts).toHaveLength(3)
    expect(plan.tasks.map((t) => t.name)).toEqual(['nginx.conf', 'install nginx', 'restart'])
    expect(plan.files).toBe(2) // one path on each of two hosts
    expect(plan.packages).toBe(4) // nginx and nginx-common on two hosts
    expect(plan.services).toBe(1)
    const md = renderPlan(plan, 'deploy', 1_000_000)
    expect(md).toContain(
      '2 hosts of 3 · 3 tasks would change · 2 files · 4 packages · 1 service change'
    )
    expect(md).toContain('Would change on 2 hosts: web1, web2')
    expect(md).toContain(
      '<details><summary>web1 — templates/nginx.conf.j2 (+1 −1)</summary>\n\n```diff\n' +
        '--- before: /etc/nginx/nginx.conf\n+++ after: templates/nginx.conf.j2\n@@ -1,2 +1,2 @@\n' +
        '-worker_processes 1;\n+worker_processes 4;\n listen 80;\n```'
    )
    expect(md).toContain('<details><summary>web1 — apt</summary>\n\n```text\nThe following NEW')
    expect(md).toContain('Inst nginx (1.22.1 Debian:12)')
    expect(md).not.toContain('db1 —')
  })

  it('reads package names from apt-get plans', () => {
    expect(packageNames(APT_PLAN).sort()).toEqual(['nginx', 'nginx-common'])
    expect(packageNames('Remv telnet [0.17]\nPurg ftp [1]\n')).toEqual(['telnet', 'ftp'])
  })

  it('never shows a diff of a no_log result, even one that would change', () => {
    const doc = planDocument()
    doc.plays[0]!.tasks[3]!.results['db1'] = result('changed', {
      censored:
        "the output has been hidden due to the fact that 'no_log: true' was specified for this result",
      changed: true
    })
    // A result that carries its no_log flag (and a diff) is hidden as well.
    doc.plays[0]!.tasks[0]!.results['db1'] = result('changed', {
      changed: true,
      _ansible_no_log: true,
      dest: '/etc/secret',
      diff: { before: 'password=old\n', after: 'password=hunter2\n' }
    })
    const md = renderPlan(buildPlan(doc), 'deploy', 1_000_000)
    expect(md).toContain('db1: diff hidden (no_log)')
    expect(md).not.toContain('hunter2')
    expect(md).not.toContain('/etc/secret')
  })

  it('keeps target text inert: no HTML, no markdown, no fence break-out', () => {
    const doc = planDocument()
    const evil = '```\n</details><img src=x onerror=alert(1)>\n```\n# heading'
    doc.stats['<b>x</b>'] = stats(1)
    doc.plays[0]!.tasks[0]!.name = '**bold** <script>'
    doc.plays[0]!.tasks[0]!.results['<b>x</b>'] = result('changed', {
      changed: true,
      dest: '/x</summary>',
      diff: { before: 'a\n', after: `${evil}\n`, after_header: '</summary><i>' }
    })
    const md = renderPlan(buildPlan(doc), 'deploy', 1_000_000)
    // Outside the fenced diffs (where GitHub shows text as it is), no tag but ours.
    const outside = md.replace(/^(`{3,})(diff|text)\n[\s\S]*?\n\1$/gm, '')
    expect(outside).not.toContain('```\n</details><img')
    expect(outside).not.toMatch(/<(?!\/?(details|summary|sub)>)[a-z/]/i)
    expect(md).toContain('&lt;b&gt;x&lt;/b&gt; — &lt;/summary&gt;&lt;i&gt;')
    expect(md).toContain('\\*\\*bold\\*\\* &lt;script&gt;')
    // The diff sits in a fence longer than any backtick run inside it.
    expect(md).toContain('````diff\n')
  })

  it('cuts a large diff with a note, and keeps a check run summary under 1 MiB', () => {
    const doc = planDocument()
    const tasks = doc.plays[0]!.tasks
    for (let i = 0; i < 60; i++)
      tasks.push({
        name: `big ${i}`,
        module: 'copy',
        results: {
          web1: result('changed', {
            changed: true,
            dest: `/srv/big${i}`,
            diff: {
              before: '',
              after: 'x'.repeat(100).concat('\n').repeat(3000),
              after_header: `/srv/big${i}`
            }
          })
        }
      })
    const full = renderPlan(buildPlan(doc), 'deploy', 10_000_000)
    expect(full).toContain('_Diff cut: ')
    expect(full).toContain('the results file has it whole._')
    const summary = renderJobSummary(doc, { plan: true, title: 'deploy' })
    expect(Buffer.byteLength(summary)).toBeLessThanOrEqual(1_000_000)
    expect(summary).toContain('2 hosts of 3 · 63 tasks would change')
    expect(summary).toContain(PLAN_CUT_NOTE)
    expect(summary).toContain('### Play recap')
    const tiny = renderJobSummary(doc, { plan: true, title: 'deploy', maxBytes: 20_000 })
    expect(Buffer.byteLength(tiny)).toBeLessThanOrEqual(20_000)
    expect(tiny).toContain('63 tasks would change')
  })

  it('says so when nothing would change', () => {
    const doc = planDocument()
    doc.plays[0]!.tasks.splice(0, 3)
    const summary = renderJobSummary(doc, { plan: true, title: 'deploy' })
    expect(summary).toContain('No changes: 3 hosts checked, nothing would change.')
    expect(JSON.parse(planOutput(buildPlan(doc), 1000))).toEqual({ changed: false, hosts: {} })
  })
})

describe('the plan output', () => {
  it('lists per host, per task, the kind of change and the paths', () => {
    const out = JSON.parse(planOutput(buildPlan(planDocument()), 128 * 1024))
    expect(out.changed).toBe(true)
    expect(out.hosts.web1).toEqual([
      {
        play: 'web',
        task: 'nginx.conf',
        module: 'template',
        kind: 'file',
        paths: ['/etc/nginx/nginx.conf']
      },
      {
        play: 'web',
        task: 'install nginx',
        module: 'apt',
        kind: 'package',
        packages: ['nginx', 'nginx-common']
      },
      { play: 'web', task: 'restart', module: 'service', kind: 'service' }
    ])
    expect(out.hosts.web2).toHaveLength(2)
    expect(out.hosts.db1).toBeUndefined()
  })

  it('leaves entries out, and says how many, to stay under the limit', () => {
    const doc = planDocument()
    for (let i = 0; i < 3000; i++)
      doc.plays[0]!.tasks.push({
        name: `file ${i}`,
        module: 'file',
        results: { web1: result('changed', { changed: true, path: `/srv/${'d'.repeat(40)}/${i}` }) }
      })
    const limit = 128 * 1024 - 'INPUT_PLAN='.length - 1
    const text = planOutput(buildPlan(doc), limit)
    expect(Buffer.byteLength(text)).toBeLessThanOrEqual(limit)
    const out = JSON.parse(text)
    expect(out.truncated).toBeGreaterThan(0)
    expect(out.hosts.web1.length + out.hosts.web2.length + out.truncated).toBe(3005)
  })
})
