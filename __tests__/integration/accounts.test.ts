// The group and user modules on this machine through the local connection, as root (CI runs as root;
// elsewhere these are skipped): check mode, which the differential fixture cannot use yet, and what
// only a unit of the module shows. Every account made here is removed afterwards.
import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { afterAll, describe, expect, it } from 'vitest'
import { runModuleOn } from '../helpers/module-harness.js'

const asRoot = process.getuid?.() === 0
const id = `${process.pid % 10000}${Date.now() % 100000}`
const groupName = (n: number): string => `apbtg${id}-${n}`

const run = (module: string, args: Record<string, unknown>, check = false) =>
  runModuleOn(module, args, { flags: { check, diff: false } })

const groupEntry = (name: string): string | undefined =>
  readFileSync('/etc/group', 'utf8')
    .split('\n')
    .find((line) => line.startsWith(`${name}:`))

afterAll(() => {
  if (!asRoot) return
  for (const [file, tool, extra] of [
    ['/etc/passwd', 'userdel', ['-r', '-f']],
    ['/etc/group', 'groupdel', []]
  ] as const) {
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      const name = line.split(':')[0] ?? ''
      if (name.includes(id)) spawnSync(tool, [...extra, '--', name], { stdio: 'ignore' })
    }
  }
})

describe.skipIf(!asRoot)('group', () => {
  it('in check mode reports the group it would add, and adds nothing', async () => {
    const { result } = await run('group', { name: groupName(1) }, true)
    expect(result).toEqual({ changed: true })
    expect(groupEntry(groupName(1))).toBeUndefined()
  })

  it('in check mode reports a gid change and a removal without making them', async () => {
    await run('group', { name: groupName(2), gid: 42_101 })
    const change = await run('group', { name: groupName(2), gid: 42_102 }, true)
    expect(change.result).toMatchObject({
      changed: true,
      name: groupName(2),
      state: 'present',
      gid: 42_101,
      system: false
    })
    const removal = await run('group', { name: groupName(2), state: 'absent' }, true)
    expect(removal.result).toEqual({ changed: true })
    expect(groupEntry(groupName(2))).toBe(`${groupName(2)}:x:42101:`)
    const unchanged = await run('group', { name: groupName(2), gid: 42_101 }, true)
    expect(unchanged.result).toMatchObject({ changed: false, gid: 42_101 })
  })

  it('refuses local by name', async () => {
    const { result, ran } = await run('group', { name: groupName(3), local: true })
    expect(ran).toBe(false)
    expect(result['failed']).toBe(true)
    expect(String(result['msg'])).toContain('local')
    expect(groupEntry(groupName(3))).toBeUndefined()
  })
})
