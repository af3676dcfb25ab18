import { readFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { Inputs } from '../../src/action/constants.js'
import { readActionSettings } from '../../src/action/settings.js'
import { parseCli, USAGE } from '../../src/cli-options.js'
import { DEFAULTS, defaultKnownHostsPath } from '../../src/defaults.js'
import { parseYaml } from '../../src/playbook/yaml-loader.js'

interface ActionInput {
  default?: unknown
}

/** action.yml's inputs, as the runner reads them. */
function actionInputs(): Record<string, ActionInput> {
  const doc = parseYaml(readFileSync('action.yml', 'utf8'), 'action.yml').data as {
    inputs: Record<string, ActionInput>
  }
  return doc.inputs
}

/** Which action input stands for which shared default. */
const INPUT_DEFAULTS: Array<[string, keyof typeof DEFAULTS]> = [
  [Inputs.Forks, 'forks'],
  [Inputs.Port, 'port'],
  [Inputs.Timeout, 'gatherTimeoutSeconds'],
  [Inputs.HostKeyChecking, 'hostKeyChecking']
]

const INLINE_PLAYBOOK = '- hosts: all\n  tasks: []\n'

describe('the table of defaults', () => {
  let saved: NodeJS.ProcessEnv
  beforeEach(() => {
    saved = { ...process.env }
    for (const name of Object.keys(process.env))
      if (name.startsWith('INPUT_')) delete process.env[name]
    for (const name of Object.keys(process.env))
      if (name.startsWith('ANSIBLE_') || name === 'NO_COLOR') delete process.env[name]
  })
  afterEach(() => {
    process.env = saved
  })

  const inputVariable = (name: string): string => `INPUT_${name.replace(/ /g, '_').toUpperCase()}`
  const actionSettings = (
    inputs: Record<string, string>
  ): ReturnType<typeof readActionSettings> => {
    for (const name of Object.keys(process.env))
      if (name.startsWith('INPUT_')) delete process.env[name]
    process.env[inputVariable(Inputs.Playbook)] = INLINE_PLAYBOOK
    process.env['GITHUB_RUN_ID'] = '1'
    for (const [name, value] of Object.entries(inputs)) process.env[inputVariable(name)] = value
    return readActionSettings(process.env)
  }

  it.each(INPUT_DEFAULTS)("action.yml's default of input '%s' is the table's %s", (input, key) => {
    expect(String(actionInputs()[input]?.default)).toBe(String(DEFAULTS[key]))
  })

  it('every default action.yml gives an input is what the action assumes when the input is empty', () => {
    const withDefaults = Object.entries(actionInputs()).filter(
      ([name, input]) =>
        // `matrix` defaults to an expression the runner evaluates.
        name !== Inputs.Matrix && input.default !== undefined && String(input.default) !== ''
    )
    expect(withDefaults.map(([name]) => name)).toEqual(
      expect.arrayContaining(INPUT_DEFAULTS.map(([name]) => name))
    )
    const assumed = actionSettings({})
    for (const [name, input] of withDefaults) {
      expect({ name, settings: actionSettings({ [name]: String(input.default) }) }).toEqual({
        name,
        settings: assumed
      })
    }
  })

  it('the action and the CLI start from the same connection, forks and timeout defaults', () => {
    const action = actionSettings({}).run
    const cli = parseCli(['site.yml'], {}, false, os.tmpdir()).settings!
    for (const run of [action, cli]) {
      expect(run.forks).toBe(DEFAULTS.forks)
      expect(run.connection.connectTimeoutMs).toBe(DEFAULTS.connectTimeoutSeconds * 1000)
      expect(run.commandTimeoutMs).toBe(DEFAULTS.commandTimeoutSeconds * 1000)
      expect(run.connection.knownHostsPath).toBe(defaultKnownHostsPath())
      expect(run.connection.hostKeyChecking).toBe(DEFAULTS.hostKeyChecking)
    }
    expect(action.gatherTimeoutSeconds).toBe(DEFAULTS.gatherTimeoutSeconds)
    expect(defaultKnownHostsPath()).toBe(path.join(os.homedir(), '.ssh', 'known_hosts'))
  })

  it("the CLI's usage text states the table's defaults", () => {
    const option = (flag: string): string => USAGE.split('\n').find((l) => l.includes(flag)) ?? ''
    expect(option('--forks')).toContain(`(default ${DEFAULTS.forks})`)
    expect(option('--connect-timeout')).toContain(`(default ${DEFAULTS.connectTimeoutSeconds})`)
    expect(option('--command-timeout')).toContain(`(default ${DEFAULTS.commandTimeoutSeconds})`)
    expect(option('--timeout SECONDS')).toContain(`(default ${DEFAULTS.gatherTimeoutSeconds})`)
    expect(option('--host-key-checking')).toContain(`${DEFAULTS.hostKeyChecking} (default)`)
    expect(option('--poll')).toContain(`(default ${DEFAULTS.adhocPollSeconds})`)
  })
})
