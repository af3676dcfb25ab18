// The rolling-deploy example (examples/rolling-deploy/) as a user runs it: serial: 1, each node taken out
// of the balancer's pool (run_once + delegate_to the balancer) while its release changes and put back
// after, so that the pool the balancer served during each node's deploy lacked exactly that node. And,
// where ansible-playbook is installed, the same recap as Ansible's for the same example.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ANSIBLE_DEADLINE_MS, findAnsiblePlaybook, runAnsiblePlaybook } from '../helpers/ansible.js'
import { runCaptured } from '../helpers/engine.js'
import type { RunSettings } from '../../src/engine.js'

const EXAMPLE = path.resolve('examples/rolling-deploy')
const ansiblePlaybook = findAnsiblePlaybook()
let work: string

beforeAll(() => {
  work = mkdtempSync(path.join(tmpdir(), 'apb-rolling-'))
})
afterAll(() => rmSync(work, { recursive: true, force: true }))

/** The example's directories moved under `root`, through extra vars (above the play's vars). */
function dirs(root: string): { vars: string[]; lb: string; app: string } {
  const lb = path.join(root, 'lb')
  const app = path.join(root, 'app')
  return { vars: [`lb_dir=${lb}`, `app_dir=${app}`], lb, app }
}

function settings(extraVars: string[]): RunSettings {
  return {
    playbook: path.join(EXAMPLE, 'deploy.yml'),
    inventories: [path.join(EXAMPLE, 'inventory.ini')],
    extraVars,
    forks: 10,
    connection: { hostKeyChecking: 'strict', connectTimeoutMs: 30_000 },
    verbosity: 0,
    color: false,
    commandTimeoutMs: 60_000,
    cwd: process.cwd()
  }
}

const lines = (file: string): string[] => readFileSync(file, 'utf8').trim().split('\n')

describe('examples/rolling-deploy', () => {
  it('deploys one node at a time, each out of the pool while it changes, all back at the end', async () => {
    const { vars, lb, app } = dirs(path.join(work, 'ours'))
    const out = await runCaptured(settings(vars))
    expect(out.exitCode).toBe(0)
    for (const node of ['web1', 'web2', 'web3']) {
      expect(readFileSync(path.join(app, node, 'release'), 'utf8')).toBe('release 2.0\n')
      const served = lines(path.join(app, node, 'served-during-deploy'))
      expect(served.sort()).toEqual(['web1', 'web2', 'web3'].filter((n) => n !== node))
    }
    expect(lines(path.join(lb, 'pool')).sort()).toEqual(['web1', 'web2', 'web3'])
    // The balancer's steps ran on it, once per batch, for the batch's node.
    expect(out.output).toContain('changed: [web2 -> lb1] => (item=web2)')
    expect(out.output).not.toContain('[web1 -> lb1] => (item=web2)')
    expect(out.output).toContain('ok: [web3 -> lb1]')
  })

  it.skipIf(!ansiblePlaybook)(
    'has the recap ansible-playbook has',
    async () => {
      const ours = dirs(path.join(work, 'recap-ours'))
      const theirs = dirs(path.join(work, 'recap-ansible'))
      const [outcome, ansible] = await Promise.all([
        runCaptured(settings(ours.vars)),
        runAnsiblePlaybook({
          playbook: path.join(EXAMPLE, 'deploy.yml'),
          inventoryPath: path.join(EXAMPLE, 'inventory.ini'),
          extraVars: theirs.vars,
          tmpDir: work,
          executable: ansiblePlaybook
        })
      ])
      expect(ansible.exitCode).toBe(0)
      const recap = Object.fromEntries(
        Object.entries(outcome.document.stats).map(([host, s]) => [
          host,
          { ok: s.ok, changed: s.changed, failures: s.failed, skipped: s.skipped }
        ])
      )
      const expected = Object.fromEntries(
        Object.entries(ansible.report.stats).map(([host, s]) => [
          host,
          { ok: s.ok, changed: s.changed, failures: s.failures, skipped: s.skipped }
        ])
      )
      expect(recap).toEqual(expected)
      expect(lines(path.join(ours.lb, 'pool')).sort()).toEqual(
        lines(path.join(theirs.lb, 'pool')).sort()
      )
    },
    ANSIBLE_DEADLINE_MS
  )
})
