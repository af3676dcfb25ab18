// ModuleScript reads a script's answer only when it is whole: a script that exits 0 without its end
// marker (end=1) is an "answer cut short" error, never a result; a failing script names its exit code.
import { describe, expect, it } from 'vitest'
import type { CommandResult, Connection } from '../../src/connection/connection.js'
import { ModuleScript } from '../../src/modules/module-script.js'

function answering(result: Partial<CommandResult>): Connection {
  return {
    host: 'web1',
    run: async () => ({
      code: 0,
      signal: null,
      stdout: Buffer.alloc(0),
      stderr: Buffer.alloc(0),
      timedOut: false,
      ...result
    }),
    putFile: async () => undefined,
    getFile: async () => Buffer.alloc(0),
    close: async () => undefined
  }
}

const script = new ModuleScript('apb-demo', 'echo changed=1\necho end=1\n', 'demo')

describe('ModuleScript', () => {
  it('reads a whole answer', async () => {
    const answer = await script.run(answering({ stdout: Buffer.from('changed=1\nend=1\n') }), [], {
      timeoutMs: 1000
    })
    expect(answer.get('changed')).toBe('1')
  })

  it('refuses an answer cut short: exit 0 without end=1', async () => {
    await expect(
      script.run(answering({ stdout: Buffer.from('changed=1\n') }), [], { timeoutMs: 1000 })
    ).rejects.toThrow(
      /^demo: the answer from web1 was cut short \(its script exited 0 without its end marker end=1/
    )
  })

  it('refuses an answer whose start was dropped (output over the cap)', async () => {
    await expect(
      script.run(
        answering({ stdout: Buffer.from('end=1\n'), stdoutTruncated: { totalBytes: 1 << 30 } }),
        [],
        { timeoutMs: 1000 }
      )
    ).rejects.toThrow(/cut short/)
  })

  it('names the exit code of a failing script', async () => {
    await expect(
      script.run(answering({ code: 2, stderr: Buffer.from('sh: boom\n') }), [], {
        timeoutMs: 1000
      })
    ).rejects.toThrow('demo: its script failed on web1 (exit code 2): sh: boom')
  })
})
