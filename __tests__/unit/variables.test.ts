import { describe, expect, it } from 'vitest'
import { VariableManager, type PlayContext } from '../../src/executor/variables.js'
import { loadInventory } from '../../src/inventory/inventory.js'
import { Templar } from '../../src/template/index.js'

const PLAY: PlayContext = {
  playVars: { v: 'play', only_play: 'play', from_files: 'play' },
  varsFilesVars: { v: 'vars_files', from_files: '{{ only_play }} via vars_files' },
  playHosts: ['h'],
  playBatch: ['h'],
  playbookDir: '/pb'
}

function manager(extraVars: Record<string, unknown> = {}): VariableManager {
  const inventory = loadInventory(['[g]\nh v=inventory inv_only=1\n'])
  return new VariableManager(inventory, new Templar(), extraVars)
}

describe('VariableManager precedence', () => {
  it('ranks play vars < vars_files < task (and block) vars', () => {
    const vars = manager()
    expect(vars.scope('h', PLAY)['v']).toBe('vars_files')
    expect(vars.scope('h', PLAY, { vars: { v: 'task' } })['v']).toBe('task')
    expect(vars.scope('h', { ...PLAY, varsFilesVars: undefined })['v']).toBe('play')
    // Inventory vars sit below all of them; vars_files values are templated like play vars.
    expect(vars.scope('h', PLAY)['inv_only']).toBe(1)
    expect(vars.scope('h', PLAY)['from_files']).toBe('play via vars_files')
  })

  it('ranks vars_files below set_fact/registered values and extra vars', () => {
    const vars = manager({ v: 'extra' })
    expect(vars.scope('h', PLAY, { vars: { v: 'task' } })['v']).toBe('extra')
    const registered = manager()
    registered.hostMemory('h').registered['v'] = 'set_fact'
    expect(registered.scope('h', PLAY, { vars: { v: 'task' } })['v']).toBe('set_fact')
  })
})

describe('role magic variables', () => {
  it('names the roles of the play, the listed ones, the dependencies, and the running role', () => {
    const vars = manager()
    const role = { name: 'web', path: '/pb/roles/web', defaults: {}, vars: {}, params: {} }
    const play: PlayContext = { ...PLAY, roleNames: { all: ['web', 'common'], listed: ['web'] } }
    const scope = vars.scope('h', play, { vars: {}, role })
    expect(scope['ansible_role_names']).toEqual(['web', 'common'])
    expect(scope['ansible_play_role_names']).toEqual(['web'])
    expect(scope['role_names']).toEqual(['web'])
    expect(scope['ansible_dependent_role_names']).toEqual(['common'])
    expect(scope['ansible_role_name']).toBe('web')
    expect(scope['role_path']).toBe('/pb/roles/web')
    // Outside a role: the play's lists, but no role of its own.
    const plain = vars.scope('h', play)
    expect(plain['ansible_role_names']).toEqual(['web', 'common'])
    expect(plain['ansible_role_name']).toBeUndefined()
  })
})
