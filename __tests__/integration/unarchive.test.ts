// unarchive on real targets: the local connection through the module harness (check mode, diff, round
// trips, refusals), and a playbook over the test OpenSSH sshd (an archive from the controller, twice).
import { execFileSync } from 'node:child_process'
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync
} from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Connection } from '../../src/connection/connection.js'
import { openLocalConnection } from '../../src/connection/local-connection.js'
import { resultOf, runCaptured, sshdInventory, sshdSettings } from '../helpers/engine.js'
import { startHttpServer } from '../helpers/http-server.js'
import { runModuleOn } from '../helpers/module-harness.js'
import { startSshd, type SshdFixture } from '../helpers/sshd.js'
import { encryptVault, setVaultKeyring, VaultKeyring } from '../../src/vault/index.js'

let root: string
let archives: string
let n = 0

beforeAll(() => {
  root = mkdtempSync(path.join(os.tmpdir(), 'apb-unarchive-'))
  chmodSync(root, 0o777)
  archives = path.join(root, 'archives')
  const tree = path.join(root, 'tree')
  mkdirSync(path.join(tree, 'pkg', 'sub'), { recursive: true })
  mkdirSync(archives)
  writeFileSync(path.join(tree, 'pkg', 'one.txt'), 'one\n')
  writeFileSync(path.join(tree, 'pkg', 'sub', 'two.txt'), 'two\n')
  execFileSync('tar', ['-czf', path.join(archives, 'pkg.tgz'), '-C', tree, 'pkg'])
  execFileSync('zip', ['-qry', path.join(archives, 'pkg.zip'), 'pkg'], { cwd: tree })
  for (const file of readdirSync(archives)) chmodSync(path.join(archives, file), 0o644)
})
afterAll(() => {
  rmSync(root, { recursive: true, force: true })
})

function freshDest(): string {
  const dest = path.join(root, `dest${n++}`)
  mkdirSync(dest)
  chmodSync(dest, 0o777)
  return dest
}

/** A local connection that counts the commands run through it. */
function counting(): { connect: () => Promise<Connection>; runs: () => number } {
  const connection = openLocalConnection('localhost')
  let count = 0
  const counted: Connection = {
    host: connection.host,
    run: (command, options) => {
      count++
      return connection.run(command, options)
    },
    putFile: (p, content, options) => connection.putFile(p, content, options),
    getFile: (p, options) => connection.getFile(p, options),
    close: () => connection.close()
  }
  return { connect: async () => counted, runs: () => count }
}

const unarchive = (
  args: Record<string, unknown>,
  flags = { check: false, diff: false },
  connect?: () => Promise<Connection>
) =>
  runModuleOn('unarchive', args, {
    flags,
    baseDir: archives,
    ...(connect ? { connect } : {})
  }).then((r) => r.result)

describe('unarchive on the local connection', () => {
  it('check mode with a zip says what would change and changes nothing; diff itemizes it', async () => {
    const dest = freshDest()
    const result = await unarchive(
      { src: path.join(archives, 'pkg.zip'), dest, remote_src: true },
      { check: true, diff: true }
    )
    expect(result).toMatchObject({ changed: true, handler: 'ZipArchive', dest })
    expect((result['diff'] as { prepared: string }).prepared).toContain('>f++++++.?? pkg/one.txt\n')
    expect(readdirSync(dest)).toEqual([])
    expect(result['extract_results']).toBeUndefined()
    // Unpacked: check mode then says ok.
    await unarchive({ src: path.join(archives, 'pkg.zip'), dest, remote_src: true })
    const again = await unarchive(
      { src: path.join(archives, 'pkg.zip'), dest, remote_src: true },
      { check: true, diff: true }
    )
    expect(again).toMatchObject({ changed: false, handler: 'ZipArchive' })
    expect(again['diff']).toBeUndefined()
  })

  it('check mode with a tar archive is skipped with Ansible message, nothing unpacked', async () => {
    const dest = freshDest()
    const result = await unarchive({ src: 'pkg.tgz', dest }, { check: true, diff: false })
    expect(result).toEqual({
      changed: false,
      skipped: true,
      msg: 'remote module (ansible.legacy.unarchive) does not support check mode when using gtar'
    })
    expect(readdirSync(dest)).toEqual([])
  })

  it('nothing to do costs one command; an unpack two, and leaves mtimes alone the second time', async () => {
    const dest = freshDest()
    const first = counting()
    const made = await unarchive(
      { src: path.join(archives, 'pkg.tgz'), dest, remote_src: true },
      undefined,
      first.connect
    )
    expect(made).toMatchObject({ changed: true, handler: 'TgzArchive' })
    expect(first.runs()).toBe(2)
    const file = path.join(dest, 'pkg', 'one.txt')
    expect(readFileSync(file, 'utf8')).toBe('one\n')
    const before = statSync(file).ctimeMs
    const second = counting()
    const again = await unarchive(
      { src: path.join(archives, 'pkg.tgz'), dest, remote_src: true },
      undefined,
      second.connect
    )
    expect(again).toMatchObject({ changed: false })
    expect(second.runs()).toBe(1)
    expect(statSync(file).ctimeMs).toBe(before)
  })

  it('a controller archive: creates costs no command of its own; when it exists, one command, nothing sent', async () => {
    const plain = counting()
    const made = await unarchive({ src: 'pkg.tgz', dest: freshDest() }, undefined, plain.connect)
    expect(made).toMatchObject({ changed: true })
    const withCreates = counting()
    const dest = freshDest()
    const madeToo = await unarchive(
      { src: 'pkg.tgz', dest, creates: path.join(dest, 'nothing-here') },
      undefined,
      withCreates.connect
    )
    expect(madeToo).toMatchObject({ changed: true })
    expect(withCreates.runs()).toBe(plain.runs())
    const skip = counting()
    const tmpBefore = readdirSync(os.tmpdir()).filter((f) => f.startsWith('apb-unarchive.'))
    const skipped = await unarchive(
      { src: 'pkg.tgz', dest: freshDest(), creates: path.join(dest, 'pkg') },
      undefined,
      skip.connect
    )
    expect(skipped).toEqual({
      changed: false,
      skipped: true,
      msg: `skipped, since ${path.join(dest, 'pkg')} exists`
    })
    expect(skip.runs()).toBe(1)
    expect(readdirSync(os.tmpdir()).filter((f) => f.startsWith('apb-unarchive.'))).toEqual(
      tmpBefore
    )
    // A src the controller does not have is still skipped when creates exists, as in the action.
    expect(
      await unarchive({ src: 'missing.tgz', dest: freshDest(), creates: path.join(dest, 'pkg') })
    ).toMatchObject({ skipped: true })
  })

  it('sends a controller archive to a temporary directory and removes it', async () => {
    const dest = freshDest()
    const result = await unarchive({ src: 'pkg.zip', dest, list_files: true })
    expect(result).toMatchObject({ changed: true, handler: 'ZipArchive' })
    // In the archive's order, which is the order zip read the directory in.
    expect([...(result['files'] as string[])].sort()).toEqual([
      'pkg/',
      'pkg/one.txt',
      'pkg/sub/',
      'pkg/sub/two.txt'
    ])
    const sent = String(result['src'])
    expect(sent).toMatch(/\/apb-unarchive\.[^/]+\/source$/)
    expect(existsSync(path.dirname(sent))).toBe(false)
  })

  it('downloads a URL src on the target into a temporary file, removed afterwards', async () => {
    const server = await startHttpServer()
    try {
      const dest = freshDest()
      const url = server.url('/files/unarchive-app.zip')
      const result = await unarchive({ src: url, dest, remote_src: true })
      expect(result).toMatchObject({ changed: true, handler: 'ZipArchive' })
      expect(readFileSync(path.join(dest, 'app', 'readme.txt'), 'utf8')).toBe('hello\n')
      const downloaded = String(result['src'])
      expect(path.basename(downloaded)).toMatch(/^unarchive-a[a-z0-9_]{8}\.zip$/)
      expect(existsSync(path.dirname(downloaded))).toBe(false)
      const again = await unarchive({ src: url, dest, remote_src: true })
      expect(again).toMatchObject({ changed: false })
      const refused = await unarchive({
        src: 'http://127.0.0.1:1/app.tgz',
        dest,
        remote_src: true
      })
      expect(refused).toMatchObject({
        failed: true,
        msg: 'Failure downloading http://127.0.0.1:1/app.tgz, Request failed: <urlopen error [Errno 111] Connection refused>'
      })
    } finally {
      await server.close()
    }
  })

  it('a vault-encrypted controller archive: decrypted with the vault password, refused without one', async () => {
    const vaulted = path.join(root, 'vaulted.tgz')
    const password = Buffer.from('archive password')
    writeFileSync(vaulted, encryptVault(readFileSync(path.join(archives, 'pkg.tgz')), password))
    await expect(unarchive({ src: vaulted, dest: freshDest() })).rejects.toThrow(
      `Attempting to decrypt but no vault secrets found (${vaulted} is vault-encrypted)`
    )
    setVaultKeyring(new VaultKeyring([{ id: 'default', password, source: 'test' }]))
    try {
      const dest = freshDest()
      const result = await unarchive({ src: vaulted, dest })
      expect(result['changed']).toBe(true)
      expect(readFileSync(path.join(dest, 'pkg', 'sub', 'two.txt'), 'utf8')).toBe('two\n')
      // decrypt: false sends the vault text as it is, which is no archive.
      const raw = await unarchive({ src: vaulted, dest: freshDest(), decrypt: false })
      expect(raw['failed']).toBe(true)
    } finally {
      setVaultKeyring(new VaultKeyring())
    }
  })

  it('refuses attributes and the SELinux options by name', async () => {
    const dest = freshDest()
    const result = await unarchive({ src: 'pkg.tgz', dest, seuser: 'system_u' })
    expect(result['failed']).toBe(true)
    expect(String(result['msg'])).toContain('seuser')
  })
})

/** A local connection whose commands see a PATH with every tool of /usr/bin but `without`. */
function withoutTools(without: string[]): () => Promise<Connection> {
  const bin = path.join(root, `bin-${without.join('-')}`)
  mkdirSync(bin)
  for (const dir of ['/usr/bin', '/bin']) {
    for (const name of readdirSync(dir)) {
      if (without.includes(name) || existsSync(path.join(bin, name))) continue
      symlinkSync(path.join(dir, name), path.join(bin, name))
    }
  }
  const connection = openLocalConnection('localhost')
  const wrapped: Connection = {
    host: connection.host,
    run: (command, options) => connection.run(`PATH=${bin} ${command}`, options),
    putFile: (p, content, options) => connection.putFile(p, content, options),
    getFile: (p, options) => connection.getFile(p, options),
    close: () => connection.close()
  }
  return async () => wrapped
}

describe('unarchive without its tools on the target', () => {
  it('names unzip and zipinfo when they are missing (no handler can read a zip)', async () => {
    const result = await unarchive(
      { src: path.join(archives, 'pkg.zip'), dest: freshDest(), remote_src: true },
      undefined,
      withoutTools(['unzip', 'zipinfo'])
    )
    expect(result['failed']).toBe(true)
    const msg = String(result['msg'])
    expect(msg).toMatch(/^Failed to find handler for ".*pkg\.zip"\. Make sure the required command/)
    expect(msg).toContain("Unable to find required 'unzip' or 'zipinfo' binary in the path.")
    expect(msg).toContain("Unable to find required 'unzip' or 'unzip' binary in the path.")
  })

  it('uses unzip -Z without zipinfo (ZipZArchive), idempotent as with zipinfo', async () => {
    const dest = freshDest()
    const connect = withoutTools(['zipinfo'])
    const args = { src: path.join(archives, 'pkg.zip'), dest, remote_src: true }
    expect(await unarchive(args, undefined, connect)).toMatchObject({
      changed: true,
      handler: 'ZipZArchive'
    })
    expect(readFileSync(path.join(dest, 'pkg', 'sub', 'two.txt'), 'utf8')).toBe('two\n')
    expect(await unarchive(args, undefined, connect)).toMatchObject({
      changed: false,
      handler: 'ZipZArchive'
    })
  })

  it('names tar when it is missing', async () => {
    const result = await unarchive(
      { src: path.join(archives, 'pkg.tgz'), dest: freshDest(), remote_src: true },
      undefined,
      withoutTools(['tar', 'gtar'])
    )
    expect(String(result['msg'])).toContain(
      "Unable to find required 'gtar' or 'tar' binary in the path"
    )
  })

  it('names gzip when a zip cannot be compared without it', async () => {
    await expect(
      unarchive(
        { src: path.join(archives, 'pkg.zip'), dest: freshDest(), remote_src: true },
        undefined,
        withoutTools(['gzip'])
      )
    ).rejects.toThrow(/gzip is needed on localhost/)
  })
})

describe('unarchive over OpenSSH', () => {
  let sshd: SshdFixture
  let inventory: string
  beforeAll(async () => {
    sshd = await startSshd({ name: 'unarchive' })
    inventory = sshdInventory(sshd, { hosts: ['web1'] })
  })
  afterAll(async () => {
    await sshd?.stop()
  })

  it('unpacks a controller archive with list_files and a mode, then is ok and touches nothing', async () => {
    const dest = freshDest()
    const book = `- hosts: web1
  gather_facts: false
  tasks:
    - name: unpack
      unarchive:
        src: ${path.join(archives, 'pkg.tgz')}
        dest: ${dest}
        list_files: true
        mode: u=rwX,g=rX,o=
`
    const out = await runCaptured(sshdSettings(sshd, book, inventory))
    expect(out.exitCode).toBe(0)
    const first = resultOf(out, 'unpack', 'web1')
    expect(first).toMatchObject({
      changed: true,
      handler: 'TgzArchive',
      dest,
      extract_results: { rc: 0, err: '', out: '' }
    })
    expect([...(first['files'] as string[])].sort()).toEqual([
      'pkg/',
      'pkg/one.txt',
      'pkg/sub/',
      'pkg/sub/two.txt'
    ])
    expect(statSync(path.join(dest, 'pkg', 'one.txt')).mode & 0o7777).toBe(0o640)
    expect(statSync(path.join(dest, 'pkg', 'sub')).mode & 0o7777).toBe(0o750)
    expect(existsSync(path.dirname(String(first['src'])))).toBe(false)
    const ctime = statSync(path.join(dest, 'pkg', 'one.txt')).ctimeMs
    const again = await runCaptured(sshdSettings(sshd, book, inventory))
    expect(resultOf(again, 'unpack', 'web1')).toMatchObject({ changed: false })
    expect(statSync(path.join(dest, 'pkg', 'one.txt')).ctimeMs).toBe(ctime)
  }, 180_000)
})
