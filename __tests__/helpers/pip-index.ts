// A local Python package index for the pip tests (no network here): small pure-Python wheels written
// by hand (a wheel is a zip of the package and its .dist-info: METADATA, WHEEL and a RECORD of sha256
// digests), in one directory that pip reads with `--no-index --find-links DIR`. The directory and its
// files are world-readable so that the test sshd's login user (apbtest) can read them.
import { spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'

/** One wheel to build: a project, its version, and what it requires (`Requires-Dist` lines). */
export interface WheelSpec {
  name: string
  version: string
  requires?: string[]
}

/** The wheels every pip test can use: two versions of one project, a dependency, a second project. */
export const DEFAULT_WHEELS: readonly WheelSpec[] = [
  { name: 'apbdemo', version: '1.0' },
  { name: 'apbdemo', version: '1.1' },
  { name: 'apbdemo', version: '2.0rc1' },
  { name: 'apb_other', version: '2.0' },
  { name: 'apbneeds', version: '0.5', requires: ['apb-other>=2'] }
]

/** A built index: its directory (for `--find-links`), and how to remove it. */
export interface PipIndex {
  dir: string
  remove(): void
}

/**
 * Builds the wheels into a new world-readable directory under the system temp directory.
 * @throws when the `zip` command is missing (apt-get install zip)
 */
export function buildPipIndex(wheels: readonly WheelSpec[] = DEFAULT_WHEELS): PipIndex {
  const dir = mkdtempSync(path.join(tmpdir(), 'apb-pip-index-'))
  chmodSync(dir, 0o755)
  for (const wheel of wheels) writeWheel(dir, wheel)
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) }
}

function writeWheel(dir: string, spec: WheelSpec): void {
  const module = spec.name.replace(/[-.]/g, '_')
  const distInfo = `${module}-${spec.version}.dist-info`
  const files: Record<string, string> = {
    [`${module}/__init__.py`]: `VERSION = ${JSON.stringify(spec.version)}\n`,
    [`${distInfo}/METADATA`]:
      `Metadata-Version: 2.1\nName: ${spec.name}\nVersion: ${spec.version}\n` +
      (spec.requires ?? []).map((r) => `Requires-Dist: ${r}\n`).join(''),
    [`${distInfo}/WHEEL`]:
      'Wheel-Version: 1.0\nGenerator: async-playbook-tests\nRoot-Is-Purelib: true\nTag: py3-none-any\n'
  }
  const record = Object.entries(files).map(([file, content]) => {
    const digest = createHash('sha256').update(content).digest('base64url')
    return `${file},sha256=${digest},${Buffer.byteLength(content)}`
  })
  files[`${distInfo}/RECORD`] = [...record, `${distInfo}/RECORD,,`].join('\n') + '\n'
  const build = mkdtempSync(path.join(tmpdir(), 'apb-wheel-'))
  try {
    for (const [file, content] of Object.entries(files)) {
      mkdirSync(path.join(build, path.dirname(file)), { recursive: true })
      writeFileSync(path.join(build, file), content)
    }
    const wheel = path.join(dir, `${module}-${spec.version}-py3-none-any.whl`)
    const zip = spawnSync('zip', ['-q', '-X', '-r', wheel, '.'], { cwd: build, encoding: 'utf8' })
    if (zip.error || zip.status !== 0)
      throw new Error(
        `zip could not build ${wheel} (apt-get install zip): ${zip.error?.message ?? zip.stderr}`
      )
    chmodSync(wheel, 0o644)
  } finally {
    rmSync(build, { recursive: true, force: true })
  }
}
