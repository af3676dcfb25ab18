// A task's environment travels on stdin: the command text holds no value, the values arrive byte for
// byte, and the task's own stdin that follows them is left whole. Run under every POSIX shell here.
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import {
  commandWithEnvironment,
  environmentOnStdin,
  receivingEnvironment
} from '../../src/modules/task-environment.js'
import { ModuleArgumentError } from '../../src/modules/module.js'
import { shellQuote } from '../../src/connection/shell-quote.js'

/** Values a secret may hold: every byte but NUL, in the places that break naive framing. */
export const NASTY_VALUES: Record<string, string> = {
  PLAIN: 's3cret-plain',
  EMPTY: '',
  NEWLINES: 'line one\nline two\n\nline four',
  TRAILING_NEWLINES: 'ends with newlines\n\n',
  ONLY_NEWLINE: '\n',
  QUOTES: `it's "quoted" \`back\``,
  SUBSHELL: '$(touch /tmp/apb-pwned) ${HOME} $HOME `id`',
  BACKSLASHES: 'a\\nb\\\\c\\',
  DASHES: '-n -e --help',
  BLANKS: '  leading and trailing \t ',
  CONTROL: 'bell\x07 cr\r esc\x1b[31m del\x7f',
  UNICODE: 'päss wörd ✓ 🔑',
  GLOB: '* ? [a-z] ~',
  SEMICOLONS: 'a; echo injected && exit 9 | cat'
}

/** The POSIX shells available to run the generated text (dash is /bin/sh on Debian). */
const SHELLS = [
  ['/bin/sh'],
  ['/usr/bin/dash'],
  ['/usr/bin/bash', '--posix'],
  ['/bin/busybox', 'sh']
].filter(([exe]) => existsSync(exe!))

/** Runs `command` (a `/bin/sh -c …` line) the way a target's login shell would, with `stdin`. */
function runUnder(
  shell: string[],
  command: string,
  stdin: string | Buffer | undefined
): { status: number | null; stdout: Buffer; stderr: string } {
  const r = spawnSync(shell[0]!, [...shell.slice(1), '-c', command], {
    input: stdin,
    // No HOME: bash reads ~/.bashrc when its stdin is a socket (as Node's pipes are), as under sshd.
    env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: '/nonexistent' }
  })
  return { status: r.status, stdout: r.stdout, stderr: r.stderr.toString() }
}

/** Shell text that prints each named variable followed by a NUL, then the rest of stdin. */
const printing = (names: string[]): string =>
  `${names.map((n) => `printf '%s\\0' "$${n}"`).join('; ')}; cat`

function parsePrinted(stdout: Buffer, count: number): { values: string[]; rest: string } {
  const values: string[] = []
  let at = 0
  for (let i = 0; i < count; i++) {
    const end = stdout.indexOf(0, at)
    values.push(stdout.subarray(at, end).toString('utf8'))
    at = end + 1
  }
  return { values, rest: stdout.subarray(at).toString('utf8') }
}

describe('environment on stdin', () => {
  it.each(SHELLS.map((s) => [s.join(' '), s] as const))(
    '%s: every value arrives exactly, none is in the command, the task stdin follows whole',
    (_name, shell) => {
      const names = Object.keys(NASTY_VALUES)
      const ownStdin = 'first line of the task input\nsecond\n'
      const sent = commandWithEnvironment(printing(names), NASTY_VALUES, ownStdin)
      for (const value of Object.values(NASTY_VALUES).filter((v) => v.length >= 3)) {
        expect(sent.command).not.toContain(value)
      }
      const r = runUnder(shell, sent.command, sent.stdin)
      expect(r.stderr).toBe('')
      expect(r.status).toBe(0)
      const printed = parsePrinted(r.stdout, names.length)
      expect(Object.fromEntries(names.map((n, i) => [n, printed.values[i]]))).toEqual(NASTY_VALUES)
      expect(printed.rest).toBe(ownStdin)
      expect(existsSync('/tmp/apb-pwned')).toBe(false)
    }
  )

  it('the variables are exported to the commands the script starts, and our helpers are gone', () => {
    const sent = commandWithEnvironment(
      `env | grep -c '^__apb_env_' ; /usr/bin/printenv TOKEN; set | grep -c '__apb_env_' || :`,
      { TOKEN: 'tok\nen' }
    )
    const r = runUnder(['/bin/sh'], sent.command, sent.stdin)
    expect(r.stdout.toString()).toBe('0\ntok\nen\n0\n')
  })

  it('a variable named like our helpers is not overwritten by them', () => {
    const env = { __apb_env_v: 'mine', __apb_env_0: 'zero', ___apb_env_read: 'x', OTHER: 'o' }
    const names = Object.keys(env)
    const sent = commandWithEnvironment(printing(names), env)
    const r = runUnder(['/bin/sh'], sent.command, sent.stdin)
    expect(r.status).toBe(0)
    expect(parsePrinted(r.stdout, names.length).values).toEqual(Object.values(env))
  })

  it('a launcher reads the values into its environment; a detached child applies them', () => {
    const env = environmentOnStdin({ SECRET: 'launch\nsecret', PATH_EXTRA: '-x' })!
    // The "job" runs from the launcher's environment alone, as the async supervisor's job does.
    const job = `/bin/sh -c ${shellQuote(`${env.apply}\nprintf '%s|%s' "$SECRET" "$PATH_EXTRA"`)}`
    const sent = receivingEnvironment(`${job} </dev/null`, env)
    expect(sent.command).not.toContain('launch\nsecret')
    const r = runUnder(['/bin/sh'], sent.command, sent.stdin)
    expect(r.stdout.toString()).toBe('launch\nsecret|-x')
  })

  it('a command whose stdin ends early fails with a message instead of running', () => {
    const sent = commandWithEnvironment('echo ran', { A: 'one', B: 'two\nlines' })
    const cut = (sent.stdin as Buffer).subarray(0, 8)
    const r = runUnder(['/bin/sh'], sent.command, cut)
    expect(r.status).toBe(125)
    expect(r.stdout.toString()).toBe('')
    expect(r.stderr).toContain('the task environment did not arrive on stdin')
  })

  it('without an environment the command and stdin are unchanged', () => {
    expect(environmentOnStdin({})).toBeUndefined()
    expect(commandWithEnvironment('echo hi', {}, 'in')).toEqual({ command: 'echo hi', stdin: 'in' })
  })

  it('refuses a name that is no shell variable and a value with NUL, naming them', () => {
    expect(() => environmentOnStdin({ 'A-B': 'x' })).toThrow(ModuleArgumentError)
    expect(() => environmentOnStdin({ 'A-B': 'x' })).toThrow(/"A-B" is not valid in a shell/)
    expect(() => environmentOnStdin({ NUL: 'a\0b' })).toThrow(/NUL.*NUL character/)
  })

  it('the text sent is clean under shellcheck -s sh', () => {
    const env = environmentOnStdin({ A: 'x', B: 'y' })!
    const script = `#!/bin/sh\n${env.receive}\n${env.apply}\necho "$A$B"\n`
    const r = spawnSync('shellcheck', ['-s', 'sh', '-'], { input: script, encoding: 'utf8' })
    if (r.error) return // shellcheck is checked by `npm run lint` where it is installed
    expect(r.stdout).toBe('')
    expect(r.status).toBe(0)
  })
})
