// The linear strategy's partition of a play's hosts (src/executor/batches.ts) and the replay of jobs
// handed over from an earlier run (src/executor/job-replay.ts).
import { describe, expect, it } from 'vitest'
import { PlaybookError } from '../../src/errors.js'
import { JobRegistry, type KnownJob } from '../../src/async/job-registry.js'
import { batches, inShard } from '../../src/executor/batches.js'
import { replayHandedOverJobs } from '../../src/executor/job-replay.js'
import type { HostMemory } from '../../src/executor/variables.js'
import type { Play } from '../../src/playbook/types.js'

const play = { location: { file: 'site.yml', line: 1 } } as Play
const hosts = ['h1', 'h2', 'h3', 'h4', 'h5']

describe('batches (serial)', () => {
  it('is one batch without serial (or with 0)', () => {
    expect(batches(hosts, undefined, play)).toEqual([hosts])
    expect(batches(hosts, 0, play)).toEqual([hosts])
    expect(batches(hosts, '0', play)).toEqual([hosts])
  })

  it('cuts by a number, a percentage (at least one host) and a list whose last size repeats', () => {
    expect(batches(hosts, 2, play)).toEqual([['h1', 'h2'], ['h3', 'h4'], ['h5']])
    expect(batches(hosts, '40%', play)).toEqual([['h1', 'h2'], ['h3', 'h4'], ['h5']])
    expect(batches(hosts, '10%', play)).toEqual([['h1'], ['h2'], ['h3'], ['h4'], ['h5']])
    expect(batches(hosts, [1, '50%'], play)).toEqual([['h1'], ['h2', 'h3'], ['h4', 'h5']])
  })

  it('refuses what is not a number or a percentage, naming the play', () => {
    expect(() => batches(hosts, 'many', play)).toThrow(PlaybookError)
    expect(() => batches(hosts, 'many', play)).toThrow(/'serial' must be a number.*got 'many'/)
  })
})

describe('inShard', () => {
  it('puts each host in exactly one shard, by its place in the whole inventory', () => {
    const inventory = ['a', 'b', 'c', 'd', 'e']
    const shards = [1, 2].map((index) => inShard(['e', 'b', 'a'], inventory, { index, count: 2 }))
    expect(shards).toEqual([['e', 'a'], ['b']])
  })
})

describe('replayHandedOverJobs', () => {
  const job = (over: Partial<KnownJob>): KnownJob => ({
    jid: 'j1',
    host: 'web1',
    dir: '/tmp/.ansible_async',
    launch: { ansible_job_id: over.jid ?? 'j1', started: 1, finished: 0 },
    task: 'long',
    launchedAt: 0,
    asyncSeconds: 60,
    gathered: false,
    handedOver: true,
    ...over
  })

  it("puts registered launch records back on their hosts, a loop's as the items of one loop result", () => {
    const registry = new JobRegistry()
    registry.add(job({ jid: 'j1', register: 'single' }))
    registry.add(job({ jid: 'j2', register: 'looped', loop: { loopVar: 'item', item: 'a' } }))
    registry.add(job({ jid: 'j3', register: 'looped', loop: { loopVar: 'item', item: 'b' } }))
    registry.add(job({ jid: 'j4' }))
    registry.add(job({ jid: 'j5', register: 'gathered', gathered: true }))
    const memory: HostMemory = {
      facts: {},
      registered: {},
      cachedFacts: {},
      includedVars: {},
      safe: new Set()
    }
    replayHandedOverJobs(registry, { hostMemory: () => memory })
    expect(memory.registered['single']).toMatchObject({ ansible_job_id: 'j1' })
    expect(memory.registered['looped']).toEqual({
      changed: true,
      msg: 'All items completed',
      skipped: false,
      results: [
        expect.objectContaining({ ansible_job_id: 'j2', item: 'a', ansible_loop_var: 'item' }),
        expect.objectContaining({ ansible_job_id: 'j3', item: 'b', ansible_loop_var: 'item' })
      ]
    })
    expect(Object.keys(memory.registered).sort()).toEqual(['looped', 'single'])
  })
})
