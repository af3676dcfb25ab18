// Integration: privilege escalation (become) with sudo against a real OpenSSH sshd.
//
// The sshd logs in as the unprivileged `apbtest`. As root, the setup gives it a password and a sudoers
// rule: NOPASSWD to root, password required to the second user `apbtarget`. Skipped unless running as
// root with sudo installed, except with APB_REQUIRE_SSHD=1 (CI), where it must run.
import { spawn, spawnSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { chmodSync, existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Gatekeeper, secretTasks } from '../helpers/cmdline-watch.js'
import { resultOf, runCaptured, sshdInventory, sshdSettings } from '../helpers/engine.js'
import { startSshd, type SshdFixture } from '../helpers/sshd.js'

const SUDO = '/usr/bin/sudo'
const SUDOERS_FILE = '/etc/sudoers.d/apbtest-become-test'
const TARGET_USER = 'apbtarget'
/** apbtest's password: blanks, quotes and shell characters must all survive the trip on stdin. */
const PASSWORD = `Apb pw 'q' "d" $HOME;x`
/** apbtarget's password, for become_method su (su asks for the target user's password). */
const TARGET_PASSWORD = 'target pw 7'
const required = process.env.APB_REQUIRE_SSHD === '1'
const usable = process.getuid?.() === 0 && existsSync(SUDO)

let sshd: SshdFixture
let inventory: string

function sh(command: string, args: string[], input?: string): string {
  const r = spawnSync(command, args, { encoding: 'utf8', input })
  if (r.status !== 0) throw new Error(`${command} ${args.join(' ')} failed: ${r.stderr}`)
  return r.stdout
}

const play = (tasks: string, extra = ''): string =>
  `- hosts: web1\n  gather_facts: false\n${extra}  tasks:\n${tasks}`

/** Everything a user could see of a run: the console and the results document. */
const visible = (out: { output: string; document: unknown }): string =>
  out.output + JSON.stringify(out.document)

describe.skipIf(!usable && !required)('become with sudo', () => {
  beforeAll(async () => {
    if (!usable) {
      throw new Error(
        `APB_REQUIRE_SSHD=1 but the become tests cannot run: they need root and ${SUDO} (apt-get install -y sudo)`
      )
    }
    sshd = await startSshd({ name: 'become' })
    if (spawnSync('id', ['-u', TARGET_USER]).status !== 0) {
      const r = spawnSync('useradd', ['-m', '-s', '/bin/sh', TARGET_USER], { encoding: 'utf8' })
      if (r.status !== 0 && spawnSync('id', ['-u', TARGET_USER]).status !== 0)
        throw new Error(`useradd ${TARGET_USER} failed: ${r.stderr}`)
    }
    sh('chpasswd', [], `${sshd.user}:${PASSWORD}\n${TARGET_USER}:${TARGET_PASSWORD}\n`)
    writeFileSync(
      SUDOERS_FILE,
      `${sshd.user} ALL=(root) NOPASSWD: ALL\n${sshd.user} ALL=(${TARGET_USER}) ALL\n`,
      { mode: 0o440 }
    )
    sh('visudo', ['-cf', SUDOERS_FILE])
    inventory = sshdInventory(sshd, { hosts: ['web1'] })
  })
  afterAll(async () => {
    if (!usable) return
    rmSync(SUDOERS_FILE, { force: true })
    // Back to the key-only login the test bed sets up.
    spawnSync('usermod', ['-p', '*', sshd?.user ?? 'apbtest'])
    await sshd?.stop()
  })

  it('becomes root without a password: commands, facts and copy run as root; become: false opts out', async () => {
    const dest = `/root/apb-become-copy-${process.pid}`
    try {
      const out = await runCaptured(
        sshdSettings(
          sshd,
          `- hosts: web1
  become: true
  tasks:
    - name: whoami
      command: whoami
    - name: not become
      command: whoami
      become: false
    - name: copy as root
      copy:
        content: "secret content\\n"
        dest: ${dest}
        mode: "0600"
    - name: facts
      debug:
        msg: "{{ ansible_user_id }} {{ ansible_env.HOME }}"
`,
          inventory
        )
      )
      expect(out.exitCode, out.output).toBe(0)
      expect(resultOf(out, 'whoami', 'web1')['stdout']).toBe('root')
      expect(resultOf(out, 'not become', 'web1')['stdout']).toBe(sshd.user)
      expect(resultOf(out, 'copy as root', 'web1')).toMatchObject({
        changed: true,
        owner: 'root',
        mode: '0600'
      })
      expect(sh('cat', [dest])).toBe('secret content\n')
      // gather_facts ran under the play's become, as in Ansible.
      expect(resultOf(out, 'facts', 'web1')['msg']).toBe('root /root')
      // Nothing of the escalation is left in stderr.
      expect(resultOf(out, 'whoami', 'web1')['stderr']).toBe('')
    } finally {
      rmSync(dest, { force: true })
    }
  })

  it('stat, slurp, fetch and find read what only root may read under become', async () => {
    const dir = `/root/apb-become-read-${process.pid}`
    const controller = mkdtempSync(join(tmpdir(), 'apb-become-fetch-'))
    sh('mkdir', ['-m', '0700', dir])
    writeFileSync(`${dir}/secret`, 'root only\n', { mode: 0o600 })
    try {
      const out = await runCaptured(
        sshdSettings(
          sshd,
          `- hosts: web1
  become: true
  gather_facts: false
  tasks:
    - name: stat
      stat: { path: ${dir}/secret }
    - name: slurp
      slurp: { src: ${dir}/secret }
    - name: fetch
      fetch: { src: ${dir}/secret, dest: ${controller}/, flat: true }
    - name: find
      find: { paths: ${dir}, get_checksum: true }
    - name: stat without become
      stat: { path: ${dir}/secret }
      become: false
      ignore_errors: true
`,
          inventory
        )
      )
      expect(out.exitCode, out.output).toBe(0)
      expect(resultOf(out, 'stat', 'web1')['stat']).toMatchObject({
        readable: true,
        pw_name: 'root',
        mode: '0600'
      })
      expect(resultOf(out, 'slurp', 'web1')['content']).toBe(
        Buffer.from('root only\n').toString('base64')
      )
      expect(resultOf(out, 'fetch', 'web1')).toMatchObject({ changed: true })
      expect(sh('cat', [`${controller}/secret`])).toBe('root only\n')
      const found = resultOf(out, 'find', 'web1')['files'] as Array<Record<string, unknown>>
      expect(found.map((f) => [f['path'], f['pw_name']])).toEqual([[`${dir}/secret`, 'root']])
      expect(found[0]!['checksum']).toBe(resultOf(out, 'fetch', 'web1')['checksum'])
      expect(resultOf(out, 'stat without become', 'web1')).toMatchObject({
        failed: true,
        msg: 'Permission denied'
      })
    } finally {
      rmSync(dir, { recursive: true, force: true })
      rmSync(controller, { recursive: true, force: true })
    }
  })

  it('becomes another user with the right password, and the password never reaches the command', async () => {
    const out = await runCaptured(
      sshdSettings(
        sshd,
        play(`    - name: as target
      shell: "id -un; printf '%s' \\"$HOME\\""
      become: true
      become_user: ${TARGET_USER}
    - name: stdin after the password
      shell: cat
      args:
        stdin: "hello from stdin"
      become: true
      become_user: ${TARGET_USER}
    - name: root needs no password, so none is sent
      shell: cat
      become: true
    - name: root with stdin
      command: cat
      args:
        stdin: "input for root"
      become: true
`),
        inventory,
        { become: { password: PASSWORD } }
      )
    )
    expect(out.exitCode, out.output).toBe(0)
    expect(resultOf(out, 'as target', 'web1')['stdout']).toBe(
      `${TARGET_USER}\n/home/${TARGET_USER}`
    )
    expect(resultOf(out, 'stdin after the password', 'web1')['stdout']).toBe('hello from stdin')
    expect(resultOf(out, 'root needs no password, so none is sent', 'web1')['stdout']).toBe('')
    expect(resultOf(out, 'root with stdin', 'web1')['stdout']).toBe('input for root')
    expect(visible(out)).not.toContain(PASSWORD)
  })

  it('-b (the run-wide default) turns become on; a play that says become: false wins', async () => {
    const out = await runCaptured(
      sshdSettings(
        sshd,
        play('    - name: default\n      command: whoami\n') +
          play('    - name: play says no\n      command: whoami\n', '  become: false\n'),
        inventory,
        { become: { enabled: true } }
      )
    )
    expect(out.exitCode, out.output).toBe(0)
    expect(resultOf(out, 'default', 'web1')['stdout']).toBe('root')
    expect(resultOf(out, 'play says no', 'web1')['stdout']).toBe(sshd.user)
  })

  it('ansible_become_* variables win over the keywords, as in Ansible', async () => {
    const out = await runCaptured(
      sshdSettings(
        sshd,
        play(`    - name: whoami
      command: whoami
      become: true
      become_user: root
`),
        sshdInventory(sshd, {
          hosts: ['web1'],
          extra: `ansible_become_user=${TARGET_USER}\nansible_become_password="${PASSWORD.replace(/"/g, '\\"')}"`
        })
      )
    )
    expect(out.exitCode, out.output).toBe(0)
    expect(resultOf(out, 'whoami', 'web1')['stdout']).toBe(TARGET_USER)
  })

  it('a wrong password fails the task with "Incorrect sudo password" and shows no password', async () => {
    const wrong = 'not-the-password 123'
    const started = Date.now()
    const out = await runCaptured(
      sshdSettings(
        sshd,
        play(`    - name: with stdin
      shell: cat
      args:
        stdin: "line one\\nline two"
      become: true
      become_user: ${TARGET_USER}
      ignore_errors: true
    - name: wrong
      command: whoami
      become: true
      become_user: ${TARGET_USER}
`),
        inventory,
        { become: { password: wrong } }
      )
    )
    expect(Date.now() - started).toBeLessThan(30_000)
    expect(out.exitCode).toBe(2)
    for (const task of ['with stdin', 'wrong']) {
      const r = resultOf(out, task, 'web1')
      expect(r['failed']).toBe(true)
      expect(String(r['msg'])).toMatch(/^Incorrect sudo password/)
      expect(r['unreachable']).toBeUndefined()
    }
    expect(visible(out)).not.toContain(wrong)
    expect(visible(out)).not.toContain('apb-become')
  })

  it('a missing password fails at once with "Missing sudo password" (sudo -n never waits)', async () => {
    const started = Date.now()
    const out = await runCaptured(
      sshdSettings(
        sshd,
        play(`    - name: no password
      command: whoami
      become: true
      become_user: ${TARGET_USER}
`),
        inventory
      )
    )
    expect(Date.now() - started).toBeLessThan(15_000)
    expect(out.exitCode).toBe(2)
    const r = resultOf(out, 'no password', 'web1')
    expect(r['failed']).toBe(true)
    expect(String(r['msg'])).toMatch(/^Missing sudo password/)
    expect(String(r['msg'])).toContain('ansible_become_password')
  })

  it('become_method su: runs as the user with its password; a wrong one fails clearly', async () => {
    const out = await runCaptured(
      sshdSettings(
        sshd,
        play(`    - name: su right
      command: id -un
      become: true
      become_method: su
      become_user: ${TARGET_USER}
      vars:
        ansible_become_password: "${TARGET_PASSWORD}"
    - name: su wrong
      command: id -un
      become: true
      become_method: su
      become_user: ${TARGET_USER}
      vars:
        ansible_become_password: "not it"
`),
        inventory
      )
    )
    expect(resultOf(out, 'su right', 'web1')['stdout']).toBe(TARGET_USER)
    const wrong = resultOf(out, 'su wrong', 'web1')
    expect(wrong['failed']).toBe(true)
    expect(String(wrong['msg'])).toMatch(/^Incorrect su password/)
    expect(visible(out)).not.toContain(TARGET_PASSWORD)
  })

  it('an unsupported become_method is refused with the supported ones named', async () => {
    await expect(
      runCaptured(
        sshdSettings(
          sshd,
          play(`    - command: whoami
      become: true
      become_method: doas
`),
          inventory
        )
      )
    ).rejects.toThrow(/become_method 'doas' is not supported: use 'sudo'/)
  })

  it('async under become: async_status without become reads the job, and so does a later --jobs run', async () => {
    const out = await runCaptured(
      sshdSettings(
        sshd,
        play(`    - name: launch as root
      shell: "id -un; sleep 1"
      async: 30
      poll: 0
      become: true
      register: job
    - name: check without become
      async_status:
        jid: "{{ job.ansible_job_id }}"
      register: status
      until: status.finished
      retries: 60
      delay: 1
    - name: launch another as root
      shell: "sleep 2; id -un"
      async: 30
      poll: 0
      become: true
      register: later
    - name: polled as the password user
      shell: "id -un"
      async: 20
      poll: 1
      become: true
      become_user: ${TARGET_USER}
`),
        inventory,
        { become: { password: PASSWORD } }
      )
    )
    expect(out.exitCode, out.output).toBe(0)
    const launch = resultOf(out, 'launch as root', 'web1')
    expect(String(launch['results_file'])).toMatch(/^\/root\/\.ansible_async\/j\d+\.\d+$/)
    expect(resultOf(out, 'check without become', 'web1')).toMatchObject({
      finished: 1,
      rc: 0,
      stdout: 'root'
    })
    expect(resultOf(out, 'polled as the password user', 'web1')).toMatchObject({
      finished: 1,
      rc: 0,
      stdout: TARGET_USER
    })
    // The records are root's alone: only remembering the become user finds them again. The job's file is
    // 0600 and root's; the folder is root's and writable by root only (0700 when we made it; it may be
    // Ansible's 0755 when a differential fixture under become made it first on this shared machine).
    const file = statSync(String(launch['results_file']))
    expect({ uid: file.uid, mode: file.mode & 0o777 }).toEqual({ uid: 0, mode: 0o600 })
    const records = statSync('/root/.ansible_async')
    expect({ uid: records.uid, writableByOthers: (records.mode & 0o022) !== 0 }).toEqual({
      uid: 0,
      writableByOthers: false
    })
    const jobs = out.document.jobs as Record<string, Record<string, Record<string, unknown>>>
    expect(jobs['web1']?.['later']).toMatchObject({ become: { user: 'root', method: 'sudo' } })
    expect(JSON.stringify(out.document)).not.toContain(PASSWORD)

    const gathered = await runCaptured(
      sshdSettings(sshd, '', inventory, {
        playbook: undefined,
        jobs: { text: JSON.stringify(out.document), source: 'run 1' },
        gatherTimeoutSeconds: 30
      })
    )
    expect(gathered.exitCode, gathered.output).toBe(0)
    expect(resultOf(gathered, 'gather later', 'web1')).toMatchObject({
      finished: 1,
      rc: 0,
      stdout: 'root'
    })
  })

  it('the password is never on a command line: ps during a run under become with a password', async () => {
    const seen: string[] = []
    let watching = true
    const watcher = (async (): Promise<void> => {
      while (watching) {
        const ps = await new Promise<string>((resolve) => {
          const child = spawn('ps', ['-eo', 'args'], { stdio: ['ignore', 'pipe', 'ignore'] })
          let text = ''
          child.stdout.on('data', (chunk: Buffer) => (text += chunk.toString()))
          child.on('close', () => resolve(text))
        })
        seen.push(ps)
        await new Promise((resolve) => setTimeout(resolve, 20))
      }
    })()
    let out
    try {
      out = await runCaptured(
        sshdSettings(
          sshd,
          play(`    - name: slow as target
      shell: "sleep 1; id -un"
      become: true
      become_user: ${TARGET_USER}
    - name: slow job as target
      shell: "sleep 1; id -un"
      async: 20
      poll: 1
      become: true
      become_user: ${TARGET_USER}
`),
          inventory,
          { become: { password: PASSWORD } }
        )
      )
    } finally {
      watching = false
      await watcher
    }
    expect(out.exitCode, out.output).toBe(0)
    // The watcher did see the escalation happen, so the check below is not vacuous.
    expect(seen.some((ps) => ps.includes('apb-become'))).toBe(true)
    expect(seen.filter((ps) => ps.includes(PASSWORD))).toEqual([])
    expect(visible(out)).not.toContain(PASSWORD)
  })

  it('environment values stay off command lines under sudo and su, sync and async, with stdin', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'apb-become-cmdline-'))
    chmodSync(dir, 0o777)
    try {
      const token = `apbsecret${randomBytes(6).toString('hex')}`
      const root = secretTasks(dir, token, 'root', 'become: true')
      const target = secretTasks(dir, token, 'target', `become: true\nbecome_user: ${TARGET_USER}`)
      const su = secretTasks(
        dir,
        token,
        'su',
        `become: true\nbecome_method: su\nbecome_user: ${TARGET_USER}\nvars:\n  ansible_become_password: "${TARGET_PASSWORD}"`
      )
      const labels = [...root.labels, ...target.labels, ...su.labels]
      const gates = new Gatekeeper(dir, labels, [token, PASSWORD, TARGET_PASSWORD])
      const running = runCaptured(
        sshdSettings(sshd, play(root.tasks + target.tasks + su.tasks), inventory, {
          become: { password: PASSWORD }
        })
      ).finally(() => gates.stop())
      const [out] = await Promise.all([running, gates.run()])
      expect(out.exitCode, out.output).toBe(0)
      expect(gates.seen.sort()).toEqual(labels.sort())
      expect(gates.leaks).toEqual([])
      for (const [task, stdout] of Object.entries({
        ...root.expected,
        ...target.expected,
        ...su.expected
      })) {
        expect(resultOf(out, task, 'web1')['stdout'], task).toBe(stdout)
      }
      expect(existsSync(`/tmp/${token}-ran`)).toBe(false)
      expect(visible(out)).not.toContain(PASSWORD)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
