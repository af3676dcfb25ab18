// The pip module on this machine (the local connection), for what the differential fixture cannot reach
// yet: check mode and diff (the engine has no check_mode keyword yet), the task's environment reaching
// pip, and the message when the target has no Python. Wheels come from a local index built by the test.
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runModuleOn } from '../helpers/module-harness.js'
import { buildPipIndex, type PipIndex } from '../helpers/pip-index.js'

let index: PipIndex
let work: string
let venv: string
let offline: string

beforeAll(async () => {
  index = buildPipIndex()
  work = mkdtempSync(path.join(tmpdir(), 'apb-pip-test-'))
  chmodSync(work, 0o755)
  venv = path.join(work, 'venv')
  offline = `--no-index --find-links ${index.dir}`
  const made = await runModuleOn('pip', {
    name: 'apbdemo==1.0',
    virtualenv: venv,
    virtualenv_command: 'python3 -m venv',
    extra_args: offline
  })
  expect(made.result).toMatchObject({ changed: true, virtualenv: venv })
}, 300_000)

afterAll(() => {
  index?.remove()
  if (work) rmSync(work, { recursive: true, force: true })
})

const check = { flags: { check: true, diff: true } }

describe('pip in check mode', () => {
  it('reports a virtualenv to create, and creates nothing', async () => {
    const other = path.join(work, 'not-made')
    const { result } = await runModuleOn(
      'pip',
      { name: 'apbdemo', virtualenv: other, virtualenv_command: 'python3 -m venv' },
      check
    )
    expect(result).toEqual({ changed: true })
    expect(existsSync(other)).toBe(false)
  })

  it('compares what pip lists with the requirements, installing nothing', async () => {
    const run = (args: Record<string, unknown>) =>
      runModuleOn('pip', { virtualenv: venv, ...args }, check).then((r) => r.result)
    const installed = await run({ name: ['apbdemo'] })
    expect(installed).toMatchObject({
      changed: false,
      cmd: `${venv}/bin/pip3 list --format=freeze`
    })
    expect(installed['stdout']).toMatch(/^apbdemo==1\.0$/m)
    expect(await run({ name: ['APBDemo>=1.0', '<1.1'] })).toMatchObject({ changed: false })
    expect(await run({ name: 'apbdemo', version: '1.1' })).toMatchObject({ changed: true })
    expect(await run({ name: ['apbdemo', 'apb_other'] })).toMatchObject({ changed: true })
    expect(await run({ name: 'apbdemo', state: 'absent' })).toMatchObject({ changed: true })
    expect(await run({ name: 'apb-other', state: 'absent' })).toMatchObject({ changed: false })
    // Ansible does not guess for these: latest, extra_args, a requirements file.
    expect(await run({ name: 'apbdemo', state: 'latest' })).toEqual({ changed: true })
    expect(await run({ name: 'apbdemo', extra_args: offline })).toEqual({ changed: true })
    const listed = await runModuleOn('pip', { name: 'apb_other', executable: `${venv}/bin/pip` })
    expect(listed.result['changed']).toBe(false)
    // Nothing changed: apbdemo is still 1.0 and apb_other still absent.
    const after = await run({ name: ['apbdemo==1.0'] })
    expect(after['changed']).toBe(false)
    expect(after['stdout']).not.toMatch(/apb.other/)
  }, 360_000)
})

describe('pip on the target', () => {
  it("hands the task's environment to pip", async () => {
    const { result } = await runModuleOn(
      'pip',
      { name: 'apb_other', virtualenv: venv },
      { environment: { PIP_NO_INDEX: '1', PIP_FIND_LINKS: index.dir } }
    )
    expect(result['changed']).toBe(true)
    expect(result['failed']).toBeFalsy()
    expect(result['stdout']).toMatch(/Successfully installed apb_other-2\.0|apb-other-2\.0/)
  }, 360_000)

  it('says pip needs Python when the target has none', async () => {
    // A PATH with the shell tools and no Python or pip.
    const tools = path.join(work, 'tools')
    mkdirSync(tools)
    for (const tool of ['sh', 'mktemp', 'rm', 'od', 'tr', 'awk', 'cat']) {
      const found = ['/usr/bin', '/bin'].map((d) => path.join(d, tool)).find((p) => existsSync(p))
      if (found) symlinkSync(found, path.join(tools, tool))
    }
    const { result: named } = await runModuleOn(
      'pip',
      { name: 'apbdemo' },
      {
        vars: { ansible_python_interpreter: '/no/such/python3' },
        environment: { PATH: tools }
      }
    )
    expect(named).toMatchObject({ failed: true, changed: false })
    expect(named['msg']).toMatch(/^pip needs Python on the target/)
    expect(named['msg']).toMatch(/ansible_python_interpreter \/no\/such\/python3/)
  })

  it('expands $VAR in virtualenv_command, as a path', async () => {
    const made = path.join(work, 'venv-expanded')
    const { result } = await runModuleOn(
      'pip',
      {
        name: 'apbdemo==1.1',
        virtualenv: made,
        virtualenv_command: '$APB_PYTHON_DIR/python3 -m venv',
        extra_args: offline
      },
      { environment: { APB_PYTHON_DIR: '/usr/bin' } }
    )
    expect(result).toMatchObject({ changed: true, virtualenv: made })
    expect(existsSync(path.join(made, 'bin', 'activate'))).toBe(true)
  }, 360_000)

  it('names the virtualenv tool it cannot find', async () => {
    const { result } = await runModuleOn('pip', {
      name: 'apbdemo',
      virtualenv: path.join(work, 'venv-missing-tool'),
      virtualenv_command: 'apb-no-such-virtualenv'
    })
    expect(result).toMatchObject({ failed: true, changed: false })
    expect(result['msg']).toMatch(
      /^Failed to find required executable "apb-no-such-virtualenv" in paths: /
    )
  })

  it('refuses options it does not know, by name', async () => {
    const { result, ran } = await runModuleOn('pip', { name: 'apbdemo', use_pep517: true })
    expect(ran).toBe(false)
    expect(result['msg']).toMatch(/Unsupported parameters for \(pip\) module: use_pep517/)
  })
})
