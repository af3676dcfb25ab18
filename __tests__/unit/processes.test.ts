// The test helpers' process identities (helpers/processes.ts): a pid read earlier is signalled only while
// it still names the same process. The suite runs as root; a stale pid would hit whatever reused it.
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { spawn } from 'node:child_process'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { canUsePidNamespace, runPidReuseScenario } from '../helpers/pid-namespace.js'
import { findProcess, isAlive, signalGroup, signalProcess } from '../helpers/processes.js'

describe('process identities', () => {
  let dir: string
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'apb-processes-'))
  })
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true })
  })

  it('finds a live process only under the command it runs, and signals it and its group', async () => {
    const child = spawn('sleep', ['61.5'], { detached: true, stdio: 'ignore' })
    const exited = new Promise<NodeJS.Signals | null>((resolve) =>
      child.once('exit', (_code, signal) => resolve(signal))
    )
    // Until the exec, the child may still run node's command line: wait for sleep's.
    let found = findProcess(child.pid!, /^sleep 61\.5$/)
    for (let tries = 0; !found && tries < 200; tries++) {
      await new Promise((resolve) => setTimeout(resolve, 10))
      found = findProcess(child.pid!, /^sleep 61\.5$/)
    }
    expect(found).toBeDefined()
    expect(findProcess(child.pid!, /^something else$/)).toBeUndefined()
    expect(isAlive(found!)).toBe(true)
    expect(signalGroup(found!, 'SIGTERM')).toBe(true)
    expect(await exited).toBe('SIGTERM')
    expect(isAlive(found!)).toBe(false)
    expect(signalProcess(found!, 'SIGTERM')).toBe(false)
  })

  it.skipIf(!canUsePidNamespace())(
    'never signals the process that got the pid of one it identified',
    async () => {
      const report = await runPidReuseScenario('identity', [], dir)
      expect(report).toEqual({
        found: true,
        reused: true,
        signalled: false,
        groupSignalled: false,
        secondAlive: true
      })
    }
  )
})
