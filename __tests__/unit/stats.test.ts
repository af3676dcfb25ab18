// Unit: Stats, the recap counters shared by playbook runs and the gather-only run.
import { describe, expect, it } from 'vitest'
import { Stats } from '../../src/executor/stats.js'

describe('Stats', () => {
  it('counts ok, changed, ignored and single counters per host', () => {
    const stats = new Stats()
    stats.ok('web1', false)
    stats.ok('web1', true)
    stats.ignored('web1', true)
    stats.increment('web1', 'rescued')
    stats.increment('web2', 'failed')
    stats.increment('web2', 'skipped', 3)
    expect(stats.summary()).toEqual({
      web1: { ok: 3, changed: 2, failed: 0, unreachable: 0, skipped: 0, rescued: 1, ignored: 1 },
      web2: { ok: 0, changed: 0, failed: 1, unreachable: 0, skipped: 3, rescued: 0, ignored: 0 }
    })
    expect(stats.failed('web1')).toBe(false)
    expect(stats.failed('web2')).toBe(true)
    expect(stats.failed('web3')).toBe(false)
  })

  it('puts a host in the recap once a task ran there, even when no counter moved', () => {
    const stats = new Stats()
    expect(stats.has('web1')).toBe(false)
    stats.enter('web1')
    expect(stats.has('web1')).toBe(true)
    expect(Object.keys(stats.summary())).toEqual(['web1'])
  })

  it('orders the recap as asked, leaving out hosts never counted', () => {
    const stats = new Stats()
    stats.ok('web2', false)
    stats.ok('web1', false)
    expect(Object.keys(stats.summary())).toEqual(['web2', 'web1'])
    expect(Object.keys(stats.summary(['web1', 'web3', 'web2']))).toEqual(['web1', 'web2'])
  })

  it('takes any host name as a key, __proto__ included', () => {
    const stats = new Stats()
    stats.ok('__proto__', true)
    stats.increment('constructor', 'failed')
    const summary = stats.summary()
    expect(Object.getPrototypeOf(summary)).toBeNull()
    expect(Object.keys(summary)).toEqual(['__proto__', 'constructor'])
    expect(summary['__proto__']).toMatchObject({ ok: 1, changed: 1 })
    expect(stats.failed('constructor')).toBe(true)
  })
})
