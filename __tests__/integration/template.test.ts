// Integration: the template module against a real OpenSSH sshd, logged in as an unprivileged user.
import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync
} from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { resultOf, runCaptured, sshdInventory, sshdSettings } from '../helpers/engine.js'
import { startSshd, type SshdFixture } from '../helpers/sshd.js'

let sshd: SshdFixture
let inventory: string
let playbookDir: string
let destDir: string

beforeAll(async () => {
  sshd = await startSshd({ name: 'template' })
  inventory = sshdInventory(sshd, { hosts: ['web1'] })
  playbookDir = mkdtempSync(path.join(os.tmpdir(), 'apb-template-book-'))
  mkdirSync(path.join(playbookDir, 'templates'))
  writeFileSync(
    path.join(playbookDir, 'templates', 'app.conf.j2'),
    '# {{ app | upper }}\n{% if debug %}\ndebug = on\n{% endif %}\n{% for port in ports %}\nlisten {{ port }}\n{% endfor %}\n'
  )
  // The login user of the test sshd may not be us: it needs to write here.
  destDir = mkdtempSync(path.join(os.tmpdir(), 'apb-template-dest-'))
  chmodSync(destDir, 0o777)
})
afterAll(async () => {
  rmSync(playbookDir, { recursive: true, force: true })
  rmSync(destDir, { recursive: true, force: true })
  await sshd?.stop()
})

function playbook(extraArgs: string): string {
  const file = path.join(playbookDir, `site-${Math.random().toString(36).slice(2)}.yml`)
  writeFileSync(
    file,
    `- hosts: web1
  gather_facts: false
  vars:
    debug: true
    ports: [80, 443]
  tasks:
    - name: render
      template:
        src: app.conf.j2
        dest: ${destDir}/app.conf
${extraArgs
  .split('\n')
  .filter(Boolean)
  .map((line) => `        ${line}`)
  .join('\n')}
`
  )
  return file
}

describe('template over OpenSSH', () => {
  it('renders, sets the mode, changes only when different, backs up, and validates before replacing', async () => {
    const dest = path.join(destDir, 'app.conf')
    const book = playbook('mode: "0640"\nbackup: true')
    const run = (app: string): ReturnType<typeof runCaptured> =>
      runCaptured(sshdSettings(sshd, book, inventory, { extraVars: [`app=${app}`] }))

    const first = await run('shop')
    expect(first.exitCode).toBe(0)
    expect(resultOf(first, 'render', 'web1')).toMatchObject({
      changed: true,
      dest,
      mode: '0640',
      size: 39,
      state: 'file'
    })
    expect(resultOf(first, 'render', 'web1')['backup_file']).toBeUndefined()
    expect(readFileSync(dest, 'utf8')).toBe('# SHOP\ndebug = on\nlisten 80\nlisten 443\n')
    expect(statSync(dest).mode & 0o777).toBe(0o640)

    const again = await run('shop')
    expect(resultOf(again, 'render', 'web1')).toMatchObject({ changed: false, mode: '0640' })
    expect(readdirSync(destDir)).toEqual(['app.conf'])

    // An old mtime: the backup is named after the time it is made, as Ansible names it.
    utimesSync(dest, new Date('2001-02-03T12:00:00Z'), new Date('2001-02-03T12:00:00Z'))
    const changed = await run('cart')
    const backup = resultOf(changed, 'render', 'web1')['backup_file'] as string
    expect(path.basename(backup)).not.toContain('2001-02-03')
    expect(resultOf(changed, 'render', 'web1')['changed']).toBe(true)
    expect(path.basename(backup)).toMatch(/^app\.conf\.\d+\.\d{4}-\d\d-\d\d@\d\d:\d\d:\d\d~$/)
    expect(readFileSync(backup, 'utf8')).toContain('# SHOP')
    expect(readFileSync(dest, 'utf8')).toContain('# CART')
    rmSync(backup)

    const refused = await runCaptured(
      sshdSettings(sshd, playbook('validate: /bin/false %s'), inventory, {
        extraVars: ['app=refused']
      })
    )
    expect(refused.exitCode).toBe(2)
    expect(resultOf(refused, 'render', 'web1')).toMatchObject({
      failed: true,
      msg: 'failed to validate'
    })
    expect(readFileSync(dest, 'utf8')).toContain('# CART')
    expect(readdirSync(destDir)).toEqual(['app.conf'])

    const accepted = await runCaptured(
      sshdSettings(sshd, playbook('validate: test -s %s'), inventory, {
        extraVars: ['app=valid']
      })
    )
    expect(accepted.exitCode).toBe(0)
    expect(resultOf(accepted, 'render', 'web1')['changed']).toBe(true)
    expect(readFileSync(dest, 'utf8')).toContain('# VALID')
    // An existing file keeps its mode when the validated candidate replaces it.
    expect(statSync(dest).mode & 0o777).toBe(0o640)
    expect(readdirSync(destDir)).toEqual(['app.conf'])
  }, 180_000)
})
