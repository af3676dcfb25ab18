// End to end: the bundled action (dist/index.js) run as the runner runs it. The `mode` input lists or
// syntax-checks a playbook with no credentials and no host contacted; the `plan` output says per host and
// task what changed; `check`/`diff` make a plan and change nothing.
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { runAction } from '../helpers/action.js'

function workspace(): string {
  const work = mkdtempSync(path.join(tmpdir(), 'apb-e2e-plan-'))
  // Unreachable addresses: a mode that connected would fail.
  writeFileSync(
    path.join(work, 'hosts.ini'),
    '[web]\nw1 ansible_host=192.0.2.1 ansible_port=1\nw2 ansible_host=192.0.2.2 ansible_port=1\n'
  )
  writeFileSync(
    path.join(work, 'site.yml'),
    [
      '- name: web',
      '  hosts: web',
      '  tags: [deploy]',
      '  tasks:',
      '    - name: config',
      '      template: { src: app.j2, dest: /etc/app.conf }',
      '      tags: [conf]',
      '    - apt: { name: htop }'
    ].join('\n') + '\n'
  )
  writeFileSync(
    path.join(work, 'broken.yml'),
    '- hosts: web\n  tasks:\n    - name: typo\n      debug: msg=x\n      whenn: true\n'
  )
  return work
}

describe('the mode input', () => {
  it('list-tasks prints what ansible-playbook --list-tasks prints, in the log and the summary', async () => {
    const work = workspace()
    const step = await runAction(work, {
      playbook: 'site.yml',
      inventory: 'hosts.ini',
      mode: 'list-tasks'
    })
    expect(step.code).toBe(0)
    const listing =
      '  play #1 (web): web\tTAGS: [deploy]\n    tasks:\n      config\tTAGS: [conf, deploy]\n      apt\tTAGS: [deploy]\n'
    expect(step.stdout).toContain(listing)
    expect(step.summary).toContain('## 📋 async-playbook: list-tasks')
    expect(step.summary).toContain('playbook: site.yml')
    expect(step.summary).toContain('      config\tTAGS: [conf, deploy]')
    expect(step.outputs['ok']).toBe('true')
  })

  it('list-hosts applies the limit input and contacts no host', async () => {
    const work = workspace()
    const step = await runAction(work, {
      playbook: 'site.yml',
      inventory: 'hosts.ini',
      mode: 'list-hosts',
      limit: 'w2'
    })
    expect(step.code).toBe(0)
    expect(step.stdout).toContain("    pattern: ['web']\n    hosts (1):\n      w2\n")
  })

  it('syntax-check fails the step with an annotation at the bad line', async () => {
    const work = workspace()
    const step = await runAction(work, {
      playbook: 'broken.yml',
      inventory: 'hosts.ini',
      mode: 'syntax-check'
    })
    expect(step.code).not.toBe(0)
    expect(step.stdout).toMatch(
      /::error file=broken\.yml,line=3[^:]*::.*'whenn' is not a valid task keyword/
    )
  })

  it('refuses a mode it does not know, and check with a listing mode', async () => {
    const work = workspace()
    const bad = await runAction(work, { playbook: 'site.yml', mode: 'list' })
    expect(bad.code).not.toBe(0)
    expect(bad.stdout).toContain(
      "Input 'mode' must be one of 'run', 'syntax-check', 'list-hosts', 'list-tasks', 'list-tags', got 'list'"
    )
    const both = await runAction(work, { playbook: 'site.yml', mode: 'list-tasks', check: 'true' })
    expect(both.stdout).toContain("Input 'check' does nothing with 'mode: list-tasks'")
  })
})

describe('retry files', () => {
  it('are not written by the action: retry_files_enabled is answered with what to use instead', async () => {
    const work = workspace()
    writeFileSync(path.join(work, 'ansible.cfg'), '[defaults]\nretry_files_enabled = yes\n')
    const step = await runAction(work, {
      playbook: '- hosts: localhost\n  gather_facts: false\n  tasks:\n    - debug: msg=hi\n'
    })
    expect(step.code).toBe(0)
    expect(step.stdout).toContain(
      "the action writes no .retry file: rerun the failed hosts with its 'failed-hosts' output as 'limit'"
    )
  })
})

describe('check and diff', () => {
  it('make a plan with the diff of each file that would change, and change nothing', async () => {
    const work = workspace()
    const target = path.join(work, 'app.conf')
    writeFileSync(target, 'port=80\n')
    const step = await runAction(work, {
      playbook: [
        '- hosts: localhost',
        '  gather_facts: false',
        '  tasks:',
        '    - name: configure',
        `      copy: { content: "port=8080\\n", dest: ${JSON.stringify(target)} }`,
        '    - name: not in the plan',
        `      copy: { content: "port=80\\n", dest: ${JSON.stringify(target + '.same')} }`,
        '      check_mode: false'
      ].join('\n'),
      check: 'true',
      diff: 'true'
    })
    expect(step.code).toBe(0)
    // Nothing changed on the target in check mode; the task with check_mode: false ran for real.
    expect(readFileSync(target, 'utf8')).toBe('port=80\n')
    expect(existsSync(target + '.same')).toBe(true)
    expect(step.outputs['changed']).toBe('true')
    const plan = JSON.parse(step.outputs['plan']!) as {
      changed: boolean
      hosts: Record<string, unknown[]>
    }
    expect(plan.changed).toBe(true)
    expect(JSON.stringify(plan.hosts['localhost'])).toContain(target)
    expect(step.summary).toContain('-port=80')
    expect(step.summary).toContain('+port=8080')
    expect(step.summary).toContain('```diff')
  })
})

describe('the plan output', () => {
  it('lists per host and task what changed: kind and file paths', async () => {
    const work = workspace()
    const target = path.join(work, 'out.txt')
    const step = await runAction(work, {
      playbook: [
        '- hosts: localhost',
        '  gather_facts: false',
        '  tasks:',
        '    - name: write it',
        `      copy: { content: "hi\\n", dest: ${JSON.stringify(target)} }`,
        '    - name: look',
        '      debug: msg=x'
      ].join('\n')
    })
    expect(step.code).toBe(0)
    expect(JSON.parse(step.outputs['plan']!)).toEqual({
      changed: true,
      hosts: {
        localhost: [
          { play: 'localhost', task: 'write it', module: 'copy', kind: 'file', paths: [target] }
        ]
      }
    })
    expect(step.outputs['changed']).toBe('true')
  })
})
