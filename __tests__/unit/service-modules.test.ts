// What the systemd and service modules read from their tools' answers, on captured output.
import { describe, expect, it } from 'vitest'
import { runningFromStatus } from '../../src/modules/service.js'
import { parseSystemctlShow } from '../../src/modules/systemd.js'

describe('parseSystemctlShow', () => {
  it('reads KEY=value lines, trimmed, and an Exec value spread over lines up to its closing brace', () => {
    const shown = [
      'Type=simple',
      'ExecStart={ path=/bin/sh ; argv[]=/bin/sh -c "echo one',
      'echo two" ; ignore_errors=no }',
      'Description={ a description that never closes  ',
      'ActiveState=active',
      'no equals sign here',
      'Environment=A=1 B=2',
      ''
    ].join('\n')
    expect(parseSystemctlShow(shown)).toEqual({
      Type: 'simple',
      ExecStart: '{ path=/bin/sh ; argv[]=/bin/sh -c "echo one\necho two" ; ignore_errors=no }',
      Description: '{ a description that never closes',
      ActiveState: 'active',
      Environment: 'A=1 B=2'
    })
  })

  it('keeps a one-line Exec value in braces on its line', () => {
    expect(
      parseSystemctlShow('ExecReload={ path=/bin/true ; argv[]=/bin/true }\nId=x.service\n')
    ).toEqual({
      ExecReload: '{ path=/bin/true ; argv[]=/bin/true }',
      Id: 'x.service'
    })
  })
})

describe('runningFromStatus (LSB status answers, as Ansible reads them)', () => {
  const status = (rc: number, out: string): { rc: number; out: string; err: string } => ({
    rc,
    out,
    err: ''
  })
  it('takes the LSB not-running codes first', () => {
    expect(runningFromStatus('web', status(3, 'web is running'))).toBe(false)
    expect(runningFromStatus('web', status(1, ''))).toBe(false)
  })
  it('reads one line of output for its words, without the service name', () => {
    expect(runningFromStatus('web', status(0, 'web is running\n'))).toBe(true)
    expect(runningFromStatus('web', status(0, 'web is not running\n'))).toBe(false)
    expect(runningFromStatus('stopwatch', status(0, 'stopwatch: started\n'))).toBe(true)
    expect(runningFromStatus('web', status(5, 'web: stopped\n'))).toBe(false)
  })
  it('falls back on the exit code, and knows nothing from a verbose failure', () => {
    expect(runningFromStatus('web', status(0, 'line one\nline two\nline three\n'))).toBe(true)
    expect(runningFromStatus('web', status(5, 'line one\nline two\nline three\n'))).toBeUndefined()
  })
})
