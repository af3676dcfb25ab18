import * as core from '@actions/core'
import os from 'node:os'
import path from 'node:path'
import { executeRun, type RunSettings } from './engine.js'
import { AsyncPlaybookError, OptionError } from './errors.js'

/** Action input names: the one place they are spelled. */
export const Inputs = {
  Playbook: 'playbook',
  Inventory: 'inventory',
  ExtraVars: 'extra-vars',
  Limit: 'limit',
  Forks: 'forks',
  User: 'user',
  PrivateKey: 'private-key',
  Passphrase: 'passphrase',
  Password: 'password',
  KnownHosts: 'known-hosts',
  HostKeyChecking: 'host-key-checking'
} as const

/** Action output names. */
export const Outputs = { Results: 'results', Stats: 'stats', Ok: 'ok' } as const

/** Reads every input once into the run settings. Secrets are masked before anything is logged. */
export function readSettings(): RunSettings {
  for (const secret of [Inputs.PrivateKey, Inputs.Passphrase, Inputs.Password]) {
    const value = core.getInput(secret)
    if (value) core.setSecret(value)
  }
  const playbook = core.getInput(Inputs.Playbook, { required: true })
  const forksText = core.getInput(Inputs.Forks) || '10'
  const forks = Number(forksText)
  if (!Number.isInteger(forks) || forks < 1) {
    throw new OptionError(
      `Input '${Inputs.Forks}' must be a positive whole number, got '${forksText}'`
    )
  }
  const checking = core.getInput(Inputs.HostKeyChecking) || 'strict'
  if (checking !== 'strict' && checking !== 'off') {
    throw new OptionError(
      `Input '${Inputs.HostKeyChecking}' must be 'strict' or 'off', got '${checking}'`
    )
  }
  if (checking === 'off')
    core.warning(
      'host-key-checking is off: any host key is accepted, so a man in the middle would go unnoticed.'
    )
  const inventory = core.getInput(Inputs.Inventory)
  const extraVars = core.getInput(Inputs.ExtraVars)
  const workspace = process.env['GITHUB_WORKSPACE'] ?? process.cwd()
  return {
    playbook,
    inventories: inventory ? [inventory] : [],
    extraVars: extraVars ? [extraVars] : [],
    limit: core.getInput(Inputs.Limit) || undefined,
    forks,
    connection: {
      user: core.getInput(Inputs.User) || undefined,
      privateKey: core.getInput(Inputs.PrivateKey) || undefined,
      passphrase: core.getInput(Inputs.Passphrase) || undefined,
      password: core.getInput(Inputs.Password) || undefined,
      knownHosts: core.getInput(Inputs.KnownHosts) || undefined,
      knownHostsPath: path.join(os.homedir(), '.ssh', 'known_hosts'),
      hostKeyChecking: checking,
      connectTimeoutMs: 10_000
    },
    verbosity: core.isDebug() ? 1 : 0,
    color: true,
    commandTimeoutMs: 3_600_000,
    cwd: workspace
  }
}

/** The action: inputs → settings → engine → outputs. */
export async function run(): Promise<void> {
  try {
    const settings = readSettings()
    const outcome = await executeRun(settings, (text) => process.stdout.write(text))
    core.setOutput(Outputs.Results, JSON.stringify(outcome.document))
    core.setOutput(Outputs.Stats, JSON.stringify(outcome.document.stats))
    core.setOutput(Outputs.Ok, String(outcome.document.ok))
    if (outcome.exitCode !== 0)
      core.setFailed(`The playbook failed (exit code ${outcome.exitCode}); see the recap above.`)
  } catch (error) {
    core.setFailed(
      error instanceof AsyncPlaybookError
        ? error.message
        : error instanceof Error
          ? error.message
          : String(error)
    )
  }
}
