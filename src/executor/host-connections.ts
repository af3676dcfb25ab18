// The one owner of "a connection to host H, as user U with these become settings": the playbook runner, the
// gather-only run and the post step's cancellation all reach hosts through HostConnections.
import { appendFileSync } from 'node:fs'
import type { JobHostAccess } from '../async/async-jobs.js'
import {
  becomeIdentity,
  withBecome,
  type BecomeIdentity,
  type BecomeSettings
} from '../connection/become.js'
import type { Connection, ConnectionSettings } from '../connection/connection.js'
import { connectionSettingsFromVars, type ConnectionDefaults } from '../connection/host-settings.js'
import { settingsFor, type BecomeDefaults } from './become.js'

/**
 * With ASYNC_PLAYBOOK_TRACE=FILE, every remote call is logged to FILE as `<epoch ms> <host> <what>` when it
 * starts, where `what` is `apb-job <mode>` for job commands, `putFile PATH` or `getFile PATH` for transfers, else the
 * start of the command; and as `<epoch ms> <host> done <N> ms: <what>` when it ends. For debugging and for the
 * bench's round-trip counts.
 */
function traced(connection: Connection): Connection {
  const file = process.env['ASYNC_PLAYBOOK_TRACE']
  if (!file) return connection
  const log = async <T>(what: string, call: () => Promise<T>): Promise<T> => {
    const started = Date.now()
    appendFileSync(file, `${started} ${connection.host} ${what}\n`)
    try {
      return await call()
    } finally {
      appendFileSync(
        file,
        `${Date.now()} ${connection.host} done ${Date.now() - started} ms: ${what}\n`
      )
    }
  }
  return {
    host: connection.host,
    run(command, options) {
      // The mode follows the (quoted) wrapper script, whose own text mentions other modes.
      const job = / apb-job (\w+)/.exec(command.slice(command.lastIndexOf(' apb-job ')))
      const head = job ? `apb-job ${job[1]}` : command.slice(0, 80).split('\n')[0]!
      return log(head, () => connection.run(command, options))
    },
    putFile: (remotePath, content, options) =>
      log(`putFile ${remotePath}`, () => connection.putFile(remotePath, content, options)),
    getFile: (remotePath, options) =>
      log(`getFile ${remotePath}`, () => connection.getFile(remotePath, options)),
    close: () => connection.close()
  }
}

/** Opens one connection per host (and login) on first use and reuses it for every task of the run. */
class ConnectionPool {
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

  settings(host: string, vars: Record<string, unknown>): ConnectionSettings {
    return connectionSettingsFromVars(host, (name) => vars[name], this.defaults)
  }

  private keyOf(host: string, settings: ConnectionSettings): string {
    return `${host}\0${settings.transport}\0${settings.address}\0${settings.port}\0${settings.user ?? ''}\0${settings.workingDirectory ?? ''}`
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

/**
 * How a task on one host reaches it: under the task's become, or as the identity an async job remembers.
 * The variables and become settings are read afresh on each call (a task's variables change as it runs).
 */
export interface TaskConnection {
  /** The host's connection, running commands as the task's become user when it has become. */
  get(): Promise<Connection>
  /** Drops the host's connection and opens a new one (under the task's become, as get()). */
  reconnect(): Promise<Connection>
  /** Who the task's commands run as on the host (its become), or undefined for the login user. */
  identity(): BecomeIdentity | undefined
  /** The host's connection running commands as `identity` (an async job's user), or as the login user. */
  as(identity: BecomeIdentity | undefined): Promise<Connection>
}

/**
 * Connections to the hosts of a run, each as a user: the login user the host's variables name (opened once
 * and shared), wrapped to run commands under become settings. The become password of a remembered identity
 * is the host's (`ansible_become_password`), else the run's (-K, the environment, the action input).
 */
export class HostConnections {
  private readonly pool: ConnectionPool

  constructor(
    defaults: ConnectionDefaults,
    opener: (settings: ConnectionSettings) => Promise<Connection>,
    private readonly becomeDefaults: BecomeDefaults = {}
  ) {
    this.pool = new ConnectionPool(defaults, opener)
  }

  /**
   * The host's connection, running commands under `become` (undefined: as the login user).
   * @param vars the host's variables: its connection variables are read from them
   */
  async get(
    host: string,
    vars: Record<string, unknown>,
    become: BecomeSettings | undefined
  ): Promise<Connection> {
    return withBecome(await this.pool.get(host, vars), become)
  }

  /** The host's connection running commands as a remembered identity (an async job's), or as the login user. */
  as(
    host: string,
    vars: Record<string, unknown>,
    identity: BecomeIdentity | undefined
  ): Promise<Connection> {
    return this.get(host, vars, settingsFor(identity, vars, this.becomeDefaults))
  }

  /** How job checks reach the host: as the user each job runs as. */
  jobAccess(host: string, vars: () => Record<string, unknown>): JobHostAccess {
    return { host, connection: async (identity) => this.as(host, vars(), identity) }
  }

  /**
   * How a task reaches the host. `become` resolves the task's become settings from the host's variables
   * (it may throw for settings that cannot be used: the task then fails before connecting).
   */
  forTask(
    host: string,
    vars: () => Record<string, unknown>,
    become: (vars: Record<string, unknown>) => BecomeSettings | undefined
  ): TaskConnection {
    return {
      get: async () => {
        const scope = vars()
        const settings = become(scope)
        return this.get(host, scope, settings)
      },
      reconnect: async () => {
        const scope = vars()
        const settings = become(scope)
        await this.pool.reset(host, scope)
        return this.get(host, scope, settings)
      },
      identity: () => becomeIdentity(become(vars())),
      as: async (identity) => this.as(host, vars(), identity)
    }
  }

  /** How the host is reached with these variables (throws OptionError for variables that cannot be used). */
  settings(host: string, vars: Record<string, unknown>): ConnectionSettings {
    return this.pool.settings(host, vars)
  }

  /** Forgets the host's connection (closing it), so the next use opens a new one. */
  reset(host: string, vars: Record<string, unknown>): Promise<void> {
    return this.pool.reset(host, vars)
  }

  /** Closes every connection. */
  closeAll(): Promise<void> {
    return this.pool.closeAll()
  }
}
