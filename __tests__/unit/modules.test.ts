import { execFileSync } from 'node:child_process'
import { mkdtempSync, realpathSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import type { CommandResult, Connection, RunOptions } from '../../src/connection/connection.js'
import { ModuleArgumentError, type ModuleResult } from '../../src/modules/module.js'
import { CACHEABLE_FACTS } from '../../src/modules/set-fact.js'
import { parseFacts } from '../../src/modules/setup.js'
import { runModuleOn } from '../helpers/module-harness.js'

/** A connection that records every command and answers from a script of canned results. */
class FakeConnection implements Connection {
  readonly host = 'web1'
  readonly commands: Array<{ command: string; options: RunOptions }> = []
  constructor(private readonly answer: (command: string) => Partial<CommandResult> = () => ({})) {}

  async run(command: string, options: RunOptions): Promise<CommandResult> {
    this.commands.push({ command, options })
    return {
      code: 0,
      signal: null,
      stdout: Buffer.from(''),
      stderr: Buffer.from(''),
      timedOut: false,
      ...this.answer(command)
    }
  }

  async putFile(): Promise<void> {}
  async getFile(): Promise<Buffer> {
    throw new Error('getFile is not used by these tests')
  }
  async close(): Promise<void> {}
}

function reply(stdout: string, code = 0, stderr = ''): Partial<CommandResult> {
  return { code, stdout: Buffer.from(stdout), stderr: Buffer.from(stderr) }
}

interface Harness {
  connection: FakeConnection
  slept: number[]
  /** What the module logged, and its warnings as `[WARNING]: …`. */
  logged: string[]
}

/** Runs a module through the shared harness, on a connection that records commands and answers them. */
async function run(
  module: string,
  args: Record<string, unknown>,
  options: {
    answer?: (command: string) => Partial<CommandResult>
    vars?: Record<string, unknown>
    environment?: Record<string, string>
    taskTimeoutSeconds?: number
  } = {}
): Promise<ModuleResult & { h: Harness }> {
  const connection = new FakeConnection(options.answer)
  const h: Harness = { connection, slept: [], logged: [] }
  const { result } = await runModuleOn(module, args, {
    vars: options.vars,
    environment: options.environment,
    taskTimeoutSeconds: options.taskTimeoutSeconds,
    baseDir: '/base',
    logged: h.logged,
    sleep: async (ms) => {
      h.slept.push(ms)
    },
    connect: async () => connection
  })
  return { ...result, h }
}

/** Runs a recorded command with the real /bin/sh, as the target would. */
function sh(command: string, stdin?: string | Buffer): string {
  return execFileSync('/bin/sh', ['-c', command], { encoding: 'utf8', input: stdin })
}

describe('shell', () => {
  it('runs the command through /bin/sh -c with the text quoted once', async () => {
    const r = await run('shell', { _raw_params: 'echo "$HOME" | tr a b' })
    expect(r.h.connection.commands).toHaveLength(1)
    expect(r.h.connection.commands[0]!.command).toBe(`/bin/sh -c 'echo "$HOME" | tr a b'`)
    expect(r.cmd).toBe('echo "$HOME" | tr a b')
  })

  it('applies chdir and environment so that the real shell sees them', async () => {
    const dir = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'modules-shell-')))
    const value = `it's "quoted" $(not run) \`nor this\``
    const r = await run(
      'shell',
      { _raw_params: 'pwd; printf "%s" "$GREETING"', chdir: dir },
      { environment: { GREETING: value } }
    )
    const { command, options } = r.h.connection.commands[0]!
    // The value travels on stdin, never in the command text (`ps` shows that to every user).
    expect(command).not.toContain('not run')
    expect(sh(command, options.stdin)).toBe(`${dir}\n${value}`)
  })

  it('stops when chdir does not exist instead of running elsewhere', async () => {
    const r = await run('shell', { _raw_params: 'echo ran', chdir: '/does/not/exist' })
    expect(() => sh(`${r.h.connection.commands[0]!.command} 2>/dev/null`)).toThrow()
  })

  it('refuses an environment variable name the shell cannot export', async () => {
    await expect(
      run('shell', { _raw_params: 'true' }, { environment: { 'A;rm -rf': 'x' } })
    ).rejects.toThrow(ModuleArgumentError)
  })

  it('wraps the command in coreutils timeout when the task has a timeout', async () => {
    const r = await run('shell', { _raw_params: 'sleep 1' }, { taskTimeoutSeconds: 2.5 })
    const { command, options } = r.h.connection.commands[0]!
    // Runs under /bin/sh, with coreutils timeout around the user's command.
    expect(command).toMatch(/^\/bin\/sh -c 'exec timeout -k 5 3 \/bin\/sh -c /)
    expect(sh(command)).toBe('')
    // The controller waits a little longer than the remote timeout.
    expect(options.timeoutMs).toBe(12_500)
  })

  it('reports rc 124 under a task timeout as a timeout, not a plain failure', async () => {
    const r = await run(
      'shell',
      { _raw_params: 'sleep 9' },
      {
        taskTimeoutSeconds: 1,
        answer: () => reply('', 124)
      }
    )
    expect(r.failed).toBe(true)
    expect(r.msg).toContain('failed to execute in the expected time frame (1)')
  })

  it('uses executable instead of /bin/sh', async () => {
    const r = await run('shell', { _raw_params: 'echo $0', executable: '/bin/bash' })
    expect(sh(r.h.connection.commands[0]!.command)).toBe('/bin/bash\n')
  })

  it('strips the trailing newline from stdout and splits lines', async () => {
    const r = await run(
      'shell',
      { _raw_params: 'x' },
      { answer: () => reply('one\ntwo\n\n', 0, 'warn\n') }
    )
    expect(r).toMatchObject({
      rc: 0,
      stdout: 'one\ntwo',
      stdout_lines: ['one', 'two'],
      stderr: 'warn',
      stderr_lines: ['warn'],
      changed: true,
      msg: ''
    })
    expect(r.failed).toBeUndefined()
    expect(r.start).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}$/)
    expect(r.delta).toMatch(/^0:00:00\.\d{6}$/)
  })

  it('fails with "non-zero return code" when rc is not 0', async () => {
    const r = await run('shell', { _raw_params: 'false' }, { answer: () => reply('', 3, 'bad') })
    expect(r).toMatchObject({ rc: 3, failed: true, msg: 'non-zero return code', stderr: 'bad' })
  })

  it('sends stdin with a trailing newline unless stdin_add_newline is false', async () => {
    const a = await run('shell', { _raw_params: 'cat', stdin: 'secret' })
    expect(a.h.connection.commands[0]!.options.stdin).toBe('secret\n')
    const b = await run('shell', { _raw_params: 'cat', stdin: 'secret', stdin_add_newline: false })
    expect(b.h.connection.commands[0]!.options.stdin).toBe('secret')
    // Secrets in stdin never appear in the command line.
    expect(a.h.connection.commands[0]!.command).not.toContain('secret')
  })

  it('fails a shell task without a command as Ansible does: rc 256, nothing run', async () => {
    const r = await run('shell', {})
    expect(r).toMatchObject({ failed: true, changed: false, msg: 'no command given', rc: 256 })
    expect(r.h.connection.commands).toHaveLength(0)
  })
})

describe('command', () => {
  it('passes each argument literally: $(…) arrives as one argument and is never run', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'modules-command-'))
    const evil = `$(touch ${dir}/pwned)`
    const r = await run('command', { _raw_params: `printf '%s\\n' "${evil}" 'a  b' *` })
    const command = r.h.connection.commands[0]!.command
    expect(command.startsWith('/bin/sh -c ')).toBe(true)
    expect(sh(command)).toBe(`${evil}\na  b\n*\n`)
    expect(sh(`ls -A ${dir}`)).toBe('')
    expect(r.cmd).toEqual(['printf', '%s\\n', evil, 'a  b', '*'])
  })

  it('accepts argv as a list', async () => {
    const r = await run('command', { argv: ['printf', '%s|', 'x y', 'a;b'] })
    expect(sh(r.h.connection.commands[0]!.command)).toBe('x y|a;b|')
  })

  it('expands $VAR, ${VAR} and a leading ~ as Ansible does, and leaves unknown variables alone', async () => {
    const r = await run('command', {
      argv: [
        'printf',
        '%s|',
        '$HOME',
        '${HOME}/x',
        '~/y',
        '$APB_SURELY_UNSET',
        'a$(id)b',
        "it's $HOME"
      ]
    })
    const home = process.env.HOME
    expect(sh(r.h.connection.commands[0]!.command)).toBe(
      `${home}|${home}/x|${home}/y|$APB_SURELY_UNSET|a$(id)b|it's ${home}|`
    )
    expect(r.cmd).toEqual([
      'printf',
      '%s|',
      '$HOME',
      '${HOME}/x',
      '~/y',
      '$APB_SURELY_UNSET',
      'a$(id)b',
      "it's $HOME"
    ])
  })

  it('refuses both a command and argv (rc 256, as Ansible), and unbalanced quotes', async () => {
    expect(await run('command', { _raw_params: 'ls', argv: ['ls'] })).toMatchObject({
      failed: true,
      msg: 'only command or argv can be given, not both',
      rc: 256
    })
    await expect(run('command', { _raw_params: "echo 'oops" })).rejects.toThrow(
      'could not split the command'
    )
  })

  it('fails on a non-zero return code', async () => {
    const r = await run('command', { _raw_params: 'false' }, { answer: () => reply('', 1) })
    expect(r).toMatchObject({ failed: true, msg: 'non-zero return code', rc: 1 })
  })
})

describe('raw', () => {
  it('sends the text as is and keeps stdout untrimmed', async () => {
    const r = await run('raw', { _raw_params: 'echo hi; uptime' }, { answer: () => reply('hi\n') })
    expect(r.h.connection.commands[0]!.command).toBe('echo hi; uptime')
    expect(r.stdout).toBe('hi\n')
    expect(r.stdout_lines).toEqual(['hi'])
  })

  it('warns, as Ansible, that the environment keyword does not apply to it, and does not send it', async () => {
    const r = await run('raw', { _raw_params: 'echo "$SECRET"' }, { environment: { SECRET: 's3' } })
    expect(r.h.logged).toEqual(['[WARNING]: raw module does not support the environment keyword'])
    expect(r.h.connection.commands[0]!.command).toBe('echo "$SECRET"')
    expect(r.h.connection.commands[0]!.options.stdin).toBeUndefined()
    const quiet = await run('raw', { _raw_params: 'true' })
    expect(quiet.h.logged).toEqual([])
  })

  it('runs the text with `executable -c` when given, as Ansible does', async () => {
    const r = await run('raw', { _raw_params: "echo 'a b' $0", executable: '/bin/sh' })
    const command = r.h.connection.commands[0]!.command
    expect(command).toBe(`/bin/sh -c 'echo '\\''a b'\\'' $0'`)
    expect(sh(command)).toBe('a b /bin/sh\n')
  })
})

describe('script', () => {
  it('refuses a relative chdir, as Ansible', async () => {
    await expect(run('script', { _raw_params: 'x.sh', chdir: 'tmp' })).rejects.toThrow(
      'chdir tmp must be an absolute path for a Unix-aware remote node'
    )
  })
})

describe('debug', () => {
  it('prints msg, or Hello world! by default', async () => {
    expect(await run('debug', { msg: 'hi' })).toMatchObject({ msg: 'hi', changed: false })
    expect((await run('debug', {})).msg).toBe('Hello world!')
  })

  it('shows a variable by name', async () => {
    const r = await run('debug', { var: 'app.port' }, { vars: { app: { port: 8080 } } })
    expect(r['app.port']).toBe(8080)
  })

  it('says VARIABLE IS NOT DEFINED! for an undefined variable instead of failing', async () => {
    const r = await run('debug', { var: 'nope' })
    expect(r.nope).toBe('VARIABLE IS NOT DEFINED!')
    expect(r.failed).toBeUndefined()
  })

  it('refuses msg and var together', async () => {
    await expect(run('debug', { msg: 'a', var: 'b' })).rejects.toThrow(
      "'msg' and 'var' are incompatible options"
    )
  })
})

describe('set_fact', () => {
  it('returns the facts to set', async () => {
    expect(await run('set_fact', { a: 1, b_2: 'x', cacheable: true })).toMatchObject({
      ansible_facts: { a: 1, b_2: 'x' },
      changed: false
    })
  })

  it.each(['1st', 'a-b', 'with space'])('refuses the variable name %j', async (name) => {
    await expect(run('set_fact', { [name]: 1 })).rejects.toThrow(
      `The variable name '${name}' is not valid`
    )
  })

  it('refuses an empty set_fact', async () => {
    await expect(run('set_fact', {})).rejects.toThrow('No key/value pairs provided')
    await expect(run('set_fact', { cacheable: true })).rejects.toThrow(
      'No key/value pairs provided'
    )
  })

  it('templates the names, then refuses those that are not Python identifiers', async () => {
    const vars = { prefix: 'app', n: 1 }
    expect(
      await run('set_fact', { 'k_{{ n }}': 'a', "{{ 'j' }}": 'b', '{{ prefix }}_x': 'c' }, { vars })
    ).toMatchObject({ ansible_facts: { k_1: 'a', j: 'b', app_x: 'c' } })
    for (const name of ['class', 'None', 'True', 'é', '{{ n }}'])
      await expect(run('set_fact', { [name]: 1 }, { vars })).rejects.toThrow(
        `The variable name '${name === '{{ n }}' ? '1' : name}' is not valid`
      )
  })

  it('turns the strings true/false/yes/no (any case) into booleans, and nothing else', async () => {
    const { ansible_facts: facts } = await run('set_fact', {
      a: 'false',
      b: 'Yes',
      c: 'NO',
      d: 'TRUE',
      e: 'off',
      f: 'on',
      g: 'y',
      h: '0',
      i: '12',
      j: ' true',
      k: 1,
      l: ['yes']
    })
    expect(facts).toEqual({
      a: false,
      b: true,
      c: false,
      d: true,
      e: 'off',
      f: 'on',
      g: 'y',
      h: '0',
      i: '12',
      j: ' true',
      k: 1,
      l: ['yes']
    })
  })

  it('reads cacheable strictly and marks the result for the executor', async () => {
    const marked = async (value: unknown): Promise<unknown> =>
      ((await run('set_fact', { a: 1, cacheable: value })) as Record<PropertyKey, unknown>)[
        CACHEABLE_FACTS
      ]
    for (const value of ['yes', 'True', 'on', 1, true]) expect(await marked(value)).toBe(true)
    for (const value of ['no', 'false', 'off', 0, false])
      expect(await marked(value)).toBeUndefined()
    await expect(run('set_fact', { a: 1, cacheable: 'maybe' })).rejects.toThrow(
      "The value 'maybe' of 'cacheable' is not a valid boolean"
    )
  })
})

describe('fail and assert', () => {
  it('fail fails with msg or the default message', async () => {
    expect(await run('fail', { msg: 'stop' })).toMatchObject({ failed: true, msg: 'stop' })
    expect((await run('fail', {})).msg).toBe('Failed as requested from task')
  })

  it('assert passes when every condition holds', async () => {
    const r = await run('assert', { that: ['x > 1', 'y == "a"'] }, { vars: { x: 2, y: 'a' } })
    expect(r).toMatchObject({ changed: false, msg: 'All assertions passed' })
    expect(r.failed).toBeUndefined()
  })

  it('assert fails on the first false condition with fail_msg', async () => {
    const r = await run(
      'assert',
      { that: ['x > 1', 'x > 5', 'boom'], fail_msg: 'x too small' },
      {
        vars: { x: 2 }
      }
    )
    expect(r).toMatchObject({
      failed: true,
      assertion: 'x > 5',
      evaluated_to: false,
      msg: 'x too small'
    })
  })

  it('assert accepts a single string and uses the default message', async () => {
    const r = await run('assert', { that: 'x == 3' }, { vars: { x: 2 } })
    expect(r).toMatchObject({ failed: true, assertion: 'x == 3', msg: 'Assertion failed' })
  })

  it('assert needs that', async () => {
    await expect(run('assert', {})).rejects.toThrow('conditional required in "that" string')
  })
})

describe('pause', () => {
  it('waits through ctx.sleep, never for real', async () => {
    const started = Date.now()
    const r = await run('pause', { seconds: 300 })
    expect(Date.now() - started).toBeLessThan(5000)
    expect(r.h.slept).toEqual([300_000])
    expect(r).toMatchObject({ changed: false, rc: 0, stdout: 'Paused for 300.00 seconds' })
  })

  it('converts minutes and shows the prompt', async () => {
    const r = await run('pause', { minutes: 2, prompt: 'waiting for DNS' })
    expect(r.h.slept).toEqual([120_000])
    expect(r.stdout).toBe('Paused for 2.00 minutes')
    expect(r.h.logged.join('\n')).toContain('waiting for DNS')
  })

  it('refuses to wait for a key press and refuses bad numbers', async () => {
    await expect(run('pause', {})).rejects.toThrow('pause needs `seconds` or `minutes`')
    expect(await run('pause', { seconds: 'soon' })).toMatchObject({
      failed: true,
      msg: "argument 'seconds' is of type <class 'ansible.parsing.yaml.objects.AnsibleUnicode'> and we were unable to convert to int: invalid literal for int() with base 10: 'soon'"
    })
  })
})

describe('ping', () => {
  it('answers pong after a round trip to the target', async () => {
    const r = await run('ping', {}, { answer: () => reply('pong\n') })
    expect(r).toMatchObject({ changed: false, ping: 'pong' })
    expect(r.h.connection.commands).toHaveLength(1)
  })

  it('fails when the target shell fails', async () => {
    const r = await run('ping', {}, { answer: () => reply('', 127, 'sh: not found') })
    expect(r).toMatchObject({ failed: true, rc: 127, module_stdout: '' })
    expect(r.msg).toBe('MODULE FAILURE\nSee stdout/stderr for the exact error')
    expect(r.module_stderr).toContain('sh: not found')
  })
})

describe('setup parseFacts', () => {
  const RS = '\x1e'
  const US = '\x1f'
  const record = (kind: string, name: string, value: string) =>
    `${kind}${US}${name}${US}${value}${RS}`
  const common = (osRelease: string, extra = '') =>
    [
      record('fact', 'hostname', 'web1.example.com'),
      record('fact', 'fqdn', 'web1.example.com'),
      record('fact', 'kernel', '6.1.0-18-amd64'),
      record('fact', 'kernel_version', '#1 SMP PREEMPT_DYNAMIC Debian 6.1.76-1'),
      record('fact', 'architecture', 'x86_64'),
      record('fact', 'system', 'Linux'),
      record('fact', 'vcpus', '4'),
      record('fact', 'memtotal_kb', '8148020'),
      record('fact', 'memfree_kb', '1048576'),
      record('fact', 'user_id', 'deploy'),
      record('fact', 'user_uid', '1001'),
      record('fact', 'user_gid', '1001'),
      record('fact', 'user_entry', 'deploy:x:1001:1001:Deploy:/home/deploy:/bin/bash'),
      record('fact', 'date', '2026 03 07 14 05 09 1772888709 +0100 CET 6 09 Saturday'),
      record('fact', 'boot_id', 'b00t'),
      record('fact', 'os_release', osRelease),
      extra,
      record('env', 'HOME', '/home/deploy'),
      record('env', 'MULTI', 'line1\nline2')
    ].join('')

  it('maps Debian with the precise version from /etc/debian_version', () => {
    const facts = parseFacts(
      common(
        'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nNAME="Debian GNU/Linux"\nVERSION_ID="12"\nVERSION_CODENAME=bookworm\nID=debian\n',
        record('fact', 'debian_version', '12.5\n')
      )
    )
    expect(facts).toMatchObject({
      ansible_distribution: 'Debian',
      ansible_distribution_version: '12.5',
      ansible_distribution_major_version: '12',
      ansible_distribution_release: 'bookworm',
      ansible_os_family: 'Debian',
      ansible_hostname: 'web1',
      ansible_fqdn: 'web1.example.com',
      ansible_domain: 'example.com',
      ansible_system: 'Linux',
      ansible_architecture: 'x86_64',
      ansible_processor_vcpus: 4,
      ansible_memtotal_mb: 7957,
      ansible_memfree_mb: 1024,
      ansible_user_id: 'deploy',
      ansible_user_uid: 1001,
      ansible_user_dir: '/home/deploy',
      ansible_user_shell: '/bin/bash'
    })
    expect(facts['ansible_env']).toEqual({ HOME: '/home/deploy', MULTI: 'line1\nline2' })
  })

  it('maps Ubuntu to the Debian family and keeps its os-release version', () => {
    const facts = parseFacts(
      common(
        'NAME="Ubuntu"\nVERSION_ID="22.04"\nVERSION_CODENAME=jammy\nID=ubuntu\nID_LIKE=debian\n',
        record('fact', 'debian_version', 'bookworm/sid')
      )
    )
    expect(facts).toMatchObject({
      ansible_distribution: 'Ubuntu',
      ansible_distribution_version: '22.04',
      ansible_distribution_major_version: '22',
      ansible_distribution_release: 'jammy',
      ansible_os_family: 'Debian'
    })
  })

  it('fills ansible_date_time as Ansible does', () => {
    const facts = parseFacts(common('ID=debian\n'))
    expect(facts['ansible_date_time']).toMatchObject({
      year: '2026',
      month: '03',
      day: '07',
      hour: '14',
      minute: '05',
      second: '09',
      epoch: '1772888709',
      date: '2026-03-07',
      time: '14:05:09',
      iso8601: '2026-03-07T13:05:09Z',
      iso8601_micro: '2026-03-07T13:05:09.000000Z',
      iso8601_basic_short: '20260307T140509',
      tz: 'CET',
      tz_offset: '+0100',
      weekday: 'Saturday',
      weekday_number: '6',
      weeknumber: '09'
    })
  })

  it('runs the facts script through the connection in one round trip', async () => {
    const r = await run(
      'setup',
      {},
      { answer: () => reply(common('ID=ubuntu\nVERSION_ID="24.04"\n')) }
    )
    expect(r.h.connection.commands).toHaveLength(1)
    expect(r.h.connection.commands[0]!.command).toContain('/proc/meminfo')
    expect(r.ansible_facts).toMatchObject({
      ansible_distribution: 'Ubuntu',
      ansible_distribution_version: '24.04'
    })
  })

  it('fails with the script error when fact gathering fails', async () => {
    await expect(
      run('setup', {}, { answer: () => reply('', 2, 'awk: not found') })
    ).rejects.toThrow('fact gathering failed (rc=2): awk: not found')
  })
})
