// Fuzz: what comes back from elsewhere about async jobs — a jobs document handed over by an earlier run,
// and the status answer a target prints — is read or refused with a typed error, never trusted blindly.
import fc from 'fast-check'
import { brotliCompressSync, brotliDecompressSync } from 'node:zlib'
import { afterAll, describe, expect, it } from 'vitest'
import { jobsDocument, parseJobsDocument } from '../../src/async/jobs-document.js'
import { encodeCompactJobs } from '../../src/async/jobs-encoding.js'
import { isValidJid } from '../../src/async/job-protocol.js'
import type { JobSnapshot } from '../../src/async/job-snapshot.js'
import { parseStatus } from '../../src/async/job-status-reader.js'
import type { JobRegistry, KnownJob } from '../../src/async/job-registry.js'
import { anyText, checkCall, mutatedBytes, mutatedText, runs, slowest } from './fuzz-helpers.js'

const entry = (jid: string, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  ansible_job_id: jid,
  changed: true,
  finished: 0,
  started: 1,
  results_file: `/home/u/.ansible_async/${jid}`,
  task: 'long job',
  file: 'site.yml',
  line: 7,
  launched_at: '2024-05-01T10:00:00.000Z',
  async: 600,
  dir: '/home/u/.ansible_async',
  ...extra
})

const JOBS_SEEDS = [
  JSON.stringify({
    web1: { build: entry('j123456789012345678.4242') },
    web2: { 'j1.2': entry('j1.2') }
  }),
  JSON.stringify(
    {
      plays: [],
      jobs: {
        web1: { r: entry('j9.9', { become: { user: 'root', method: 'sudo' } }) },
        __proto__: { polluted: { ansible_job_id: 'j1.1', dir: '/x' } }
      }
    },
    null,
    2
  ),
  '{"__proto__": {"j1.1": {"ansible_job_id": "j1.1", "dir": "/tmp"}}}'
]

function assertSaneRegistry(registry: JobRegistry): void {
  for (const job of registry.allOutstanding()) {
    expect(isValidJid(job.jid)).toBe(true)
    expect(job.dir.startsWith('/')).toBe(true)
    expect(job.dir).not.toMatch(/\p{Cc}/u)
    expect(job.dir.split('/')).not.toContain('..')
    expect(Number.isFinite(job.launchedAt)).toBe(true)
    expect(job.task).not.toMatch(/\p{Cc}/u)
    // A document never chooses the become program or its flags: only the user and the method.
    if (job.become) expect(Object.keys(job.become).sort()).toEqual(['method', 'user'])
  }
}

describe('jobs document under fuzz', () => {
  afterAll(() => {
    for (const [label, { ms }] of slowest) console.log(`slowest ${label}: ${ms.toFixed(1)} ms`)
  })

  it('accepts every seed', () => {
    for (const seed of JOBS_SEEDS) {
      const outcome = checkCall('jobs seed', seed, (t) => parseJobsDocument(t, 'seed.json'))
      expect(outcome.ok, outcome.ok ? '' : outcome.error.message).toBe(true)
    }
  })

  it('random text and mutated documents: a registry of valid jobs, or an OptionError naming the source', () => {
    fc.assert(
      fc.property(fc.oneof(anyText, mutatedText(JOBS_SEEDS), mutatedText(JOBS_SEEDS)), (text) => {
        const outcome = checkCall('parseJobsDocument', text, (t) =>
          parseJobsDocument(t, 'jobs.json')
        )
        if (outcome.ok) assertSaneRegistry(outcome.value)
        else {
          expect(outcome.error.name).toBe('OptionError')
          expect(outcome.error.message).toMatch(/^jobs\.json: /)
        }
      }),
      { numRuns: runs(4000) }
    )
  })

  it('keeps a host named __proto__ as data', () => {
    const outcome = checkCall('jobs __proto__', JOBS_SEEDS[2]!, (t) =>
      parseJobsDocument(t, 'p.json')
    )
    expect(outcome.ok && outcome.value.allOutstanding().map((j) => [j.host, j.jid])).toEqual([
      ['__proto__', 'j1.1']
    ])
    const bad = checkCall(
      'jobs constructor',
      '{"constructor": {"prototype": {"polluted": 1}}}',
      (t) => parseJobsDocument(t, 'p.json')
    )
    expect(!bad.ok && bad.error.message).toMatch(/job 'prototype' on host 'constructor'/)
  })

  it('random JSON structures with hostile values', () => {
    const hostile = fc.constantFrom(
      '$(touch /tmp/apb-pwned)',
      '/tmp/x\0y',
      'relative/dir',
      'j1.1; rm -rf /',
      'j1.1\n',
      '../../etc',
      ''
    )
    const value = fc.oneof(fc.jsonValue({ maxDepth: 2 }), hostile)
    const jobEntry = fc.record(
      {
        ansible_job_id: fc.oneof(value, fc.constant('j1.1')),
        dir: fc.oneof(value, fc.constant('/tmp')),
        become: value,
        launched_at: value,
        line: value,
        async: value
      },
      { requiredKeys: [] }
    )
    fc.assert(
      fc.property(
        fc.dictionary(
          fc.string({ maxLength: 8 }),
          fc.dictionary(fc.string({ maxLength: 8 }), jobEntry, { maxKeys: 3 }),
          { maxKeys: 3 }
        ),
        (doc) => {
          const text = JSON.stringify(doc)
          const outcome = checkCall('parseJobsDocument(structured)', text, (t) =>
            parseJobsDocument(t, 'j.json')
          )
          if (outcome.ok) assertSaneRegistry(outcome.value)
        }
      ),
      { numRuns: runs(3000) }
    )
  })
})

/** Random job sets as a run would hand them over (hostile host and register names included). */
const knownJobs = fc
  .array(
    fc.record({
      host: fc.oneof(
        fc.constantFrom('__proto__', 'constructor', 'web1', 'toString'),
        fc.string({ minLength: 1, maxLength: 6 })
      ),
      jid: fc
        .tuple(fc.bigInt({ min: 0n, max: 10n ** 18n }), fc.nat(99_999))
        .map(([a, b]) => `j${a}.${b}`),
      register: fc.option(fc.constantFrom('__proto__', 'constructor', 'bg', 'r1'), {
        nil: undefined
      }),
      loop: fc.option(
        fc.record({ loopVar: fc.constantFrom('item', 'x'), item: fc.jsonValue({ maxDepth: 3 }) }),
        { nil: undefined }
      ),
      task: fc.string({ maxLength: 12 }),
      dir: fc.constantFrom('/home/u/.ansible_async', '/tmp/a b/ü', '/var/x'),
      launchedAt: fc.integer({ min: 0, max: 4_000_000_000_000 }),
      asyncSeconds: fc.nat(86_400),
      become: fc.option(
        fc.record({
          user: fc.constantFrom('root', 'app'),
          method: fc.constantFrom('sudo' as const, 'su' as const)
        }),
        { nil: undefined }
      )
    }),
    { maxLength: 12 }
  )
  .map((jobs) =>
    jobs.map((j): KnownJob => ({
      ...j,
      launch: {
        ansible_job_id: j.jid,
        changed: true,
        failed: 0,
        finished: 0,
        results_file: `${j.dir}/${j.jid}`,
        started: 1
      },
      register: j.register ?? (j.loop ? 'bg' : undefined),
      location: { file: 'site.yml', line: 3 },
      gathered: false
    }))
  )

const stable = (registry: JobRegistry): unknown =>
  registry.allOutstanding().map((job) => ({ ...job, launch: { ...job.launch } }))

describe('the compact jobs form under fuzz', () => {
  const seeds = [0, 1, 2].map((seed) => encodeCompactJobs(parseAndWrite(JOBS_SEEDS[seed]!)))

  it('random job sets read back the same from the compact form as from JSON', () => {
    fc.assert(
      fc.property(knownJobs, (jobs) => {
        const doc = jobsDocument(jobs)
        const json = checkCall('jobs JSON', JSON.stringify(doc), (t) => parseJobsDocument(t, 'j'))
        const compact = checkCall('jobs compact', encodeCompactJobs(doc), (t) =>
          parseJobsDocument(t, 'j')
        )
        expect(compact.ok).toBe(json.ok)
        if (json.ok && compact.ok) {
          expect(stable(compact.value)).toEqual(stable(json.value))
          assertSaneRegistry(compact.value)
        } else if (!json.ok && !compact.ok) {
          expect(compact.error.message).toBe(json.error.message)
        }
      }),
      { numRuns: runs(800) }
    )
  })

  it('mutated compact text: a registry of valid jobs, or an OptionError naming the source', () => {
    fc.assert(
      fc.property(mutatedText(seeds), (text) => {
        const outcome = checkCall('compact(mutated)', text, (t) =>
          parseJobsDocument(t, 'jobs input')
        )
        if (outcome.ok) assertSaneRegistry(outcome.value)
        else {
          expect(outcome.error.name).toBe('OptionError')
          expect(outcome.error.message).toMatch(/^jobs input: /)
        }
      }),
      { numRuns: runs(2000) }
    )
  })

  it('mutated columns behind a valid compression: validated as strictly as JSON', () => {
    const columns = seeds.map((seed) =>
      brotliDecompressSync(Buffer.from(seed.slice('apb1:'.length), 'base64')).toString('utf8')
    )
    fc.assert(
      fc.property(mutatedText(columns), (json) => {
        const text = 'apb1:' + brotliCompressSync(Buffer.from(json)).toString('base64')
        const outcome = checkCall('compact(columns)', text, (t) => parseJobsDocument(t, 'c'))
        if (outcome.ok) assertSaneRegistry(outcome.value)
        else {
          expect(outcome.error.name).toBe('OptionError')
          expect(outcome.error.message).toMatch(/^c: /)
        }
      }),
      { numRuns: runs(3000) }
    )
  })
})

/** A seed read as JSON and written back as a run writes its jobs. */
function parseAndWrite(text: string): ReturnType<typeof jobsDocument> {
  return jobsDocument(parseJobsDocument(text, 'seed').allOutstanding())
}

const frame = (header: string, ...parts: string[]): Buffer =>
  Buffer.concat([Buffer.from(`${header}\n`), ...parts.map((p) => Buffer.from(p))])

const FINISHED =
  'state=finished\nrc=0\npid=5\npgid=5\nsupervisor=4\nboot_id=b1\nstart=1.5\nend=2.25\ntimeout=0\n'
const RUNNING = 'state=running\npid=7\npgid=7\nsupervisor=6\nboot_id=b1\nstart=1\ntimeout=30\n'
const STATUS_SEEDS = [
  Buffer.concat([
    Buffer.from('Welcome to the target\n'),
    frame(`APB-JOB j1.5 1 0 b1 ${FINISHED.length} 2 2 0 0 2`, FINISHED, 'hi', '{}'),
    frame(`APB-JOB j2.7 1 1 b1 ${RUNNING.length} 3 3 4 4 0`, RUNNING, 'out', 'err!'),
    frame('APB-JOB j3.1 0 0 - 0 0 0 0 0 0'),
    frame('APB-REFUSED 5', 'j;rm '),
    Buffer.from('APB-END 4\n')
  ]),
  Buffer.concat([
    frame(`APB-JOB j1.5 1 0 b2 ${RUNNING.length} 0 0 0 0 0`, RUNNING),
    Buffer.from('APB-END 1\n')
  ]),
  Buffer.from('APB-ERROR status: the async directory /x is not readable\n')
]

function assertSaneSnapshots(snapshots: JobSnapshot[]): void {
  for (const s of snapshots) {
    expect(['running', 'finished', 'timeout', 'died', 'rebooted', 'corrupt', 'missing']).toContain(
      s.state
    )
    if (s.state === 'finished' || s.state === 'timeout') expect(Number.isInteger(s.rc)).toBe(true)
    if (['died', 'rebooted', 'corrupt', 'missing'].includes(s.state)) expect(s.detail).toBeTruthy()
    expect(Buffer.isBuffer(s.stdout) && Buffer.isBuffer(s.stderr)).toBe(true)
  }
}

describe('job status answers under fuzz', () => {
  it('reads the seeds', () => {
    const [first, second] = STATUS_SEEDS.map((seed) => checkCall('status seed', seed, parseStatus))
    expect(first!.ok && first!.value.map((s) => s.state)).toEqual([
      'finished',
      'running',
      'missing',
      'missing'
    ])
    expect(second!.ok && second!.value[0]!.state).toBe('rebooted')
  })

  it('random bytes: a JobProtocolError', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 400 }), (bytes) => {
        const outcome = checkCall('parseStatus(random)', Buffer.from(bytes), parseStatus)
        if (!outcome.ok) expect(outcome.error.name).toBe('JobProtocolError')
        else assertSaneSnapshots(outcome.value)
      }),
      { numRuns: runs(3000) }
    )
  })

  it('mutated valid answers (bit flips, cut-offs, duplicated spans, rewritten lengths)', () => {
    fc.assert(
      fc.property(mutatedBytes(STATUS_SEEDS), (bytes) => {
        const outcome = checkCall('parseStatus(mutated)', bytes, parseStatus)
        if (!outcome.ok) expect(outcome.error.name).toBe('JobProtocolError')
        else assertSaneSnapshots(outcome.value)
      }),
      { numRuns: runs(5000) }
    )
  })

  it('a corrupted or truncated job record is reported as corrupt, never as running', () => {
    fc.assert(
      fc.property(mutatedText([FINISHED, RUNNING]), fc.boolean(), (record, alive) => {
        const bytes = Buffer.from(record)
        const answer = Buffer.concat([
          frame(`APB-JOB j1.5 1 ${alive ? 1 : 0} b1 ${bytes.length} 0 0 0 0 0`),
          bytes,
          Buffer.from('APB-END 1\n')
        ])
        const outcome = checkCall('parseStatus(record)', answer, parseStatus)
        expect(outcome.ok).toBe(true)
        if (!outcome.ok) return
        const [snapshot] = outcome.value
        assertSaneSnapshots(outcome.value)
        // A record that does not read cleanly must never pass for a job still running.
        if (snapshot!.state === 'running') {
          expect(alive).toBe(true)
          expect(record).toMatch(/^state=running$/m)
          expect(record.endsWith('\n')).toBe(true)
        }
      }),
      { numRuns: runs(3000) }
    )
  })

  it('a length field past the end of the answer is a cut-off, not a huge allocation', () => {
    for (const n of ['99999999999999999999', '9'.repeat(400), '4294967296']) {
      const outcome = checkCall(
        'huge length',
        frame(`APB-JOB j1.5 1 0 - ${n} 0 0 0 0 0`),
        parseStatus
      )
      expect(!outcome.ok && outcome.error.message).toMatch(/cut off/)
      const refused = checkCall('huge refused', frame(`APB-REFUSED ${n}`), parseStatus)
      expect(!refused.ok && refused.error.message).toMatch(/cut off/)
    }
  })
})
