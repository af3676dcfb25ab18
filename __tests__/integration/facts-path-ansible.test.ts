// Integration: the path fact holds everything Ansible's `stat` module reports, field for field. The
// same paths (every file type, links followed or not, a missing one) go through ansible-playbook's stat
// and through readPath over a local connection; the stat result a module would build from the fact
// must equal Ansible's.
import { spawnSync } from 'node:child_process'
import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readlinkSync,
  rmSync,
  symlinkSync,
  writeFileSync
} from 'node:fs'
import { createServer, type Server } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openLocalConnection } from '../../src/connection/local-connection.js'
import { readPath, type PathOptions, type PathState } from '../../src/facts/index.js'
import { ansibleStat } from '../../src/modules/stat.js'
import {
  ANSIBLE_DEADLINE_MS,
  ANSIBLE_INSTALL_HINT,
  findAnsiblePlaybook,
  runAnsiblePlaybook
} from '../helpers/ansible.js'

const ansiblePlaybook = findAnsiblePlaybook()
const required = process.env['APB_REQUIRE_ANSIBLE'] === '1'

/** Ansible's `stat` dictionary, built from the path fact by the stat module. */
function asAnsibleStat(state: PathState): Record<string, unknown> {
  return state.exists ? ansibleStat(state.path, state) : { exists: false }
}

if (!ansiblePlaybook && required) {
  describe('path fact against ansible stat', () => {
    it('needs ansible-playbook on PATH', () => {
      throw new Error(
        `APB_REQUIRE_ANSIBLE=1 but ansible-playbook is not on PATH: ${ANSIBLE_INSTALL_HINT}`
      )
    })
  })
}

describe.skipIf(!ansiblePlaybook)('path fact against ansible stat', () => {
  let dir: string
  let server: Server
  let paths: string[]

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'apb-facts-stat-'))
    const file = (name: string, text: string, mode: number): void => {
      writeFileSync(join(dir, name), text)
      chmodSync(join(dir, name), mode)
    }
    file('plain', 'plain text\n', 0o644)
    file('setuid', '#!/bin/sh\n', 0o4750)
    file('binary', '\u0000\u0001\u00ff', 0o600)
    mkdirSync(join(dir, 'sub'))
    chmodSync(join(dir, 'sub'), 0o3775)
    symlinkSync('plain', join(dir, 'link'))
    symlinkSync('sub', join(dir, 'dirlink'))
    symlinkSync('nowhere', join(dir, 'dangling'))
    spawnSync('mkfifo', ['-m', '0620', join(dir, 'fifo')])
    server = createServer().listen(join(dir, 'sock'))
    paths = [
      ...[
        'plain',
        'setuid',
        'binary',
        'sub',
        'link',
        'dirlink',
        'dangling',
        'fifo',
        'sock',
        'missing'
      ].map((n) => join(dir, n)),
      '/dev/null'
    ]
    // Read every file and link once: access times then stay put (relatime) while both tools read them.
    for (const name of ['plain', 'setuid', 'binary']) readFileSync(join(dir, name))
    for (const name of ['link', 'dirlink', 'dangling']) readlinkSync(join(dir, name))
  })
  afterAll(() => {
    server?.close()
    rmSync(dir, { recursive: true, force: true })
  })

  it(
    'gives what ansible stat reports, with and without follow, for every file type',
    async () => {
      const work = mkdtempSync(join(tmpdir(), 'apb-facts-stat-ansible-'))
      try {
        const playbook = join(work, 'stat.yml')
        writeFileSync(
          playbook,
          `- hosts: localhost
  gather_facts: false
  tasks:
    - name: stat
      stat: {path: "{{ item }}"}
      loop: "{{ paths }}"
    - name: stat followed, sha256
      stat: {path: "{{ item }}", follow: true, checksum_algorithm: sha256}
      loop: "{{ paths }}"
`
        )
        writeFileSync(join(work, 'vars.json'), JSON.stringify({ paths }))
        writeFileSync(join(work, 'inventory.ini'), 'localhost ansible_connection=local\n')
        const run = await runAnsiblePlaybook({
          playbook,
          inventoryPath: join(work, 'inventory.ini'),
          extraVars: [`@${join(work, 'vars.json')}`],
          tmpDir: work
        })
        expect(run.exitCode, run.stderr).toBe(0)
        const connection = openLocalConnection('localhost')
        const tasks: Array<{ index: number; options: PathOptions }> = [
          { index: 0, options: { checksum: 'sha1', mime: true, attributes: true } },
          { index: 1, options: { follow: true, checksum: 'sha256', mime: true, attributes: true } }
        ]
        for (const { index, options } of tasks) {
          const results = run.report.plays[0]!.tasks[index]!.hosts['localhost']![
            'results'
          ] as Array<{
            stat: Record<string, unknown>
          }>
          for (const [i, path] of paths.entries()) {
            const ours = asAnsibleStat(
              await readPath({ connection, timeoutMs: 30_000 }, path, options)
            )
            expect(ours, `${path} (${JSON.stringify(options)})`).toEqual(results[i]!.stat)
          }
        }
      } finally {
        rmSync(work, { recursive: true, force: true })
      }
    },
    ANSIBLE_DEADLINE_MS
  )
})
