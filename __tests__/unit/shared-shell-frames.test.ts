import { spawnSync } from 'node:child_process'
import { describe, expect, it } from 'vitest'
import { FrameSplitter, inSubshell } from '../../src/connection/shared-shell.js'
import { shellJoin, shellQuote } from '../../src/connection/shell-quote.js'

const MARKER = 'APB-SHELL-0f0f'

/** Feeds `chunks` and returns each frame's bytes with the rest of its marker line. */
function split(chunks: Buffer[]): { frames: Array<{ bytes: string; rest: string }>; open: string } {
  const frames: Array<{ bytes: string; rest: string }> = []
  let bytes: Buffer[] = []
  const splitter = new FrameSplitter(
    MARKER,
    (b) => bytes.push(Buffer.from(b)),
    (rest) => {
      frames.push({ bytes: Buffer.concat(bytes).toString('latin1'), rest })
      bytes = []
    }
  )
  for (const chunk of chunks) splitter.push(chunk)
  splitter.flush()
  return { frames, open: Buffer.concat(bytes).toString('latin1') }
}

const STREAM =
  `login noise\n\n${MARKER} 0\n` +
  `out\n\nAPB-SHELL-0f0\n\n${MARKER} 3\n` +
  `\n${MARKER} 0\n` +
  `\u0000\u00ff no newline\n${MARKER} 255\n` +
  `tail\n`

describe('FrameSplitter', () => {
  const expected = [
    { bytes: 'login noise\n', rest: ' 0' },
    { bytes: 'out\n\nAPB-SHELL-0f0\n', rest: ' 3' },
    { bytes: '', rest: ' 0' },
    { bytes: '\u0000\u00ff no newline', rest: ' 255' }
  ]

  it('splits a stream at marker lines, whole', () => {
    const { frames, open } = split([Buffer.from(STREAM, 'latin1')])
    expect(frames).toEqual(expected)
    expect(open).toBe('tail\n')
  })

  it('splits it the same way whatever the chunk boundaries', () => {
    const all = Buffer.from(STREAM, 'latin1')
    for (let size = 1; size <= all.length; size++) {
      const chunks: Buffer[] = []
      for (let at = 0; at < all.length; at += size) chunks.push(all.subarray(at, at + size))
      const { frames, open } = split(chunks)
      expect({ size, frames, open }).toEqual({ size, frames: expected, open: 'tail\n' })
    }
  })

  it('holds back only what could begin a marker line', () => {
    const seen: string[] = []
    const splitter = new FrameSplitter(
      MARKER,
      (b) => seen.push(b.toString()),
      () => undefined
    )
    splitter.push(Buffer.from('started\n'))
    expect(seen.join('')).toBe('started')
    splitter.push(Buffer.from('more\nAPB-SH'))
    expect(seen.join('')).toBe('started\nmore')
    splitter.push(Buffer.from('x'))
    expect(seen.join('')).toBe('started\nmore\nAPB-SHx')
  })
})

describe('inSubshell: what the shared shell evaluates for a command', () => {
  it('runs a lone /bin/sh -c script in the subshell itself, its arguments as $1…', () => {
    const command = shellJoin([
      '/bin/sh',
      '-c',
      'printf "%s|" "$@"; exit 3',
      'apb-x',
      "it's",
      'a b'
    ])
    expect(inSubshell(command)).toBe(`set -- 'it'\\''s' 'a b'; eval 'printf "%s|" "$@"; exit 3'`)
    // The same output and status as the shell it replaces.
    const direct = spawnSync('/bin/sh', ['-c', command], { encoding: 'utf8' })
    const evaluated = spawnSync('/bin/sh', ['-c', `(eval ${shellQuote(inSubshell(command))})`], {
      encoding: 'utf8'
    })
    expect(evaluated.stdout).toBe(direct.stdout)
    expect(evaluated.stdout).toBe("it's|a b|")
    expect(evaluated.status).toBe(3)
    expect(inSubshell(shellJoin(['/bin/sh', '-c', 'echo "$#"', 'apb-none']))).toBe(
      `set -- ; eval 'echo "$#"'`
    )
  })

  it("execs a shell of its own for a script that names $$, $PPID or $0 (a shell's own), or set -e", () => {
    for (const script of [
      'echo $$',
      'echo ${$}',
      'echo "${PPID}"',
      'echo "$0"',
      'echo ${0}',
      // errexit is ignored in a subshell on the left of ||, as a list's first command is.
      'set -e; false; echo still',
      'set -eu',
      'set -o errexit'
    ]) {
      const command = shellJoin(['/bin/sh', '-c', script, 'apb-x'])
      expect(inSubshell(command)).toBe(`exec ${command}`)
    }
  })

  it('runs each /bin/sh -c of a list in a subshell of its own, the rest of the list as written', () => {
    const put = shellJoin(['/bin/sh', '-c', 'cat; echo "put $1"; exit "$2"', 'apb-put', 'a b', '0'])
    const probe = shellJoin(['/bin/sh', '-c', 'echo "probe $# $1"', 'apb-path', "it's"])
    const own = shellJoin(['/bin/sh', '-c', 'echo "own $0"', 'apb-own'])
    const list = `${put} || { echo fail=prelude; exit 1; }; echo act=done; ${own}; echo "status=$?"\n${probe}`
    expect(inSubshell(list)).toBe(
      `( set -- 'a b' 0; eval 'cat; echo "put $1"; exit "$2"' ) || { echo fail=prelude; exit 1; }; ` +
        `echo act=done; ${own}; echo "status=$?"\n( set -- 'it'\\''s'; eval 'echo "probe $# $1"' )`
    )
    // The same output and status as the list as written, with its input, and when the first fails.
    for (const code of ['0', '3']) {
      const text = list.replace(' 0 ||', ` ${code} ||`)
      const run = (script: string) =>
        spawnSync('/bin/sh', ['-c', `(eval ${shellQuote(script)})`], {
          input: 'in\n',
          encoding: 'utf8'
        })
      const direct = run(text)
      const evaluated = run(inSubshell(text))
      expect({ out: evaluated.stdout, status: evaluated.status }).toEqual({
        out: direct.stdout,
        status: direct.status
      })
    }
  })

  it('runs any other command as written', () => {
    for (const command of [
      'echo hi',
      'echo $HOME',
      `${shellJoin(['/bin/sh', '-c', 'true', 'a'])} > /dev/null`,
      `${shellJoin(['/bin/sh', '-c', 'true', 'a'])} | cat`,
      // A double-quoted script would be expanded after `set --` changed $1.
      '/bin/sh -c "echo $1" x y',
      `if ${shellJoin(['/bin/sh', '-c', 'true', 'a'])}; then echo y; fi`
    ]) {
      expect(inSubshell(command)).toBe(command)
    }
  })
})
