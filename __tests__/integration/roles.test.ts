// Integration: roles (roles:, meta dependencies, include_role, import_role) and dynamic includes
// (include_tasks) through the real engine over OpenSSH. Roles live in `roles/<name>/` next to the
// playbook, so each test writes its playbook tree into a temporary directory.
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunOutcome } from '../../src/engine.js'
import { resultOf, runCaptured, sshdInventory, sshdSettings } from '../helpers/engine.js'
import { startSshd, type SshdFixture } from '../helpers/sshd.js'

let sshd: SshdFixture
let inventory: string
let root: string

beforeAll(async () => {
  sshd = await startSshd({ name: 'roles' })
  inventory = sshdInventory(sshd, { hosts: ['web1', 'web2'] })
  root = await mkdtemp(join(tmpdir(), 'apb-roles-'))
  // The remote user (apbtest when run as root) writes into `out/` of each tree: same machine.
  await chmod(root, 0o755)
})
afterAll(async () => {
  await sshd?.stop()
  if (root) await rm(root, { recursive: true, force: true })
})

/**
 * Writes `files` (relative path → content) into a fresh directory under the test's root, with an `out/`
 * directory the remote user may write to; returns the directory.
 */
async function tree(name: string, files: Record<string, string>): Promise<string> {
  const dir = join(root, name)
  for (const [file, content] of Object.entries(files)) {
    await mkdir(dirname(join(dir, file)), { recursive: true })
    await writeFile(join(dir, file), content)
  }
  await mkdir(join(dir, 'out'), { recursive: true })
  await chmod(join(dir, 'out'), 0o777)
  return dir
}

/** Runs `<dir>/site.yml` (a playbook file, so roles are looked up next to it). */
function runTree(
  dir: string,
  inv = inventory,
  overrides: Parameters<typeof sshdSettings>[3] = {}
): ReturnType<typeof runCaptured> {
  return runCaptured(sshdSettings(sshd, join(dir, 'site.yml'), inv, { cwd: dir, ...overrides }))
}

/** The tasks of a play in the order they ran, as `name@host,host` (handlers marked with `!`). */
function ran(out: RunOutcome, play = 0): string[] {
  return out.document.plays[play]!.tasks.map(
    (t) => `${t.handler ? '!' : ''}${t.name}@${Object.keys(t.results).sort().join(',')}`
  )
}

/** Every result of the task named `name` on `host`, in run order (an included task may run many times). */
function resultsOf(out: RunOutcome, name: string, host: string): Array<Record<string, unknown>> {
  return out.document.plays.flatMap((p) =>
    p.tasks.filter((t) => t.name === name && t.results[host]).map((t) => t.results[host]!.result)
  )
}

describe('roles over OpenSSH', () => {
  it('runs a role with defaults, vars, templates, files and a handler notified twice', async () => {
    const dir = await tree('basic', {
      'site.yml': `- hosts: web
  gather_facts: false
  vars:
    outdir: "{{ playbook_dir }}/out"
  roles:
    - web
  tasks:
    - name: play task notifies the role handler
      command: "true"
      notify: restart web
    - name: role variables are seen by the play
      debug:
        msg: "{{ greeting }} {{ colour }}"
`,
      'roles/web/defaults/main.yml': 'greeting: hello\ncolour: red\n',
      'roles/web/vars/main.yml': 'colour: blue\n',
      'roles/web/templates/site.conf.j2':
        'greeting={{ greeting }} colour={{ colour }} host={{ inventory_hostname }} role={{ role_name }}\n',
      'roles/web/files/static.txt': 'static from the role\n',
      // Decoys next to the playbook: a role's task finds its own templates/ and files/ first.
      'templates/site.conf.j2': 'WRONG playbook template\n',
      'files/static.txt': 'WRONG playbook file\n',
      'roles/web/tasks/main.yml': `- name: render
  template: src=site.conf.j2 dest={{ outdir }}/{{ inventory_hostname }}.conf
  notify: restart web
- name: ship
  copy: src=static.txt dest={{ outdir }}/{{ inventory_hostname }}.txt
- name: read back
  command: cat {{ outdir }}/{{ inventory_hostname }}.conf {{ outdir }}/{{ inventory_hostname }}.txt
`,
      'roles/web/handlers/main.yml': `- name: restart web
  command: echo restarted {{ colour }}
`
    })
    const out = await runTree(dir)
    expect(out.exitCode).toBe(0)
    expect(ran(out)).toEqual([
      'web : render@web1,web2',
      'web : ship@web1,web2',
      'web : read back@web1,web2',
      'play task notifies the role handler@web1,web2',
      'role variables are seen by the play@web1,web2',
      // Notified by a role task and by a play task: runs once, at the end of the section.
      '!web : restart web@web1,web2'
    ])
    for (const host of ['web1', 'web2']) {
      expect(resultOf(out, 'web : read back', host)['stdout']).toBe(
        `greeting=hello colour=blue host=${host} role=web\nstatic from the role`
      )
      expect(resultOf(out, 'web : restart web', host)['stdout']).toBe('restarted blue')
      expect(resultOf(out, 'role variables are seen by the play', host)['msg']).toBe('hello blue')
    }
    expect(await readFile(join(dir, 'out/web1.conf'), 'utf8')).toBe(
      'greeting=hello colour=blue host=web1 role=web\n'
    )
    expect(out.output).toContain('TASK [web : render]')
    expect(out.output).toContain('RUNNING HANDLER [web : restart web]')
    expect(out.document.stats['web1']).toMatchObject({ ok: 6, changed: 5, failed: 0 })
  }, 180_000)

  it('runs meta dependencies first, and a dependency shared by two roles once', async () => {
    const dir = await tree('deps', {
      'site.yml': `- hosts: web
  gather_facts: false
  roles:
    - app
    - db
  tasks:
    - name: play task
      debug:
        msg: "{{ common_port }}"
`,
      'roles/common/defaults/main.yml': 'common_port: 8080\n',
      'roles/common/tasks/main.yml': '- name: common task\n  command: echo common\n',
      'roles/app/meta/main.yml': 'dependencies:\n  - common\n',
      'roles/app/tasks/main.yml': '- name: app task\n  command: echo app {{ common_port }}\n',
      'roles/db/meta/main.yml': 'dependencies:\n  - role: common\n',
      'roles/db/tasks/main.yml': '- name: db task\n  command: echo db\n'
    })
    const out = await runTree(dir)
    expect(out.exitCode).toBe(0)
    expect(ran(out)).toEqual([
      'common : common task@web1,web2',
      'app : app task@web1,web2',
      'db : db task@web1,web2',
      'play task@web1,web2'
    ])
    expect(resultOf(out, 'app : app task', 'web1')['stdout']).toBe('app 8080')
    expect(resultOf(out, 'play task', 'web2')['msg']).toBe(8080)
  }, 180_000)
})

describe('dynamic includes over OpenSSH', () => {
  it('include_tasks with a loop: when on the include only, loop var and vars inside, results and recap', async () => {
    const dir = await tree('loop', {
      'site.yml': `- hosts: web
  gather_facts: false
  vars:
    go: true
  tasks:
    - name: per item
      include_tasks: item.yml
      loop: [a, b, c]
      loop_control:
        loop_var: thing
      when: go
      vars:
        prefix: P
      register: looped
    - name: single
      include_tasks: item.yml
      vars:
        prefix: S
        thing: x
      register: single
    - name: show
      debug:
        msg:
          seen: "{{ seen }}"
          looped: "{{ looped }}"
          single: "{{ single }}"
    - name: a role include counts nothing
      include_role:
        name: lib
`,
      'item.yml': `- name: use item
  set_fact:
    seen: "{{ seen | default([]) + [prefix ~ '-' ~ thing] }}"
- name: flip
  set_fact:
    go: false
`,
      'roles/lib/tasks/main.yml': '- name: lib task\n  debug:\n    msg: lib\n'
    })
    const out = await runTree(dir)
    expect(out.exitCode).toBe(0)
    for (const host of ['web1', 'web2']) {
      // As JSON (the results document): the engine's own bookkeeping is not part of the value.
      const shown = JSON.parse(JSON.stringify(resultOf(out, 'show', host)['msg'])) as Record<
        string,
        unknown
      >
      // `go` flipped in the first item's file; the include's `when` was already decided for all items.
      expect(shown['seen']).toEqual(['P-a', 'P-b', 'P-c', 'S-x'])
      expect(shown['single']).toEqual({ changed: false, include: 'item.yml', include_args: {} })
      expect(shown['looped']).toEqual({
        changed: false,
        msg: 'All items completed',
        skipped: false,
        results: ['a', 'b', 'c'].map((thing) => ({
          ansible_loop_var: 'thing',
          thing,
          include: 'item.yml',
          include_args: {}
        }))
      })
      expect(resultsOf(out, 'use item', host)).toHaveLength(4)
      expect(resultsOf(out, 'lib : lib task', host)).toHaveLength(1)
    }
    expect(out.output).toMatch(/included: \S*item\.yml for web1/)
    // 3 includes + 6 tasks, 1 include + 2 tasks, show, lib task; the include_role counts nothing.
    expect(out.document.stats['web1']).toMatchObject({ ok: 14, changed: 0, skipped: 0 })
    expect(out.document.stats['web2']).toMatchObject({ ok: 14, changed: 0, skipped: 0 })
  }, 180_000)

  it('includes a file relative to the including file, and hosts diverge on its when', async () => {
    const inv = sshdInventory(sshd, { hosts: ['web1', 'web2'] }).replace(
      /^(web\d .*)$/gm,
      (line) => `${line} deep=${line.startsWith('web1') ? 'true' : 'false'}`
    )
    const dir = await tree('nested', {
      'site.yml': `- hosts: web
  gather_facts: false
  tasks:
    - name: to a
      include_tasks: tasks/a.yml
    - name: after
      command: echo after
`,
      'tasks/a.yml': `- name: in a
  command: echo a
- name: to b
  include_tasks: sub/b.yml
  when: deep | bool
`,
      'tasks/sub/b.yml': '- name: in b\n  command: echo b {{ inventory_hostname }}\n'
    })
    const out = await runTree(dir, inv)
    expect(out.exitCode).toBe(0)
    expect(ran(out)).toEqual([
      'to a@web1,web2',
      'in a@web1,web2',
      'to b@web1,web2',
      'in b@web1',
      'after@web1,web2'
    ])
    expect(resultOf(out, 'in b', 'web1')['stdout']).toBe('b web1')
    expect(resultOf(out, 'to b', 'web2')).toMatchObject({ skipped: true })
    expect(out.document.stats['web1']).toMatchObject({ ok: 5, skipped: 0 })
    expect(out.document.stats['web2']).toMatchObject({ ok: 3, skipped: 1 })
  }, 180_000)

  it("a failure inside an included file triggers the enclosing block's rescue", async () => {
    const dir = await tree('rescue', {
      'site.yml': `- hosts: web
  gather_facts: false
  tasks:
    - name: guarded
      block:
        - name: include risky
          include_tasks: risky.yml
        - name: not after a failure
          command: echo fine
      rescue:
        - name: recover
          command: echo rescued {{ ansible_failed_task.name }}
    - name: afterwards
      command: echo after
`,
      'risky.yml': `- name: risky
  command: /bin/false
  when: inventory_hostname == 'web1'
- name: rest of risky
  command: echo rest
`
    })
    const out = await runTree(dir)
    expect(out.exitCode).toBe(0)
    expect(resultOf(out, 'recover', 'web1')['stdout']).toBe('rescued risky')
    expect(() => resultOf(out, 'recover', 'web2')).toThrow()
    expect(() => resultOf(out, 'rest of risky', 'web1')).toThrow()
    expect(resultOf(out, 'rest of risky', 'web2')['stdout']).toBe('rest')
    expect(resultOf(out, 'not after a failure', 'web2')['stdout']).toBe('fine')
    expect(resultOf(out, 'afterwards', 'web1')['stdout']).toBe('after')
    expect(out.document.stats['web1']).toMatchObject({ ok: 3, failed: 0, rescued: 1 })
    expect(out.document.stats['web2']).toMatchObject({ ok: 4, failed: 0, rescued: 0, skipped: 1 })
  }, 180_000)

  it('include_role with tasks_from; public: true exposes its defaults afterwards, private does not', async () => {
    const dir = await tree('public', {
      'site.yml': `- hosts: web
  gather_facts: false
  tasks:
    - name: before
      debug:
        msg: "{{ lib_setting | default('undefined') }}"
    - name: private include
      include_role:
        name: lib
        tasks_from: other
    - name: after private
      debug:
        msg: "{{ lib_setting | default('undefined') }}"
    - name: public include
      include_role:
        name: lib
        tasks_from: other
        public: true
    - name: after public
      debug:
        msg: "{{ lib_setting | default('undefined') }}"
`,
      'roles/lib/defaults/main.yml': 'lib_setting: from-lib-defaults\n',
      'roles/lib/tasks/main.yml': '- name: main task\n  debug:\n    msg: main\n',
      'roles/lib/tasks/other.yml':
        '- name: other task\n  debug:\n    msg: other {{ lib_setting }}\n'
    })
    const out = await runTree(dir)
    expect(out.exitCode).toBe(0)
    expect(ran(out)).toEqual([
      'before@web1,web2',
      'private include@web1,web2',
      'lib : other task@web1,web2',
      'after private@web1,web2',
      'public include@web1,web2',
      'lib : other task@web1,web2',
      'after public@web1,web2'
    ])
    for (const host of ['web1', 'web2']) {
      expect(resultsOf(out, 'lib : other task', host).map((r) => r['msg'])).toEqual([
        'other from-lib-defaults',
        'other from-lib-defaults'
      ])
      expect(resultOf(out, 'before', host)['msg']).toBe('undefined')
      expect(resultOf(out, 'after private', host)['msg']).toBe('undefined')
      expect(resultOf(out, 'after public', host)['msg']).toBe('from-lib-defaults')
    }
    expect(out.document.stats['web1']).toMatchObject({ ok: 5 })
  }, 180_000)

  it('a missing include file fails that host with a reason, not the run', async () => {
    const dir = await tree('missing', {
      'site.yml': `- hosts: web
  gather_facts: false
  tasks:
    - name: maybe missing
      include_tasks:
        file: "{{ 'nope.yml' if inventory_hostname == 'web1' else 'present.yml' }}"
    - name: last
      command: echo last
`,
      'present.yml': '- name: present task\n  command: echo present\n'
    })
    const out = await runTree(dir)
    expect(out.exitCode).toBe(2)
    const failure = resultOf(out, 'maybe missing', 'web1')
    expect(failure['failed']).toBe(true)
    expect(String(failure['reason'])).toContain('nope.yml')
    expect(out.output).toMatch(/fatal: \[web1\]: FAILED!.*nope\.yml/)
    expect(resultOf(out, 'present task', 'web2')['stdout']).toBe('present')
    expect(resultOf(out, 'last', 'web2')['stdout']).toBe('last')
    expect(() => resultOf(out, 'last', 'web1')).toThrow()
    expect(out.document.stats['web1']).toMatchObject({ ok: 0, failed: 1 })
    expect(out.document.stats['web2']).toMatchObject({ ok: 3, failed: 0 })
  }, 180_000)
})
