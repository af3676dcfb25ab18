// The handler settings ansible-playbook reads from the environment (ANSIBLE_FORCE_HANDLERS,
// ANSIBLE_ERROR_ON_MISSING_HANDLER): how their values are spelled, and their precedence against
// --force-handlers. (The play keyword force_handlers winning over both is in the differential fixture
// semantics-handlers-env.yml.)
import { describe, expect, it } from 'vitest'
import { readActionSettings } from '../../src/action/settings.js'
import { parseCli } from '../../src/cli-options.js'
import { readAnsibleEnvironment } from '../../src/ansible-env.js'
import { OptionError } from '../../src/errors.js'

describe('ANSIBLE_FORCE_HANDLERS and ANSIBLE_ERROR_ON_MISSING_HANDLER (read with every ANSIBLE_* setting)', () => {
  const read = (value: string) =>
    readAnsibleEnvironment({
      ANSIBLE_FORCE_HANDLERS: value,
      ANSIBLE_ERROR_ON_MISSING_HANDLER: value
    })
  it.each(['y', 'Y', 'yes', 'YES', 'on', 'On', '1', 'true', 'True', 't', 'T', ' yes '])(
    '%j is true',
    (value) =>
      expect(read(value)).toMatchObject({ forceHandlers: true, errorOnMissingHandler: true })
  )
  it.each(['n', 'no', 'off', '0', 'false', 'F'])('%j is false', (value) =>
    expect(read(value)).toMatchObject({ forceHandlers: false, errorOnMissingHandler: false })
  )
  it('says nothing when they are unset or empty', () => {
    expect(readAnsibleEnvironment({})).toEqual({})
    expect(read('')).toEqual({})
  })
  it.each(['maybe', '2', '1.0'])(
    'refuses %j, naming the variable (Ansible would quietly read it as false)',
    (value) => {
      expect(() => readAnsibleEnvironment({ ANSIBLE_FORCE_HANDLERS: value })).toThrow(OptionError)
      expect(() => readAnsibleEnvironment({ ANSIBLE_ERROR_ON_MISSING_HANDLER: value })).toThrow(
        /^ANSIBLE_ERROR_ON_MISSING_HANDLER=.* is not a boolean/
      )
    }
  )
})

describe('the CLI', () => {
  const settings = (argv: string[], env: NodeJS.ProcessEnv) =>
    parseCli(['site.yml', ...argv], env, false).settings!

  it('takes ANSIBLE_FORCE_HANDLERS as the default of --force-handlers', () => {
    expect(settings([], {}).forceHandlers).toBeUndefined()
    expect(settings([], { ANSIBLE_FORCE_HANDLERS: 'True' }).forceHandlers).toBe(true)
    expect(settings([], { ANSIBLE_FORCE_HANDLERS: 'no' }).forceHandlers).toBe(false)
    // The flag only turns it on, whatever the environment says.
    expect(settings(['--force-handlers'], { ANSIBLE_FORCE_HANDLERS: '0' }).forceHandlers).toBe(true)
  })

  it('takes ANSIBLE_ERROR_ON_MISSING_HANDLER', () => {
    expect(settings([], {}).errorOnMissingHandler).toBeUndefined()
    expect(settings([], { ANSIBLE_ERROR_ON_MISSING_HANDLER: 'no' }).errorOnMissingHandler).toBe(
      false
    )
    expect(settings([], { ANSIBLE_ERROR_ON_MISSING_HANDLER: 'yes' }).errorOnMissingHandler).toBe(
      true
    )
  })
})

describe('the action', () => {
  it("reads both settings from the step's environment", () => {
    const env = {
      INPUT_PLAYBOOK: '- hosts: all\n  tasks: []\n',
      ANSIBLE_FORCE_HANDLERS: 'on',
      ANSIBLE_ERROR_ON_MISSING_HANDLER: 'off'
    }
    const saved = { ...process.env }
    try {
      Object.assign(process.env, env)
      const { run } = readActionSettings(process.env)
      expect(run.forceHandlers).toBe(true)
      expect(run.errorOnMissingHandler).toBe(false)
    } finally {
      process.env = saved
    }
  })
})
