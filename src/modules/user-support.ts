/**
 * What the user module reads and compares that is not a decision of its own: the ssh key's state in a
 * probe answer, `expires` as useradd takes it, and Ansible's checks of a password hash and a passwd
 * entry. Split from user.ts.
 */
import type { ProbeAnswer } from '../facts/probe.js'
import { toolOutput, type ToolRun } from './account-run.js'
import type { ModuleResult } from './module.js'

export const SECONDS_PER_DAY = 86_400

/** The ssh key file and what is there, as the probe or the act script saw it. */
export interface SshKeyState {
  path: string
  dirExists: boolean
  keyExists: boolean
  pubExists: boolean
  fingerprint: string
  publicKey: string | null
  noHome: boolean
}

/** Whether ssh-keygen would run: no key yet (or `force`), and no public key file left (or `force`). */
export function keyWouldBeMade(ssh: SshKeyState, force: boolean): boolean {
  if (!ssh.dirExists) return true
  return (!ssh.keyExists || force) && (!ssh.pubExists || force)
}

export function keyState(answer: ProbeAnswer): SshKeyState {
  const publicKey = answer.bytes('pub_hex')
  return {
    path: answer.bytes('key_hex')?.toString('utf8') ?? '',
    dirExists: answer.get('key_dir') === '1',
    keyExists: answer.get('key_exists') === '1',
    pubExists: answer.get('pub_exists') === '1',
    fingerprint: (answer.bytes('fingerprint_hex')?.toString('utf8') ?? '').trim(),
    publicKey: publicKey === undefined ? null : publicKey.toString('utf8').trim(),
    noHome: answer.get('no_home') === '1'
  }
}

/** The tool's output fields, with the `*_lines` Ansible adds to any result that has them. */
export function withOutput(result: ModuleResult, run: ToolRun | undefined): ModuleResult {
  return Object.assign(result, toolOutput(run))
}

export function validPasswd(fields: string[] | undefined): string[] | undefined {
  if (fields === undefined || fields.length < 7) return undefined
  return /^\d+$/.test(fields[2]!) && /^\d+$/.test(fields[3]!) ? fields : undefined
}

export function isNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value)
}

export function stripBang(text: string): string {
  return text.replace(/^!+/, '')
}

/** `expires` as useradd's -e takes it: '' for a negative time (no expiry), else the UTC date. */
export function expiresDate(value: unknown): { text: string; days: number } | undefined {
  if (typeof value !== 'number' || !Number.isFinite(value)) return undefined
  if (value < 0) return { text: '', days: -1 }
  return { text: utcDate(value), days: Math.floor(value / SECONDS_PER_DAY) }
}

export function utcDate(seconds: number): string {
  return new Date(Math.floor(seconds) * 1000).toISOString().slice(0, 10)
}

/** Ansible's check that a password looks like a crypt(3) hash (it only warns when it does not). */
export function looksHashed(password: string): boolean {
  if (/[:*!]/.test(password) || !password.includes('$')) return false
  const fields = password.split('$')
  if (fields.length < 3) return false
  const last = fields[fields.length - 1]!
  if (/[^a-zA-Z0-9./=]/.test(last)) return false
  const lengths: Record<string, number> = { '1': 22, '5': 43, '6': 86 }
  const wanted = lengths[fields[1]!]
  return wanted === undefined || last.length === wanted
}
