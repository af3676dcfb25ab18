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
import {
  ANSIBLE_DEADLINE_MS,
  ANSIBLE_INSTALL_HINT,
  findAnsiblePlaybook,
  runAnsiblePlaybook
} from '../helpers/ansible.js'

const ansiblePlaybook = findAnsiblePlaybook()
const required = process.env['APB_REQUIRE_ANSIBLE'] === '1'

/** Ansible's `stat` dictionary, built from the path fact as the coming stat module will build it. */
function asAnsibleStat(state: PathState): Record<string, unknown> {
  if (!state.exists) return { exists: false }
  const bits = state.permissions
  const has = (bit: number): boolean => (bits & bit) !== 0
  const out: Record<string, unknown> = {
    exists: true,
    path: state.path,
    mode: state.mode,
    isdir: state.type === 'directory',
    ischr: state.type === 'char',
    isblk: state.type === 'block',
    isreg: state.type === 'file',
    isfifo: state.type === 'fifo',
    islnk: state.type === 'link',
    issock: state.type === 'socket',
    uid: state.uid,
    gid: state.gid,
    size: state.size,
    inode: state.inode,
    dev: state.dev,
    nlink: state.nlink,
    atime: state.atime,
    mtime: state.mtime,
    ctime: state.ctime,
    wusr: has(0o200),
    rusr: has(0o400),
    xusr: has(0o100),
    wgrp: has(0o020),
    rgrp: has(0o040),
    xgrp: has(0o010),
    woth: has(0o002),
    roth: has(0o004),
    xoth: has(0o001),
    isuid: has(0o4000),
    isgid: has(0o2000),
    blocks: state.blocks,
    block_size: state.blockSize,
    device_type: state.deviceType,
    readable: state.readable,
    writeable: state.writeable,
    executable: state.executable
  }
  if (state.owner !== undefined) out['pw_name'] = state.owner
  if (state.group !== undefined) out['gr_name'] = state.group
  if (state.type === 'link') {
    out['lnk_target'] = state.linkTarget
    out['lnk_source'] = state.linkSource
  }
  if (state.checksum !== undefined) out['checksum'] = state.checksum
  if (state.mimeType !== undefined) {
    out['mimetype'] = state.mimeType
    out['charset'] = state.charset
  }
  if (state.attributes !== undefined) {
    out['version'] = state.attributes.version
    out['attributes'] = state.attributes.names
    out['attr_flags'] = state.attributes.flags
  }
  return out
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
