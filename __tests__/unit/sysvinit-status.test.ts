import { describe, expect, it } from 'vitest'
import { sysvRunning } from '../../src/modules/sysvinit.js'

describe("the sysvinit module's reading of a status action", () => {
  it("reads the one line's words before the exit code", () => {
    expect(sysvRunning('web', 0, 'web is running\n')).toBe(true)
    expect(sysvRunning('web', 0, 'web is stopped\n')).toBe(false)
    expect(sysvRunning('web', 3, 'web is not running\n')).toBe(false)
    expect(sysvRunning('web', 0, ' * web is inactive\n')).toBe(false)
    // The service's own name does not count ("webstart" is not "start").
    expect(sysvRunning('webstart', 5, 'webstart: unknown\n')).toBeUndefined()
  })

  it('falls back to the LSB codes, and cannot tell otherwise', () => {
    expect(sysvRunning('web', 3, 'line one\nline two\nline three\n')).toBe(false)
    expect(sysvRunning('web', 69, '')).toBe(false)
    expect(sysvRunning('web', 0, 'line one\nline two\nline three\n')).toBeUndefined()
    expect(sysvRunning('web', 5, '')).toBeUndefined()
  })

  it("takes iptables' rules for running", () => {
    expect(sysvRunning('iptables', 0, 'Chain INPUT (policy ACCEPT)\n...\n...\n')).toBe(true)
  })
})
