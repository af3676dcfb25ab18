// The git module on this machine's git: check mode and diff mode (which the differential fixture cannot
// use yet: the engine refuses check_mode in playbooks), and an ssh:// repository served by the test sshd
// with key_file, accept_hostkey and ssh_opts. The rest is compared with ansible-playbook in
// __fixtures__/differential/modules-git.yml.
import { spawnSync } from 'node:child_process'
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runModuleOn } from '../helpers/module-harness.js'
import { startSshd, type SshdFixture } from '../helpers/sshd.js'

const hasGit = spawnSync('git', ['--version']).status === 0
const GIT_ENV = {
  ...process.env,
  GIT_AUTHOR_NAME: 'apb',
  GIT_AUTHOR_EMAIL: 'apb@example.com',
  GIT_COMMITTER_NAME: 'apb',
  GIT_COMMITTER_EMAIL: 'apb@example.com',
  GIT_AUTHOR_DATE: '2020-01-01T00:00:00Z',
  GIT_COMMITTER_DATE: '2020-01-01T00:00:00Z'
}

function git(cwd: string, ...args: string[]): string {
  const run = spawnSync('git', args, { cwd, env: GIT_ENV, encoding: 'utf8' })
  if (run.status !== 0) throw new Error(`git ${args.join(' ')}: ${run.stderr}`)
  return run.stdout.trim()
}

const run = (args: Record<string, unknown>, flags = { check: false, diff: false }) =>
  runModuleOn('git', args, { flags })

describe.skipIf(!hasGit)('git module', () => {
  let base: string
  let origin: string
  let first: string

  beforeAll(() => {
    base = mkdtempSync(path.join(tmpdir(), 'apb-git-'))
    // The test sshd's login user reads the origin over ssh.
    chmodSync(base, 0o755)
    origin = path.join(base, 'origin')
    git(base, 'init', '-q', '-b', 'main', origin)
    writeFileSync(path.join(origin, 'a.txt'), 'one\n')
    git(origin, 'add', 'a.txt')
    git(origin, 'commit', '-qm', 'one')
    first = git(origin, 'rev-parse', 'HEAD')
  })
  afterAll(() => {
    if (base) rmSync(base, { recursive: true, force: true })
  })

  it('in check mode reports the clone it would make, with the remote head, and makes nothing', async () => {
    const dest = path.join(base, 'check-clone')
    const { result } = await run({ repo: origin, dest }, { check: true, diff: true })
    expect(result).toMatchObject({ changed: true, before: null, after: first })
    expect(result['diff']).toEqual({ prepared: `>> Newly checked out ${first}` })
    expect(existsSync(dest)).toBe(false)
  })

  it('in check mode reports a new upstream commit without checking it out; diff mode shows it', async () => {
    const dest = path.join(base, 'check-update')
    expect((await run({ repo: origin, dest })).result).toMatchObject({
      changed: true,
      after: first
    })
    writeFileSync(path.join(origin, 'a.txt'), 'two\n')
    git(origin, 'commit', '-qam', 'two')
    const second = git(origin, 'rev-parse', 'HEAD')
    try {
      const check = await run({ repo: origin, dest }, { check: true, diff: false })
      expect(check.result).toMatchObject({
        changed: true,
        before: first,
        after: second,
        remote_url_changed: false
      })
      expect(git(dest, 'rev-parse', 'HEAD')).toBe(first)
      expect(readFileSync(path.join(dest, 'a.txt'), 'utf8')).toBe('one\n')

      const real = await run({ repo: origin, dest }, { check: false, diff: true })
      expect(real.result).toMatchObject({ changed: true, before: first, after: second })
      const prepared = (real.result['diff'] as { prepared: string }).prepared
      expect(prepared).toContain('diff --git a/a.txt b/a.txt')
      expect(prepared).toContain('-one\n+two\n')
      expect(git(dest, 'rev-parse', 'HEAD')).toBe(second)

      const again = await run({ repo: origin, dest }, { check: true, diff: true })
      expect(again.result).toMatchObject({ changed: false, before: second, after: second })
      expect(again.result['diff']).toBeUndefined()
    } finally {
      git(origin, 'reset', '-q', '--hard', first)
    }
  })

  it('in check mode refuses local modifications without force, and with force changes nothing', async () => {
    const dest = path.join(base, 'check-mods')
    await run({ repo: origin, dest })
    writeFileSync(path.join(dest, 'a.txt'), 'local\n')
    const refused = await run({ repo: origin, dest }, { check: true, diff: false })
    expect(refused.result).toMatchObject({
      failed: true,
      before: first,
      msg: `Local modifications exist in the destination: ${dest} (force=no).`
    })
    const forced = await run({ repo: origin, dest, force: true }, { check: true, diff: false })
    expect(forced.result).toMatchObject({ changed: false, before: first, after: first })
    expect(readFileSync(path.join(dest, 'a.txt'), 'utf8')).toBe('local\n')
  })

  it('shows a password written into the repo URL as ******** in the failed command, as Ansible does', async () => {
    const { result } = await run({
      // A closed port on loopback: git fails at once.
      repo: 'https://bob:s3cret-pw@127.0.0.1:1/repo.git',
      dest: path.join(base, 'with-password')
    })
    expect(result['failed']).toBe(true)
    expect(result['cmd']).toBe(
      // Sanitized, then quoted, as Ansible's run_command shows it.
      "/usr/bin/git ls-remote 'https://bob:********@127.0.0.1:1/repo.git' -h refs/heads/HEAD"
    )
    expect(JSON.stringify({ ...result, stderr: '', stderr_lines: [] })).not.toContain('s3cret-pw')
  })

  it('refuses verify_commit and gpg_whitelist by name rather than skipping the check', async () => {
    const dest = path.join(base, 'verify')
    const { result, ran } = await run({ repo: origin, dest, verify_commit: true })
    expect(ran).toBe(false)
    expect(result['failed']).toBe(true)
    expect(String(result['msg'])).toContain('verify_commit')
    expect(existsSync(dest)).toBe(false)
  })

  describe('over ssh', () => {
    let sshd: SshdFixture
    beforeAll(async () => {
      sshd = await startSshd({ name: 'git' })
    })
    afterAll(async () => {
      await sshd?.stop()
    })

    it('clones an ssh:// repository with key_file and accept_hostkey, and refuses an unknown host key without it', async () => {
      const knownHosts = path.join(base, 'known_hosts')
      writeFileSync(knownHosts, '')
      // A copy the login user owns (git refuses to serve a repository of another owner).
      const served = path.join(base, 'served.git')
      git(base, 'clone', '-q', '--bare', origin, served)
      if (process.getuid?.() === 0) spawnSync('chown', ['-R', sshd.user, served])
      const repo = `ssh://${sshd.user}@127.0.0.1:${sshd.port}${served}`
      const sshOpts = `-o UserKnownHostsFile=${knownHosts} -o GlobalKnownHostsFile=/dev/null`

      const refused = await run({
        repo,
        dest: path.join(base, 'ssh-refused'),
        key_file: sshd.clientKeyPath,
        ssh_opts: sshOpts
      })
      expect(refused.result['failed']).toBe(true)
      expect(String(refused.result['msg'])).toContain('Host key verification failed')

      const dest = path.join(base, 'ssh-clone')
      const cloned = await run({
        repo,
        dest,
        key_file: sshd.clientKeyPath,
        accept_hostkey: true,
        ssh_opts: sshOpts
      })
      expect(cloned.result).toMatchObject({ changed: true, before: null, after: first })
      expect(git(dest, 'rev-parse', 'HEAD')).toBe(first)
      expect(git(dest, 'remote', 'get-url', 'origin')).toBe(repo)
      expect(readFileSync(knownHosts, 'utf8')).toContain(sshd.knownHostsLine.split(' ').at(-1))

      const again = await run({ repo, dest, key_file: sshd.clientKeyPath, ssh_opts: sshOpts })
      expect(again.result).toMatchObject({ changed: false, before: first, after: first })
    })
  })
})
