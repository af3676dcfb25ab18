// Diff settings as ansible-playbook 2.14 reads them: ANSIBLE_DIFF_ALWAYS / ansible.cfg's `[diff] always` is
// the default of the action's `diff` input as of the CLI's --diff, and ANSIBLE_DIFF_CONTEXT / `[diff]
// context` sets the lines of context of the diffs (console and plan), 3 by default.
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { readActionSettings } from '../../src/action/settings.js'
import { parseCli } from '../../src/cli-options.js'
import { executeRun } from '../../src/engine.js'
import { buildPlan } from '../../src/report/plan.js'

let workspace: string
let saved: NodeJS.ProcessEnv

beforeEach(() => {
  workspace = mkdtempSync(path.join(os.tmpdir(), 'apb-diff-settings-'))
  chmodSync(workspace, 0o755)
  saved = { ...process.env }
  for (const name of Object.keys(process.env))
    if (name.startsWith('INPUT_') || name.startsWith('ANSIBLE_')) delete process.env[name]
  Object.assign(process.env, {
    GITHUB_WORKSPACE: workspace,
    HOME: workspace,
    INPUT_PLAYBOOK: '- hosts: all\n  tasks: []\n'
  })
})

afterEach(() => {
  process.env = saved
  rmSync(workspace, { recursive: true, force: true })
})

function config(text: string): void {
  writeFileSync(path.join(workspace, 'ansible.cfg'), text)
}

describe("the action's diff input", () => {
  it('is off by default', () => {
    expect(readActionSettings(process.env).run.diff).toBeUndefined()
  })

  it("defaults to ANSIBLE_DIFF_ALWAYS in the step's environment", () => {
    process.env['ANSIBLE_DIFF_ALWAYS'] = 'true'
    expect(readActionSettings(process.env).run.diff).toBe(true)
  })

  it("defaults to ansible.cfg's [diff] always, under the environment", () => {
    config('[diff]\nalways = yes\n')
    expect(readActionSettings(process.env).run.diff).toBe(true)
    process.env['ANSIBLE_DIFF_ALWAYS'] = 'false'
    expect(readActionSettings(process.env).run.diff).toBeUndefined()
  })

  it('given, wins over both', () => {
    config('[diff]\nalways = true\n')
    process.env['INPUT_DIFF'] = 'false'
    expect(readActionSettings(process.env).run.diff).toBeUndefined()
  })

  it('from the configuration, does not refuse a listing mode (only a given input is refused)', () => {
    config('[diff]\nalways = true\n')
    process.env['INPUT_MODE'] = 'list-tasks'
    const run = readActionSettings(process.env).run
    expect(run.listing).toEqual({ tasks: true })
    expect(run.diff).toBeUndefined()
  })

  it('refuses a value of ANSIBLE_DIFF_ALWAYS that is not a boolean', () => {
    process.env['ANSIBLE_DIFF_ALWAYS'] = 'sometimes'
    expect(() => readActionSettings(process.env)).toThrow(
      'ANSIBLE_DIFF_ALWAYS=sometimes is not a boolean'
    )
  })
})

describe('[diff] context', () => {
  it('is read by the action and the CLI, from ansible.cfg and ANSIBLE_DIFF_CONTEXT (which wins)', () => {
    config('[diff]\ncontext = 0\n')
    expect(readActionSettings(process.env).run.diffContext).toBe(0)
    expect(
      parseCli(['site.yml'], { HOME: workspace }, false, workspace).settings!.diffContext
    ).toBe(0)
    process.env['ANSIBLE_DIFF_CONTEXT'] = '1'
    expect(readActionSettings(process.env).run.diffContext).toBe(1)
    expect(
      parseCli(['site.yml'], { HOME: workspace, ANSIBLE_DIFF_CONTEXT: '5' }, false, workspace)
        .settings!.diffContext
    ).toBe(5)
  })

  it('refuses a value that is no whole number, naming the key and the file', () => {
    config('[diff]\ncontext = many\n')
    expect(() => readActionSettings(process.env)).toThrow(
      `[diff] context in ${path.join(workspace, 'ansible.cfg')}: 'many' is not a whole number of at least 0`
    )
  })

  it('sets the lines of context of the console diffs, as ansible-playbook --diff prints them', async () => {
    const target = path.join(workspace, 'f.txt')
    writeFileSync(target, 'a\nb\nc\nd\ne\nf\ng\n')
    writeFileSync(path.join(workspace, 'hosts'), 'localhost ansible_connection=local\n')
    writeFileSync(
      path.join(workspace, 'site.yml'),
      `- hosts: all\n  gather_facts: false\n  tasks:\n    - copy:\n        dest: ${target}\n        content: "a\\nb\\nc\\nD\\ne\\nf\\ng\\n"\n`
    )
    const output = async (env: NodeJS.ProcessEnv): Promise<string> => {
      const settings = parseCli(
        ['-i', path.join(workspace, 'hosts'), '--check', '--diff', 'site.yml'],
        { HOME: workspace, ...env },
        false,
        workspace
      ).settings!
      let out = ''
      await executeRun(settings, (text) => {
        out += text
      })
      return out
    }
    expect(await output({})).toContain('@@ -1,7 +1,7 @@\n a\n b\n c\n-d\n+D\n e\n f\n g\n')
    expect(await output({ ANSIBLE_DIFF_CONTEXT: '1' })).toContain(
      '@@ -3,3 +3,3 @@\n c\n-d\n+D\n e\n\n'
    )
    config('[diff]\ncontext = 0\n')
    expect(await output({})).toContain('@@ -4 +4 @@\n-d\n+D\n\n')
  })

  it("sets the plan's diffs too", () => {
    const doc = {
      ok: true,
      stats: {
        h: { ok: 1, changed: 1, failed: 0, unreachable: 0, skipped: 0, rescued: 0, ignored: 0 }
      },
      plays: [
        {
          name: 'p',
          tasks: [
            {
              name: 'copy',
              module: 'copy',
              results: {
                h: {
                  status: 'changed',
                  result: {
                    changed: true,
                    dest: '/f',
                    diff: { before: 'a\nb\nc\nd\n', after: 'a\nb\nc\nD\n', before_header: '/f' }
                  }
                }
              }
            }
          ]
        }
      ]
    }
    const texts = (context?: number): string[] =>
      buildPlan(doc as never, context).tasks.flatMap((task) =>
        task.changes.flatMap((change) => change.diffs.map((d) => d.text))
      )
    expect(texts()[0]).toContain('@@ -1,4 +1,4 @@\n a\n b\n c\n-d\n+D\n')
    expect(texts(0)[0]).toContain('@@ -4 +4 @@\n-d\n+D\n')
  })
})
