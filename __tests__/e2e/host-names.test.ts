// End to end through the bundled action: hosts are named by inventory name in every output. Unreachable
// hosts (refused port, unknown name, refused host key, a jump host that is down) and a host whose key is
// not verified leave their address and port out of the step outputs, the results file, the job summary
// and the annotations; the log may show them, for debugging.
import { chmodSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runAction, type StepRun } from '../helpers/action.js'
import { startSshd, unreachablePort, type SshdFixture } from '../helpers/sshd.js'

let sshd: SshdFixture
let work: string
let step: StepRun
let ports: { refused: number; jump: number }

/** Distinctive spellings of addresses that reach (or refuse) 127.0.0.1. */
const DECIMAL_LOOPBACK = '2130706433'
const HEX_LOOPBACK = '0x7f000001'
const NO_SUCH_NAME = 'apb-no-such-host.invalid'

/** Lines of the log that are workflow commands creating annotations. */
const annotations = (log: string): string[] =>
  log.split('\n').filter((l) => /^::(error|warning|notice)\b/.test(l))

beforeAll(async () => {
  sshd = await startSshd({ name: 'e2e-host-names' })
  work = mkdtempSync(path.join(tmpdir(), 'apb-e2e-host-names-'))
  ports = { refused: await unreachablePort(), jump: await unreachablePort() }
  const inventory = [
    '[web]',
    `ok1 ansible_host=${sshd.host} ansible_port=${sshd.port}`,
    // Port closed, at an address spelled as a number.
    `closed ansible_host=${DECIMAL_LOOPBACK} ansible_port=${ports.refused}`,
    // Nothing answers to the name.
    `nameless ansible_host=${NO_SUCH_NAME} ansible_port=${sshd.port}`,
    // The real sshd, but under a name known_hosts has no key for: the host key is refused.
    `badkey ansible_host=${HEX_LOOPBACK} ansible_port=${sshd.port}`,
    // Through a jump host that is down.
    `bastioned ansible_host=${sshd.host} ansible_port=${sshd.port} ansible_ssh_common_args='-J ${sshd.user}@${HEX_LOOPBACK}:${ports.jump}'`,
    // Connects without verifying the key: warned about, by name.
    `unchecked ansible_host=${HEX_LOOPBACK} ansible_port=${sshd.port} ansible_ssh_common_args='-o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null'`,
    '[all:vars]',
    `ansible_user=${sshd.user}`,
    'ansible_ssh_timeout=5'
  ].join('\n')
  writeFileSync(
    path.join(work, 'play.yml'),
    '- hosts: all\n  gather_facts: false\n  tasks:\n    - name: hello\n      shell: echo hello\n'
  )
  // An older results file readable by everyone: the new one must not stay readable by everyone.
  writeFileSync(path.join(work, 'results.json'), '{}')
  chmodSync(path.join(work, 'results.json'), 0o644)
  step = await runAction(work, {
    playbook: 'play.yml',
    inventory,
    'private-key': sshd.clientKey,
    'known-hosts': readFileSync(sshd.knownHostsPath, 'utf8'),
    'results-file': path.join(work, 'results.json')
  })
})
afterAll(async () => sshd?.stop())

describe('the action names hosts by inventory name only', () => {
  it('reports each unreachable host, and runs the others', () => {
    const stats = JSON.parse(step.outputs['stats']!) as Record<string, Record<string, number>>
    for (const host of ['closed', 'nameless', 'badkey', 'bastioned'])
      expect(stats[host], host).toMatchObject({ unreachable: 1 })
    expect(stats['ok1']).toMatchObject({ ok: 1, unreachable: 0 })
    expect(stats['unchecked']).toMatchObject({ ok: 1, unreachable: 0 })
    expect(JSON.parse(step.outputs['unreachable-hosts']!)).toEqual(
      expect.arrayContaining(['closed', 'nameless', 'badkey', 'bastioned'])
    )
  })

  it('keeps addresses and ports out of the outputs, the results file, the summary and the annotations', () => {
    const results = readFileSync(path.join(work, 'results.json'), 'utf8')
    const places: Record<string, string> = {
      outputs: JSON.stringify(step.outputs),
      'results file': results,
      summary: step.summary,
      annotations: annotations(step.stdout).join('\n')
    }
    expect(places['annotations']).toContain('closed')
    const secrets = [
      DECIMAL_LOOPBACK,
      HEX_LOOPBACK,
      NO_SUCH_NAME,
      '127.0.0.1',
      String(sshd.port),
      String(ports.refused),
      String(ports.jump)
    ]
    for (const [place, text] of Object.entries(places)) {
      for (const secret of secrets)
        expect({ place, leaks: text.includes(secret) }).toEqual({ place, leaks: false })
    }
  })

  it('writes the results file 0600, replacing a wider older one', () => {
    expect(statSync(path.join(work, 'results.json')).mode & 0o777).toBe(0o600)
    expect(step.outputs['results-file']).toBe(path.join(work, 'results.json'))
  })

  it('says why each host was unreachable, by its name, and where to find the address', () => {
    const results = JSON.parse(readFileSync(path.join(work, 'results.json'), 'utf8'))
    const msg = (host: string): string => String(results.plays[0].tasks[0].results[host].result.msg)
    expect(msg('closed')).toContain('connection refused by closed')
    expect(msg('nameless')).toContain('cannot resolve the address of nameless: check ansible_host')
    expect(msg('badkey')).toContain('Host key verification failed for badkey')
    expect(msg('badkey')).toContain(`ansible_ssh_host_key_fingerprints: ${sshd.hostKeyFingerprint}`)
    expect(msg('bastioned')).toContain('the jump host of bastioned')
    for (const host of ['closed', 'badkey', 'bastioned']) expect(msg(host)).toMatch(/in the log/)
  })

  it('puts the addresses in the log, for debugging', () => {
    expect(step.stdout).toContain(`closed is ${DECIMAL_LOOPBACK}:${ports.refused}`)
    // (The INI inventory reads 0x7f000001 as a number, as Ansible does.)
    expect(step.stdout).toContain(`[${DECIMAL_LOOPBACK}]:${sshd.port} ssh-ed25519 `)
    expect(step.stdout).toContain(
      `the jump host of bastioned is ${sshd.user}@${HEX_LOOPBACK}:${ports.jump}`
    )
  })

  it('warns once about the host whose key was not verified, in the log and the job summary', () => {
    const warnings = step.stdout
      .split('\n')
      .filter((l) => l.includes('host unchecked: host key checking is off'))
    expect(warnings).toHaveLength(1)
    expect(warnings[0]).toContain('ansible_ssh_common_args (-o StrictHostKeyChecking=no)')
    expect(step.summary).toContain('Host keys not verified')
    expect(step.summary).toMatch(
      /\| unchecked \| host key checking is off: `ansible_ssh_common_args \(-o StrictHostKeyChecking=no\)` \|/
    )
  })
})
