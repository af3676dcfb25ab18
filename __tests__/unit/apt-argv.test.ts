// The apt module's apt-get command reaches the target as an argv, word for word: a quote in a package
// spec, `default_release` or `dpkg_options` stays inside its word and never adds an apt-get option
// (which could run a command as root through Dpkg::Pre-Invoke). The probe's answer is canned (no
// apt on the test's side); apt-act.sh really runs, locally, with a stand-in apt-get that records its
// argv, and a stand-in apt-mark.
import { spawnSync } from 'node:child_process'
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { Connection } from '../../src/connection/connection.js'
import { openLocalConnection } from '../../src/connection/local-connection.js'
import actScript from '../../src/modules/apt-act.sh'
import { runModuleOn } from '../helpers/module-harness.js'

const hex = (text: string): string => Buffer.from(text, 'utf8').toString('hex')

let dir: string
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'apb-apt-argv-'))
  // Each stand-in writes its argv, one word a line, NUL after each call.
  for (const tool of ['apt-get', 'apt-mark']) {
    const file = path.join(dir, tool)
    writeFileSync(
      file,
      `#!/bin/sh\nfor w in "$@"; do printf '%s\\n' "$w"; done >>'${dir}/${tool}.argv'\nprintf '\\0' >>'${dir}/${tool}.argv'\necho 'Reading state information...'\necho '1 upgraded, 0 newly installed'\n`
    )
    chmodSync(file, 0o755)
  }
})
afterEach(() => rmSync(dir, { recursive: true, force: true }))

/** The argv of each call of a stand-in. */
function calls(tool: string): string[][] {
  const file = path.join(dir, `${tool}.argv`)
  if (!existsSync(file)) return []
  return readFileSync(file, 'utf8')
    .split('\0')
    .filter((call) => call !== '')
    .map((call) => call.replace(/\n$/, '').split('\n'))
}

/**
 * A local connection whose apt probe answers as a target with `policy` (apt-cache policy's text) and
 * the `extra` lines of an answer (dpkg's state, automatic marks).
 */
function fakeTarget(policy: string, extra: string[] = []): () => Promise<Connection> {
  return async () => {
    const local = openLocalConnection('localhost')
    return {
      host: local.host,
      run: async (command, options) => {
        if (!command.includes('apb-apt-probe')) return local.run(command, options)
        const answer = [
          `apt_get=${dir}/apt-get`,
          'aptitude=',
          'locale=C',
          'cache_time_before=1',
          'stale=0',
          'cache_time=1',
          `policy_hex=${hex(policy)}`,
          ...extra,
          'end=1',
          ''
        ].join('\n')
        return {
          code: 0,
          signal: null,
          stdout: Buffer.from(answer),
          stderr: Buffer.alloc(0),
          timedOut: false
        }
      },
      putFile: (p, c, o) => local.putFile(p, c, o),
      getFile: (p, o) => local.getFile(p, o),
      close: () => local.close()
    }
  }
}

const POLICY = [
  'hello:',
  '  Installed: (none)',
  '  Candidate: 2.0-1',
  '  Version table:',
  '     2.0-1 500',
  '        500 file:/repo ./ Packages',
  ''
].join('\n')

const apt = (args: Record<string, unknown>, check = false, extra: string[] = []) =>
  runModuleOn('apt', args, {
    connect: fakeTarget(POLICY, extra),
    environment: { PATH: `${dir}:${process.env['PATH'] ?? '/usr/bin:/bin'}` },
    flags: { check, diff: false }
  }).then((outcome) => outcome.result)

describe('apt: the apt-get argv', () => {
  it('keeps a quote in default_release inside the -t word', async () => {
    const release = "stable' -o Dpkg::Pre-Invoke::=touch${IFS}/tmp/x '"
    const result = await apt({ name: 'hello', default_release: release })
    expect(result['failed'], JSON.stringify(result)).toBeFalsy()
    const [install] = calls('apt-get')
    expect(install).toBeDefined()
    const t = install!.indexOf('-t')
    expect(install![t + 1]).toBe(release)
    expect(install!.filter((word) => word.includes('Pre-Invoke'))).toEqual([release])
    expect(install!.slice(0, 6)).toEqual([
      '-y',
      '-o',
      'Dpkg::Options::=--force-confdef',
      '-o',
      'Dpkg::Options::=--force-confold',
      'install'
    ])
    expect(install).toContain('hello=2.0-1')
  })

  it('keeps a quote in a build-dep package spec inside its word', async () => {
    const spec = "hello' -o Dpkg::Pre-Invoke::=id '"
    const result = await apt({ name: spec, state: 'build-dep' })
    expect(result['failed'], JSON.stringify(result)).toBeFalsy()
    const [call] = calls('apt-get')
    expect(call!.slice(-2)).toEqual(['build-dep', spec])
    expect(call!.filter((word) => word === '-o')).toHaveLength(2)
  })

  it('keeps dpkg_options words whole, and shows the command as Ansible does on failure', async () => {
    writeFileSync(
      path.join(dir, 'apt-get'),
      `#!/bin/sh\nfor w in "$@"; do printf '%s\\n' "$w"; done >>'${dir}/apt-get.argv'\nprintf '\\0' >>'${dir}/apt-get.argv'\necho 'E: refused' >&2\nexit 100\n`
    )
    const result = await apt({
      name: 'hello',
      dpkg_options: 'force-confold" -o "Dpkg::Pre-Invoke::=id',
      default_release: "it's"
    })
    const [call] = calls('apt-get')
    expect(call!.slice(0, 3)).toEqual([
      '-y',
      '-o',
      'Dpkg::Options::=--force-confold" -o "Dpkg::Pre-Invoke::=id'
    ])
    expect(result['failed']).toBe(true)
    expect(result['msg']).toBe(
      `'${dir}/apt-get -y -o "Dpkg::Options::=--force-confold" -o "Dpkg::Pre-Invoke::=id"       install 'hello=2.0-1' -t 'it'\\''s'' failed: E: refused\n`
    )
  })

  it('hands apt-get the install and apt-act.sh every name to mark if automatic after it', async () => {
    const result = await apt({ name: 'hello' })
    expect(result['failed'], JSON.stringify(result)).toBeFalsy()
    expect(calls('apt-get')).toHaveLength(1)
    // hello is no package of this machine: apt holds no automatic mark for it, so no apt-mark runs.
    expect(calls('apt-mark')).toEqual([])
  })

  it('marks a named package that is installed, automatically, with apt-mark alone', async () => {
    const installed = `pkg=${hex('hello')}:${hex('ii |2.0-1|installed|all')}:1`
    const result = await apt({ name: 'hello' }, false, [installed, 'auto=hello'])
    expect(result, JSON.stringify(result)).toMatchObject({ changed: false })
    expect(calls('apt-get')).toEqual([])
    expect(calls('apt-mark')).toEqual([['manual', 'hello']])
  })

  it('runs nothing for a named package that is installed and marked manual', async () => {
    const installed = `pkg=${hex('hello')}:${hex('ii |2.0-1|installed|all')}:1`
    const result = await apt({ name: 'hello' }, false, [installed])
    expect(result, JSON.stringify(result)).toMatchObject({ changed: false })
    expect(calls('apt-get')).toEqual([])
    expect(calls('apt-mark')).toEqual([])
  })

  it('settles names to be absent from dpkg alone where the probe found that enough', async () => {
    // hello is installed in 2.0-1; gone has a leftover .list and no versioned record: nothing apt knows,
    // so nothing to purge (Ansible: no files).
    const lines = [
      'policy_skipped=1',
      `pkg=${hex('hello')}:${hex('ii |2.0-1|installed|all')}:1`,
      `pkg=${hex('gone')}:${hex('')}:1`
    ]
    const other = await apt({ name: 'hello=1.*', state: 'absent' }, false, lines)
    expect(other, JSON.stringify(other)).toMatchObject({ changed: false })
    const gone = await apt({ name: 'gone', state: 'absent', purge: true }, false, lines)
    expect(gone, JSON.stringify(gone)).toMatchObject({ changed: false })
    expect(calls('apt-get')).toEqual([])
    const removed = await apt({ name: ['hello=2.*', 'gone'], state: 'absent' }, false, lines)
    expect(removed['failed'], JSON.stringify(removed)).toBeFalsy()
    const [call] = calls('apt-get')
    expect(call!.slice(-2)).toEqual(['remove', 'hello=2.*'])
  })

  it.each([
    ['installed already', [`pkg=${hex('hello')}:${hex('ii |2.0-1|installed|all')}:1`], false],
    ['installed by the task', [], true]
  ] as const)(
    'warns as Ansible does when the target has no apt-mark (%s)',
    async (_, lines, changed) => {
      const outcome = await runModuleOn(
        'apt',
        { name: 'hello' },
        {
          connect: fakeTarget(POLICY, [...lines, 'apt_mark=']),
          environment: { PATH: `${dir}:${process.env['PATH'] ?? '/usr/bin:/bin'}` },
          flags: { check: false, diff: false }
        }
      )
      expect(outcome.result).toMatchObject({ changed })
      expect(calls('apt-get')).toHaveLength(changed ? 1 : 0)
      expect(
        JSON.stringify(outcome).split(
          'Could not find apt-mark binary, not marking package(s) as manually installed.'
        )
      ).toHaveLength(2)
    }
  )
})

describe('apt-act.sh', () => {
  const run = (args: string[]) =>
    spawnSync('/bin/sh', ['-c', actScript, 'apb-apt-act', ...args], {
      cwd: dir,
      encoding: 'utf8',
      env: { ...process.env, PATH: `${dir}:${process.env['PATH'] ?? '/usr/bin:/bin'}` }
    })

  it('hands apt-mark each name as one word, never globbed or split', () => {
    writeFileSync(path.join(dir, 'lib-a'), '')
    const out = run(['60', 'C', '', '0', '2', 'lib-*', 'two words', 'true'])
    expect(out.stdout).toMatch(/^rc=0$/m)
    expect(out.stdout).toMatch(/^end=1$/m)
    expect(calls('apt-mark')).toEqual([['manual', 'lib-*', 'two words']])
  })

  it('runs the command words after the names, even where a name is "--"', () => {
    const out = run(['60', 'C', '', '0', '1', '--', `${dir}/apt-get`, 'install', 'x'])
    expect(out.stdout).toMatch(/^rc=0$/m)
    expect(calls('apt-get')).toEqual([['install', 'x']])
    expect(calls('apt-mark')).toEqual([['manual', '--']])
  })

  // The machine's own record of automatic packages (this test changes nothing: apt-mark is a stand-in).
  const automatic = existsSync('/var/lib/apt/extended_states')
    ? /^Package: (\S+)\n(?:[^\n]+\n)*?Auto-Installed: 1$/m.exec(
        readFileSync('/var/lib/apt/extended_states', 'utf8')
      )?.[1]
    : undefined

  it.skipIf(automatic === undefined)(
    'with automatic only, marks the names apt holds as automatic after the command',
    () => {
      const out = run([
        '60',
        'C',
        '',
        '1',
        '3',
        automatic!,
        `${automatic!}:any`,
        'apb-no-such-package',
        `${dir}/apt-get`,
        'install',
        'x'
      ])
      expect(out.stdout).toMatch(/^rc=0$/m)
      expect(calls('apt-get')).toEqual([['install', 'x']])
      expect(calls('apt-mark')).toEqual([['manual', automatic!, `${automatic!}:any`]])
    }
  )

  it('with automatic only and none of them automatic, runs no apt-mark', () => {
    const out = run(['60', 'C', '', '1', '2', 'apb-no-such-package', 'lib-*', 'true'])
    expect(out.stdout).toMatch(/^end=1$/m)
    expect(out.stdout).not.toMatch(/^mark_/m)
    expect(calls('apt-mark')).toEqual([])
  })
})
