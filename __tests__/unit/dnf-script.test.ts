// dnf.sh hands dnf every option and package spec as one word each, as given: no text the shell reads
// again (no eval), so a quote, a blank, a `$(…)` or a trailing newline in a spec reaches dnf unchanged.
// Stand-ins for dnf and rpm record what they are given (the script runs locally, as root).
import { spawnSync } from 'node:child_process'
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import script from '../../src/modules/dnf.sh'

let dir: string
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'apb-dnf-script-'))
  // dnf records its argv (one word a line, a NUL after each call); rpm knows no package.
  writeFileSync(
    path.join(dir, 'dnf'),
    `#!/bin/sh\nfor w in "$@"; do printf '%s\\n' "$w"; done >>'${dir}/dnf.argv'\nprintf '\\0' >>'${dir}/dnf.argv'\n`
  )
  writeFileSync(path.join(dir, 'rpm'), '#!/bin/sh\nexit 1\n')
  chmodSync(path.join(dir, 'dnf'), 0o755)
  chmodSync(path.join(dir, 'rpm'), 0o755)
})
afterEach(() => rmSync(dir, { recursive: true, force: true }))

function dnfCalls(): string[][] {
  const file = path.join(dir, 'dnf.argv')
  if (!existsSync(file)) return []
  return readFileSync(file, 'utf8')
    .split('\0')
    .filter((call) => call !== '')
    .map((call) => call.slice(0, -1).split('\n'))
}

const run = (args: string[]) =>
  spawnSync('/bin/sh', ['-c', script, 'apb-dnf', ...args], {
    cwd: dir,
    encoding: 'utf8',
    env: { ...process.env, PATH: `${dir}:/usr/bin:/bin` }
  })

describe.skipIf(process.getuid?.() !== 0)('dnf.sh', () => {
  it('hands dnf each option and spec as one word, unchanged', () => {
    const specs = ["it's", 'two words', '$(id)', '*glob*', 'trailing\n']
    writeFileSync(path.join(dir, 'a-glob-file'), '')
    const out = run(['run', 'present', '/', '', '0', 'dnf', "--enablerepo=a'b", '--', ...specs])
    expect(out.stdout, out.stderr).toMatch(/^end=1$/m)
    expect(dnfCalls()).toEqual([
      [
        "--enablerepo=a'b",
        '--setopt=clean_requirements_on_remove=False',
        '-y',
        'install',
        "it's",
        'two words',
        '$(id)',
        '*glob*',
        'trailing',
        ''
      ]
    ])
  })

  it('refreshes the metadata alone when there is no spec', () => {
    const out = run(['run', 'present', '/', '', '1', 'dnf', '--nogpgcheck', '--'])
    expect(out.stdout, out.stderr).toMatch(/^cache_rc=0$/m)
    expect(dnfCalls()).toEqual([
      ['--nogpgcheck', '--refresh', '--setopt=clean_requirements_on_remove=False', 'makecache']
    ])
  })
})
