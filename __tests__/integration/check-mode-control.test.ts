// Integration: what the control modules answer in check mode, and setup's `filter`, run as the task
// runner runs them (module harness, on this machine). The differential fixtures check-mode-control.yml
// and check-mode-transfer.yml compare the same answers with ansible-playbook's.
import { mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { ACTION_RAISED } from '../../src/modules/module.js'
import { filterFacts } from '../../src/modules/setup.js'
import { runModuleOn } from '../helpers/module-harness.js'

const CHECK = { check: true, diff: false }

describe('control modules in check mode', () => {
  let dir: string
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'apb-check-control-'))
  })
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true })
  })

  it('skips wait_for as a module without check mode, after validating its arguments', async () => {
    const { result, ran } = await runModuleOn(
      'wait_for',
      { path: path.join(dir, 'never'), timeout: 1 },
      { flags: CHECK }
    )
    expect(ran).toBe(false)
    expect(result).toEqual({
      changed: false,
      skipped: true,
      msg: 'remote module (wait_for) does not support check mode'
    })
    const bad = await runModuleOn('wait_for', { state: 'sideways' }, { flags: CHECK })
    expect(bad.result['failed']).toBe(true)
  })

  it('skips wait_for_connection without a message, without connecting', async () => {
    let connected = false
    const { result, ran } = await runModuleOn(
      'wait_for_connection',
      { timeout: 5 },
      {
        flags: CHECK,
        connect: () => {
          connected = true
          return Promise.reject(new Error('no connection in check mode'))
        }
      }
    )
    expect(ran).toBe(true)
    expect(result).toEqual({ skipped: true })
    expect(connected).toBe(false)
  })

  it('answers reboot as Ansible does, without touching the host', async () => {
    let connected = false
    const { result } = await runModuleOn(
      'reboot',
      { msg: 'never' },
      {
        flags: CHECK,
        connect: () => {
          connected = true
          return Promise.reject(new Error('no connection in check mode'))
        }
      }
    )
    expect(result).toEqual({ changed: true, elapsed: 0, rebooted: true })
    expect(connected).toBe(false)
  })

  // pause has no differential fixture: ansible-playbook prints its prompt on stdout, where the harness
  // reads the json callback's document. Ansible's pause action runs in check mode as in a normal run.
  it('runs pause in check mode as in a normal run', async () => {
    const slept: number[] = []
    const { result, ran } = await runModuleOn(
      'pause',
      { seconds: 2 },
      { flags: CHECK, sleep: (ms) => Promise.resolve(void slept.push(ms)) }
    )
    expect(ran).toBe(true)
    expect(slept).toEqual([2000])
    expect(result).toMatchObject({ changed: false, rc: 0, stdout: 'Paused for 2.00 seconds' })
  })

  it('skips fetch and assemble with results registered without `failed`', async () => {
    const fetched = await runModuleOn(
      'fetch',
      { src: '/etc/hostname', dest: path.join(dir, 'out') + '/' },
      { flags: CHECK }
    )
    expect(fetched.result).toEqual({
      changed: false,
      skipped: true,
      msg: 'check mode not (yet) supported for this module'
    })
    expect((fetched.result as Record<PropertyKey, unknown>)[ACTION_RAISED]).toBe(true)
    const assembled = await runModuleOn(
      'assemble',
      { src: dir, dest: path.join(dir, 'all') },
      { flags: CHECK }
    )
    expect(assembled.ran).toBe(false)
    expect(assembled.result).toEqual({
      changed: false,
      skipped: true,
      msg: 'check mode is not supported for this task.'
    })
    expect((assembled.result as Record<PropertyKey, unknown>)[ACTION_RAISED]).toBe(true)
    expect(await readdir(dir)).toEqual([])
  })
})

describe("setup's filter", () => {
  it('keeps only the facts it names, in check mode too', async () => {
    const { result } = await runModuleOn('setup', { filter: ['ansible_user_id'] }, { flags: CHECK })
    const facts = result['ansible_facts'] as Record<string, unknown>
    expect(Object.keys(facts)).toEqual(['ansible_user_id'])
  })

  it('matches fnmatch patterns, with ansible_ added to a bare name', () => {
    const facts = {
      ansible_memtotal_mb: 1,
      ansible_memfree_mb: 2,
      ansible_system: 'Linux',
      ansible_user_id: 'u',
      gather_subset: ['all'],
      module_setup: true
    }
    expect(Object.keys(filterFacts(facts, ['ansible_*_mb']))).toEqual([
      'ansible_memtotal_mb',
      'ansible_memfree_mb'
    ])
    expect(Object.keys(filterFacts(facts, ['system', 'user_?d']))).toEqual([
      'ansible_system',
      'ansible_user_id'
    ])
    expect(Object.keys(filterFacts(facts, ['ANSIBLE_SYSTEM']))).toEqual([])
    expect(filterFacts(facts, [])).toEqual(facts)
    expect(filterFacts(facts, ['*'])).toEqual(facts)
    expect(filterFacts(facts, [''])).toEqual(facts)
  })
})
