import type { Connection, ConnectionSettings } from './connection.js'
import { openLocalConnection } from './local-connection.js'
import { openSshConnection } from './ssh-connection.js'

export type { CommandResult, Connection, ConnectionSettings, RunOptions } from './connection.js'
export { openLocalConnection } from './local-connection.js'
export { openSshConnection } from './ssh-connection.js'

/**
 * Opens a connection to one host with the transport its settings name (`ssh` or `local`).
 * @throws ConnectionError (or HostKeyError) when an SSH host cannot be reached or trusted
 */
export async function openConnection(settings: ConnectionSettings): Promise<Connection> {
  switch (settings.transport) {
    case 'local':
      return openLocalConnection(settings.host)
    case 'ssh':
      return openSshConnection(settings)
  }
}
