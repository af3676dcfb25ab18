import type { GetFileOptions } from './get-file.js'

/** The result of one command run on a target. Output is raw bytes: it is never re-encoded here. */
export interface CommandResult {
  /** Exit status, or null when the command was ended by a signal or the channel closed without one. */
  code: number | null
  signal: string | null
  stdout: Buffer
  stderr: Buffer
  /** True when our deadline ended the command. */
  timedOut: boolean
  /**
   * Set when stdout was longer than the run's output cap: `stdout` then holds only its last bytes,
   * and `totalBytes` is how many the command printed.
   */
  stdoutTruncated?: { totalBytes: number }
  /** As `stdoutTruncated`, for stderr. */
  stderrTruncated?: { totalBytes: number }
}

/** Options for one command. */
export interface RunOptions {
  /** Bytes written to the command's stdin, which is then closed. Secrets travel here, never in argv. */
  stdin?: string | Buffer
  /** Hard deadline for the whole command, in milliseconds. Every remote call has one. */
  timeoutMs: number
  /**
   * Bytes of stdout and, separately, of stderr to keep (the tail); default SYNC_OUTPUT_CAP_BYTES.
   * Streaming callbacks still see every byte. Pass Infinity only for output whose size we control.
   */
  outputCapBytes?: number
  /**
   * The command may run in the host's long-lived shell (a subshell of one `/bin/sh` kept open on the
   * connection) instead of a session of its own, which saves the target a process or two per command.
   * Only for POSIX sh text that does not depend on the login shell and leaves no process running
   * behind it; the result is the same either way. `stdin` goes along as a here-document when it is
   * text that ends with a line break (at most 256 KiB, no NUL): other input, and a command for which no
   * shared shell can start, get a session of their own. A command sent while the shell is busy waits
   * for it, its deadline running.
   */
  sharedShell?: boolean
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
  /**
   * Reads a regular file from the target (following links), streamed in chunks and never holding
   * more than `maxBytes` of it, as the login user (or the become user, under become).
   * @throws FileTooLargeError when the file is over `maxBytes`
   * @throws RemoteFileError when it is missing, unreadable or not a regular file
   * @throws CommandTimeoutError past the deadline; ConnectionError when the host is gone
   */
  getFile(remotePath: string, options: GetFileOptions): Promise<Buffer>
  /** Closes the connection. Safe to call more than once. */
  close(): Promise<void>
}

/** How host keys are verified: see ConnectionSettings.hostKeyChecking. */
export type HostKeyChecking = 'strict' | 'accept-new' | 'off'

/** One jump host (OpenSSH ProxyJump hop), as `[user@]host[:port]`. */
export interface JumpHost {
  address: string
  port: number
  /** Login user on the jump host; the target's user when not given. */
  user?: string
}

/** How error messages name where the user set each credential (`--private-key`, `input 'private-key'`). */
export interface CredentialSources {
  privateKey: string
  passphrase: string
  user: string
}

/** Who logs in and with what: the run's defaults (ConnectionDefaults) and a host's resolved settings. */
export interface LoginCredentials {
  user?: string
  privateKeyPath?: string
  privateKey?: string
  passphrase?: string
  password?: string
  /** Where the user gave the credentials, as messages name it; CLI options when absent. */
  sources?: CredentialSources
}

/** How to reach one host: resolved from inventory variables and CLI options. */
export interface ConnectionSettings extends LoginCredentials {
  /** Inventory name, used in messages and results. */
  host: string
  /** `ssh` or `local`. */
  transport: 'ssh' | 'local'
  /**
   * `local` only: the directory commands run in and relative paths start from. Ansible runs a local
   * connection's commands in the play's directory (`playbook_dir`, its loader's basedir).
   */
  workingDirectory?: string
  /** Address to connect to (ansible_host, or the inventory name). */
  address: string
  port: number
  /** Path of the OpenSSH known_hosts file to verify host keys against. */
  knownHostsPath?: string
  /**
   * What replaced ~/.ssh/known_hosts as `knownHostsPath` (a UserKnownHostsFile option), for messages;
   * unset when it is the run's default.
   */
  knownHostsPathSource?: string
  /** Extra known_hosts text (for instance from a secret): trusted whatever UserKnownHostsFile says. */
  knownHosts?: string
  /** A known_hosts file given for the whole run (--known-hosts): trusted whatever UserKnownHostsFile says. */
  explicitKnownHostsPath?: string
  /**
   * `strict` refuses unknown or changed keys; `accept-new` trusts an unknown host's key for the rest
   * of the run (in memory, see acceptedHostKeys()) but still refuses a changed one; `off` accepts any
   * key. Pinned fingerprints apply in every mode.
   */
  hostKeyChecking: HostKeyChecking
  /** What set `hostKeyChecking`: a variable, an ssh option or the run's setting, named in warnings. */
  hostKeyCheckingSource?: string
  /**
   * `SHA256:…` fingerprints pinned for this host (ansible_ssh_host_key_fingerprints). When present
   * they are authoritative: the host key must match one of them, whatever known_hosts says
   * (an `@revoked` key is still refused).
   */
  hostKeyFingerprints?: string[]
  /** Hops to go through, first to last (ProxyJump / -J / ansible_ssh_jump_host). */
  jumpHosts?: JumpHost[]
  /** Private key file for the jump hosts (ansible_ssh_jump_private_key_file); else the target's. */
  jumpPrivateKeyPath?: string
  /** Fingerprints pinned for the jump hosts (ansible_ssh_jump_host_key_fingerprints). */
  jumpHostKeyFingerprints?: string[]
  /** Connect timeout in milliseconds. */
  connectTimeoutMs: number
}
