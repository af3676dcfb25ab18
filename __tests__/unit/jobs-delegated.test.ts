// Jobs that delegated tasks launched, handed over to a later run: each stays on its delegate (where it
// lives and is gathered), keyed by its job id so that several hosts' jobs on one delegate never collide,
// and its registered launch record goes back to the host it ran for, in both the JSON and the compact form.
import { describe, expect, it } from 'vitest'
import type { KnownJob } from '../../src/async/job-registry.js'
import { jobsDocument, parseJobsDocument } from '../../src/async/jobs-document.js'
import { encodeCompactJobs } from '../../src/async/jobs-encoding.js'
import { replayHandedOverJobs } from '../../src/executor/job-replay.js'
import { VariableManager } from '../../src/executor/variables.js'
import { loadInventory } from '../../src/inventory/inventory.js'
import { Templar } from '../../src/template/index.js'

const DIR = '/home/deploy/.ansible_async'

function known(jid: string, overrides: Partial<KnownJob> = {}): KnownJob {
  return {
    jid,
    host: 'db1',
    dir: DIR,
    launch: {
      ansible_job_id: jid,
      changed: true,
      failed: 0,
      finished: 0,
      results_file: `${DIR}/${jid}`,
      started: 1
    },
    register: 'backup',
    task: 'back up',
    location: { file: 'site.yml', line: 3 },
    launchedAt: Date.parse('2024-05-01T10:00:00.000Z'),
    asyncSeconds: 600,
    gathered: false,
    ...overrides
  }
}

const JOBS = [
  known('j100000000001.1', { delegatedFor: 'web1' }),
  known('j100000000002.2', { delegatedFor: 'web2' }),
  known('j100000000003.3', {
    delegatedFor: 'web1',
    register: 'per_item',
    loop: { loopVar: 'item', item: 'a' }
  }),
  known('j100000000004.4', { host: 'web1', register: 'own' })
]

function registered(text: string): Record<string, Record<string, unknown>> {
  const registry = parseJobsDocument(text, 'jobs.json')
  const variables = new VariableManager(loadInventory(['web1\nweb2\ndb1\n']), new Templar(), {})
  replayHandedOverJobs(registry, variables)
  return Object.fromEntries(
    ['web1', 'web2', 'db1'].map((h) => [h, { ...variables.hostMemory(h).registered }])
  )
}

describe('a delegated job in the jobs document', () => {
  it('stays on its delegate, keyed by job id, and says whom it ran for', () => {
    const doc = jobsDocument(JOBS)
    expect(Object.keys(doc['db1']!).sort()).toEqual([
      'j100000000001.1',
      'j100000000002.2',
      'j100000000003.3'
    ])
    expect(doc['db1']!['j100000000002.2']).toMatchObject({
      delegated_for: 'web2',
      register: 'backup'
    })
    expect(doc['web1']!['own']).not.toHaveProperty('delegated_for')
  })

  it.each([
    ['JSON', (doc: unknown) => JSON.stringify(doc)],
    ['compact', (doc: unknown) => encodeCompactJobs(doc as ReturnType<typeof jobsDocument>)]
  ])('registers its launch on the host it ran for when read back (%s)', (_form, write) => {
    const memory = registered(write(jobsDocument(JOBS)))
    expect(memory['web1']!['backup']).toMatchObject({ ansible_job_id: 'j100000000001.1' })
    expect(memory['web2']!['backup']).toMatchObject({ ansible_job_id: 'j100000000002.2' })
    expect(memory['web1']!['per_item']).toMatchObject({
      results: [{ ansible_job_id: 'j100000000003.3', item: 'a', ansible_loop_var: 'item' }]
    })
    expect(memory['web1']!['own']).toMatchObject({ ansible_job_id: 'j100000000004.4' })
    expect(memory['db1']).toEqual({})
    // Each job is still found on the delegate, where it is gathered.
    const registry = parseJobsDocument(write(jobsDocument(JOBS)), 'jobs.json')
    expect(registry.get('db1', 'j100000000002.2')).toMatchObject({ delegatedFor: 'web2' })
  })

  it('refuses a delegated job keyed by anything but its id, and a register on a job that is not delegated', () => {
    const doc = JSON.parse(JSON.stringify(jobsDocument(JOBS))) as Record<
      string,
      Record<string, Record<string, unknown>>
    >
    const entry = doc['db1']!['j100000000001.1']!
    expect(() =>
      parseJobsDocument(JSON.stringify({ db1: { backup: entry } }), 'jobs.json')
    ).toThrow(/a delegated job is keyed by its ansible_job_id/)
    expect(() =>
      parseJobsDocument(
        JSON.stringify({ web1: { own: { ...doc['web1']!['own'], register: 'x' } } }),
        'jobs.json'
      )
    ).toThrow(/'register' belongs to a delegated job only/)
    expect(() =>
      parseJobsDocument(
        JSON.stringify({ db1: { 'j100000000001.1': { ...entry, delegated_for: '' } } }),
        'jobs.json'
      )
    ).toThrow(/'delegated_for' must be a host name/)
  })
})
