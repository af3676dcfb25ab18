// vars_prompt (issue 14): loading as Ansible 2.14 checks it, the values a play gets (extra vars win and are
// never asked, an empty answer takes the default, the prompt's fields templated with the play's variables),
// the run stopping before it starts when a prompt has no value and no terminal, and the CLI's terminal
// prompt (private answers not echoed, confirm asking again until both match).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { PassThrough } from 'node:stream'
import { describe, expect, it, vi } from 'vitest'
import { readActionSettings } from '../../src/action/settings.js'
import { askVarsPrompt } from '../../src/cli-prompt.js'
import { executeRun } from '../../src/engine.js'
import { PlaybookError } from '../../src/errors.js'
import {
  checkPromptsAnswerable,
  promptedVars,
  type PromptRequest
} from '../../src/executor/vars-prompt.js'
import { MODULE_CATALOG } from '../../src/modules/registry.js'
import { parsePlaybookText } from '../../src/playbook/playbook-loader.js'
import type { Play } from '../../src/playbook/types.js'
import { Templar } from '../../src/template/index.js'

function play(text: string): Play {
  return parsePlaybookText(text, 'site.yml', '/tmp', MODULE_CATALOG).plays[0]!
}

function loadError(text: string): string {
  try {
    play(text)
  } catch (error) {
    expect(error).toBeInstanceOf(PlaybookError)
    return (error as PlaybookError).message
  }
  throw new Error('expected a PlaybookError')
}

const PROMPTS = `- hosts: all
  vars:
    what: colour
  vars_prompt:
    - name: given
      prompt: never asked
    - name: colour
      prompt: Your {{ what }}
      default: "{{ 'bl' + 'ue' }}"
      private: false
    - name: secret
    - name: twice
      prompt: Twice
      confirm: true
      unsafe: true
`

describe('loading vars_prompt', () => {
  it('takes a mapping or a list of them, with the name required', () => {
    expect(play('- hosts: all\n  vars_prompt: {name: x, prompt: X}\n').varsPrompt).toEqual([
      expect.objectContaining({ name: 'x', prompt: 'X' })
    ])
    expect(loadError('- hosts: all\n  vars_prompt:\n    - prompt: X\n')).toContain(
      "Invalid vars_prompt data structure, missing 'name' key"
    )
    expect(loadError('- hosts: all\n  vars_prompt:\n    - {name: x, colour: y}\n')).toContain(
      "Invalid vars_prompt data structure, found unsupported key 'colour'"
    )
  })

  it('refuses encrypt (and salt) by name, saying what to do instead', () => {
    const message = loadError(
      '- hosts: all\n  vars_prompt:\n    - name: pw\n      encrypt: sha512_crypt\n'
    )
    expect(message).toContain("vars_prompt 'pw': 'encrypt' is not supported")
    expect(message).toContain('password_hash')
  })

  it('says vars_prompt belongs on the play when a task has it', () => {
    expect(
      loadError('- hosts: all\n  tasks:\n    - debug: msg=x\n      vars_prompt: []\n')
    ).toContain("'vars_prompt' is a play keyword")
  })
})

describe('the values a play gets', () => {
  const templar = new Templar()
  const scope = (): Record<string, unknown> => ({ what: 'colour' })

  it('asks what no extra var gives, with the templated text and the default shown', async () => {
    const asked: PromptRequest[] = []
    const answers = ['', 'hunter2', 'a {{ b }}']
    const values = await promptedVars(play(PROMPTS), { given: 'x' }, templar, scope, (r) => {
      asked.push(r)
      return Promise.resolve(answers.shift()!)
    })
    expect(asked).toEqual([
      { name: 'colour', message: 'Your colour [blue]: ', private: false, confirm: false },
      { name: 'secret', message: 'secret: ', private: true, confirm: false },
      { name: 'twice', message: 'Twice: ', private: true, confirm: true }
    ])
    // An empty answer takes the default; an extra var is never asked and not set here (it wins anyway).
    expect(values).toMatchObject({ colour: 'blue', secret: 'hunter2' })
    // `unsafe`: the answer is never templated, as Ansible's wrap_var keeps it.
    expect(templar.render(values['twice'], { b: 'B' })).toBe('a {{ b }}')
    expect(templar.render(values['secret'], { b: 'B' })).toBe('hunter2')
  })

  it('without a terminal takes the defaults, made text as Ansible makes them', async () => {
    const p = play(
      '- hosts: all\n  vars_prompt:\n    - {name: n, default: 42}\n    - {name: b, default: true}\n'
    )
    expect(await promptedVars(p, {}, templar, scope, undefined)).toEqual({ n: '42', b: 'True' })
  })

  it('stops the run before it starts when a prompt has no value and there is no terminal', () => {
    const plays = [play(PROMPTS)]
    expect(() => checkPromptsAnswerable(plays, { given: 1, twice: 2 }, undefined)).toThrow(
      "vars_prompt 'secret' has no value and there is no terminal to ask on: give it with -e secret=VALUE"
    )
    expect(() =>
      checkPromptsAnswerable(plays, { given: 1, secret: 1, twice: 2 }, undefined)
    ).not.toThrow()
    // With a terminal, every prompt can be answered.
    expect(() => checkPromptsAnswerable(plays, {}, () => Promise.resolve(''))).not.toThrow()
  })
})

describe('the terminal prompt', () => {
  function terminal(): {
    input: PassThrough & { isTTY: boolean; setRawMode(mode: boolean): void }
    shown: () => string
    write: (t: string) => boolean
  } {
    let shown = ''
    const input = Object.assign(new PassThrough(), {
      isTTY: true,
      setRawMode(_mode: boolean) {}
    })
    return { input, shown: () => shown, write: (t: string) => ((shown += t), true) }
  }

  it('echoes a prompt that is not private, and hides a private one', async () => {
    const open = terminal()
    const answer = askVarsPrompt(
      { name: 'c', message: 'Colour: ', private: false, confirm: false },
      { input: open.input, output: { write: open.write } }
    )
    open.input.write('reX\u007fd\r')
    await expect(answer).resolves.toBe('red')
    expect(open.shown()).toBe('Colour: reX\b \bd\n')
    const hidden = terminal()
    const secret = askVarsPrompt(
      { name: 's', message: 'Secret: ', private: true, confirm: false },
      { input: hidden.input, output: { write: hidden.write } }
    )
    hidden.input.write('hunter2\r')
    await expect(secret).resolves.toBe('hunter2')
    expect(hidden.shown()).toBe('Secret: \n')
  })

  it('asks again until both answers match, with confirm', async () => {
    const t = terminal()
    const answer = askVarsPrompt(
      { name: 't', message: 'Twice: ', private: true, confirm: true },
      { input: t.input, output: { write: t.write } }
    )
    for (const line of ['a\r', 'b\r', 'c\r', 'c\r']) {
      await new Promise((resolve) => setImmediate(resolve))
      t.input.write(line)
    }
    await expect(answer).resolves.toBe('c')
    expect(t.shown()).toBe(
      'Twice: \nconfirm Twice: \n***** VALUES ENTERED DO NOT MATCH ****\nTwice: \nconfirm Twice: \n'
    )
  })

  it('refuses to read from something that is not a terminal', async () => {
    await expect(
      askVarsPrompt(
        { name: 'x', message: 'X: ', private: true, confirm: false },
        { input: new PassThrough(), output: { write: () => true } }
      )
    ).rejects.toThrow("vars_prompt 'x' needs a terminal")
  })
})

describe('the action (no terminal)', () => {
  const PLAYBOOK = `- hosts: localhost
  gather_facts: false
  vars_prompt:
    - name: release
      prompt: Which release
  tasks:
    - debug: { msg: "release {{ release }}" }
`

  async function runAction(extra: Record<string, string>): Promise<{
    output: string
    outcome?: Awaited<ReturnType<typeof executeRun>>
    error?: unknown
  }> {
    const workspace = mkdtempSync(path.join(tmpdir(), 'apb-prompt-'))
    writeFileSync(path.join(workspace, 'hosts'), 'localhost ansible_connection=local\n')
    const saved = { ...process.env }
    let output = ''
    try {
      Object.assign(process.env, {
        GITHUB_WORKSPACE: workspace,
        INPUT_PLAYBOOK: PLAYBOOK,
        INPUT_INVENTORY: 'hosts',
        ...extra
      })
      const run = readActionSettings(process.env).run
      try {
        const outcome = await executeRun(run, (text) => (output += text))
        return { output, outcome }
      } catch (error) {
        return { output, error }
      }
    } finally {
      process.env = saved
      rmSync(workspace, { recursive: true, force: true })
    }
  }

  it('stops before any play runs when a prompt has no value, naming the prompt', async () => {
    const { output, error } = await runAction({})
    expect(error).toBeInstanceOf(PlaybookError)
    expect((error as Error).message).toContain(
      `vars_prompt 'release' ("Which release") has no value and there is no terminal to ask on: give it with -e release=VALUE (in a workflow, the extra-vars input)`
    )
    expect(output).not.toContain('PLAY [')
  })

  it("takes the value from the 'extra-vars' input", async () => {
    const { outcome } = await runAction({ 'INPUT_EXTRA-VARS': 'release=v2' })
    expect(outcome!.exitCode).toBe(0)
    expect(outcome!.document.plays[0]!.tasks[0]!.results['localhost']!.result['msg']).toBe(
      'release v2'
    )
  })
})

describe('the CLI without a terminal (stdin not a TTY)', () => {
  it('stops before the run, naming every prompt without a value with its file and line, and the -e fix', async () => {
    const { main } = await import('../../src/cli.js')
    const dir = mkdtempSync(path.join(tmpdir(), 'apb-prompt-cli-'))
    writeFileSync(path.join(dir, 'hosts'), 'localhost ansible_connection=local\n')
    writeFileSync(
      path.join(dir, 'site.yml'),
      `- hosts: localhost
  gather_facts: false
  vars_prompt:
    - name: release
      prompt: Which release
    - name: colour
      default: blue
    - name: token
  tasks:
    - name: must not run
      debug: msg=ran
- hosts: localhost
  gather_facts: false
  vars_prompt:
    - name: region
      prompt: Region
  tasks: []
`
    )
    const saved = { stdin: process.stdin.isTTY, cwd: process.cwd() }
    let err = ''
    let out = ''
    const errSpy = vi.spyOn(process.stderr, 'write').mockImplementation((text) => {
      err += String(text)
      return true
    })
    const outSpy = vi.spyOn(process.stdout, 'write').mockImplementation((text) => {
      out += String(text)
      return true
    })
    try {
      Object.defineProperty(process.stdin, 'isTTY', { value: false, configurable: true })
      process.chdir(dir)
      const code = await main(['-i', 'hosts', 'site.yml'])
      expect(code).not.toBe(0)
      expect(err).toContain(
        `ERROR! site.yml:4: vars_prompt 'release' ("Which release") (and 'token' at site.yml:8, 'region' ("Region") at site.yml:15) have no value and there is no terminal to ask on: give them with -e release=VALUE -e token=VALUE -e region=VALUE`
      )
      expect(out).not.toContain('must not run')
      err = ''
      out = ''
      expect(
        await main([
          '-i',
          'hosts',
          'site.yml',
          '-e',
          'release=1',
          '-e',
          'token=t',
          '-e',
          'region=r'
        ])
      ).toBe(0)
      expect(out).toContain('"msg": "ran"')
    } finally {
      errSpy.mockRestore()
      outSpy.mockRestore()
      process.chdir(saved.cwd)
      Object.defineProperty(process.stdin, 'isTTY', { value: saved.stdin, configurable: true })
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
