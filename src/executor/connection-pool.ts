import type { Connection, ConnectionSettings } from '../connection/connection.js'
import { connectionSettingsFromVars, type ConnectionDefaults } from '../connection/host-settings.js'

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
    const key = `${host}\0${settings.transport}\0${settings.address}\0${settings.port}\0${settings.user ?? ''}`
    let connection = this.open.get(key)
    if (!connection) {
      connection = this.opener(settings)
      this.open.set(key, connection)
      // A failed connect is not cached: a later play may find the host back.
      connection.catch(() => this.open.delete(key))
    }
    return connection
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
