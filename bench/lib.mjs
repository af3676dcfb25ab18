// Helpers shared by the bench scenarios (bench/run.mjs, bench/async.mjs).
import { spawn } from 'node:child_process'
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs'
import { delimiter, dirname, join, resolve } from 'node:path'
import { performance } from 'node:perf_hooks'
import { fileURLToPath } from 'node:url'
import { NodeSSH } from 'node-ssh'

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..')
export const CLI = join(ROOT, 'dist', 'cli.js')
const CHILD_DEADLINE_MS = 600_000

export function positiveIntFromEnv(name, fallback) {
  const raw = process.env[name]
  if (raw === undefined || raw === '') return fallback
  const n = Number(raw)
  if (!Number.isInteger(n) || n < 1)
    throw new Error(`${name} must be a positive whole number, got '${raw}'`)
  return n
}

/**
 * Runs a child process to completion; resolves with its exit code, wall time, output tail and the
 * epoch ms at which it ended. With `onLine(line, epochMs)`, every complete stdout line is reported
 * with the moment it arrived (for "when was this result printed").
 */
export function timeChild(command, args, { onLine, ...options } = {}) {
  return new Promise((resolvePromise, reject) => {
    const started = performance.now()
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], ...options })
    let output = ''
    let partial = ''
    const keep = (chunk) => {
      output = (output + chunk.toString('utf8')).slice(-4000)
    }
    child.stdout.on('data', (chunk) => {
      keep(chunk)
      if (!onLine) return
      const now = Date.now()
      const lines = (partial + chunk.toString('utf8')).split('\n')
      partial = lines.pop() ?? ''
      for (const line of lines) onLine(line, now)
    })
    child.stderr.on('data', keep)
    const timer = setTimeout(() => child.kill('SIGKILL'), CHILD_DEADLINE_MS)
    child.once('error', (error) => {
      clearTimeout(timer)
      reject(error)
    })
    child.once('close', (code, signal) => {
      clearTimeout(timer)
      const endedAt = Date.now()
      if (onLine && partial) onLine(partial, endedAt)
      resolvePromise({ code: code ?? signal, ms: performance.now() - started, endedAt, output })
    })
  })
}

/** A node-ssh connection to the bench sshd, verifying its host key as our engine does. */
export async function connectSsh(sshd) {
  const ssh = new NodeSSH()
  await ssh.connect({
    host: sshd.host,
    port: sshd.port,
    username: sshd.user,
    privateKeyPath: sshd.clientKeyPath,
    readyTimeout: 10_000,
    keepaliveInterval: 15_000,
    hostHash: 'sha256',
    hostVerifier: (digest) =>
      `SHA256:${Buffer.from(digest, 'hex').toString('base64').replace(/=+$/, '')}` ===
      sshd.hostKeyFingerprint
  })
  return ssh
}

export function findOnPath(name) {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir && existsSync(join(dir, name))) return join(dir, name)
  }
  return undefined
}

/** ansible-playbook's environment: isolated from /etc/ansible and ~/.ansible, as in the differential tests. */
export function ansibleEnvironment(workDir) {
  const home = join(workDir, 'ansible-home')
  const localTemp = join(workDir, 'ansible-local')
  const controlDir = join(workDir, 'cp')
  for (const dir of [home, localTemp, controlDir]) mkdirSync(dir, { recursive: true })
  const config = join(workDir, 'ansible.cfg')
  writeFileSync(config, '')
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    LC_ALL: process.env.LC_ALL ?? 'C.UTF-8',
    ANSIBLE_CONFIG: config,
    ANSIBLE_HOME: home,
    ANSIBLE_LOCAL_TEMP: localTemp,
    ANSIBLE_SSH_CONTROL_PATH_DIR: controlDir,
    ANSIBLE_HOST_KEY_CHECKING: 'True',
    ANSIBLE_PYTHON_INTERPRETER: '/usr/bin/python3',
    ANSIBLE_NOCOLOR: '1',
    ANSIBLE_RETRY_FILES_ENABLED: '0'
  }
}

/** Ends the ControlPersist masters ansible leaves behind for 60 s. */
export async function closeControlMasters(workDir) {
  const controlDir = join(workDir, 'cp')
  if (!existsSync(controlDir)) return
  await Promise.all(
    readdirSync(controlDir).map((name) =>
      timeChild('ssh', ['-o', `ControlPath=${join(controlDir, name)}`, '-O', 'exit', 'x']).catch(
        () => undefined
      )
    )
  )
}

/**
 * An INI inventory of `hostNames`, all aliases of the bench sshd. `vars` are added to [all:vars]
 * (e.g. ansible_async_dir, so the jobs' files land in a directory the bench removes).
 */
export function writeInventory(path, sshd, hostNames, vars = {}) {
  writeFileSync(
    path,
    [
      '[bench]',
      ...hostNames.map((h) => `${h} ansible_host=${sshd.host} ansible_port=${sshd.port}`),
      '[all:vars]',
      `ansible_user=${sshd.user}`,
      `ansible_ssh_private_key_file=${sshd.clientKeyPath}`,
      `ansible_ssh_common_args='-o UserKnownHostsFile=${sshd.knownHostsPath}'`,
      ...Object.entries(vars).map(([k, v]) => `${k}=${v}`),
      ''
    ].join('\n')
  )
}

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
}

export const seconds = (ms) => (ms / 1000).toFixed(2)

/** Prints rows of [name, value, note] in the bench's table style. */
export function printTable(rows, { first = 'runner', value = 'wall s' } = {}) {
  const width = Math.max(first.length, ...rows.map((r) => r[0].length))
  const valueWidth = Math.max(7, value.length)
  console.log('')
  console.log(`${first.padEnd(width)}  ${value.padStart(valueWidth)}  runs / note`)
  for (const [name, wall, note] of rows) {
    console.log(`${name.padEnd(width)}  ${wall.padStart(valueWidth)}  ${note}`)
  }
}
