// End to end: the bundled action (dist/index.js, then dist/post.js) run the way the runner runs it:
// INPUT_* variables, and GITHUB_OUTPUT / GITHUB_STEP_SUMMARY / GITHUB_STATE files.
import { execFileSync } from 'node:child_process'
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runAction as runActionIn } from '../helpers/action.js'
import { sshdInventory } from '../helpers/engine.js'
import { groupProblem, readRunnerLog, type RunnerCommand } from '../helpers/runner-log.js'
import { startSshd, unreachablePort, type SshdFixture } from '../helpers/sshd.js'

let sshd: SshdFixture
let inventory: string
let work: string

const runAction: typeof runActionIn extends (w: string, ...rest: infer R) => infer T
  ? (...rest: R) => T
  : never = (...args) => runActionIn(work, ...args)

const common = (): Record<string, string> => ({
  inventory,
  'private-key': sshd.clientKey,
  'known-hosts': readFileSync(sshd.knownHostsPath, 'utf8')
})

beforeAll(async () => {
  sshd = await startSshd({ name: 'e2e-action' })
  work = mkdtempSync(path.join(tmpdir(), 'apb-e2e-action-'))
  const dead = await unreachablePort()
  // The key comes from the private-key input, not from the inventory.
  inventory = sshdInventory(sshd, {
    hosts: ['web1', 'web2', 'web3'],
    unreachable: [{ name: 'gone', port: dead }]
  }).replace(/^ansible_ssh_private_key_file=.*$/m, '')
  writeFileSync(
    path.join(work, 'deploy.yml'),
    `- name: deploy
  hosts: web
  gather_facts: false
  tasks:
    - name: migrate
      shell: sleep 2; echo migrated {{ inventory_hostname }}
      async: 60
      poll: 0
      register: migration

    - name: check
      shell: echo checked

    - name: break web2
      shell: echo broken >&2; exit 4
      when: inventory_hostname == 'web2'
`
  )
})
afterAll(async () => sshd?.stop())

describe('dist/index.js', () => {
  it('writes outputs, the summary and annotations, masks secrets, and fails the step on a failed host', async () => {
    const step = await runAction({ ...common(), playbook: 'deploy.yml' })
    expect(step.code).toBe(1)
    expect(step.stdout).toContain('::error::The playbook failed on web2')
    expect(step.stdout).toMatch(/::error file=deploy\.yml,line=14,title=[^:]*::.*web2/)
    expect(JSON.parse(step.outputs['failed-hosts']!)).toEqual(['web2'])
    expect(JSON.parse(step.outputs['unreachable-hosts']!)).toEqual([])
    expect(step.outputs['ok']).toBe('false')
    expect(step.outputs['changed']).toBe('true')
    const stats = JSON.parse(step.outputs['stats']!)
    expect(stats.web1).toMatchObject({ ok: 2, changed: 2, failed: 0, skipped: 1 })
    const jobs = JSON.parse(step.outputs['jobs']!)
    expect(Object.keys(jobs).sort()).toEqual(['web1', 'web2', 'web3'])
    expect(jobs.web1.migration.ansible_job_id).toMatch(/^j\d+\.\d+$/)
    const results = JSON.parse(step.outputs['results']!)
    expect(JSON.parse(readFileSync(step.outputs['results-file']!, 'utf8'))).toEqual(results)
    // Hosts by inventory name, never by address.
    expect(Object.keys(results.stats).sort()).toEqual(['web1', 'web2', 'web3'])
    expect(step.summary).toContain('```mermaid')
    expect(step.summary).toContain('gantt')
    expect(step.summary).toMatch(/web2/)
    // Each task's log is one group.
    expect(step.stdout).toContain('::group::TASK [migrate]')
    // The secret never appears: the runner masks it, and we never print it.
    const keyBody = sshd.clientKey.split('\n')[1]!
    // `::add-mask::` lines are how a secret is registered; the runner consumes them and never shows them.
    const shown = step.stdout
      .split('\n')
      .filter((l) => !l.startsWith('::add-mask::'))
      .join('\n')
    for (const text of [shown, step.stderr, step.summary, JSON.stringify(step.outputs)]) {
      expect(text).not.toContain(keyBody)
    }
    expect(step.stdout).toContain(`::add-mask::${keyBody}`)
  })

  it('gathers the jobs of an earlier step through the jobs input, with and without a playbook', async () => {
    const fire = await runAction({
      ...common(),
      playbook: 'deploy.yml',
      limit: 'web1',
      'fail-on': 'never'
    })
    expect(fire.code).toBe(0)
    const gatherOnly = await runAction({ ...common(), jobs: fire.outputs['jobs']!, timeout: '60' })
    expect(gatherOnly.code).toBe(0)
    const doc = JSON.parse(gatherOnly.outputs['results']!)
    expect(doc.plays[0].tasks[0].results.web1.result).toMatchObject({
      rc: 0,
      stdout: 'migrated web1',
      finished: 1
    })
    expect(JSON.parse(gatherOnly.outputs['jobs']!)).toEqual({})

    const again = await runAction({
      ...common(),
      playbook: 'deploy.yml',
      limit: 'web1',
      'fail-on': 'never'
    })
    const withPlaybook = await runAction({
      ...common(),
      jobs: again.outputs['jobs']!,
      playbook: `- hosts: web1\n  gather_facts: false\n  tasks:\n    - name: gather\n      async_status:\n        jid: "{{ migration.ansible_job_id }}"\n      register: r\n      until: r is finished\n      delay: 1\n      retries: 30\n`
    })
    expect(withPlaybook.code).toBe(0)
    expect(
      JSON.parse(withPlaybook.outputs['results']!).plays[0].tasks[0].results.web1.result.stdout
    ).toBe('migrated web1')
  })

  it('gates with fail-on: unreachable ignores a failed host; any fails on an unreachable one', async () => {
    const onlyUnreachable = await runAction({
      ...common(),
      playbook: 'deploy.yml',
      'fail-on': 'unreachable'
    })
    expect(onlyUnreachable.code).toBe(0)
    const unreachable = await runAction({
      ...common(),
      playbook: `- hosts: gone\n  gather_facts: false\n  tasks:\n    - ping:\n`
    })
    expect(unreachable.code).toBe(1)
    expect(JSON.parse(unreachable.outputs['unreachable-hosts']!)).toEqual(['gone'])
  })

  it('splits hosts across a matrix with shard: every host exactly once', async () => {
    const seen: string[] = []
    for (const shard of ['1/2', '2/2']) {
      const step = await runAction({
        ...common(),
        shard,
        playbook: `- hosts: web\n  gather_facts: false\n  tasks:\n    - ping:\n`
      })
      expect(step.code).toBe(0)
      seen.push(...Object.keys(JSON.parse(step.outputs['stats']!)))
    }
    expect(seen.sort()).toEqual(['web1', 'web2', 'web3'])
  })

  it('on SIGTERM writes the partial results and the jobs output, and the post step kills them with on-cancel: kill', async () => {
    const step = await runAction(
      {
        ...common(),
        'on-cancel': 'kill',
        playbook: `- hosts: web1\n  gather_facts: false\n  tasks:\n    - name: long job\n      shell: sleep 120\n      async: 300\n      poll: 0\n      register: long\n    - name: wait\n      shell: sleep 60\n`
      },
      // Cancelled once the job is launched and the next task is running.
      { signalWhen: (stdout) => stdout.includes('TASK [wait]') }
    )
    expect(step.code).toBe(1)
    expect(step.outputs['ok']).toBe('false')
    const jobs = JSON.parse(step.outputs['jobs']!)
    expect(jobs.web1.long.ansible_job_id).toMatch(/^j\d+\.\d+$/)
    const post = await runAction(
      { ...common(), 'on-cancel': 'kill' },
      { entry: 'post', stateFrom: step.state }
    )
    expect(post.code).toBe(0)
    if (!post.stdout.includes('web1 long: stopped'))
      console.log(post.stdout, post.stderr, readFileSync(step.state, 'utf8'))
    expect(post.stdout).toContain('web1 long: stopped')
  })

  it('keeps secret inputs out of facts and results on the local connection', async () => {
    const secret = 'hunter2-very-secret-password'
    const step = await runAction({
      playbook: `- hosts: localhost\n  tasks:\n    - shell: env\n      register: e\n`,
      password: secret
    })
    expect(step.code).toBe(0)
    const results = readFileSync(step.outputs['results-file']!, 'utf8')
    expect(results).toContain('ansible_env')
    expect(results).not.toContain(secret)
    expect(results).not.toContain('INPUT_')
  })

  it('warns on ignored failures, annotates an inline playbook without a file, and reports progress on jobs', async () => {
    const step = await runAction(
      {
        ...common(),
        playbook: `- hosts: web1\n  gather_facts: false\n  tasks:\n    - name: flaky\n      shell: exit 3\n      ignore_errors: true\n    - name: job\n      shell: sleep 3\n      async: 30\n      poll: 0\n      register: j\n    - name: gather\n      async_status: jid={{ j.ansible_job_id }}\n      register: g\n      until: g is finished\n      delay: 1\n      retries: 60\n    - name: broken\n      shell: exit 5\n`
      },
      { env: { ASYNC_PLAYBOOK_PROGRESS_SECONDS: '1' } }
    )
    expect(step.code).toBe(1)
    expect(step.stdout).toMatch(/^::warning title=Task failed \(ignored\)%3A flaky::web1/m)
    expect(step.stdout).toMatch(/^::error title=Task failed%3A broken::web1/m)
    expect(step.stdout).not.toContain('file=<inline')
    expect(step.stdout).toMatch(/waiting on 1 job: web1 j \ds/)
  })

  it('annotates a failure inside a role and inside an included file at their own file and line', async () => {
    const write = (file: string, text: string): void => {
      mkdirSync(path.dirname(path.join(work, file)), { recursive: true })
      writeFileSync(path.join(work, file), text)
    }
    write(
      'roles/app/tasks/main.yml',
      `- name: configure
  command: echo configured
- name: app check
  shell: echo role broke >&2; exit 3
  when: inventory_hostname == 'web2'
`
    )
    write(
      'tasks/checks.yml',
      `- name: included check
  shell: echo include broke >&2; exit 5
  when: inventory_hostname == 'web3'
`
    )
    write(
      'site.yml',
      `- name: site
  hosts: web
  gather_facts: false
  roles:
    - app
  tasks:
    - include_tasks: tasks/checks.yml
`
    )
    const step = await runAction({ ...common(), playbook: 'site.yml' })
    expect(step.code).toBe(1)
    expect(step.stdout).toMatch(
      /::error file=roles\/app\/tasks\/main\.yml,line=3,title=Task failed%3A app %3A app check::web2: non-zero return code \(rc=3\)/
    )
    expect(step.stdout).toMatch(
      /::error file=tasks\/checks\.yml,line=1,title=Task failed%3A included check::web3: non-zero return code \(rc=5\)/
    )
    expect(JSON.parse(step.outputs['failed-hosts']!)).toEqual(['web2', 'web3'])
    expect(step.summary).toContain('app : app check')
  })

  it('rejects a bad input with a message naming it', async () => {
    const step = await runAction({ ...common(), playbook: 'deploy.yml', 'fail-on': 'sometimes' })
    expect(step.code).toBe(1)
    expect(step.stdout).toContain(
      "::error::Input 'fail-on' must be one of 'failed', 'unreachable', 'any', 'never', got 'sometimes'"
    )
  })

  it('lets no text from a target or a registered value issue a workflow command, and masks still apply', async () => {
    // Every form a target can print, each marked FORGED<n>: v2 at a line start, v1 anywhere, behind a bare
    // CR, in stdout and stderr, in a poll > 0 job's live output, in a debug msg, in a registered value that
    // becomes a task name and a loop label, and in a failure message. stop-commands comes first, so that a
    // later mask would be lost if it worked.
    writeFileSync(
      path.join(work, 'hostile.yml'),
      String.raw`- name: hostile
  hosts: web1
  gather_facts: false
  tasks:
    - name: hostile output
      shell: |
        printf '%s\n' '::stop-commands::FORGED1' ' ##[stop-commands]FORGED2' '::error::FORGED3 stdout' 'x ##[add-mask]web1' '  ::set-output name=ok::FORGED4'
        printf 'progress\r::stop-commands::FORGED5\n'
        printf '::warning::FORGED6 stderr\n##[error]FORGED7 stderr\n' >&2
        exit 3
      register: hostile
      ignore_errors: true

    - name: secret
      shell: echo s3cr3t-token-1234
      register: secret
      no_log: true

    - name: live output
      shell: |
        printf '::error::FORGED8 live\n##[add-mask]checked\n'
        sleep 1
        printf 'tick\r::warning::FORGED9 live behind CR\n\033[2J\033]0;FORGED10\007\n'
      async: 30
      poll: 1

    - name: debug
      debug:
        msg: "##[error]FORGED11 debug {{ hostile.stdout }}"

    - name: "named {{ hostile.stdout }}"
      debug:
        msg: ok

    - name: looped
      debug:
        msg: "{{ item }}"
      loop:
        - "{{ hostile.stdout }}"

    - name: failing
      fail:
        msg: "{{ hostile.stdout }} ##[error]FORGED12 fail"
      ignore_errors: true

    - name: show secret
      debug:
        msg: "the secret is {{ secret.stdout }}"
`
    )
    const step = await runAction({ ...common(), playbook: 'hostile.yml' })
    expect(step.code, step.stdout).toBe(0)
    const log = readRunnerLog(step.stdout)
    // The action's own commands only: groups, masks, and its annotations (which carry a title).
    const own = (c: RunnerCommand): boolean => {
      switch (c.name) {
        case 'group':
          return c.form === 'v2' && /^TASK \[/.test(c.data)
        case 'endgroup':
          return c.form === 'v2'
        case 'add-mask':
          return c.form === 'v2' && !c.data.includes('FORGED') && c.data !== 'web1'
        case 'warning':
        case 'error':
          return c.form === 'v2' && /^Task failed/.test(c.properties['title'] ?? '')
        default:
          return false
      }
    }
    expect(log.commands.filter((c) => !own(c))).toEqual([])
    expect(readRunnerLog(step.stderr).commands).toEqual([])
    expect(groupProblem(log.commands)).toBeUndefined()
    expect(log.commands.filter((c) => c.name === 'group')).toHaveLength(8)
    // Both ignored failures are annotated, by the action.
    expect(
      log.commands.filter((c) => c.name === 'warning').map((c) => c.properties['title'])
    ).toEqual(['Task failed (ignored): hostile output', 'Task failed (ignored): failing'])
    // The secret registered after the hostile stop-commands is masked.
    expect(log.masks).toContain('s3cr3t-token-1234')
    const shown = log.lines.join('\n')
    expect(shown).toContain('the secret is ***')
    expect(shown).not.toContain('s3cr3t-token-1234')
    // The hostile text is shown, inert, not dropped.
    for (const marker of ['FORGED3', 'FORGED7', 'FORGED8', 'FORGED9', 'FORGED11', 'FORGED12'])
      expect(shown).toContain(marker)
    expect(shown).toContain('[web1] live output | tick\\r::warning::FORGED9 live behind CR')
    expect(shown).toContain('\\x1b[2J\\x1b]0;FORGED10\\x07')
    // No raw CR, and no escape sequence but our own colours.
    expect(step.stdout).not.toContain('\r')
    // eslint-disable-next-line no-control-regex
    expect(step.stdout.replace(/\x1b\[[0-9;]*m/g, '')).not.toContain('\x1b')
  })

  it('on SIGTERM mid-task heads the summary cancelled, shows no unfinished host as done, says the jobs are stopped, and closes every group', async () => {
    const step = await runAction(
      {
        ...common(),
        'on-cancel': 'kill',
        playbook: `- hosts: web1\n  gather_facts: false\n  tasks:\n    - name: long job\n      shell: sleep 120\n      async: 300\n      poll: 0\n      register: long\n    - name: wait\n      shell: sleep 60\n`
      },
      { signalWhen: (stdout) => stdout.includes('::group::TASK [wait]') }
    )
    expect(step.code).toBe(1)
    expect(step.outputs['ok']).toBe('false')
    const results = JSON.parse(step.outputs['results']!)
    expect(results.cancelled).toBe(true)
    expect(results.plays[0].tasks.map((t: { name: string }) => t.name)).toEqual([
      'long job',
      'wait'
    ])
    expect(JSON.parse(step.outputs['jobs']!).web1.long.ansible_job_id).toMatch(/^j\d+\.\d+$/)
    // The summary.
    expect(step.summary).toMatch(/^## ⏹️ async-playbook: cancelled\n/)
    expect(step.summary).not.toMatch(/^## .*failed/m)
    expect(step.summary).toContain('| ⏹️ web1 |')
    expect(step.summary).not.toContain('✅ web1')
    expect(step.summary).toMatch(/\| web1 › wait <sub>[^|]*<\/sub> \| ⏹️ cancelled \|/)
    expect(step.summary).toContain('### ⏹️ Background jobs stopped (1)')
    expect(step.summary).toContain('post step of this action stops these jobs')
    expect(step.summary).not.toContain('Gather them later')
    // The command stream: the group of the interrupted task is closed, and the step fails saying why.
    const log = readRunnerLog(step.stdout)
    expect(groupProblem(log.commands)).toBeUndefined()
    expect(log.commands.map((c) => c.name)).toContain('endgroup')
    expect(log.commands.filter((c) => c.name === 'error').map((c) => c.data)).toContain(
      'The run was cancelled (SIGTERM).'
    )
    const post = await runAction(
      { ...common(), 'on-cancel': 'kill' },
      { entry: 'post', stateFrom: step.state }
    )
    expect(post.code).toBe(0)
    expect(post.stdout).toContain('web1 long: stopped')
  })

  it('closes the open group and annotates the task when the run stops on an error', async () => {
    writeFileSync(
      path.join(work, 'notify.yml'),
      `- hosts: web1\n  gather_facts: false\n  tasks:\n    - name: change\n      shell: echo changed\n      notify: no such handler\n`
    )
    const step = await runAction({ ...common(), playbook: 'notify.yml' })
    expect(step.code).toBe(1)
    const log = readRunnerLog(step.stdout)
    expect(groupProblem(log.commands)).toBeUndefined()
    const error = log.commands.find((c) => c.name === 'error')
    expect(error?.properties).toMatchObject({ file: 'notify.yml', line: '4' })
    expect(error?.data).toContain("The requested handler 'no such handler' was not found")
  })

  it('annotates a YAML syntax error at its file, line and column, in the playbook and in an imported file', async () => {
    writeFileSync(
      path.join(work, 'broken.yml'),
      `- hosts: web1\n  gather_facts: false\n  tasks:\n    - name: x\n      debug: msg=1\n     bad: [\n`
    )
    const step = await runAction({ ...common(), playbook: 'broken.yml' })
    expect(step.code).toBe(1)
    const errors = readRunnerLog(step.stdout).commands.filter((c) => c.name === 'error')
    expect(errors).toHaveLength(1)
    expect(errors[0]!.properties).toEqual({
      file: 'broken.yml',
      line: '6',
      col: '6',
      title: 'YAML syntax error'
    })
    expect(step.stdout).toContain('::error file=broken.yml,line=6,col=6,title=YAML syntax error::')
    expect(errors[0]!.data).toMatch(/^YAML syntax error: bad indentation/)
    expect(errors[0]!.data).toContain(
      'The offending line appears to be:\n\n     bad: [\n     ^ here'
    )

    mkdirSync(path.join(work, 'tasks'), { recursive: true })
    writeFileSync(path.join(work, 'tasks/broken.yml'), `- name: ok\n  debug:\n    msg: "unclosed\n`)
    writeFileSync(
      path.join(work, 'imports.yml'),
      `- hosts: web1\n  gather_facts: false\n  tasks:\n    - import_tasks: tasks/broken.yml\n`
    )
    const imported = await runAction({ ...common(), playbook: 'imports.yml' })
    expect(imported.code).toBe(1)
    const error = readRunnerLog(imported.stdout).commands.find((c) => c.name === 'error')
    expect(error?.properties).toMatchObject({
      file: 'tasks/broken.yml',
      title: 'YAML syntax error'
    })
    expect(Number(error?.properties['line'])).toBeGreaterThan(0)
  })

  it('says which input to check when the private key or its passphrase is wrong', async () => {
    const keys = mkdtempSync(path.join(tmpdir(), 'apb-keys-'))
    const encrypted = path.join(keys, 'encrypted')
    copyFileSync(sshd.clientKeyPath, encrypted)
    execFileSync('ssh-keygen', ['-q', '-p', '-P', '', '-N', 'right passphrase ', '-f', encrypted])
    const encryptedKey = readFileSync(encrypted, 'utf8')
    const ping = `- hosts: web1\n  gather_facts: false\n  tasks:\n    - ping:\n`
    const failure = async (inputs: Record<string, string>): Promise<string> => {
      const step = await runAction({ ...common(), playbook: ping, ...inputs })
      expect(step.code).toBe(1)
      const errors = readRunnerLog(step.stdout).commands.filter((c) => c.name === 'error')
      expect(errors).toHaveLength(1)
      expect(errors[0]!.data).not.toContain('--private-key')
      return errors[0]!.data
    }
    expect(await failure({ 'private-key': 'not a key at all' })).toMatch(
      /^Input 'private-key' is not a private key SSH can use \(.*\): give the whole key file/
    )
    expect(
      await failure({ 'private-key': readFileSync(`${sshd.clientKeyPath}.pub`, 'utf8') })
    ).toMatch(/^Input 'private-key' holds a public key/)
    expect(await failure({ 'private-key': encryptedKey })).toBe(
      "Input 'private-key' is an encrypted private key: give its passphrase in input 'passphrase'"
    )
    expect(await failure({ 'private-key': encryptedKey, passphrase: 'wrong passphrase' })).toMatch(
      /^Input 'passphrase' does not decrypt the key in input 'private-key'/
    )
    // The right passphrase works, trailing blank included.
    const ok = await runAction({
      ...common(),
      playbook: ping,
      'private-key': encryptedKey,
      passphrase: 'right passphrase '
    })
    expect(ok.code, ok.stdout).toBe(0)
    // A valid key the server refuses: the host is unreachable, and the message names the inputs.
    const stranger = path.join(keys, 'stranger')
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', stranger])
    const refused = await runAction({
      ...common(),
      playbook: ping,
      'private-key': readFileSync(stranger, 'utf8')
    })
    expect(refused.code).toBe(1)
    const annotation = readRunnerLog(refused.stdout).commands.find(
      (c) => c.name === 'error' && c.properties['title']?.startsWith('Task unreachable')
    )
    expect(annotation?.data).toContain("check ansible_user / input 'user' / input 'private-key'")
    expect(refused.stdout).not.toContain('--private-key')
  })
})
