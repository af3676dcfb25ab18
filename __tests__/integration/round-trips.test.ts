/**
 * What each module of the files-and-content family costs on the wire, counted at the Connection
 * (commands, file writes, file reads), on the local connection and over ssh to the test sshd:
 *
 * - a run that changes nothing: one round trip;
 * - a run that changes something: at most two (read the facts, then act). lineinfile, blockinfile
 *   and replace send the edited content on the act's stdin, so their write is that second trip;
 * - transfers (copy, template, and assemble, which writes through copy's transfer): at most three,
 *   read the facts, write the content (putFile), then read back what landed for the result;
 * - slurp reads the file itself (getFile): one round trip.
 *
 * Calls started while another is running (parallel probes) overlap it and count as one round trip;
 * each case also bounds the calls themselves, so that a module cannot hide a burst of commands in one
 * wave. Every case runs twice: the first run changes the target, the second is `ok` and costs one.
 */
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createServer, type Server } from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Connection } from '../../src/connection/connection.js'
import { openConnection } from '../../src/connection/index.js'
import { openLocalConnection } from '../../src/connection/local-connection.js'
import { shellJoin } from '../../src/connection/shell-quote.js'
import { countingConnection, type RemoteCall } from '../helpers/counting-connection.js'
import { runModuleOn } from '../helpers/module-harness.js'
import { sshdConnectionSettings, startSshd, type SshdFixture } from '../helpers/sshd.js'

/** Where a case runs: `d` is its directory on the target, `c` the controller's. */
interface Dirs {
  d: string
  c: string
  port: number
}

interface RoundTripCase {
  name: string
  module: string
  /** Shell run (uncounted, as the login user) before the first run, with $D the case's directory. */
  setup?: string
  /** Files on the controller, relative to `c`. */
  controllerFiles?: Record<string, string>
  args(dirs: Dirs): Record<string, unknown>
  /** Whether the first run changes the target (stat, find, slurp and wait_for never do). */
  changes: boolean
  /**
   * Round trips allowed for the first run: 2 when it changes something (facts + act), 1 when it
   * cannot; transfers add their write.
   */
  firstRoundTrips: number
  /**
   * Reads made in the same round trip as the first (the link's source beside the link, the file's
   * content beside its state): they overlap it, so they cost no wait, but they are calls.
   */
  parallelReads?: number
  /** Whether a second, identical run changes nothing (all but tempfile, which makes a new file each time). */
  idempotent?: boolean
}

const CASES: RoundTripCase[] = [
  {
    name: 'file state=file (mode)',
    module: 'file',
    setup: 'printf x > "$D/f" && chmod 0644 "$D/f"',
    args: ({ d }) => ({ path: `${d}/f`, state: 'file', mode: '0600' }),
    changes: true,
    firstRoundTrips: 2
  },
  {
    name: 'file state=directory',
    module: 'file',
    args: ({ d }) => ({ path: `${d}/a/b`, state: 'directory', mode: 'u=rwx,g=rx,o=' }),
    changes: true,
    firstRoundTrips: 2
  },
  {
    name: 'file state=link',
    module: 'file',
    setup: 'printf x > "$D/src"',
    args: ({ d }) => ({ path: `${d}/l`, src: 'src', state: 'link' }),
    changes: true,
    firstRoundTrips: 2,
    parallelReads: 1
  },
  {
    name: 'file state=hard',
    module: 'file',
    setup: 'printf x > "$D/src"',
    args: ({ d }) => ({ path: `${d}/h`, src: `${d}/src`, state: 'hard' }),
    changes: true,
    firstRoundTrips: 2,
    parallelReads: 1
  },
  {
    name: 'file state=touch (times preserved)',
    module: 'file',
    args: ({ d }) => ({
      path: `${d}/t`,
      state: 'touch',
      access_time: 'preserve',
      modification_time: 'preserve'
    }),
    changes: true,
    firstRoundTrips: 2
  },
  {
    name: 'file state=absent',
    module: 'file',
    setup: 'mkdir -p "$D/gone/sub" && printf x > "$D/gone/sub/f"',
    args: ({ d }) => ({ path: `${d}/gone`, state: 'absent' }),
    changes: true,
    firstRoundTrips: 2
  },
  {
    name: 'stat (with checksum and mime)',
    module: 'stat',
    setup: 'printf "hello\\n" > "$D/f"',
    args: ({ d }) => ({ path: `${d}/f`, get_checksum: true, get_mime: true }),
    changes: false,
    firstRoundTrips: 1
  },
  {
    name: 'stat (missing path)',
    module: 'stat',
    args: ({ d }) => ({ path: `${d}/none` }),
    changes: false,
    firstRoundTrips: 1
  },
  {
    name: 'lineinfile (regexp)',
    module: 'lineinfile',
    setup: 'printf "a=1\\nb=2\\n" > "$D/f"',
    args: ({ d }) => ({ path: `${d}/f`, regexp: '^a=', line: 'a=3' }),
    changes: true,
    firstRoundTrips: 2,
    parallelReads: 1
  },
  {
    name: 'lineinfile (create, mode)',
    module: 'lineinfile',
    args: ({ d }) => ({ path: `${d}/new`, line: 'x=1', create: true, mode: '0640' }),
    changes: true,
    firstRoundTrips: 2,
    parallelReads: 1
  },
  {
    name: 'blockinfile',
    module: 'blockinfile',
    setup: 'printf "top\\n" > "$D/f"',
    args: ({ d }) => ({ path: `${d}/f`, block: 'one\ntwo', insertbefore: 'BOF' }),
    changes: true,
    firstRoundTrips: 2,
    parallelReads: 1
  },
  {
    name: 'replace',
    module: 'replace',
    setup: 'printf "a=1\\na=2\\nb=3\\n" > "$D/f"',
    args: ({ d }) => ({ path: `${d}/f`, regexp: '^a=(\\d)$', replace: 'A=\\1' }),
    changes: true,
    firstRoundTrips: 2,
    parallelReads: 1
  },
  {
    name: 'copy content (transfer)',
    module: 'copy',
    args: ({ d }) => ({ content: 'hello\n', dest: `${d}/c`, mode: '0640' }),
    changes: true,
    firstRoundTrips: 3
  },
  {
    name: 'copy src (transfer)',
    module: 'copy',
    controllerFiles: { 'app.conf': 'port=80\n' },
    args: ({ d, c }) => ({ src: `${c}/app.conf`, dest: `${d}/app.conf` }),
    changes: true,
    firstRoundTrips: 3
  },
  {
    name: 'template (transfer)',
    module: 'template',
    controllerFiles: { 'app.j2': 'port={{ 40 + 2 }}\n' },
    args: ({ d, c }) => ({ src: `${c}/app.j2`, dest: `${d}/app.conf` }),
    changes: true,
    firstRoundTrips: 3
  },
  {
    name: 'find',
    module: 'find',
    setup: 'mkdir -p "$D/x/y" && printf 1 > "$D/x/a.log" && printf 2 > "$D/x/y/b.log"',
    args: ({ d }) => ({ paths: `${d}/x`, patterns: '*.log', recurse: true }),
    changes: false,
    firstRoundTrips: 1
  },
  {
    name: 'slurp (getFile)',
    module: 'slurp',
    setup: 'printf "secret\\n" > "$D/f"',
    args: ({ d }) => ({ src: `${d}/f` }),
    changes: false,
    firstRoundTrips: 1
  },
  {
    name: 'tempfile',
    module: 'tempfile',
    args: ({ d }) => ({ path: d, suffix: '.tmp' }),
    changes: true,
    firstRoundTrips: 2,
    idempotent: false
  },
  {
    // assemble writes through copy's transfer (file-transfer.ts): it is a transfer, and pays its write.
    name: 'assemble (transfer)',
    module: 'assemble',
    setup: 'mkdir -p "$D/parts" && printf "a\\n" > "$D/parts/01" && printf "b\\n" > "$D/parts/02"',
    args: ({ d }) => ({ src: `${d}/parts`, dest: `${d}/whole` }),
    changes: true,
    firstRoundTrips: 3,
    parallelReads: 1
  },
  {
    name: 'wait_for path present',
    module: 'wait_for',
    setup: 'printf "ready\\n" > "$D/f"',
    args: ({ d }) => ({ path: `${d}/f`, search_regex: '^re(a)dy$', timeout: 10 }),
    changes: false,
    firstRoundTrips: 1
  },
  {
    name: 'wait_for path absent',
    module: 'wait_for',
    args: ({ d }) => ({ path: `${d}/none`, state: 'absent', timeout: 10 }),
    changes: false,
    firstRoundTrips: 1
  },
  {
    name: 'wait_for port started',
    module: 'wait_for',
    args: ({ port }) => ({ host: '127.0.0.1', port, timeout: 10 }),
    changes: false,
    firstRoundTrips: 1
  }
]

/** Calls a run may make: one per round trip, plus the reads the case makes alongside the first. */
const callBound = (testCase: RoundTripCase, roundTrips: number): number =>
  roundTrips + (testCase.parallelReads ?? 0)

function describeCalls(calls: RemoteCall[]): string {
  return calls.map((c) => `${c.roundTrip}. ${c.kind} ${c.what}`).join('\n  ')
}

let listener: Server
let listeningPort = 0
beforeAll(async () => {
  // wait_for's port: something listening on the machine both targets are.
  listener = createServer((socket) => socket.end())
  await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve))
  const address = listener.address()
  listeningPort = typeof address === 'object' && address ? address.port : 0
})
afterAll(async () => {
  await new Promise<void>((resolve) => listener.close(() => resolve()))
})

function casesOn(open: () => Promise<Connection>): void {
  it.each(CASES.map((c) => [`${c.module}: ${c.name}`, c] as const))('%s', async (_, testCase) => {
    const root = mkdtempSync(path.join(tmpdir(), 'apb-round-trips-'))
    // The sshd's user is not the test's: it must be able to write where the case runs.
    chmodSync(root, 0o777)
    const d = path.join(root, 'target')
    const c = path.join(root, 'controller')
    mkdirSync(d, { mode: 0o777 })
    chmodSync(d, 0o777)
    mkdirSync(c)
    for (const [name, text] of Object.entries(testCase.controllerFiles ?? {}))
      writeFileSync(path.join(c, name), text)
    const inner = await open()
    try {
      if (testCase.setup) {
        const script = `D="$1"; ${testCase.setup}`
        const res = await inner.run(shellJoin(['/bin/sh', '-c', script, 'setup', d]), {
          timeoutMs: 30_000
        })
        expect(res.code, res.stderr.toString()).toBe(0)
      }
      const counting = countingConnection(inner)
      const args = testCase.args({ d, c, port: listeningPort })
      const runOnce = async (): Promise<Record<string, unknown>> => {
        counting.reset()
        const { result, ran } = await runModuleOn(testCase.module, args, {
          connect: async () => counting.connection,
          baseDir: c
        })
        expect(ran).toBe(true)
        return result
      }

      const first = await runOnce()
      const firstCalls = describeCalls(counting.calls)
      expect(first['failed'], JSON.stringify(first)).toBeFalsy()
      expect(first['changed'], JSON.stringify(first)).toBe(testCase.changes)
      expect(counting.roundTrips(), `first run's calls:\n  ${firstCalls}`).toBeLessThanOrEqual(
        testCase.firstRoundTrips
      )
      expect(counting.calls.length, `first run's calls:\n  ${firstCalls}`).toBeLessThanOrEqual(
        callBound(testCase, testCase.firstRoundTrips)
      )

      const second = await runOnce()
      const secondCalls = describeCalls(counting.calls)
      expect(second['failed'], JSON.stringify(second)).toBeFalsy()
      expect(second['changed']).toBe(testCase.idempotent === false)
      const bound = testCase.idempotent === false ? testCase.firstRoundTrips : 1
      expect(counting.roundTrips(), `second run's calls:\n  ${secondCalls}`).toBeLessThanOrEqual(
        bound
      )
      expect(counting.calls.length, `second run's calls:\n  ${secondCalls}`).toBeLessThanOrEqual(
        callBound(testCase, bound)
      )
    } finally {
      await inner.close()
      rmSync(root, { recursive: true, force: true })
    }
  })
}

describe('round trips on the local connection', () => {
  casesOn(async () => openLocalConnection('localhost'))
})

describe('round trips over ssh (the test sshd)', () => {
  let sshd: SshdFixture
  beforeAll(async () => {
    sshd = await startSshd({ name: 'round-trips' })
  })
  afterAll(async () => {
    await sshd?.stop()
  })
  casesOn(() => openConnection(sshdConnectionSettings(sshd)))
})
