// Integration: the playbook engine against a real OpenSSH sshd, logged in as an unprivileged user.
import { spawnSync } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { resultOf, runCaptured, sshdInventory, sshdSettings } from '../helpers/engine.js'
import { startSshd, unreachablePort, type SshdFixture } from '../helpers/sshd.js'

let sshd: SshdFixture
let inventory: string
let deadPort: number

beforeAll(async () => {
  sshd = await startSshd({ name: 'engine' })
  deadPort = await unreachablePort()
  inventory = sshdInventory(sshd, { hosts: ['web1', 'web2', 'web3'] })
})
afterAll(async () => sshd?.stop())

describe('playbook engine over OpenSSH', () => {
  it('runs shell and command tasks on every host and registers Ansible fields', async () => {
    const out = await runCaptured(
      sshdSettings(
        sshd,
        `- hosts: web
  gather_facts: false
  tasks:
    - name: greet
      shell: echo "hi from {{ inventory_hostname }}"; echo warn >&2
      register: r
    - name: argv
      command: printf '%s|' "a b" c
`,
        inventory
      )
    )
    expect(out.exitCode).toBe(0)
    const r = resultOf(out, 'greet', 'web2')
    expect(r).toMatchObject({
      changed: true,
      rc: 0,
      stdout: 'hi from web2',
      stdout_lines: ['hi from web2'],
      stderr: 'warn',
      stderr_lines: ['warn'],
      failed: false,
      msg: ''
    })
    expect(r['cmd']).toBe('echo "hi from web2"; echo warn >&2')
    expect(r['delta']).toMatch(/^0:00:0\d\.\d{6}$/)
    expect(resultOf(out, 'argv', 'web1')).toMatchObject({
      stdout: 'a b|c|',
      cmd: ['printf', '%s|', 'a b', 'c']
    })
    expect(out.document.stats['web3']).toEqual({
      ok: 2,
      changed: 2,
      failed: 0,
      unreachable: 0,
      skipped: 0,
      rescued: 0,
      ignored: 0
    })
    expect(out.output).toContain('TASK [greet] ***')
    expect(out.output).toMatch(/changed: \[web1\]/)
    expect(out.output).toMatch(
      /PLAY RECAP \*+\nweb1\s+: ok=2\s+changed=2\s+unreachable=0\s+failed=0\s+skipped=0\s+rescued=0\s+ignored=0/
    )
  })

  it('gathers facts by default in one round trip, without Python', async () => {
    const out = await runCaptured(
      sshdSettings(
        sshd,
        `- hosts: web1\n  tasks:\n    - debug: msg="{{ ansible_user_id }} {{ ansible_facts.kernel }} {{ ansible_env.HOME }}"\n`,
        inventory
      )
    )
    expect(out.exitCode).toBe(0)
    const facts = resultOf(out, 'Gathering Facts', 'web1')['ansible_facts'] as Record<
      string,
      unknown
    >
    for (const key of [
      'ansible_hostname',
      'ansible_fqdn',
      'ansible_distribution',
      'ansible_distribution_version',
      'ansible_os_family',
      'ansible_kernel',
      'ansible_architecture',
      'ansible_processor_vcpus',
      'ansible_memtotal_mb',
      'ansible_user_id',
      'ansible_env',
      'ansible_date_time'
    ]) {
      expect(facts[key], key).toBeDefined()
    }
    expect(facts['ansible_user_id']).toBe(sshd.user)
    expect(resultOf(out, 'debug', 'web1')['msg']).toMatch(new RegExp(`^${sshd.user} \\S+ /`))
  })

  it('reports an unreachable host and lets the others finish (exit 4)', async () => {
    const inv = sshdInventory(sshd, {
      hosts: ['web1'],
      unreachable: [{ name: 'gone', port: deadPort }]
    })
    const out = await runCaptured(
      sshdSettings(
        sshd,
        `- hosts: all\n  gather_facts: false\n  tasks:\n    - shell: echo one\n    - shell: echo two\n`,
        inv
      )
    )
    expect(out.exitCode).toBe(4)
    expect(out.document.stats['gone']).toMatchObject({ unreachable: 1, ok: 0 })
    expect(out.document.stats['web1']).toMatchObject({ ok: 2, changed: 2 })
    expect(out.output).toMatch(
      /fatal: \[gone\]: UNREACHABLE! => \{"changed": false, "msg": ".*", "unreachable": true\}/
    )
  })

  it('takes a failed host out of the play and out of later plays (exit 2)', async () => {
    const out = await runCaptured(
      sshdSettings(
        sshd,
        `- hosts: web
  gather_facts: false
  tasks:
    - name: fail on web2
      shell: test {{ inventory_hostname }} != web2
    - name: after
      shell: echo after
- hosts: web
  gather_facts: false
  tasks:
    - name: second play
      shell: echo second
`,
        inventory
      )
    )
    expect(out.exitCode).toBe(2)
    expect(resultOf(out, 'fail on web2', 'web2')).toMatchObject({
      rc: 1,
      failed: true,
      msg: 'non-zero return code'
    })
    const second = out.document.plays[1]!.tasks[0]!
    expect(Object.keys(second.results).sort()).toEqual(['web1', 'web3'])
    expect(out.document.stats['web2']).toMatchObject({ ok: 0, failed: 1 })
    expect(out.document.ok).toBe(false)
  })

  it('stops the playbook when every host of a play has failed, as ansible-playbook does', async () => {
    const out = await runCaptured(
      sshdSettings(
        sshd,
        `- hosts: web1\n  gather_facts: false\n  tasks:\n    - shell: exit 1\n- name: never\n  hosts: web2\n  gather_facts: false\n  tasks:\n    - shell: echo no\n`,
        inventory
      )
    )
    expect(out.exitCode).toBe(2)
    expect(out.document.plays.map((p) => p.name)).toEqual(['web1'])
  })

  it('loops, retries with until and counts attempts as Ansible does', async () => {
    const marker = `/tmp/apb-until-${process.pid}-${Date.now()}`
    const out = await runCaptured(
      sshdSettings(
        sshd,
        `- hosts: web1
  gather_facts: false
  tasks:
    - name: count
      shell: echo x >> ${marker}; wc -l < ${marker}
      register: c
      until: c.stdout | int >= 3
      retries: 4
      delay: 0
    - name: never
      shell: exit 1
      register: n
      until: n.rc == 0
      retries: 2
      delay: 0
      ignore_errors: true
    - name: items
      shell: echo {{ item }}
      loop: [a, b]
      register: l
    - shell: rm -f ${marker}
`,
        inventory
      )
    )
    expect(out.exitCode).toBe(0)
    expect(resultOf(out, 'count', 'web1')).toMatchObject({
      attempts: 3,
      stdout: '3',
      failed: false
    })
    expect(resultOf(out, 'never', 'web1')).toMatchObject({ attempts: 2, failed: true })
    expect(out.output).toContain('FAILED - RETRYING: [web1]: count (4 retries left).')
    expect(out.output).toContain('FAILED - RETRYING: [web1]: never (1 retries left).')
    expect(out.output).toContain('...ignoring')
    const items = resultOf(out, 'items', 'web1')
    expect(items).toMatchObject({ changed: true, msg: 'All items completed' })
    expect(
      (items['results'] as Array<Record<string, unknown>>).map((r) => [r['item'], r['stdout']])
    ).toEqual([
      ['a', 'a'],
      ['b', 'b']
    ])
    expect(out.document.stats['web1']).toMatchObject({ ok: 4, ignored: 1, failed: 0 })
  })

  it('copies content over SFTP and reports changed only when it differs', async () => {
    const dest = `/tmp/apb-copy-${process.pid}-${Date.now()}.txt`
    const book = `- hosts: web1
  gather_facts: false
  tasks:
    - name: write
      copy:
        content: "line one\\nline two\\n"
        dest: ${dest}
        mode: "0640"
`
    const first = await runCaptured(sshdSettings(sshd, book, inventory))
    const second = await runCaptured(sshdSettings(sshd, book, inventory))
    expect(resultOf(first, 'write', 'web1')).toMatchObject({
      changed: true,
      dest,
      mode: '0640',
      size: 18
    })
    expect(resultOf(second, 'write', 'web1')).toMatchObject({ changed: false })
    expect(readFileSync(dest, 'utf8')).toBe('line one\nline two\n')
  })

  it('uploads and runs a local script with arguments', async () => {
    const dir = sshd.tmpDir
    const script = path.join(dir, 'hello.sh')
    writeFileSync(script, '#!/bin/sh\necho "args: $*"\nexit 0\n')
    const out = await runCaptured(
      sshdSettings(
        sshd,
        `- hosts: web1\n  gather_facts: false\n  tasks:\n    - script: hello.sh "one two" three\n`,
        inventory,
        { cwd: dir }
      )
    )
    expect(out.exitCode).toBe(0)
    expect(resultOf(out, 'script', 'web1')).toMatchObject({
      rc: 0,
      stdout: 'args: one two three\n',
      changed: true
    })
  })

  it('kills a command on the target when the task timeout expires', async () => {
    const tag = `apbtimeout${process.pid}${Date.now()}`
    const started = Date.now()
    const out = await runCaptured(
      sshdSettings(
        sshd,
        `- hosts: web1\n  gather_facts: false\n  tasks:\n    - name: slow\n      shell: sleep 30 # ${tag}\n      timeout: 2\n`,
        inventory
      )
    )
    expect(Date.now() - started).toBeLessThan(15_000)
    expect(out.exitCode).toBe(2)
    expect(resultOf(out, 'slow', 'web1')['msg']).toBe(
      'The shell action failed to execute in the expected time frame (2) and was terminated'
    )
    // Nothing of the command may survive on the target.
    const left = spawnSync('pgrep', ['-f', tag], { encoding: 'utf8' })
    expect(left.stdout.trim()).toBe('')
  })

  it('caps a huge output at 1 MiB (the tail) with a marker that gives the full size', async () => {
    const out = await runCaptured(
      sshdSettings(
        sshd,
        `- hosts: web1\n  gather_facts: false\n  tasks:\n    - name: loud\n      shell: head -c 3000000 /dev/zero | tr '\\0' x; echo END\n`,
        inventory
      )
    )
    expect(out.exitCode).toBe(0)
    const stdout = String(resultOf(out, 'loud', 'web1')['stdout'])
    expect(
      stdout.startsWith('[output truncated: showing the last 1048576 of 3000004 bytes]\n')
    ).toBe(true)
    expect(stdout.endsWith('xxxEND')).toBe(true)
    expect(stdout.length).toBeLessThan(1_048_576 + 100)
  })

  it('fails a task that uses an undefined variable, naming it', async () => {
    const out = await runCaptured(
      sshdSettings(
        sshd,
        `- hosts: web1\n  gather_facts: false\n  tasks:\n    - name: bad\n      shell: echo {{ nope }}\n`,
        inventory
      )
    )
    expect(out.exitCode).toBe(2)
    expect(String(resultOf(out, 'bad', 'web1')['msg'])).toContain("'nope' is undefined")
  })

  it('honours any_errors_fatal, max_fail_percentage, serial and run_once', async () => {
    const fatal = await runCaptured(
      sshdSettings(
        sshd,
        `- hosts: web\n  gather_facts: false\n  any_errors_fatal: true\n  tasks:\n    - shell: test {{ inventory_hostname }} != web1\n    - name: after\n      shell: echo no\n`,
        inventory
      )
    )
    expect(fatal.exitCode).toBe(2)
    expect(fatal.output).toContain('NO MORE HOSTS LEFT')
    expect(fatal.document.plays[0]!.tasks.find((t) => t.name === 'after')).toBeUndefined()

    const serial = await runCaptured(
      sshdSettings(
        sshd,
        `- hosts: web\n  gather_facts: false\n  serial: 2\n  tasks:\n    - name: batch\n      debug: msg="{{ ansible_play_batch | join(',') }}"\n`,
        inventory
      )
    )
    const batches = serial.document.plays[0]!.tasks.map((t) =>
      Object.values(t.results).map((r) => r.result['msg'])
    )
    expect(batches).toEqual([['web1,web2', 'web1,web2'], ['web3']])

    const once = await runCaptured(
      sshdSettings(
        sshd,
        `- hosts: web\n  gather_facts: false\n  tasks:\n    - name: once\n      shell: echo {{ inventory_hostname }}\n      run_once: true\n      register: o\n    - name: seen\n      debug: msg="{{ o.stdout }}"\n`,
        inventory
      )
    )
    expect(Object.keys(once.document.plays[0]!.tasks[0]!.results)).toEqual(['web1'])
    expect(resultOf(once, 'seen', 'web3')['msg']).toBe('web1')
  })

  it('refuses an unknown host key and shows its SHA256 fingerprint', async () => {
    const empty = path.join(sshd.tmpDir, 'empty_known_hosts')
    writeFileSync(empty, '')
    const out = await runCaptured(
      sshdSettings(
        sshd,
        `- hosts: web1\n  gather_facts: false\n  tasks:\n    - shell: echo hi\n`,
        inventory,
        {
          connection: { knownHostsPath: empty, hostKeyChecking: 'strict', connectTimeoutMs: 30_000 }
        }
      )
    )
    expect(out.exitCode).toBe(4)
    expect(out.output).toContain(sshd.hostKeyFingerprint)
    expect(out.output).toContain('UNREACHABLE!')
  })
})
