import { describe, expect, it } from 'vitest'
import { SharedLogins, loginKey } from '../../src/connection/shared-logins.js'

/** A registry whose opens are counted and settled by the test. */
function registry(seats: number) {
  const logins = new SharedLogins<string>(seats)
  const opened: Array<{
    name: string
    retire: () => void
    resolve: (v: string) => void
    reject: (e: Error) => void
  }> = []
  const take = (key: string) =>
    logins.take(key, (retire) => {
      const name = `login${opened.length + 1}`
      return new Promise<string>((resolve, reject) => {
        opened.push({ name, retire, resolve, reject })
      })
    })
  return { take, opened }
}

describe('SharedLogins', () => {
  it('seats aliases that arrive together on the login being opened, up to its seats', async () => {
    const { take, opened } = registry(3)
    const seats = Array.from({ length: 7 }, () => take('k'))
    // 7 aliases at once: three logins opened in parallel (3 + 3 + 1), none waits for another's.
    expect(opened).toHaveLength(3)
    expect(seats.map((s) => s.shared)).toEqual([false, true, true, false, true, true, false])
    opened.forEach((o) => o.resolve(o.name))
    expect(await Promise.all(seats.map((s) => s.login))).toEqual([
      'login1',
      'login1',
      'login1',
      'login2',
      'login2',
      'login2',
      'login3'
    ])
  })

  it('never shares between keys', () => {
    const { take, opened } = registry(4)
    take('a')
    take('b')
    expect(opened).toHaveLength(2)
    expect(take('a').shared).toBe(true)
  })

  it('opens afresh after a login is retired (closed, reset or lost) or fails', async () => {
    const { take, opened } = registry(4)
    const first = take('k')
    opened[0]!.resolve('login1')
    await first.login
    opened[0]!.retire()
    const second = take('k')
    expect(second.shared).toBe(false)
    expect(opened).toHaveLength(2)
    opened[1]!.reject(new Error('refused'))
    await expect(second.login).rejects.toThrow('refused')
    const third = take('k')
    expect(third.shared).toBe(false)
    expect(opened).toHaveLength(3)
  })

  it('a retired login does not take the seat list of the one after it', async () => {
    const { take, opened } = registry(4)
    take('k')
    opened[0]!.retire()
    take('k')
    // The first login's retire again (its last alias closing late) leaves the second one joinable.
    opened[0]!.retire()
    expect(take('k').shared).toBe(true)
    expect(opened).toHaveLength(2)
  })

  it('with one seat, never shares', () => {
    const { take, opened } = registry(1)
    expect(take('k').shared).toBe(false)
    expect(take('k').shared).toBe(false)
    expect(opened).toHaveLength(2)
  })
})

describe('loginKey', () => {
  it('differs when any field differs, and is a digest (no credential in it)', () => {
    const a = loginKey(['target', '10.0.0.5', 22, 'deploy', 'secret-password'])
    expect(a).toBe(loginKey(['target', '10.0.0.5', 22, 'deploy', 'secret-password']))
    expect(a).not.toBe(loginKey(['target', '10.0.0.5', 22, 'deploy', 'other']))
    expect(a).not.toBe(loginKey(['target', '10.0.0.5', 2222, 'deploy', 'secret-password']))
    expect(a).toMatch(/^[0-9a-f]{64}$/)
  })
})
