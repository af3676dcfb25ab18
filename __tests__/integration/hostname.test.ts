// The hostname module renaming this machine for real, as root through the local connection, compared
// with Ansible's own module run the same way: on this Debian test bed without systemd as init, both
// write /etc/hostname only and leave the kernel's name alone. /etc/hostname is restored byte for byte
// after each test. Check mode too, which the differential fixture cannot use yet.
import { spawnSync } from 'node:child_process'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { hostname as kernelName } from 'node:os'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { findAnsiblePlaybook } from '../helpers/ansible.js'
import {
  acquireMachineLock,
  MACHINE_LOCK_WAIT_MS,
  releaseMachineLock
} from '../helpers/machine-lock.js'
import { runModuleOn } from '../helpers/module-harness.js'

const FILE = '/etc/hostname'
const debianLike =
  process.getuid?.() === 0 &&
  existsSync(FILE) &&
  !existsSync('/run/systemd/system') &&
  /^ID=debian$/m.test(existsSync('/etc/os-release') ? readFileSync('/etc/os-release', 'utf8') : '')
const newName = `apb-${process.pid}.example.test`

/** Ansible's hostname module on this machine (ansible's ad-hoc command, the json callback). */
function ansibleHostname(args: string, check = false): Record<string, unknown> {
  const ansible = findAnsiblePlaybook()!.replace(/-playbook$/, '')
  const run = spawnSync(
    ansible,
    ['localhost', '-c', 'local', '-m', 'hostname', '-a', args, ...(check ? ['--check'] : [])],
    {
      encoding: 'utf8',
      env: {
        ...process.env,
        ANSIBLE_LOAD_CALLBACK_PLUGINS: '1',
        ANSIBLE_STDOUT_CALLBACK: 'json',
        ANSIBLE_PYTHON_INTERPRETER: '/usr/bin/python3',
        ANSIBLE_LOCALHOST_WARNING: '0'
      }
    }
  )
  const report = JSON.parse(run.stdout) as {
    plays: Array<{ tasks: Array<{ hosts: Record<string, Record<string, unknown>> }> }>
  }
  const result = report.plays[0]!.tasks[0]!.hosts['localhost']!
  const { changed, name, diff, ansible_facts, failed, msg } = result
  return Object.fromEntries(
    Object.entries({ changed, name, diff, ansible_facts, failed, msg }).filter(
      ([, value]) => value !== undefined
    )
  )
}

describe.skipIf(!debianLike || !findAnsiblePlaybook())('hostname module on Debian', () => {
  let saved: Buffer
  let kernel: string
  // The differential fixture modules-system.yml reads the machine's name: the two take turns.
  beforeEach(() => {
    acquireMachineLock('hostname')
    saved = readFileSync(FILE)
    kernel = kernelName()
  }, MACHINE_LOCK_WAIT_MS + 60_000)
  afterEach(() => {
    writeFileSync(FILE, saved)
    releaseMachineLock('hostname')
  })
  const current = (): string => saved.toString('utf8').trim()

  it('writes /etc/hostname as Ansible does, with the same result, and leaves the kernel name', async () => {
    const theirs = ansibleHostname(`name=${newName}`)
    const theirFile = readFileSync(FILE, 'utf8')
    writeFileSync(FILE, saved)

    const ours = await runModuleOn('hostname', { name: newName })
    expect(ours.result).toEqual({ ...theirs, changed: true })
    expect(ours.result).toMatchObject({
      changed: true,
      name: newName,
      diff: { before: `hostname = ${current()}\n`, after: `hostname = ${newName}\n` }
    })
    expect(readFileSync(FILE, 'utf8')).toBe(`${newName}\n`)
    expect(theirFile).toBe(`${newName}\n`)
    expect(kernelName()).toBe(kernel)

    const again = await runModuleOn('hostname', { name: newName })
    expect(again.result).toEqual({ ...ansibleHostname(`name=${newName}`), changed: false })
  })

  it('in check mode reports the rename and its diff without writing', async () => {
    const theirs = ansibleHostname(`name=${newName}`, true)
    const ours = await runModuleOn(
      'hostname',
      { name: newName },
      { flags: { check: true, diff: true } }
    )
    expect(ours.result).toEqual(theirs)
    expect(ours.result['changed']).toBe(true)
    expect(readFileSync(FILE)).toEqual(saved)
  })

  it('refuses a strategy it does not implement by name, before touching anything', async () => {
    await expect(runModuleOn('hostname', { name: newName, use: 'freebsd' })).rejects.toThrow(
      'use=freebsd is not supported'
    )
    expect(readFileSync(FILE)).toEqual(saved)
  })
})
