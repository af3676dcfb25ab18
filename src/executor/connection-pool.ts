import { appendFileSync } from 'node:fs'
import type { Connection, ConnectionSettings } from '../connection/connection.js'
import { connectionSettingsFromVars, type ConnectionDefaults } from '../connection/host-settings.js'

/**
 * With ASYNC_PLAYBOOK_TRACE=FILE, every remote command is logged to FILE as `<epoch ms> <host> <what>`, where
 * `what` is `apb-job <mode>` for job commands, else the start of the command: for debugging and for the bench's round-trip counts.
 */
function traced(connection: Connection): Connection {
  const file = process.env['ASYNC_PLAYBOOK_TRACE']
  if (!file) return connection
  return {
    host: connection.host,
    run(command, options) {
      // The mode follows the (quoted) wrapper script, whose own text mentions other modes.
      const job = / apb-job (\w+)/.exec(command.slice(command.lastIndexOf(' apb-job ')))
      const head = job ? `apb-job ${job[1]}` : command.slice(0, 80).split('\n')[0]
      appendFileSync(file, `${Date.now()} ${connection.host} ${head}\n`)
      return connection.run(command, options)
    },
    putFile: (remotePath, content, options) => connection.putFile(remotePath, content, options),
    getFile: (remotePath, options) => connection.getFile(remotePath, options),
    close: () => connection.close()
  }
}

/** Opens one connection per host on first use and reuses it for every task of the run. */
export class ConnectionPool {
  private readonly open = new Map<string, Promise<Connection>>()

  constructor(
    private readonly defaults: ConnectionDefaults,
    private readonly opener: (settings: ConnectionSettings) => Promise<Connection>
  ) {}

  /** The host's connection. `vars` is the host's scope (connection variables are read from it). */
  get(host: string, vars: Record<string, unknown>): Promise<Connection> {
    const settings = connectionSettingsFromVars(host, (name) => vars[name], this.defaults)
    const key = this.keyOf(host, settings)
    let connection = this.open.get(key)
    if (!connection) {
      connection = this.opener(settings).then(traced)
      this.open.set(key, connection)
      // A failed connect is not cached: a later play may find the host back.
      connection.catch(() => this.open.delete(key))
    }
    return connection
  }

  /** Forgets the host's connection (closing it if it is still open), so the next get() opens a new one. */
  async reset(host: string, vars: Record<string, unknown>): Promise<void> {
    const settings = connectionSettingsFromVars(host, (name) => vars[name], this.defaults)
    const key = this.keyOf(host, settings)
    const old = this.open.get(key)
    this.open.delete(key)
    await (await old?.catch(() => undefined))?.close().catch(() => undefined)
  }

  private keyOf(host: string, settings: ConnectionSettings): string {
    return `${host}\0${settings.transport}\0${settings.address}\0${settings.port}\0${settings.user ?? ''}`
  }

  /** Closes every connection. */
  async closeAll(): Promise<void> {
    const all = [...this.open.values()]
    this.open.clear()
    await Promise.all(
      all.map(async (p) => (await p.catch(() => undefined))?.close().catch(() => undefined))
    )
  }
}
