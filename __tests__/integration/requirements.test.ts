/**
 * Roles from requirements files (issue 15): the file forms ansible-galaxy reads; roles from local git
 * repositories (tag, branch, commit), tarball URLs and a fake Galaxy server (API v1) on 127.0.0.1; the cache
 * (reused without fetching, refetched when its content was changed); credentials masked; and a run finding
 * the installed roles by name. Nothing here reaches the internet.
 */
import { execFile, execFileSync } from 'node:child_process'
import { promisify } from 'node:util'
import { createServer, type Server } from 'node:http'
import {
  appendFileSync,
  chmodSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  statSync,
  writeFileSync
} from 'node:fs'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { executeRun, type RunSettings } from '../../src/engine.js'
import { parseCli } from '../../src/cli-options.js'
import { readActionSettings } from '../../src/action/settings.js'
import {
  installRequirements,
  readRequirementsFile,
  findRequirementsFiles
} from '../../src/requirements/index.js'
import {
  download,
  getJson,
  maskUrlCredentials
} from '../../src/requirements/controller-commands.js'

const IMPLEMENTED = new Set(['ansible.builtin', 'ansible.posix'])

function tree(
  files: Record<string, string>,
  root = mkdtempSync(join(tmpdir(), 'apb-req-'))
): string {
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, name)), { recursive: true })
    writeFileSync(join(root, name), text)
  }
  return root
}

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, {
    cwd,
    encoding: 'utf8',
    env: {
      ...process.env,
      GIT_AUTHOR_NAME: 't',
      GIT_AUTHOR_EMAIL: 't@example.invalid',
      GIT_COMMITTER_NAME: 't',
      GIT_COMMITTER_EMAIL: 't@example.invalid'
    }
  }).trim()
}

function roleFiles(message: string): Record<string, string> {
  return {
    'meta/main.yml': 'galaxy_info:\n  author: t\ndependencies: []\n',
    'tasks/main.yml': `- name: say\n  debug:\n    msg: "${message}"\n`
  }
}

/** A git repository of a role: v1.0 tagged, then a commit on main, a branch `next` after that. */
function roleRepository(): { dir: string; v1Commit: string } {
  const dir = tree(roleFiles('from v1.0'))
  git(dir, 'init', '--quiet', '--initial-branch=main')
  git(dir, 'add', '.')
  git(dir, 'commit', '--quiet', '-m', 'v1')
  git(dir, 'tag', 'v1.0')
  const v1Commit = git(dir, 'rev-parse', 'HEAD')
  tree(roleFiles('from main'), dir)
  git(dir, 'commit', '--quiet', '-am', 'main')
  git(dir, 'checkout', '--quiet', '-b', 'next')
  tree(roleFiles('from next'), dir)
  git(dir, 'commit', '--quiet', '-am', 'next')
  git(dir, 'checkout', '--quiet', 'main')
  return { dir, v1Commit }
}

/** A Galaxy-style tarball: everything under one top directory. */
function roleTarball(message: string, top = 'acme-web-1.2.0'): Buffer {
  const root = mkdtempSync(join(tmpdir(), 'apb-req-tar-'))
  tree(roleFiles(message), join(root, top))
  execFileSync('tar', ['-czf', join(root, 'role.tar.gz'), '-C', root, top])
  return readFileSync(join(root, 'role.tar.gz'))
}

interface FakeServer {
  base: string
  requests: string[]
  server: Server
}

/** A fake Galaxy (API v1, versions on two pages) that also serves tarballs, on 127.0.0.1. */
async function startFakeGalaxy(): Promise<FakeServer> {
  const requests: string[] = []
  const files: Record<string, Buffer> = {
    '/download/web-1.2.0.tar.gz': roleTarball('galaxy 1.2.0'),
    '/download/web-1.10.0.tar.gz': roleTarball('galaxy 1.10.0', 'acme-web-1.10.0'),
    '/files/plain.tar.gz': roleTarball('tarball url', 'plain-role-main')
  }
  let base = ''
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', base)
    requests.push(url.pathname + url.search)
    const json = (body: unknown): void => {
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end(JSON.stringify(body))
    }
    const file = files[url.pathname]
    if (file) {
      res.writeHead(200, { 'content-type': 'application/gzip' })
      res.end(file)
    } else if (url.pathname === '/api/' || url.pathname === '/api')
      // ansible-galaxy asks /api, we ask /api/.
      json({ available_versions: { v1: 'v1/', v3: 'v3/' } })
    else if (url.pathname === '/api/v1/roles/') {
      const known =
        // ansible-galaxy 2.14 ends the query with a '/' (name=web/).
        url.searchParams.get('owner__username') === 'acme' &&
        url.searchParams.get('name')?.replace(/\/$/, '') === 'web'
      json({
        results: known ? [{ id: 7, github_user: 'acme', github_repo: 'ansible-role-web' }] : []
      })
    } else if (url.pathname === '/api/v1/roles/7/versions/') {
      if (url.searchParams.get('page') === '2')
        json({
          results: [{ name: '1.10.0', download_url: `${base}/download/web-1.10.0.tar.gz` }],
          next_link: null
        })
      else
        json({
          results: [{ name: '1.2.0', download_url: `${base}/download/web-1.2.0.tar.gz` }],
          next_link: '/api/v1/roles/7/versions/?page=2'
        })
    } else {
      res.writeHead(404)
      res.end('not found')
    }
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return { base, requests, server }
}

let galaxy: FakeServer
let repo: { dir: string; v1Commit: string }
beforeAll(async () => {
  galaxy = await startFakeGalaxy()
  repo = roleRepository()
})
afterAll(async () => {
  await new Promise((resolve) => galaxy.server.close(resolve))
})

function install(file: string, cacheDir = mkdtempSync(join(tmpdir(), 'apb-req-cache-'))) {
  return installRequirements([file], {
    cacheDir,
    implementedCollections: IMPLEMENTED,
    env: { ANSIBLE_GALAXY_SERVER: galaxy.base }
  })
}

function taskMessage(dir: string): string {
  return readFileSync(join(dir, 'tasks/main.yml'), 'utf8')
}

describe('reading requirements files', () => {
  it('takes roles: and collections:, the old list form and the src,version,name form', () => {
    const dir = tree({
      'requirements.yml': [
        'roles:',
        `  - src: git+file://${repo.dir}`,
        '    version: v1.0',
        `  - src: file://${repo.dir}`,
        '    scm: git',
        '    name: renamed',
        '  - acme.web',
        '  - src: https://example.invalid/files/app-role.tar.gz',
        'collections:',
        '  - ansible.posix',
        '  - name: community.mysql',
        '    version: ">=3.0.0"'
      ].join('\n'),
      'old.yml': `- git+https://example.invalid/x/ansible-role-db.git,v2,db\n- src: acme.cache\n`
    })
    const read = readRequirementsFile(join(dir, 'requirements.yml'))
    expect(read.roles.map((r) => [r.kind, r.name, r.version])).toEqual([
      ['git', repo.dir.split('/').pop(), 'v1.0'],
      ['git', 'renamed', undefined],
      ['galaxy', 'acme.web', undefined],
      ['url', 'app-role', undefined]
    ])
    expect(read.collections.map((c) => [c.name, c.version])).toEqual([
      ['ansible.posix', undefined],
      ['community.mysql', '>=3.0.0']
    ])
    const old = readRequirementsFile(join(dir, 'old.yml'))
    expect(old.roles.map((r) => [r.kind, r.src, r.version, r.name])).toEqual([
      ['git', 'https://example.invalid/x/ansible-role-db.git', 'v2', 'db'],
      ['galaxy', 'acme.cache', undefined, 'acme.cache']
    ])
  })

  it('refuses what ansible-galaxy refuses, naming file and line', () => {
    const dir = tree({
      'keys.yml': 'roles: []\nplaybooks: []\n',
      'bare.yml': 'roles:\n  - justaname\n',
      'hg.yml': 'roles:\n  - src: https://example.invalid/r\n    scm: hg\n'
    })
    expect(() => readRequirementsFile(join(dir, 'keys.yml'))).toThrow(
      /Expecting only 'roles' and\/or 'collections' as base keys in the requirements file. Found: playbooks/
    )
    expect(() => readRequirementsFile(join(dir, 'bare.yml'))).toThrow(
      /bare\.yml:\d+: Invalid role name \(justaname\)\. Specify role as format: username\.rolename/
    )
    expect(() => readRequirementsFile(join(dir, 'hg.yml'))).toThrow(/scm 'hg' is not supported/)
  })

  it('finds roles/requirements.yml, requirements.yml and collections/requirements.yml', () => {
    const dir = tree({
      'roles/requirements.yml': 'roles: []\n',
      'collections/requirements.yml': 'collections: []\n'
    })
    expect(findRequirementsFiles([dir, dir])).toEqual([
      join(dir, 'roles/requirements.yml'),
      join(dir, 'collections/requirements.yml')
    ])
  })
})

describe('installing roles', () => {
  it('from git: a tag, a branch, a commit, and the default branch', async () => {
    const file = join(
      tree({
        'requirements.yml': [
          'roles:',
          `  - { src: "git+file://${repo.dir}", version: v1.0, name: tagged }`,
          `  - { src: "file://${repo.dir}", scm: git, version: next, name: branch }`,
          `  - { src: "git+file://${repo.dir}", version: "${repo.v1Commit}", name: commit }`,
          `  - { src: "git+file://${repo.dir}", name: head }`
        ].join('\n')
      }),
      'requirements.yml'
    )
    const installed = await install(file)
    expect(taskMessage(installed.roles.get('tagged')!)).toContain('from v1.0')
    expect(taskMessage(installed.roles.get('branch')!)).toContain('from next')
    expect(taskMessage(installed.roles.get('commit')!)).toContain('from v1.0')
    expect(taskMessage(installed.roles.get('head')!)).toContain('from main')
    expect(installed.roles.get('tagged')!.endsWith('/tagged')).toBe(true)
    expect(() => readFileSync(join(installed.roles.get('head')!, '.git/HEAD'))).toThrow()
  })

  it('an unknown git version fails naming the role and the version', async () => {
    const file = join(
      tree({ 'r.yml': `roles:\n  - { src: "git+file://${repo.dir}", version: v9.9, name: r }\n` }),
      'r.yml'
    )
    await expect(install(file)).rejects.toThrow(
      /r\.yml:2: .*role r: version 'v9\.9' is not a tag, branch or commit/
    )
  })

  it('reuses the cache without fetching, and fetches again when the cached copy was changed', async () => {
    const source = roleRepository()
    const cache = mkdtempSync(join(tmpdir(), 'apb-req-cache-'))
    const file = join(
      tree({ 'r.yml': `- { src: "git+file://${source.dir}", version: v1.0, name: cached }\n` }),
      'r.yml'
    )
    const first = await install(file, cache)
    expect(first.log[0]).toMatch(/cached \(v1\.0\) was installed successfully/)
    // The source is gone: only the cache can answer.
    const moved = `${source.dir}-moved`
    execFileSync('mv', [source.dir, moved])
    const second = await install(file, cache)
    expect(second.log[0]).toMatch(/is already installed \(cached\)/)
    expect(second.roles.get('cached')).toBe(first.roles.get('cached'))
    // A changed file in the cache fails the integrity check: the role is fetched again.
    execFileSync('mv', [moved, source.dir])
    appendFileSync(join(second.roles.get('cached')!, 'tasks/main.yml'), '- meta: noop\n')
    const third = await install(file, cache)
    expect(third.warnings.join('\n')).toMatch(/integrity check failed/)
    expect(taskMessage(third.roles.get('cached')!)).not.toContain('noop')
  })

  it('does not reuse a cached copy another user could have changed, and refuses a cache others can write', async () => {
    const source = roleRepository()
    const cache = mkdtempSync(join(tmpdir(), 'apb-req-cache-'))
    const file = join(
      tree({ 'r.yml': `- { src: "git+file://${source.dir}", version: v1.0, name: shared }\n` }),
      'r.yml'
    )
    const first = await install(file, cache)
    const tasks = join(first.roles.get('shared')!, 'tasks/main.yml')
    // Installed private, whatever the umask: nothing in it is writable by group or others.
    expect(statSync(tasks).mode & 0o022).toBe(0)
    // Unchanged content, but a file the group may write: someone else could have edited it, and the
    // digest sits beside it in the cache, so it proves nothing then.
    chmodSync(tasks, 0o664)
    const second = await install(file, cache)
    expect(second.warnings.join('\n')).toMatch(
      /could have been changed by another user \(.*tasks\/main\.yml is writable by its group or others\) \(integrity check failed\)/
    )
    expect(second.log[0]).toMatch(/shared \(v1\.0\) was installed successfully/)
    expect(statSync(tasks).mode & 0o022).toBe(0)
    chmodSync(cache, 0o777)
    await expect(install(file, cache)).rejects.toThrow(
      /the requirements cache .* cannot be trusted: .* is writable by its group or others; make it private/
    )
  })

  it('two runs installing one role into one cache at once both get the whole verified tree', async () => {
    const source = roleRepository()
    const cache = mkdtempSync(join(tmpdir(), 'apb-req-cache-'))
    const file = join(
      tree({ 'r.yml': `- { src: "git+file://${source.dir}", version: v1.0, name: racing }\n` }),
      'r.yml'
    )
    const runs = await Promise.all([1, 2, 3, 4].map(() => install(file, cache)))
    const dirs = new Set(runs.map((run) => run.roles.get('racing')))
    expect(dirs.size).toBe(1)
    expect(taskMessage([...dirs][0]!)).toContain('say')
    // Nothing left behind but the one entry: no staging or stale directories.
    expect(readdirSync(cache).filter((name) => name.startsWith('.'))).toEqual([])
    // A damaged copy replaced by several runs at once: each moves it aside or finds it gone, none fails.
    appendFileSync(join([...dirs][0]!, 'tasks/main.yml'), '- meta: noop\n')
    const again = await Promise.all([1, 2, 3].map(() => install(file, cache)))
    for (const run of again) expect(taskMessage(run.roles.get('racing')!)).not.toContain('noop')
    expect(readdirSync(cache).filter((name) => name.startsWith('.'))).toEqual([])
  })

  it('from a tarball URL, the role being the archive top directory', async () => {
    const file = join(
      tree({ 'r.yml': `roles:\n  - src: ${galaxy.base}/files/plain.tar.gz\n` }),
      'r.yml'
    )
    const installed = await install(file)
    expect(taskMessage(installed.roles.get('plain')!)).toContain('tarball url')
  })

  it('from Galaxy: the latest version over all pages, or the one asked for', async () => {
    const file = join(
      tree({
        'r.yml': 'roles:\n  - acme.web\n  - { src: acme.web, version: 1.2.0, name: web_old }\n'
      }),
      'r.yml'
    )
    const installed = await install(file)
    expect(taskMessage(installed.roles.get('acme.web')!)).toContain('galaxy 1.10.0')
    expect(taskMessage(installed.roles.get('web_old')!)).toContain('galaxy 1.2.0')
    expect(galaxy.requests).toContain('/api/v1/roles/?owner__username=acme&name=web')
    const missing = join(tree({ 'm.yml': 'roles:\n  - acme.nothere\n' }), 'm.yml')
    await expect(install(missing)).rejects.toThrow(/- sorry, acme\.nothere was not found on/)
    const badVersion = join(tree({ 'v.yml': '- { src: acme.web, version: 3.0.0 }\n' }), 'v.yml')
    await expect(install(badVersion)).rejects.toThrow(
      /the specified version \(3\.0\.0\) of acme\.web was not found in the list of available versions \(1\.2\.0, 1\.10\.0\)/
    )
  })

  it('masks credentials of URLs in messages', async () => {
    const file = join(
      tree({
        'r.yml': [
          `- src: http://deploy:s3cr3t-token@127.0.0.1:${new URL(galaxy.base).port}/files/missing.tar.gz`,
          `- src: git+http://deploy:s3cr3t-token@127.0.0.1:1/nothing.git`
        ].join('\n')
      }),
      'r.yml'
    )
    const error = await install(file).catch((e: Error) => e)
    expect(String(error)).toMatch(/HTTP 404/)
    expect(String(error)).toContain('********@127.0.0.1')
    expect(String(error)).not.toContain('s3cr3t')
    const gitOnly = join(
      tree({ 'g.yml': `- src: git+http://deploy:s3cr3t-token@127.0.0.1:1/nothing.git\n` }),
      'g.yml'
    )
    const gitError = await install(gitOnly).catch((e: Error) => e)
    expect(String(gitError)).toMatch(/git clone/)
    expect(String(gitError)).not.toContain('s3cr3t')
  })

  it('refuses a role without meta/main.yml, as ansible-galaxy does', async () => {
    const dir = tree({ 'tasks/main.yml': '- debug: msg=x\n' })
    git(dir, 'init', '--quiet')
    git(dir, 'add', '.')
    git(dir, 'commit', '--quiet', '-m', 'x')
    const file = join(tree({ 'r.yml': `- { src: "git+file://${dir}", name: nometa }\n` }), 'r.yml')
    await expect(install(file)).rejects.toThrow(/does not appear to have a meta\/main\.yml file/)
  })

  it("installs a role's dependencies (meta/main.yml, meta/requirements.yml), not the playbook's own roles", async () => {
    const dir = tree({
      'meta/main.yml':
        'galaxy_info: {author: t}\ndependencies:\n  - role: common\n  - acme.web\n  - { role: local_only, when: false }\n',
      'meta/requirements.yml': `- { src: "git+file://${repo.dir}", version: next, name: extra }\n`,
      'tasks/main.yml': '- debug: msg=x\n'
    })
    git(dir, 'init', '--quiet')
    git(dir, 'add', '.')
    git(dir, 'commit', '--quiet', '-m', 'x')
    const file = join(tree({ 'r.yml': `- { src: "git+file://${dir}", name: app }\n` }), 'r.yml')
    const installed = await install(file)
    expect([...installed.roles.keys()]).toEqual(['app', 'acme.web', 'extra'])
    expect(installed.log[1]).toMatch(
      /acme\.web \(1\.10\.0\) was installed successfully .*\(a dependency\)/
    )
    expect(taskMessage(installed.roles.get('extra')!)).toContain('from next')
  })

  it('a role holding a link that points outside it is refused', async () => {
    const dir = tree(roleFiles('linked'))
    execFileSync('ln', ['-s', '/etc/passwd', join(dir, 'tasks/passwd')])
    git(dir, 'init', '--quiet')
    git(dir, 'add', '.')
    git(dir, 'commit', '--quiet', '-m', 'x')
    const file = join(tree({ 'r.yml': `- { src: "git+file://${dir}", name: linked }\n` }), 'r.yml')
    await expect(install(file)).rejects.toThrow(
      /holds a link 'tasks\/passwd' pointing outside the role/
    )
  })

  it('a local directory without scm: git is refused with what to write instead', async () => {
    const file = join(tree({ 'r.yml': `- { src: "${repo.dir}", name: dir }\n` }), 'r.yml')
    await expect(install(file)).rejects.toThrow(
      /is a directory; a local role source is a tarball, or a git repository with 'scm: git'/
    )
  })

  it('takes a local repository path relative to the run directory', async () => {
    const parent = dirname(repo.dir)
    const file = join(
      tree({
        'r.yml': `- { src: "./${repo.dir.split('/').pop()}", scm: git, version: v1.0, name: rel }\n`
      }),
      'r.yml'
    )
    const installed = await installRequirements([file], {
      cacheDir: mkdtempSync(join(tmpdir(), 'apb-req-cache-')),
      implementedCollections: IMPLEMENTED,
      cwd: parent
    })
    expect(taskMessage(installed.roles.get('rel')!)).toContain('from v1.0')
  })

  it('warns about collections async-playbook does not implement', async () => {
    const file = join(
      tree({ 'r.yml': 'collections:\n  - ansible.posix\n  - name: community.mysql\n' }),
      'r.yml'
    )
    const installed = await install(file)
    expect(installed.warnings).toEqual([
      expect.stringMatching(
        /collection community\.mysql \(.*r\.yml:3\) is not implemented by async-playbook/
      )
    ])
  })
})

describe('against ansible-galaxy', () => {
  it.skipIf(!hasGalaxy() && process.env['APB_REQUIRE_ANSIBLE'] !== '1')(
    'installs the same roles under the same names, with the same files',
    async () => {
      const file = join(
        tree({
          'requirements.yml': [
            'roles:',
            `  - src: git+file://${repo.dir}`,
            '    version: v1.0',
            `  - { src: "file://${repo.dir}", scm: git, version: next, name: branch }`,
            `  - git+file://${repo.dir},${repo.v1Commit},commit`,
            `  - src: ${galaxy.base}/files/plain.tar.gz`,
            '  - acme.web',
            '  - { src: acme.web, version: 1.2.0, name: web_old }'
          ].join('\n')
        }),
        'requirements.yml'
      )
      const theirs = mkdtempSync(join(tmpdir(), 'apb-req-galaxy-'))
      // Asynchronously: the fake Galaxy answers from this process.
      await promisify(execFile)(
        'ansible-galaxy',
        ['install', '-r', file, '-p', theirs, '-s', galaxy.base],
        { env: { ...process.env, ANSIBLE_HOME: join(theirs, '.home'), ANSIBLE_NOCOLOR: '1' } }
      )
      const ours = await install(file)
      const names = execFileSync('ls', [theirs], { encoding: 'utf8' }).split('\n').filter(Boolean)
      expect([...ours.roles.keys()].sort()).toEqual(names.sort())
      for (const name of names)
        expect([name, taskMessage(ours.roles.get(name)!)]).toEqual([
          name,
          taskMessage(join(theirs, name))
        ])
    },
    120_000
  )
})

function hasGalaxy(): boolean {
  try {
    execFileSync('ansible-galaxy', ['--version'], { stdio: 'ignore' })
    return true
  } catch {
    return false
  }
}

describe('a run with requirements', () => {
  function settings(cwd: string, playbook: string, extra: Partial<RunSettings> = {}): RunSettings {
    return {
      playbook,
      inventories: [],
      extraVars: [],
      forks: 1,
      connection: { knownHostsPath: '/dev/null', hostKeyChecking: 'off', connectTimeoutMs: 30_000 },
      verbosity: 0,
      color: false,
      commandTimeoutMs: 60_000,
      cwd,
      ...extra
    }
  }

  it('installs roles/requirements.yml and plays find the roles by name; without it they are not found', async () => {
    const cwd = tree({
      'roles/requirements.yml': `- { src: "git+file://${repo.dir}", version: v1.0, name: deployed }\n- acme.web\n`,
      'site.yml': '- hosts: all\n  gather_facts: false\n  roles:\n    - deployed\n    - acme.web\n'
    })
    const cacheDir = mkdtempSync(join(tmpdir(), 'apb-req-cache-'))
    process.env['ANSIBLE_GALAXY_SERVER'] = galaxy.base
    try {
      let out = ''
      const outcome = await executeRun(
        settings(cwd, join(cwd, 'site.yml'), { requirements: { files: [], auto: true, cacheDir } }),
        (text) => (out += text)
      )
      expect(outcome.exitCode).toBe(0)
      expect(out).toContain('"msg": "from v1.0"')
      expect(out).toContain('"msg": "galaxy 1.10.0"')
      expect(out).toContain('TASK [deployed : say]')
      expect(out).toContain('TASK [acme.web : say]')
      await expect(
        executeRun(settings(cwd, join(cwd, 'site.yml')), () => undefined)
      ).rejects.toThrow(/the role 'deployed' was not found/)
    } finally {
      delete process.env['ANSIBLE_GALAXY_SERVER']
    }
  })

  it('a module of a listed collection we do not implement is refused naming it, before anything runs', async () => {
    const cwd = tree({
      'requirements.yml': 'collections:\n  - community.mysql\n',
      'site.yml':
        '- hosts: all\n  gather_facts: false\n  tasks:\n    - command: touch ran-marker\n    - community.mysql.mysql_user: { name: app }\n'
    })
    let out = ''
    await expect(
      executeRun(
        settings(cwd, join(cwd, 'site.yml'), {
          requirements: {
            files: [],
            auto: true,
            cacheDir: mkdtempSync(join(tmpdir(), 'apb-req-cache-'))
          }
        }),
        (text) => (out += text)
      )
    ).rejects.toThrow(
      /community\.mysql\.mysql_user is not supported: async-playbook does not implement the collection community\.mysql/
    )
    expect(out).not.toContain('TASK [')
    expect(() => readFileSync(join(cwd, 'ran-marker'))).toThrow()
  })

  it('a role in the playbook roles/ directory wins over an installed one of the same name', async () => {
    const cwd = tree({
      'requirements.yml': `- { src: "git+file://${repo.dir}", name: local }\n`,
      'roles/local/tasks/main.yml': '- debug:\n    msg: the local copy\n',
      'site.yml': '- hosts: all\n  gather_facts: false\n  roles: [local]\n'
    })
    let out = ''
    await executeRun(
      settings(cwd, join(cwd, 'site.yml'), {
        requirements: {
          files: ['requirements.yml'],
          auto: false,
          cacheDir: mkdtempSync(join(tmpdir(), 'apb-req-cache-'))
        }
      }),
      (text) => (out += text)
    )
    expect(out).toContain('the local copy')
  })

  it('the CLI: -r/--requirements FILE and --install-requirements', () => {
    const cwd = tree({ 'site.yml': '- hosts: all\n  tasks: []\n' })
    expect(
      parseCli(['site.yml', '-r', 'a.yml', '--requirements', 'b.yml'], {}, false, cwd).settings
        ?.requirements
    ).toEqual({
      files: ['a.yml', 'b.yml'],
      auto: false
    })
    expect(
      parseCli(['site.yml', '--install-requirements'], {}, false, cwd).settings?.requirements
    ).toEqual({
      files: [],
      auto: true
    })
    expect(parseCli(['site.yml'], {}, false, cwd).settings?.requirements).toBeUndefined()
    // They would do nothing in an ad-hoc run or when only gathering jobs: refused, not ignored.
    expect(() => parseCli(['all', '-m', 'ping', '-r', 'a.yml'], {}, false, cwd)).toThrow(
      /-r\/--requirements and --install-requirements install roles for a playbook; an ad-hoc run uses none/
    )
    expect(() =>
      parseCli(['--jobs', '{"version":1,"jobs":[]}', '--install-requirements'], {}, false, cwd)
    ).toThrow(/--install-requirements does nothing when gathering jobs/)
    // The Galaxy server: ansible.cfg's [galaxy] server, ANSIBLE_GALAXY_SERVER over it.
    writeFileSync(join(cwd, 'ansible.cfg'), '[galaxy]\nserver = http://127.0.0.1:9/galaxy\n')
    expect(
      parseCli(['site.yml', '--install-requirements'], {}, false, cwd).settings?.requirements
        ?.galaxyServer
    ).toBe('http://127.0.0.1:9/galaxy')
    expect(
      parseCli(
        ['site.yml', '--install-requirements'],
        { ANSIBLE_GALAXY_SERVER: 'http://g.invalid' },
        false,
        cwd
      ).settings?.requirements?.galaxyServer
    ).toBe('http://g.invalid')
  })
})

describe('the action inputs', () => {
  function actionRun(inputs: Record<string, string>): RunSettings {
    const workspace = tree({ 'site.yml': '- hosts: all\n  tasks: []\n' })
    const saved = { ...process.env }
    try {
      Object.assign(process.env, {
        GITHUB_WORKSPACE: workspace,
        INPUT_PLAYBOOK: 'site.yml',
        ...inputs
      })
      return readActionSettings(process.env).run
    } finally {
      process.env = saved
    }
  }

  it('install-requirements is on by default, can be turned off, and requirements names files', () => {
    expect(actionRun({}).requirements).toEqual({ files: [], auto: true })
    expect(actionRun({ 'INPUT_INSTALL-REQUIREMENTS': 'false' }).requirements).toBeUndefined()
    expect(
      actionRun({ 'INPUT_INSTALL-REQUIREMENTS': 'false', INPUT_REQUIREMENTS: 'a.yml\nsub/b.yml\n' })
        .requirements
    ).toEqual({ files: ['a.yml', 'sub/b.yml'], auto: false })
    expect(() => actionRun({ 'INPUT_INSTALL-REQUIREMENTS': 'maybe' })).toThrow(
      /Input 'install-requirements' must be true or false/
    )
  })

  it('allow-inventory-scripts is off by default', () => {
    expect(actionRun({}).allowInventoryScripts).toBeUndefined()
    expect(actionRun({ 'INPUT_ALLOW-INVENTORY-SCRIPTS': 'true' }).allowInventoryScripts).toBe(true)
  })
})

describe('credentials in requirement URLs (review)', () => {
  it('are masked up to the last @ of the authority, a password holding @ included', () => {
    expect(maskUrlCredentials('fetch https://deploy:p@ss@host.example/r.git failed')).toBe(
      'fetch https://********@host.example/r.git failed'
    )
    expect(maskUrlCredentials('https://host.example/a@b')).toBe('https://host.example/a@b')
  })

  it('never reach a message or a role name when an entry is refused or named from its URL', async () => {
    const dir = tree({
      'hg.yml': '- { src: "https://deploy:tok3n@host.example/r", scm: hg }\n',
      'line.yml': '- "https://deploy:tok3n@host.example/r.tar.gz,v1,name,extra"\n',
      'version.yml': '- { src: "git+https://deploy:tok3n@host.example/r.git", version: "-x" }\n',
      'bare.yml': '- { src: "https://deploy:tok3n@host.example" }\n',
      'coll.yml': 'collections:\n  - name: https://deploy:tok3n@host.example/c.tar.gz\n'
    })
    for (const name of ['hg.yml', 'line.yml', 'version.yml']) {
      const error = (() => {
        try {
          readRequirementsFile(join(dir, name))
        } catch (e) {
          return e
        }
        return undefined
      })()
      expect([name, String(error)]).toEqual([name, expect.stringContaining('********@')])
      expect(String(error)).not.toContain('tok3n')
    }
    expect(readRequirementsFile(join(dir, 'bare.yml')).roles[0]?.name).not.toContain('tok3n')
    const installed = await install(join(dir, 'coll.yml'))
    expect(installed.warnings.join('\n')).toContain('c.tar.gz')
    expect(installed.warnings.join('\n')).not.toContain('tok3n')
  })
})

describe('the programs role installation runs (review)', () => {
  it("git does not get the action's inputs, saved state or token", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'apb-req-env-'))
    const seen = join(dir, 'seen-env')
    const ssh = join(dir, 'ssh.sh')
    writeFileSync(ssh, `#!/bin/sh\ntr '\\0' '\\n' < /proc/$$/environ > '${seen}'\nexit 1\n`, {
      mode: 0o755
    })
    const saved = { ...process.env }
    Object.assign(process.env, {
      GIT_SSH_COMMAND: ssh,
      'INPUT_SSH-PRIVATE-KEY': 'PRIVATE-KEY-TEXT',
      STATE_JOBS: 'saved-state',
      ACTIONS_RUNTIME_TOKEN: 'runtime-token',
      GITHUB_TOKEN: 'gh-token'
    })
    try {
      const file = join(
        tree({ 'r.yml': '- { src: "git+ssh://git@host.invalid/r.git" }\n' }),
        'r.yml'
      )
      await expect(install(file)).rejects.toThrow(/git clone/)
    } finally {
      for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key]
      Object.assign(process.env, saved)
    }
    const names = readFileSync(seen, 'utf8')
      .split('\n')
      .map((line) => line.split('=')[0])
    expect(names).toContain('GIT_SSH_COMMAND')
    for (const name of [
      'INPUT_SSH-PRIVATE-KEY',
      'STATE_JOBS',
      'ACTIONS_RUNTIME_TOKEN',
      'GITHUB_TOKEN'
    ])
      expect(names).not.toContain(name)
  })
})

describe('role archives (review)', () => {
  it('a Galaxy answer larger than 16 MiB is refused, not read into memory whole', async () => {
    const chunk = Buffer.alloc(1024 * 1024, 0x20)
    const server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' })
      let sent = 0
      const more = (): void => {
        while (sent < 64 && res.write(chunk)) sent++
        if (sent < 64) res.once('drain', more)
        else res.end('{}')
      }
      more()
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/`
      await expect(getJson(url)).rejects.toThrow(
        /failed to reach .*: it is larger than 16777216 bytes/
      )
    } finally {
      server.closeAllConnections()
      await new Promise((resolve) => server.close(resolve))
    }
  })

  it('a download larger than the cap is stopped, naming the URL and the cap', async () => {
    const target = join(mkdtempSync(join(tmpdir(), 'apb-req-dl-')), 'archive')
    const url = `${galaxy.base}/download/web-1.2.0.tar.gz`
    await expect(download(url, target, 60_000, 64)).rejects.toThrow(
      /failed to download http:\/\/127\.0\.0\.1:\d+\/download\/web-1\.2\.0\.tar\.gz: it is larger than 64 bytes/
    )
    await download(url, target, 60_000)
  })

  it('an archive that would unpack to more than 1 GiB is refused before unpacking', async () => {
    const root = mkdtempSync(join(tmpdir(), 'apb-req-big-'))
    tree(roleFiles('big'), join(root, 'role'))
    // A sparse file: 3 GiB as tar lists it, a few kilobytes on disk and in the archive.
    execFileSync('truncate', ['-s', '3G', join(root, 'role', 'files-big')])
    execFileSync('tar', ['-cSf', join(root, 'role.tar'), '-C', root, 'role'])
    const cache = mkdtempSync(join(tmpdir(), 'apb-req-cache-'))
    const file = join(
      tree({ 'r.yml': `- { src: "${join(root, 'role.tar')}", name: big }\n` }),
      'r.yml'
    )
    await expect(install(file, cache)).rejects.toThrow(
      /unpacks to 3221225\d+ bytes, more than the 1073741824 bytes a role may hold/
    )
    expect(execFileSync('ls', ['-A', cache], { encoding: 'utf8' })).toBe('')
  })

  it('a member that is not a file, directory or link (a fifo, a device) is refused', async () => {
    const root = mkdtempSync(join(tmpdir(), 'apb-req-fifo-'))
    tree(roleFiles('fifo'), join(root, 'role'))
    execFileSync('mkfifo', [join(root, 'role', 'files-pipe')])
    execFileSync('tar', ['-cf', join(root, 'role.tar'), '-C', root, 'role'])
    const file = join(
      tree({ 'r.yml': `- { src: "${join(root, 'role.tar')}", name: piped }\n` }),
      'r.yml'
    )
    await expect(install(file)).rejects.toThrow(
      /holds 'role\/files-pipe', which is not a file, a directory or a link/
    )
  })
})

describe('git sources and versions that would run a command (review)', () => {
  it('ext:: URLs, option-looking sources and hosts, and option-looking versions run nothing', async () => {
    const marks = mkdtempSync(join(tmpdir(), 'apb-req-marks-'))
    const sources = [
      `git+ext::sh -c touch% ${marks}/ext`,
      `git+fd::3`,
      `git+ssh://-oProxyCommand=touch% ${marks}/proxy/r.git`,
      `git+-oProxyCommand=touch:r.git`
    ]
    for (const [index, src] of sources.entries()) {
      const file = join(tree({ 'r.yml': `- { src: "${src}", name: r${index} }\n` }), 'r.yml')
      await expect(install(file)).rejects.toThrow(/r\d|role/)
    }
    const upload = join(
      tree({
        'r.yml': `- { src: "--upload-pack=touch ${marks}/upload", scm: git, name: up }\n`,
        'v.yml': `- { src: "git+file://${repo.dir}", version: "--output=${marks}/version", name: v }\n`
      }),
      'r.yml'
    )
    await expect(install(upload)).rejects.toThrow(/git clone|does not/)
    expect(() => readRequirementsFile(join(dirname(upload), 'v.yml'))).toThrow(
      /version '--output=.*' is not a tag, branch or commit/
    )
    expect(execFileSync('ls', ['-A', marks], { encoding: 'utf8' })).toBe('')
  })
})
