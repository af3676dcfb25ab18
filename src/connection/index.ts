import type { Connection, ConnectionSettings } from './connection.js'
import { openLocalConnection } from './local-connection.js'
import { openSshConnection } from './ssh-connection.js'
import { noteSshLogin } from '../startup/run-marker.js'

export type {
  CommandResult,
  Connection,
  ConnectionSettings,
  CredentialSources,
  HostKeyChecking,
  JumpHost,
  RunOptions
} from './connection.js'
export {
  acceptedHostKeys,
  forgetAcceptedHostKeys,
  onHostKeyAccepted,
  type AcceptedHostKey
} from './host-key-check.js'
export {
  forgetConnectionNotices,
  onConnectionNotice,
  unverifiedHosts,
  type ConnectionNotice,
  type UnverifiedHost
} from './connection-notices.js'
export { SYNC_OUTPUT_CAP_BYTES } from './output-buffer.js'
export { openLocalConnection } from './local-connection.js'
export { openSshConnection, privateKeyProblem, type PrivateKeyProblem } from './ssh-connection.js'

/**
 * Opens a connection to one host with the transport its settings name (`ssh` or `local`).
 * @throws ConnectionError (or HostKeyError) when an SSH host cannot be reached or trusted
 */
export async function openConnection(settings: ConnectionSettings): Promise<Connection> {
  switch (settings.transport) {
    case 'local':
      return openLocalConnection(settings.host, settings.workingDirectory)
    case 'ssh': {
      const connection = await openSshConnection(settings)
      noteSshLogin()
      return connection
    }
  }
}
