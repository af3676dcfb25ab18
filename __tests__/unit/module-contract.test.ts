import { describe, expect, it } from 'vitest'
import { checkArgSpec } from '../../src/modules/arg-spec.js'
import type { ModuleDefinition, ModuleDiff } from '../../src/modules/module.js'
import { MODULES } from '../../src/modules/registry.js'
import { runModuleCase } from '../helpers/module-harness.js'

/** A module that records the flags it ran with and, asked for a diff, returns Ansible's structure. */
function recorder(
  supportsCheckMode: boolean,
  side: 'module' | 'action' = 'module'
): { module: ModuleDefinition; runs: Array<{ check: boolean; diff: boolean }> } {
  const runs: Array<{ check: boolean; diff: boolean }> = []
  const module: ModuleDefinition = {
    name: 'recorder',
    supportsCheckMode,
    args: { side, options: { path: { type: 'path', required: true } } },
    async run(ctx) {
      runs.push({ check: ctx.check, diff: ctx.diff })
      const diff: ModuleDiff = {
        before: 'old\n',
        after: 'new\n',
        before_header: String(ctx.args['path']),
        after_header: String(ctx.args['path'])
      }
      return { changed: true, ...(ctx.diff ? { diff } : {}) }
    }
  }
  return { module, runs }
}

describe('check mode and diff in the module contract', () => {
  it('runs a module that supports check mode with check and diff, and keeps its diff', async () => {
    const { module, runs } = recorder(true)
    const outcome = await runModuleCase(
      {
        name: 'c',
        module: 'recorder',
        args: { path: '/etc/motd' },
        check: true,
        diff: true,
        result: {}
      },
      {},
      module
    )
    expect(runs).toEqual([{ check: true, diff: true }])
    expect(outcome.result).toEqual({
      changed: true,
      diff: {
        before: 'old\n',
        after: 'new\n',
        before_header: '/etc/motd',
        after_header: '/etc/motd'
      }
    })
  })

  it('passes check and diff as false in a normal run', async () => {
    const { module, runs } = recorder(true)
    const outcome = await runModuleCase(
      { name: 'c', module: 'recorder', args: { path: '/x' }, result: {} },
      {},
      module
    )
    expect(runs).toEqual([{ check: false, diff: false }])
    expect(outcome.result).not.toHaveProperty('diff')
  })

  it('skips a module checked on the target that does not support check mode, after its arguments', async () => {
    const { module, runs } = recorder(false)
    const skipped = await runModuleCase(
      { name: 'c', module: 'recorder', args: { path: '/x' }, check: true, result: {} },
      {},
      module
    )
    expect(runs).toEqual([])
    expect(skipped.ran).toBe(false)
    expect(skipped.result).toEqual({
      changed: false,
      skipped: true,
      msg: 'remote module (recorder) does not support check mode'
    })
    // Argument errors fail the task even in check mode, as Ansible's modules check them first.
    const refused = await runModuleCase(
      { name: 'c', module: 'recorder', args: {}, check: true, result: {} },
      {},
      module
    )
    expect(refused.result).toEqual({
      changed: false,
      failed: true,
      msg: 'missing required arguments: path'
    })
  })

  it('skips a module checked on the controller before reading its arguments', async () => {
    const { module, runs } = recorder(false, 'action')
    const outcome = await runModuleCase(
      { name: 'c', module: 'recorder', args: {}, check: true, result: {} },
      {},
      module
    )
    expect(runs).toEqual([])
    expect(outcome.result).toEqual({
      changed: false,
      skipped: true,
      msg: 'check mode is not supported for this task.'
    })
  })

  it('runs a module that does not support check mode normally outside check mode', async () => {
    const { module, runs } = recorder(false)
    const outcome = await runModuleCase(
      { name: 'c', module: 'recorder', args: { path: '/x' }, result: {} },
      {},
      module
    )
    expect(runs).toEqual([{ check: false, diff: false }])
    expect(outcome.result).toEqual({ changed: true })
  })
})

describe('every registered module keeps the contract', () => {
  it.each([...MODULES.values()].map((m) => [m.name, m] as const))(
    '%s declares a valid argument spec and whether it supports check mode',
    (_, module) => {
      expect(() => checkArgSpec(module.args)).not.toThrow()
      expect(typeof module.supportsCheckMode).toBe('boolean')
    }
  )
})
