// A local RPM repository for the dnf/yum tests (no network here): small noarch packages built with
// rpmbuild (Debian's `rpm` package) from a spec written here, indexed by createrepo_c (`createrepo-c`).
// Tests point dnf at it with `--installroot` and a repo file in that root, so the machine's own
// packages are never touched. World-readable, for the test sshd's user.
import { spawnSync } from 'node:child_process'
import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  renameSync,
  rmSync,
  writeFileSync
} from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'

/** One package to build: its name, version, and what it requires. */
export interface RpmSpec {
  name: string
  version: string
  requires?: string[]
}

/** apbrpm in two versions, and apbrpm-needs (requires apbrpm-dep). */
export const DEFAULT_RPMS: readonly RpmSpec[] = [
  { name: 'apbrpm', version: '1.0' },
  { name: 'apbrpm', version: '1.1' },
  { name: 'apbrpm-dep', version: '2.0' },
  { name: 'apbrpm-needs', version: '0.5', requires: ['apbrpm-dep'] }
]

/** The tools the repository needs, with the Debian package that has each. */
export const RPM_TOOLS = { rpmbuild: 'rpm', createrepo_c: 'createrepo-c', dnf: 'dnf' } as const

/** Whether this machine can build the repository and run dnf. */
export function rpmToolsPresent(): boolean {
  return Object.keys(RPM_TOOLS).every(
    (tool) => spawnSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' }).status === 0
  )
}

/** A built repository: its directory (a `baseurl` of file://DIR), and how to remove it. */
export interface RpmRepo {
  dir: string
  remove(): void
}

/**
 * Builds the packages and the repository metadata.
 * @throws naming the missing tool and its Debian package
 */
export function buildRpmRepo(rpms: readonly RpmSpec[] = DEFAULT_RPMS): RpmRepo {
  for (const [tool, pkg] of Object.entries(RPM_TOOLS))
    if (spawnSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' }).status !== 0)
      throw new Error(`the dnf tests need ${tool}: apt-get install ${pkg}`)
  const dir = mkdtempSync(path.join(tmpdir(), 'apb-rpm-repo-'))
  const top = mkdtempSync(path.join(tmpdir(), 'apb-rpmbuild-'))
  try {
    for (const rpm of rpms) {
      const spec = path.join(top, `${rpm.name}-${rpm.version}.spec`)
      writeFileSync(
        spec,
        [
          `Name: ${rpm.name}`,
          `Version: ${rpm.version}`,
          'Release: 1',
          'Summary: async-playbook test package',
          'License: MIT',
          'BuildArch: noarch',
          ...(rpm.requires ?? []).map((r) => `Requires: ${r}`),
          '%description',
          'A package the dnf tests install.',
          '%install',
          `mkdir -p %{buildroot}/opt/${rpm.name}`,
          `echo ${rpm.version} > %{buildroot}/opt/${rpm.name}/version`,
          '%files',
          `/opt/${rpm.name}/version`,
          ''
        ].join('\n')
      )
      const built = spawnSync('rpmbuild', ['-bb', '--define', `_topdir ${top}`, spec], {
        encoding: 'utf8'
      })
      if (built.status !== 0)
        throw new Error(`rpmbuild failed for ${rpm.name}-${rpm.version}: ${built.stderr}`)
    }
    const rpmsDir = path.join(top, 'RPMS', 'noarch')
    for (const file of readdirSync(rpmsDir))
      renameSync(path.join(rpmsDir, file), path.join(dir, file))
    const index = spawnSync('createrepo_c', ['-q', dir], { encoding: 'utf8' })
    if (index.status !== 0) throw new Error(`createrepo_c failed: ${index.stderr}`)
    chmodSync(dir, 0o755)
    spawnSync('chmod', ['-R', 'a+rX', dir])
  } catch (error) {
    rmSync(dir, { recursive: true, force: true })
    throw error
  } finally {
    rmSync(top, { recursive: true, force: true })
  }
  mkdirSync(dir, { recursive: true })
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) }
}
