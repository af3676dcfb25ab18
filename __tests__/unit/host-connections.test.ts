// Unit: HostConnections, the one owner of "a connection to host H as user U with these become settings".
import { describe, expect, it } from 'vitest'
import type { Connection, ConnectionSettings, RunOptions } from '../../src/connection/connection.js'
import { ModuleArgumentError } from '../../src/modules/module.js'
import { HostConnections } from '../../src/executor/host-connections.js'

const DEFAULTS = {
  user: 'deploy',
  port: 22,
  hostKeyChecking: 'strict' as const,
  connectTimeoutMs: 1_000
}

interface Sent {
  host: string
  command: string
  stdin: string
}

/** A fake transport: it records what each command sends and lets become's success marker through. */
function fakeOpener() {
  const opened: ConnectionSettings[] = []
  const closed: string[] = []
  const sent: Sent[] = []
  const open = async (settings: ConnectionSettings): Promise<Connection> => {
    opened.push(settings)
    return {
      host: settings.host,
      async run(command: string, options: RunOptions) {
        sent.push({ host: settings.host, command, stdin: String(options.stdin ?? '') })
        const marker = /APB-BECOME-OK-[0-9a-f]+/.exec(command)?.[0]
        const stderr = Buffer.from(marker ? `${marker}\n` : '')
        if (marker) options.onStderr?.(stderr)
        return { code: 0, signal: null, stdout: Buffer.alloc(0), stderr, timedOut: false }
      },
      async putFile() {},
      async getFile(): Promise<Buffer> {
        throw new Error('getFile is not used by these tests')
      },
      async close() {
        closed.push(settings.host)
      }
    }
  }
  return { open, opened, closed, sent }
}

const run = (connection: Connection) => connection.run('id -un', { timeoutMs: 1_000 })

describe('HostConnections', () => {
  it('opens one login connection per host and runs each command as the user asked', async () => {
    const fake = fakeOpener()
    const connections = new HostConnections(DEFAULTS, fake.open, { password: 'run-wide' })
    const vars = { ansible_host: '10.0.0.5' }
    await run(await connections.get('web1', vars, undefined))
    await run(await connections.get('web1', vars, { user: 'root', method: 'sudo', password: 'p1' }))
    await run(await connections.as('web1', vars, { user: 'app', method: 'sudo' }))
    expect(fake.opened.map((s) => [s.host, s.address, s.user])).toEqual([
      ['web1', '10.0.0.5', 'deploy']
    ])
    const [plain, asRoot, asApp] = fake.sent
    expect(plain!.command).toBe('id -un')
    expect(asRoot!.command).toContain(' sudo sudo root ')
    expect(asRoot!.stdin).toBe('p1\n')
    // A remembered identity runs with the run's become password when the host sets none.
    expect(asApp!.command).toContain(' sudo sudo app ')
    expect(asApp!.stdin).toBe('run-wide\n')
    await connections.closeAll()
    expect(fake.closed).toEqual(['web1'])
  })

  it("gives a remembered identity the host's own become password over the run's", async () => {
    const fake = fakeOpener()
    const connections = new HostConnections(DEFAULTS, fake.open, { password: 'run-wide' })
    const access = connections.jobAccess('web1', () => ({ ansible_become_password: 'host-own' }))
    expect(access.host).toBe('web1')
    await run(await access.connection({ user: 'root', method: 'sudo' }))
    await run(await access.connection(undefined))
    expect(fake.sent.map((s) => s.stdin)).toEqual(['host-own\n', ''])
    expect(fake.sent[1]!.command).toBe('id -un')
  })

  it('opens a new connection after reset, closing the old one', async () => {
    const fake = fakeOpener()
    const connections = new HostConnections(DEFAULTS, fake.open)
    await connections.get('web1', {}, undefined)
    await connections.reset('web1', {})
    expect(fake.closed).toEqual(['web1'])
    await connections.get('web1', {}, undefined)
    expect(fake.opened).toHaveLength(2)
  })

  it('gives a task its become, its identity, a reconnect and access as a job user', async () => {
    const fake = fakeOpener()
    const connections = new HostConnections(DEFAULTS, fake.open)
    let user = 'root'
    const task = connections.forTask(
      'web1',
      () => ({ ansible_become_password: 'pw' }),
      (vars) => ({ user, method: 'sudo', password: String(vars['ansible_become_password']) })
    )
    expect(task.identity()).toEqual({ user: 'root', method: 'sudo' })
    await run(await task.get())
    expect(fake.sent[0]!.stdin).toBe('pw\n')
    // Settings are read afresh on each use.
    user = 'app'
    expect(task.identity()).toEqual({ user: 'app', method: 'sudo' })
    await run(await task.reconnect())
    expect(fake.opened).toHaveLength(2)
    expect(fake.closed).toEqual(['web1'])
    expect(fake.sent[1]!.command).toContain(' sudo sudo app ')
    await run(await task.as(undefined))
    expect(fake.sent[2]!.command).toBe('id -un')
  })

  it('rejects (never throws) when the become settings cannot be used, before connecting', async () => {
    const fake = fakeOpener()
    const connections = new HostConnections(DEFAULTS, fake.open)
    const task = connections.forTask(
      'web1',
      () => ({}),
      () => {
        throw new ModuleArgumentError('become_user must be a user name')
      }
    )
    const pending = task.get()
    await expect(pending).rejects.toThrow('become_user must be a user name')
    expect(fake.opened).toHaveLength(0)
  })
})
