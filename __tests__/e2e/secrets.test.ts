// End to end: no secret reaches any artifact of a run: stdout, stderr, step outputs, the job summary,
// the results file, or the job files left on the target.
import { spawnSync } from 'node:child_process'
import { appendFileSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runAction } from '../helpers/action.js'
import { sshdInventory } from '../helpers/engine.js'
import { startSshd, type SshdFixture } from '../helpers/sshd.js'
import { encryptVault } from '../../src/vault/index.js'

let sshd: SshdFixture
let work: string
const PASSPHRASE = 'pass-phrase-7f3a9c'
const PASSWORD = 'ssh-password-5d21e8'
const BECOME_PASSWORD = 'become-password-c4b19a'
const NO_LOG_VALUE = 'no-log-value-8e6d2f'
let encryptedKey: string

beforeAll(async () => {
  sshd = await startSshd({ name: 'e2e-secrets' })
  work = mkdtempSync(path.join(tmpdir(), 'apb-e2e-secrets-'))
  // A passphrase-protected key that the test sshd accepts.
  const keyPath = path.join(work, 'encrypted_key')
  const gen = spawnSync('ssh-keygen', [
    '-q',
    '-t',
    'ed25519',
    '-N',
    PASSPHRASE,
    '-C',
    'apb-secret-test',
    '-f',
    keyPath
  ])
  expect(gen.status).toBe(0)
  appendFileSync(path.join(sshd.tmpDir, 'authorized_keys'), readFileSync(`${keyPath}.pub`, 'utf8'))
  encryptedKey = readFileSync(keyPath, 'utf8')
})
afterAll(async () => sshd?.stop())

describe('secrets', () => {
  it('appear in no artifact of a run', async () => {
    const inventory = sshdInventory(sshd, { hosts: ['web1'] }).replace(
      /^ansible_ssh_private_key_file=.*$/m,
      ''
    )
    const step = await runAction(work, {
      inventory,
      'private-key': encryptedKey,
      passphrase: PASSPHRASE,
      password: PASSWORD,
      'become-password': BECOME_PASSWORD,
      'known-hosts': readFileSync(sshd.knownHostsPath, 'utf8'),
      'fail-on': 'never',
      playbook: `- hosts: web1
  tasks:
    - name: secret work
      shell: echo ${NO_LOG_VALUE}; echo ${NO_LOG_VALUE} >&2; exit 1
      no_log: true
      ignore_errors: true
    - name: secret job
      shell: echo ${NO_LOG_VALUE}
      async: 30
      poll: 0
      no_log: true
      register: job
    - name: gather
      async_status: jid={{ job.ansible_job_id }}
      register: g
      until: g is finished
      retries: 60
      delay: 1
      no_log: true
    - name: leftover job
      shell: sleep 1
      async: 30
      poll: 0
`
    })
    expect(step.code).toBe(0)
    const results = readFileSync(step.outputs['results-file']!, 'utf8')
    // What the runner shows: `::add-mask::` lines register secrets and are never displayed.
    const shown = step.stdout
      .split('\n')
      .filter((l) => !l.startsWith('::add-mask::'))
      .join('\n')
    const jobs = JSON.parse(step.outputs['jobs']!) as Record<
      string,
      Record<string, { dir: string }>
    >
    expect(
      jobs['web1'],
      `no job left on web1; the step printed:\n${step.stdout.slice(-3000)}`
    ).toBeDefined()
    const dir = Object.values(jobs['web1']!)[0]!.dir
    const remote = readdirSync(dir).map((f) => {
      try {
        return readFileSync(path.join(dir, f), 'utf8')
      } catch {
        return ''
      }
    })
    const artifacts: Record<string, string> = {
      stdout: shown,
      stderr: step.stderr,
      outputs: JSON.stringify(step.outputs),
      summary: step.summary,
      results,
      'remote job files': remote.join('\n')
    }
    const keyLines = encryptedKey.split('\n').filter((l) => l.length > 20 && !l.startsWith('-----'))
    const secrets = {
      passphrase: PASSPHRASE,
      password: PASSWORD,
      'become password': BECOME_PASSWORD,
      ...Object.fromEntries(keyLines.map((l, i) => [`key line ${i}`, l]))
    }
    for (const [where, text] of Object.entries(artifacts)) {
      for (const [what, secret] of Object.entries(secrets)) {
        expect(text.includes(secret), `${what} found in ${where}`).toBe(false)
      }
    }
    // no_log values: censored everywhere the action writes (the job's own output file on the target holds
    // them, as it must, in a 0700 directory).
    for (const where of ['stdout', 'stderr', 'outputs', 'summary', 'results'] as const) {
      expect(artifacts[where]!.includes(NO_LOG_VALUE), `no_log value found in ${where}`).toBe(false)
    }
    expect(results).toContain(
      "the output has been hidden due to the fact that 'no_log: true' was specified"
    )
  })

  it('the vault-password input and what it decrypts are masked before anything prints them', async () => {
    const vaultPassword = 'vault-password-91ac2e'
    const vaulted = 'vaulted-value-3b7f10'
    const inline = 'inline-vault-value-64d0c2'
    writeFileSync(
      path.join(work, 'vault-vars.yml'),
      encryptVault(Buffer.from(`db_password: ${vaulted}\n`), Buffer.from(vaultPassword))
    )
    const inlineBlock = encryptVault(Buffer.from(inline), Buffer.from(vaultPassword))
      .trimEnd()
      .split('\n')
      .map((line) => `        ${line}`)
      .join('\n')
    const step = await runAction(work, {
      inventory: sshdInventory(sshd, { hosts: ['web1'] }),
      'known-hosts': readFileSync(sshd.knownHostsPath, 'utf8'),
      'vault-password': vaultPassword,
      playbook: `- hosts: web1
  gather_facts: false
  vars_files: [vault-vars.yml]
  vars:
    inline_secret: !vault |
${inlineBlock}
  tasks:
    - name: print them
      debug:
        msg: "{{ db_password }} {{ inline_secret }}"
`
    })
    expect(step.code, step.stdout.slice(-2000)).toBe(0)
    const lines = step.stdout.split('\n')
    for (const secret of [vaultPassword, vaulted, inline]) {
      const mask = lines.indexOf(`::add-mask::${secret}`)
      expect(mask, `::add-mask:: of ${secret}`).toBeGreaterThanOrEqual(0)
      // Registered before any other line that holds it (the runner then shows *** there).
      const shown = lines.findIndex((l) => l.includes(secret) && !l.startsWith('::add-mask::'))
      if (shown >= 0) expect(mask).toBeLessThan(shown)
    }
    expect(step.stdout).toContain(`${vaulted} ${inline}`)
  })
})
