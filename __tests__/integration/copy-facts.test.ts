// Integration: copy decides on the path fact (src/facts/path.ts) against a real OpenSSH sshd,
// logged in as an unprivileged user: links at dest, directories reached through links, mode-only changes.
import {
  chmodSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync
} from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { resultOf, runCaptured, sshdInventory, sshdSettings } from '../helpers/engine.js'
import { startSshd, type SshdFixture } from '../helpers/sshd.js'

let sshd: SshdFixture
let inventory: string
let dir: string

beforeAll(async () => {
  sshd = await startSshd({ name: 'copy-facts' })
  inventory = sshdInventory(sshd, { hosts: ['web1'] })
  dir = mkdtempSync(path.join(os.tmpdir(), 'apb-copy-facts-'))
  // The login user of the test sshd may not be us: it needs to write here.
  chmodSync(dir, 0o777)
})
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true })
  await sshd?.stop()
})

function copyTask(dest: string, extra = ''): string {
  return `- hosts: web1
  gather_facts: false
  tasks:
    - name: write
      copy:
        content: "hello\\n"
        dest: ${dest}
${extra ? `        ${extra}\n` : ''}`
}

describe('copy on the path fact over OpenSSH', () => {
  it('replaces a symbolic link at dest with a file, even one leading to the same bytes, as Ansible does', async () => {
    const real = path.join(dir, 'real')
    const link = path.join(dir, 'link')
    writeFileSync(real, 'hello\n')
    chmodSync(real, 0o666)
    symlinkSync('real', link)
    const out = await runCaptured(sshdSettings(sshd, copyTask(link), inventory))
    expect(out.exitCode).toBe(0)
    expect(resultOf(out, 'write', 'web1')).toMatchObject({ changed: true, dest: link })
    expect(lstatSync(link).isFile()).toBe(true)
    expect(readFileSync(link, 'utf8')).toBe('hello\n')
    // The file the link led to is untouched.
    expect(readFileSync(real, 'utf8')).toBe('hello\n')
    const again = await runCaptured(sshdSettings(sshd, copyTask(link), inventory))
    expect(resultOf(again, 'write', 'web1')).toMatchObject({ changed: false })
  }, 180_000)

  it('puts the file inside a directory reached through a symbolic link', async () => {
    const real = path.join(dir, 'real-dir')
    mkdirSync(real)
    chmodSync(real, 0o777)
    symlinkSync(real, path.join(dir, 'dir-link'))
    const src = path.join(dir, 'source.txt')
    writeFileSync(src, 'from src\n')
    const book = `- hosts: web1
  gather_facts: false
  tasks:
    - name: write
      copy:
        src: ${src}
        dest: ${path.join(dir, 'dir-link')}
`
    const out = await runCaptured(sshdSettings(sshd, book, inventory))
    expect(out.exitCode).toBe(0)
    expect(resultOf(out, 'write', 'web1')).toMatchObject({
      changed: true,
      dest: path.join(dir, 'dir-link', 'source.txt')
    })
    expect(readFileSync(path.join(real, 'source.txt'), 'utf8')).toBe('from src\n')
  }, 180_000)

  it('changes only the mode of a file that already holds the bytes, and reports its owner', async () => {
    const dest = path.join(dir, 'mode-only')
    const first = await runCaptured(sshdSettings(sshd, copyTask(dest, 'mode: "0600"'), inventory))
    expect(resultOf(first, 'write', 'web1')).toMatchObject({ changed: true, mode: '0600', size: 6 })
    const inode = statSync(dest).ino
    const chmod = await runCaptured(sshdSettings(sshd, copyTask(dest, 'mode: "0644"'), inventory))
    const result = resultOf(chmod, 'write', 'web1')
    expect(result).toMatchObject({ changed: true, mode: '0644', uid: statSync(dest).uid })
    expect(typeof result['owner']).toBe('string')
    expect(statSync(dest).mode & 0o777).toBe(0o644)
    // Not rewritten: the same file.
    expect(statSync(dest).ino).toBe(inode)
    const same = await runCaptured(sshdSettings(sshd, copyTask(dest, 'mode: "0644"'), inventory))
    expect(resultOf(same, 'write', 'web1')).toMatchObject({ changed: false, mode: '0644' })
  }, 180_000)
})
