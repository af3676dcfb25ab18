/** The result of one command run on a target. Output is raw bytes: it is never re-encoded here. */
export interface CommandResult {
  /** Exit status, or null when the command was ended by a signal or the channel closed without one. */
  code: number | null
  signal: string | null
  stdout: Buffer
  stderr: Buffer
  /** True when our deadline ended the command. */
  timedOut: boolean
}

/** Options for one command. */
export interface RunOptions {
  /** Bytes written to the command's stdin, which is then closed. Secrets travel here, never in argv. */
  stdin?: string | Buffer
  /** Hard deadline for the whole command, in milliseconds. Every remote call has one. */
  timeoutMs: number
  /** Streaming callbacks, for live output. */
  onStdout?: (chunk: Buffer) => void
  onStderr?: (chunk: Buffer) => void
}

/**
 * One open connection to one host, reused for every task of a run.
 * `command` is a POSIX shell command line, run by the target's shell exactly as OpenSSH would run it.
 */
export interface Connection {
  /** The inventory name of the host (never its address). */
  readonly host: string
  /** Runs a shell command. Rejects with ConnectionError when the host cannot be reached. */
  run(command: string, options: RunOptions): Promise<CommandResult>
  /** Writes bytes to a remote file (created or replaced), with an optional mode such as 0o644. */
  putFile(
    remotePath: string,
    content: Buffer,
    options: { mode?: number; timeoutMs: number }
  ): Promise<void>
  /** Closes the connection. Safe to call more than once. */
  close(): Promise<void>
}

/** How to reach one host: resolved from inventory variables and CLI options. */
export interface ConnectionSettings {
  /** Inventory name, used in messages and results. */
  host: string
  /** `ssh` or `local`. */
  transport: 'ssh' | 'local'
  /** Address to connect to (ansible_host, or the inventory name). */
  address: string
  port: number
  user?: string
  privateKeyPath?: string
  privateKey?: string
  passphrase?: string
  password?: string
  /** Path of the OpenSSH known_hosts file to verify host keys against. */
  knownHostsPath?: string
  /** Extra known_hosts text (for instance from a secret). */
  knownHosts?: string
  /** `strict` refuses unknown or changed keys; `off` accepts any key. */
  hostKeyChecking: 'strict' | 'off'
  /** Connect timeout in milliseconds. */
  connectTimeoutMs: number
}
