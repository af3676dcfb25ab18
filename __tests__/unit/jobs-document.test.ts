// A jobs document is data, never code: what an earlier run (or anyone who can edit a workflow input or a
// file) hands over is validated field by field, never chooses what runs as another user, cannot pollute
// objects with a host named __proto__, and fits in one step input in its compact form.
import { randomBytes } from 'node:crypto'
import { brotliCompressSync } from 'node:zlib'
import { describe, expect, it } from 'vitest'
import type { KnownJob } from '../../src/async/job-registry.js'
import { jobsDocument, parseJobsDocument } from '../../src/async/jobs-document.js'
import {
  COMPACT_PREFIX,
  encodeCompactJobs,
  MAX_INFLATED_BYTES,
  MAX_JOBS_TEXT_BYTES
} from '../../src/async/jobs-encoding.js'
import { jobsOutput } from '../../src/action/outputs.js'
import { adoptHandedOverJob, adoptHandedOverJobs } from '../../src/executor/become.js'

const JID = 'j123456789012345678.4242'

const entry = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  ansible_job_id: JID,
  changed: true,
  failed: 0,
  finished: 0,
  results_file: `/home/u/.ansible_async/${JID}`,
  started: 1,
  task: 'migrate',
  file: 'site.yml',
  line: 7,
  launched_at: '2024-05-01T10:00:00.000Z',
  async: 600,
  dir: '/home/u/.ansible_async',
  ...extra
})

const parse = (doc: unknown, source = 'jobs.json'): ReturnType<typeof parseJobsDocument> =>
  parseJobsDocument(JSON.stringify(doc), source)

function known(overrides: Partial<KnownJob> & { host: string; jid: string }): KnownJob {
  return {
    dir: '/home/deploy/.ansible_async',
    launch: {
      ansible_job_id: overrides.jid,
      changed: true,
      failed: 0,
      finished: 0,
      results_file: `/home/deploy/.ansible_async/${overrides.jid}`,
      started: 1
    },
    task: 'run it',
    location: { file: 'site.yml', line: 3 },
    launchedAt: Date.parse('2024-05-01T10:00:00.000Z'),
    asyncSeconds: 600,
    gathered: false,
    ...overrides
  }
}

describe('become in a jobs document', () => {
  it('never takes the executable or flags from the document: the job reads as user and method only', () => {
    const registry = parse({
      web1: {
        mig: entry({ become: { user: 'root', method: 'sudo', exe: '/tmp/evil', flags: '-E' } })
      }
    })
    const [job] = registry.allOutstanding()
    expect(job!.become).toEqual({ user: 'root', method: 'sudo' })
  })

  it('refuses a recorded exe or flags that differ from this run own, naming the host, the job and the field', () => {
    const registry = parse({
      web1: {
        mig: entry({ become: { user: 'root', method: 'sudo', exe: 'sh -c "id > /tmp/x"; sudo' } })
      }
    })
    expect(() => adoptHandedOverJobs(registry, () => ({}), '--jobs run1.json')).toThrow(
      /--jobs run1\.json: job 'mig' \(j123456789012345678\.4242\) on host 'web1': 'become\.exe' is .*but this run uses "sudo"/
    )
    const flags = parse({
      web1: {
        mig: entry({ become: { user: 'root', method: 'sudo', flags: '-E -u root sh -c id' } })
      }
    })
    expect(() => adoptHandedOverJobs(flags, () => ({}), 'x')).toThrow(
      /job 'mig' .* on host 'web1': 'become\.flags'/
    )
  })

  it("uses this run's ansible_become_exe / ansible_become_flags when the document recorded the same", () => {
    const registry = parse({
      web1: {
        mig: entry({
          become: { user: 'app', method: 'sudo', exe: '/usr/local/bin/sudo', flags: '-H' }
        })
      }
    })
    adoptHandedOverJobs(
      registry,
      () => ({ ansible_become_exe: '/usr/local/bin/sudo', ansible_become_flags: '-H' }),
      'x'
    )
    expect(registry.allOutstanding()[0]!.become).toEqual({
      user: 'app',
      method: 'sudo',
      exe: '/usr/local/bin/sudo',
      flags: '-H'
    })
    // Recorded with the defaults, gathered where the inventory sets another exe: refused too.
    const plain = parse({ web1: { mig: entry({ become: { user: 'root', method: 'su' } }) } })
    expect(() =>
      adoptHandedOverJobs(plain, () => ({ ansible_become_exe: '/opt/su' }), 'x')
    ).toThrow(/'become\.exe' is "su", but this run uses "\/opt\/su"/)
  })

  it('refuses a job on a host this run does not know', () => {
    const registry = parse({ 'evil.example.com': { mig: entry() } })
    const [job] = registry.allOutstanding()
    expect(() =>
      adoptHandedOverJob(
        job!,
        () => {
          throw new Error("host 'evil.example.com' is not in the inventory")
        },
        'x'
      )
    ).toThrow(/x: job 'mig' .* on host 'evil\.example\.com': this run's inventory has no host/)
  })

  it('refuses a become with any other field, a password above all', () => {
    expect(() =>
      parse({ web1: { mig: entry({ become: { user: 'root', method: 'sudo', password: 'p' } }) } })
    ).toThrow(/job 'mig' on host 'web1': 'become' has a field 'password' that is not allowed/)
  })
})

describe('every field of a restored job is validated; one bad field refuses the whole document', () => {
  const cases: Array<[string, Record<string, unknown>, RegExp]> = [
    ['a job id with shell text', { ansible_job_id: 'j1.1;reboot' }, /'ansible_job_id'/],
    ['a relative dir', { dir: 'relative/dir' }, /'dir'/],
    ['a dir with ..', { dir: '/home/u/../../etc' }, /'dir'/],
    ['a dir with .', { dir: '/home/u/./x' }, /'dir'/],
    ['a dir with a newline', { dir: '/home/u\n/x' }, /'dir'/],
    ['a dir with a NUL', { dir: '/home/u\0' }, /'dir'/],
    ['a dir too long', { dir: '/' + 'a'.repeat(2000) }, /'dir'/],
    ['a results_file elsewhere', { results_file: '/etc/passwd' }, /'results_file'/],
    ['a become user that is an option', { become: { user: '--help', method: 'sudo' } }, /'user'/],
    ['a become user with a space', { become: { user: 'root x', method: 'sudo' } }, /'user'/],
    ['a become user with shell text', { become: { user: '$(id)', method: 'sudo' } }, /'user'/],
    ['an unknown become method', { become: { user: 'root', method: 'doas' } }, /'method'/],
    [
      'a become exe with a newline',
      { become: { user: 'root', method: 'sudo', exe: 'a\nb' } },
      /'exe'/
    ],
    ['a task name with a control character', { task: 'x\r::error::forged' }, /'task'/],
    ['a task name that is not text', { task: { x: 1 } }, /'task'/],
    ['a file with a newline', { file: 'a\nb.yml' }, /'file'/],
    ['a line that is not a line number', { line: -3 }, /'line'/],
    ['a fractional line', { line: 1.5 }, /'line'/],
    ['a launch time that is not a time', { launched_at: 'yesterday' }, /'launched_at'/],
    ['a launch time that is a number', { launched_at: 1714557600000 }, /'launched_at'/],
    ['a negative async', { async: -1 }, /'async'/],
    ['an async that is not a number', { async: '600' }, /'async'/],
    ['finished that is not 0 or 1', { finished: 'yes' }, /'finished'/],
    ['an item on a job that is not looped', { item: 'a', loop_var: 'item' }, /'item'/]
  ]
  for (const [what, change, field] of cases) {
    it(`refuses ${what}`, () => {
      const doc = {
        good: { ok: entry({ ansible_job_id: 'j1.1', results_file: undefined }) },
        web1: { mig: entry(change) }
      }
      let error: Error | undefined
      try {
        parse(doc, 'input jobs')
      } catch (e) {
        error = e as Error
      }
      expect(error?.name).toBe('OptionError')
      expect(error?.message).toMatch(/^input jobs: job 'mig' on host 'web1'/)
      expect(error?.message).toMatch(field)
    })
  }

  it('refuses a key that is neither a register name, name[index] nor the job id', () => {
    expect(() => parse({ web1: { 'x; rm -rf /': entry() } })).toThrow(
      /job 'x; rm -rf \/' on host 'web1': the key must be/
    )
    expect(() => parse({ web1: { 'bg[0]': entry({ loop_var: 'it em', item: 1 }) } })).toThrow(
      /'loop_var'/
    )
  })

  it('refuses a host name with control characters, and the same job listed twice on a host', () => {
    expect(() => parse({ 'web1\n::error::x': { mig: entry() } })).toThrow(/is not a host name/)
    expect(() => parse({ web1: { a: entry(), b: entry() } })).toThrow(/listed twice/)
  })

  it('still reads a hand-written document with only the job id and the directory', () => {
    const registry = parse({ web1: { ghost: { ansible_job_id: 'j111111111.222', dir: '/tmp/x' } } })
    expect(registry.get('web1', 'j111111111.222')).toMatchObject({
      register: 'ghost',
      dir: '/tmp/x'
    })
  })
})

describe('documents built to crash the reader', () => {
  it('refuses a document nested thousands of levels deep with a clear message', () => {
    const deep = (n: number): string => '['.repeat(n) + ']'.repeat(n)
    for (const text of [
      deep(100_000),
      JSON.stringify({ web1: { 'bg[0]': entry({ loop_var: 'item', item: 0 }) } }).replace(
        '"item":0',
        `"item":${deep(5000)}`
      ),
      `{"web1":${'{"a":'.repeat(50_000)}1${'}'.repeat(50_000)}}`
    ]) {
      expect(() => parseJobsDocument(text, 'deep.json')).toThrow(
        /^deep\.json: the jobs document nests arrays or objects more than 100 levels deep/
      )
    }
  })

  it('refuses a document larger than the size read', () => {
    expect(() => parseJobsDocument(' '.repeat(MAX_JOBS_TEXT_BYTES + 1), 'big.json')).toThrow(
      /^big\.json: the jobs document is 64\.0 MiB, more than the 64 MiB read/
    )
  })

  it('refuses a compact document that inflates past the cap (a decompression bomb)', () => {
    const bomb = brotliCompressSync(Buffer.alloc(MAX_INFLATED_BYTES + 1024, 0x20))
    expect(bomb.length).toBeLessThan(100_000)
    expect(() => parseJobsDocument(COMPACT_PREFIX + bomb.toString('base64'), 'jobs input')).toThrow(
      /^jobs input: the compact jobs document inflates to more than 16 MiB; refused/
    )
  })

  it('refuses a cut-off, edited or future compact document', () => {
    const compact = encodeCompactJobs(jobsDocument([known({ host: 'web1', jid: JID })]))
    expect(() => parseJobsDocument(compact.slice(0, -7), 's')).toThrow(
      /^s: the compact jobs document/
    )
    expect(() => parseJobsDocument(compact.replace('apb1:', 'apb2:'), 's')).toThrow(
      /format 2, which this version of async-playbook cannot read/
    )
    expect(() => parseJobsDocument('apb1:!!!!', 's')).toThrow(/not valid base64/)
  })
})

describe('the compact form', () => {
  const manyJobs = (hosts: number, perHost: number): KnownJob[] => {
    const jobs: KnownJob[] = []
    let t = Date.parse('2024-05-01T10:00:00.000Z')
    for (let h = 0; h < hosts; h++) {
      for (let i = 0; i < perHost; i++) {
        const jid = `j${String(100_000_000_000 + h * 1000 + i * 7919)}${String((h * 31 + i) % 997).padStart(6, '0')}.${20_000 + h * 40 + i}`
        jobs.push(
          known({
            host: `host${String(h).padStart(2, '0')}.example.internal`,
            jid,
            register: 'fan',
            loop: { loopVar: 'item', item: { n: i, name: `item ${i}` } },
            launchedAt: (t += 17),
            become: { user: 'root', method: 'sudo' }
          })
        )
      }
    }
    return jobs
  }

  it('reads back exactly what the JSON form reads', () => {
    const doc = jobsDocument(manyJobs(3, 4))
    const fromJson = parseJobsDocument(JSON.stringify(doc), 'a').allOutstanding()
    const fromCompact = parseJobsDocument(encodeCompactJobs(doc), 'a').allOutstanding()
    const stable = (jobs: KnownJob[]): unknown => jobs.map((j) => ({ ...j }))
    expect(stable(fromCompact)).toEqual(stable(fromJson))
    expect(fromCompact).toHaveLength(12)
    expect(fromCompact[5]).toMatchObject({
      host: 'host01.example.internal',
      register: 'fan',
      loop: { loopVar: 'item', item: { n: 1, name: 'item 1' } },
      task: 'run it',
      location: { file: 'site.yml', line: 3 },
      asyncSeconds: 600,
      become: { user: 'root', method: 'sudo' }
    })
  })

  it('is validated exactly as strictly as JSON', () => {
    const [job] = manyJobs(1, 1)
    const doc = jobsDocument([{ ...job!, dir: '/home/u/../../etc' }])
    expect(() => parseJobsDocument(encodeCompactJobs(doc), 'c')).toThrow(
      /^c: job 'fan\[0\]' on host 'host00\.example\.internal': 'dir'/
    )
    const evil = jobsDocument([
      { ...job!, become: { user: 'root', method: 'sudo', exe: '/tmp/x' } }
    ])
    const parsed = parseJobsDocument(encodeCompactJobs(evil), 'c')
    expect(parsed.allOutstanding()[0]!.become).toEqual({ user: 'root', method: 'sudo' })
    expect(() => adoptHandedOverJobs(parsed, () => ({}), 'c')).toThrow(/'become\.exe'/)
  })

  it('holds 2,000 jobs (50 hosts × 40 looped jobs) in one step input, as the jobs output', () => {
    const doc = jobsDocument(manyJobs(50, 40))
    expect(Buffer.byteLength(JSON.stringify(doc))).toBeGreaterThan(128 * 1024)
    const output = jobsOutput(doc, '/tmp/results.json')
    expect(output.problem).toBeUndefined()
    expect(Buffer.byteLength(output.value)).toBeLessThanOrEqual(
      128 * 1024 - 'INPUT_JOBS='.length - 1
    )
    expect(parseJobsDocument(output.value, 'input').allOutstanding()).toHaveLength(2000)
  })

  it('keeps a small jobs output plain JSON', () => {
    const doc = jobsDocument(manyJobs(1, 2))
    expect(JSON.parse(jobsOutput(doc, '/tmp/r.json').value)).toEqual(
      JSON.parse(JSON.stringify(doc))
    )
  })

  it('past what fits one input, empties the output and says to hand over the results file as an artifact', () => {
    // Items nobody can compress: random text.
    const jobs = manyJobs(1, 40).map((job) => ({
      ...job,
      loop: {
        loopVar: 'item',
        item: randomBytes(4096).toString('base64')
      }
    }))
    const output = jobsOutput(jobsDocument(jobs), '/runner/temp/results.json')
    expect(output.value === '').toBe(true)
    expect(output.problem).toMatch(
      /The 40 background jobs still running do not fit in the 'jobs' output/
    )
    expect(output.problem).toMatch(
      /results file .*\/runner\/temp\/results\.json.*actions\/upload-artifact/
    )
    expect(output.problem).toMatch(/path to the 'jobs' input/)
  })
})

describe('hosts and registers named __proto__ or constructor', () => {
  it('are keys like any other in the document, and pollute nothing', () => {
    const jobs = [
      known({ host: '__proto__', jid: 'j1.1', register: '__proto__' }),
      known({ host: 'constructor', jid: 'j2.2', register: 'constructor' }),
      known({ host: 'web1', jid: 'j3.3', register: 'toString' })
    ]
    const doc = jobsDocument(jobs)
    expect(Object.keys(doc)).toEqual(['__proto__', 'constructor', 'web1'])
    expect(({} as Record<string, unknown>)['__proto__']).toBe(Object.prototype)
    expect(Object.keys(Object.prototype)).toEqual([])
    for (const text of [JSON.stringify(doc), encodeCompactJobs(doc)]) {
      const back = parseJobsDocument(text, 'p').allOutstanding()
      expect(back.map((j) => [j.host, j.register, j.jid])).toEqual([
        ['__proto__', '__proto__', 'j1.1'],
        ['constructor', 'constructor', 'j2.2'],
        ['web1', 'toString', 'j3.3']
      ])
    }
    expect(Object.keys(Object.prototype)).toEqual([])
    expect(Object.keys(Object)).toEqual([])
  })
})
