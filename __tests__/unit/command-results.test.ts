// command/shell results as Ansible's command module reports them, for commands that cannot start, chdir,
// strip_empty_ends and creates/removes: the modules' remote scripts run with the real /bin/sh.
import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  realpathSync,
  symlinkSync,
  writeFileSync
} from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import type { ModuleResult } from '../../src/modules/module.js'
import { runModuleOn } from '../helpers/module-harness.js'

/** Runs command or shell on the real LocalConnection, as the task runner calls them. */
async function run(
  module: 'command' | 'shell',
  args: Record<string, unknown>,
  warnings: string[] = []
): Promise<ModuleResult> {
  const logged: string[] = []
  const { result } = await runModuleOn(module, args, { logged })
  for (const line of logged) if (line.startsWith('[WARNING]: ')) warnings.push(line.slice(11))
  return result
}

function scratch(): string {
  const dir = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'command-results-')))
  mkdirSync(path.join(dir, 'real'))
  symlinkSync(path.join(dir, 'real'), path.join(dir, 'link'))
  writeFileSync(path.join(dir, 'file'), 'x')
  return dir
}

describe('a command that cannot start', () => {
  it('reports a missing program as Python does (rc 2, errno message, cmd as one quoted line)', async () => {
    const r = await run('command', { _raw_params: "apb-no-such-program --flag 'a b'" })
    expect(r).toEqual({
      changed: false,
      cmd: "apb-no-such-program --flag 'a b'",
      failed: true,
      msg: "[Errno 2] No such file or directory: b'apb-no-such-program'",
      rc: 2,
      stderr: '',
      stderr_lines: [],
      stdout: '',
      stdout_lines: []
    })
  })

  it('reports a directory or a file without execute permission as EACCES (rc 13)', async () => {
    const dir = scratch()
    const file = path.join(dir, 'file')
    chmodSync(file, 0o644)
    for (const program of [path.join(dir, 'real'), file]) {
      const r = await run('command', { argv: [program, 'x'] })
      expect(r).toMatchObject({
        failed: true,
        rc: 13,
        msg: `[Errno 13] Permission denied: b'${program}'`
      })
      expect(r).not.toHaveProperty('start')
    }
  })

  it('looks a relative program up from chdir, and masks a password in the cmd it shows', async () => {
    const dir = scratch()
    const r = await run('command', {
      _raw_params: './nope --password=hunter2 --pass hunter3 x',
      chdir: dir
    })
    expect(r['msg']).toBe("[Errno 2] No such file or directory: b'./nope'")
    expect(r['cmd']).toBe("./nope '--password=********' --pass '********' x")
  })

  it('reports a shell executable that does not exist with the shell as the program', async () => {
    const r = await run('shell', { _raw_params: 'echo hi', executable: '/apb/no/sh' })
    expect(r).toMatchObject({
      rc: 2,
      msg: "[Errno 2] No such file or directory: b'/apb/no/sh'",
      cmd: "/apb/no/sh -c 'echo hi'"
    })
  })

  it('is not fooled by a command that prints what a failed check prints', async () => {
    const r = await run('shell', {
      _raw_params: "echo 'apb-cannot-start-0123456789abcdef exec 2 x'; exit 1"
    })
    expect(r).toMatchObject({ rc: 1, msg: 'non-zero return code', changed: true })
    expect(r['stdout']).toContain('apb-cannot-start-')
  })

  it('reports nothing to run as rc 256, and a command with argv too', async () => {
    expect(await run('command', { _raw_params: '   ' })).toMatchObject({
      rc: 256,
      msg: 'no command given',
      cmd: null,
      start: null,
      changed: false,
      failed: true
    })
    expect(await run('command', { _raw_params: 'ls', argv: ['ls'] })).toMatchObject({
      rc: 256,
      msg: 'only command or argv can be given, not both'
    })
  })
})

describe('chdir', () => {
  it('runs in the directory with its symbolic links resolved, as os.chdir leaves it', async () => {
    const dir = scratch()
    const r = await run('shell', { _raw_params: 'pwd; echo "$PWD"', chdir: path.join(dir, 'link') })
    expect(r['stdout']).toBe(`${dir}/real\n${dir}/real`)
  })

  it('fails before running with Python’s chdir errors: ENOENT, ENOTDIR', async () => {
    const dir = scratch()
    const cases: Array<[string, string]> = [
      [path.join(dir, 'absent'), 'No such file or directory'],
      [path.join(dir, 'file'), 'Not a directory'],
      [path.join(dir, 'file', 'below'), 'Not a directory']
    ]
    for (const [chdir, reason] of cases) {
      const r = await run('command', { _raw_params: 'touch ran', chdir })
      expect(r).toEqual({
        changed: false,
        cmd: ['touch', 'ran'],
        delta: null,
        end: null,
        failed: true,
        msg: `Unable to change directory before execution: [Errno ${reason === 'Not a directory' ? 20 : 2}] ${reason}: b'${chdir}'`,
        rc: null,
        start: null,
        stderr: '',
        stderr_lines: [],
        stdout: '',
        stdout_lines: []
      })
    }
  })

  it('expands $VAR and ~ in chdir on the target, as Ansible’s path arguments', async () => {
    const r = await run('command', { _raw_params: 'pwd', chdir: '~' })
    expect(r['stdout']).toBe(realpathSync(os.homedir()))
    const v = await run('shell', { _raw_params: 'pwd', chdir: '$HOME' })
    expect(v['stdout']).toBe(realpathSync(os.homedir()))
  })

  it('fails a creates check as the command would when chdir cannot be entered', async () => {
    const r = await run('command', {
      _raw_params: 'true',
      chdir: '/apb/absent',
      creates: '/'
    })
    expect(r['msg']).toBe(
      "Unable to change directory before execution: [Errno 2] No such file or directory: b'/apb/absent'"
    )
  })
})

describe('output and creates/removes', () => {
  it('keeps trailing newlines and carriage returns with strip_empty_ends: false', async () => {
    const r = await run('shell', {
      _raw_params: "printf 'a\\r\\n\\r\\n'; printf 'e\\r\\n\\n' >&2",
      strip_empty_ends: 'no'
    })
    expect(r['stdout']).toBe('a\r\n\r\n')
    expect(r['stdout_lines']).toEqual(['a', ''])
    expect(r['stderr']).toBe('e\r\n\n')
    const stripped = await run('shell', { _raw_params: "printf '\\na\\r\\n\\r\\n'" })
    expect(stripped['stdout']).toBe('\na')
  })

  it('matches creates relative to chdir with a glob, and names the expanded path', async () => {
    const dir = scratch()
    const r = await run('command', { _raw_params: 'false', chdir: dir, creates: 'fi*' })
    expect(r).toMatchObject({
      changed: false,
      rc: 0,
      msg: "Did not run command since 'fi*' exists"
    })
    const home = await run('command', { _raw_params: 'false', removes: '~/apb-surely-absent-*' })
    expect(home['msg']).toBe(
      `Did not run command since '${os.homedir()}/apb-surely-absent-*' does not exist`
    )
  })

  it('warns that command ignores executable, as Ansible 2.14 does', async () => {
    const r = await run('command', { _raw_params: 'echo hi', executable: '/bin/bash' })
    expect(r['stdout']).toBe('hi')
    expect(r['warnings']).toEqual([
      "As of Ansible 2.4, the parameter 'executable' is no longer supported with the 'command' module. Not using '/bin/bash'."
    ])
  })

  it('runs shell argv as one quoted command line, and command with _uses_shell as shell', async () => {
    const r = await run('shell', { argv: ['printf', '%s|', 'a b', '$HOME'] })
    expect(r['stdout']).toBe('a b|$HOME|')
    expect(r['cmd']).toEqual(['printf', '%s|', 'a b', '$HOME'])
    const s = await run('command', { _raw_params: 'echo $((1 + 2))', _uses_shell: true })
    expect(s['stdout']).toBe('3')
  })
})
