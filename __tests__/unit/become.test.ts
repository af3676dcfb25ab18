// Unit: become — the escalation wrapper run through a local connection against a fake sudo (no root
// needed), flag handling, failure messages, precedence of keywords and variables, jobs documents, CLI.
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { PassThrough } from 'node:stream'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  BecomeError,
  becomeFailure,
  becomeFlagWords,
  withBecome,
  type BecomeSettings
} from '../../src/connection/become.js'
import type { Connection } from '../../src/connection/connection.js'
import { openConnection } from '../../src/connection/index.js'
import { jobsDocument, parseJobsDocument } from '../../src/async/jobs-document.js'
import { parseCli } from '../../src/cli-options.js'
import { askBecomePassword } from '../../src/cli-prompt.js'
import { OptionError } from '../../src/errors.js'
import { resolveBecome, settingsFor } from '../../src/executor/become.js'
import { ModuleArgumentError } from '../../src/modules/module.js'
import { Templar } from '../../src/template/index.js'

const PASSWORD = `p w'"$(x);\\`

/**
 * A stand-in for sudo: logs its argv, asks for PASSWORD (when `needsPassword`) with the -p prompt on
 * stderr the way sudo -S does, then runs the command after `-u USER`.
 */
function fakeSudo(file: string, log: string, needsPassword: boolean): void {
  writeFileSync(
    file,
    `#!/bin/sh
printf '%s\\n' "$*" >>'${log}'
nonint=0 prompt=
while [ $# -gt 0 ]; do
  case $1 in
    -n) nonint=1 ;;
    -p) shift; prompt=$1 ;;
    -u) shift; shift; break ;;
  esac
  shift
done
if [ ${needsPassword ? 1 : 0} = 1 ]; then
  if [ $nonint = 1 ]; then echo 'sudo: a password is required' >&2; exit 1; fi
  tries=0
  while :; do
    printf '%s' "$prompt" >&2
    if ! IFS= read -r line; then
      [ $tries -gt 0 ] && echo "sudo: $tries incorrect password attempt" >&2
      [ $tries -gt 0 ] || echo 'sudo: no password was provided' >&2
      exit 1
    fi
    [ "$line" = '${PASSWORD.replace(/'/g, `'\\''`)}' ] && break
    tries=$((tries + 1))
    echo 'Sorry, try again.' >&2
    [ $tries -lt 3 ] || { echo 'sudo: 3 incorrect password attempts' >&2; exit 1; }
  done
fi
exec "$@"
`
  )
  chmodSync(file, 0o755)
}

describe('become through a fake sudo', () => {
  let dir: string
  let local: Connection
  let log: string
  const as = (needsPassword: boolean, password?: string): Connection =>
    withBecome(local, {
      user: 'root',
      method: 'sudo',
      exe: join(dir, needsPassword ? 'sudo-pw' : 'sudo-nopw'),
      ...(password !== undefined ? { password } : {})
    })

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'apb-become-'))
    log = join(dir, 'argv.log')
    fakeSudo(join(dir, 'sudo-pw'), log, true)
    fakeSudo(join(dir, 'sudo-nopw'), log, false)
    local = await openConnection({
      host: 'h1',
      transport: 'local',
      address: 'localhost',
      port: 22,
      hostKeyChecking: 'strict',
      connectTimeoutMs: 1_000
    })
  })
  afterAll(async () => {
    await local.close()
    rmSync(dir, { recursive: true, force: true })
  })

  it('sends the password on stdin only, strips the prompt, and passes the command its own stdin', async () => {
    const r = await as(true, PASSWORD).run('echo out; echo err >&2; cat', {
      timeoutMs: 10_000,
      stdin: 'input\n'
    })
    expect(r.code).toBe(0)
    expect(r.stdout.toString()).toBe('out\ninput\n')
    expect(r.stderr.toString()).toBe('err\n')
    expect(readFileSync(log, 'utf8')).not.toContain(PASSWORD)
  })

  it('sends no password where none is needed, so it never reaches the command', async () => {
    const r = await as(false, PASSWORD).run('cat', { timeoutMs: 10_000 })
    expect(r.stdout.toString()).toBe('')
    const withInput = await as(false, PASSWORD).run('cat', { timeoutMs: 10_000, stdin: 'in' })
    expect(withInput.stdout.toString()).toBe('in')
  })

  it('streams stderr after the escalation only', async () => {
    const chunks: string[] = []
    await as(true, PASSWORD).run('echo late >&2', {
      timeoutMs: 10_000,
      onStderr: (chunk) => chunks.push(chunk.toString())
    })
    expect(chunks.join('')).toBe('late\n')
  })

  it('fails with Incorrect sudo password, without trying the command input as passwords', async () => {
    await expect(
      as(true, 'wrong').run('cat', { timeoutMs: 10_000, stdin: `${PASSWORD}\n` })
    ).rejects.toMatchObject({ reason: 'incorrect-password', message: /^Incorrect sudo password/ })
    await expect(as(true, 'wrong').run('true', { timeoutMs: 10_000 })).rejects.toThrow(
      /^Incorrect sudo password/
    )
  })

  it('fails with Missing sudo password when one is needed and none is given (-n: no wait)', async () => {
    const error = await as(true)
      .run('true', { timeoutMs: 10_000 })
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(BecomeError)
    expect((error as BecomeError).message).toMatch(/^Missing sudo password: sudo on h1 needs/)
    expect((error as BecomeError).message).toContain('ansible_become_password')
  })

  it('reports a missing become_exe clearly', async () => {
    const missing = withBecome(local, { user: 'root', method: 'sudo', exe: join(dir, 'nope') })
    await expect(missing.run('true', { timeoutMs: 10_000 })).rejects.toMatchObject({
      reason: 'not-found'
    })
  })

  it('writes files as the become user through stdin (copy under become)', async () => {
    const dest = join(dir, 'written')
    await as(true, PASSWORD).putFile(dest, Buffer.from('bytes\n'), {
      mode: 0o640,
      timeoutMs: 10_000
    })
    expect(readFileSync(dest, 'utf8')).toBe('bytes\n')
    expect((await local.run(`stat -c %a ${dest}`, { timeoutMs: 5_000 })).stdout.toString()).toBe(
      '640\n'
    )
  })

  it('refuses a password with a line break, which sudo cannot read', async () => {
    await expect(as(true, 'a\nb').run('true', { timeoutMs: 10_000 })).rejects.toMatchObject({
      reason: 'unusable'
    })
  })
})

describe('become flags', () => {
  const words = (flags: string | undefined, method: 'sudo' | 'su' = 'sudo'): string[] =>
    becomeFlagWords({ user: 'root', method, ...(flags !== undefined ? { flags } : {}) }, 'h')

  it('takes Ansible’s defaults and leaves -n / -S to the wrapper', () => {
    expect(words(undefined)).toEqual(['-H'])
    expect(words('-HSn -E')).toEqual(['-H', '-E'])
    expect(words('--non-interactive --stdin -g wheel')).toEqual(['-g', 'wheel'])
    // A cluster ending in an option with an argument is left alone.
    expect(words('-unobody')).toEqual(['-unobody'])
    expect(words('-l', 'su')).toEqual(['-l'])
    expect(words(undefined, 'su')).toEqual([])
  })

  it('refuses flags with unbalanced quotes', () => {
    expect(() => words("-E 'x")).toThrow(BecomeError)
  })
})

describe('become failures', () => {
  const settings: BecomeSettings = { user: 'app', method: 'sudo' }
  it.each([
    [
      '[p] password:Sorry, try again.\nsudo: 1 incorrect password attempt',
      /^Incorrect sudo password/
    ],
    ['sudo: a password is required', /^Missing sudo password/],
    ['apbtest is not in the sudoers file.', /does not let the login user run commands as 'app'/],
    ['Sorry, user apbtest is not allowed to execute', /does not let the login user/],
    ['/bin/sh: 1: sudo: not found', /'sudo' was not found/],
    ['something else', /privilege escalation with sudo to 'app' failed on h \(exit code 1\)/]
  ])('reads %j', (stderr, message) => {
    expect(becomeFailure(settings, 'h', stderr, 1).message).toMatch(message)
  })

  it('says which su failure it is', () => {
    const su: BecomeSettings = { user: 'app', method: 'su' }
    expect(becomeFailure(su, 'h', 'su: Authentication failure', 1).message).toMatch(
      /^Missing su password/
    )
    expect(
      becomeFailure({ ...su, password: 'x' }, 'h', 'su: Authentication failure', 1).message
    ).toMatch(/^Incorrect su password/)
  })
})

describe('resolveBecome', () => {
  const templar = new Templar()
  const resolve = (
    keywords: Parameters<typeof resolveBecome>[0],
    scope: Record<string, unknown> = {},
    defaults: Parameters<typeof resolveBecome>[3] = {}
  ): BecomeSettings | undefined => resolveBecome(keywords, scope, templar, defaults)

  it('is off unless something turns it on', () => {
    expect(resolve([undefined, undefined])).toBeUndefined()
    expect(resolve([{ becomeUser: 'app' }])).toBeUndefined()
  })

  it('ranks defaults < play < task < connection variables, as Ansible does', () => {
    expect(resolve([], {}, { enabled: true })).toEqual({ user: 'root', method: 'sudo' })
    expect(resolve([undefined, { become: false }], {}, { enabled: true })).toBeUndefined()
    expect(resolve([{ become: true }, { become: false, becomeUser: 'play' }])).toEqual({
      user: 'play',
      method: 'sudo'
    })
    expect(
      resolve([{ become: true, becomeUser: 'task' }, { becomeUser: 'play' }], {
        ansible_become_user: 'var'
      })?.user
    ).toBe('var')
    expect(resolve([{ become: true }], { ansible_become: false })).toBeUndefined()
  })

  it('templates keywords, reads yes/no strings, and takes the password from the variables first', () => {
    const got = resolve(
      [{ become: '{{ flag }}', becomeUser: '{{ who }}', becomeMethod: 'su', becomeExe: '/bin/su' }],
      { flag: 'yes', who: 'app', ansible_become_pass: 'from-var' },
      { password: 'from-cli' }
    )
    expect(got).toEqual({ user: 'app', method: 'su', exe: '/bin/su', password: 'from-var' })
    expect(resolve([{ become: true }], {}, { password: 'from-cli' })?.password).toBe('from-cli')
  })

  it('refuses an unsupported method at run time (it may come from a variable)', () => {
    expect(() => resolve([{ become: true }], { ansible_become_method: 'doas' })).toThrow(
      ModuleArgumentError
    )
  })

  it('gives a remembered job identity the host’s current password', () => {
    expect(settingsFor({ user: 'root', method: 'sudo' }, { ansible_become_password: 'x' })).toEqual(
      { user: 'root', method: 'sudo', password: 'x' }
    )
    expect(settingsFor(undefined, { ansible_become_password: 'x' })).toBeUndefined()
  })
})

describe('jobs documents remember the become user', () => {
  const job = {
    jid: 'j123456789.42',
    host: 'web1',
    dir: '/root/.ansible_async',
    launch: { ansible_job_id: 'j123456789.42' },
    register: 'build',
    task: 'build',
    launchedAt: Date.now(),
    asyncSeconds: 60,
    become: { user: 'root', method: 'sudo' as const },
    gathered: false
  }

  it('writes it (never a password) and reads it back', () => {
    const doc = jobsDocument([job])
    expect(doc['web1']?.['build']?.['become']).toEqual({ user: 'root', method: 'sudo' })
    const back = parseJobsDocument(JSON.stringify(doc), 'doc').get('web1', 'j123456789.42')
    expect(back?.become).toEqual({ user: 'root', method: 'sudo' })
  })

  it('refuses a become it cannot use', () => {
    const doc = jobsDocument([job]) as Record<string, Record<string, Record<string, unknown>>>
    doc['web1']!['build']!['become'] = { user: 'root', method: 'doas' }
    expect(() => parseJobsDocument(JSON.stringify(doc), 'doc')).toThrow(/needs a 'method'/)
  })
})

describe('CLI become options', () => {
  const parse = (argv: string[], env: NodeJS.ProcessEnv = {}): ReturnType<typeof parseCli> =>
    parseCli(argv, env, false, '/tmp')

  it('reads -b, --become-user, --become-method and the password from the environment', () => {
    const request = parse(['play.yml', '-b', '--become-user', 'app', '--become-method', 'su'], {
      ASYNC_PLAYBOOK_BECOME_PASSWORD: 'pw'
    })
    expect(request.settings?.become).toEqual({
      enabled: true,
      user: 'app',
      method: 'su',
      password: 'pw'
    })
    expect(request.askBecomePass).toBeUndefined()
    expect(parse(['play.yml']).settings?.become).toBeUndefined()
  })

  it('-K asks only when the environment has no password', () => {
    expect(parse(['play.yml', '-K']).askBecomePass).toBe(true)
    expect(
      parse(['play.yml', '-K'], { ASYNC_PLAYBOOK_BECOME_PASSWORD: 'pw' }).askBecomePass
    ).toBeUndefined()
  })

  it('refuses an unknown method', () => {
    expect(() => parse(['play.yml', '--become-method', 'doas'])).toThrow(OptionError)
  })
})

describe('-K prompt', () => {
  it('refuses to read a password from something that is not a terminal', async () => {
    const input = new PassThrough()
    await expect(askBecomePassword({ input, output: { write: () => true } })).rejects.toThrow(
      /needs a terminal.*ASYNC_PLAYBOOK_BECOME_PASSWORD/s
    )
  })

  it('reads a line without echoing it, with backspace', async () => {
    const input = Object.assign(new PassThrough(), {
      isTTY: true,
      raw: false,
      setRawMode(mode: boolean) {
        this.raw = mode
      }
    })
    let shown = ''
    const answer = askBecomePassword({ input, output: { write: (t: string) => (shown += t) } })
    input.write('secreX\u007ft\r')
    await expect(answer).resolves.toBe('secret')
    expect(shown).toBe('BECOME password: \n')
    expect(input.raw).toBe(false)
  })
})
