import type { Client, ClientChannel } from 'ssh2'
import type { JumpHost } from './connection.js'
import { ConnectionError } from '../errors.js'

/*
 * Jump hosts (OpenSSH ProxyJump / -J): parsing the `[user@]host[:port]` lists, and opening the
 * direct-tcpip channel through one hop that the next hop's SSH session then runs over.
 */

/**
 * Parses a ProxyJump value: comma-separated `[user@]host[:port]` (or `ssh://[user@]host[:port]`),
 * IPv6 addresses in brackets. `none` means no jump host.
 * @throws TypeError naming the part that is not a jump host
 */
export function parseJumpHosts(text: string): JumpHost[] {
  const value = text.trim()
  if (value === '' || value.toLowerCase() === 'none') return []
  return value.split(',').map((part) => parseOne(part.trim()))
}

function parseOne(part: string): JumpHost {
  const m =
    /^(?:ssh:\/\/)?(?:([^@\s/]+)@)?(?:\[([0-9A-Fa-f:.%\w]+)\]|([^\s@:[\]/]+))(?::(\d+))?\/?$/.exec(
      part
    )
  const address = m?.[2] ?? m?.[3]
  if (!m || !address) {
    throw new TypeError(`'${part}' is not a jump host; expected [user@]host[:port]`)
  }
  const port = m[4] === undefined ? 22 : Number(m[4])
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new TypeError(`'${part}': the port must be 1-65535`)
  }
  return { address, port, ...(m[1] !== undefined ? { user: m[1] } : {}) }
}

/** `user@host:port`, as a user would write the hop. */
export function formatJumpHost(jump: JumpHost): string {
  const address = jump.address.includes(':') ? `[${jump.address}]` : jump.address
  return `${jump.user ? `${jump.user}@` : ''}${address}:${jump.port}`
}

/**
 * Asks the jump host (an authenticated client) to connect to `address:port`, as `ssh -J` does.
 * @param hopWhere how the jump host is named in messages (by inventory name, never by address)
 * @param targetWhere how the next hop is named in messages
 * @param targetEndpoint the next hop's address and port, for the log only
 * @param scrub hides addresses and ports in the library's error text
 * @throws ConnectionError naming both hops when the jump host cannot reach the next one in time
 */
export function openTunnel(
  client: Client,
  address: string,
  port: number,
  context: {
    host: string
    hopWhere: string
    targetWhere: string
    targetEndpoint: string
    scrub: (text: string) => string
    timeoutMs: number
  }
): Promise<ClientChannel> {
  const { host, hopWhere, targetWhere, targetEndpoint, scrub, timeoutMs } = context
  const detail = (what: string): string =>
    `${hopWhere} was asked to connect to ${targetWhere} at ${address}:${port} (${targetEndpoint}): ${what}`
  return new Promise<ClientChannel>((resolve, reject) => {
    let done = false
    const timer = setTimeout(() => {
      done = true
      reject(
        new ConnectionError(
          `timed out after ${timeoutMs} ms waiting for ${hopWhere} to connect to ${targetWhere}: ` +
            'is the target up and its port reachable from the jump host? (the address and port ' +
            'tried are in the log)',
          host,
          detail('timed out')
        )
      )
    }, timeoutMs)
    const onChannel = (error: Error | undefined, channel: ClientChannel): void => {
      clearTimeout(timer)
      if (done) {
        channel?.close()
        return
      }
      done = true
      if (error) {
        reject(
          new ConnectionError(
            `${hopWhere} cannot connect to ${targetWhere}: ${scrub(error.message)}. Is sshd running ` +
              `on the port of ${targetWhere}, as seen from the jump host (ansible_host / ansible_port; ` +
              'the address and port tried are in the log), and does the jump host allow TCP ' +
              'forwarding (AllowTcpForwarding)?',
            host,
            detail(error.message)
          )
        )
        return
      }
      resolve(channel)
    }
    try {
      // OpenSSH's ssh -J announces the originator as 127.0.0.1:65535.
      client.forwardOut('127.0.0.1', 65535, address, port, onChannel)
    } catch (error) {
      clearTimeout(timer)
      done = true
      const text = error instanceof Error ? error.message : String(error)
      reject(
        new ConnectionError(
          `${hopWhere} was lost before connecting to ${targetWhere}: ${scrub(text)}`,
          host,
          detail(text)
        )
      )
    }
  })
}
