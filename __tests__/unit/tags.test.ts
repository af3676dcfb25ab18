import { describe, expect, it } from 'vitest'
import { readActionSettings } from '../../src/action/settings.js'
import { parseCli } from '../../src/cli-options.js'
import { MODULE_CATALOG } from '../../src/modules/registry.js'
import { parsePlaybookText } from '../../src/playbook/playbook-loader.js'
import { parseTagList, shouldRunTags } from '../../src/playbook/tags.js'

// Ansible's documented tag semantics (playbook_guide/playbooks_tags.rst) and Taggable.evaluate_tags.
// [task tags, --tags, --skip-tags, runs]
const CASES: Array<[string[], string[], string[], boolean]> = [
  [[], [], [], true],
  [['deploy'], [], [], true],
  [['never'], [], [], false],
  [['never', 'debug'], [], [], false],
  [['always'], [], [], true],
  [['always', 'never'], [], [], true],
  [[], ['all'], [], true],
  [['never'], ['all'], [], false],
  [['deploy'], ['deploy'], [], true],
  [['deploy', 'web'], ['web'], [], true],
  [['config'], ['deploy'], [], false],
  [[], ['deploy'], [], false],
  [['always'], ['deploy'], [], true],
  [['never', 'debug'], ['debug'], [], true],
  [['never'], ['never'], [], true],
  [['never', 'debug'], ['never'], [], true],
  [[], ['untagged'], [], true],
  [['deploy'], ['untagged'], [], false],
  [['deploy'], ['tagged'], [], true],
  [[], ['tagged'], [], false],
  [['never', 'debug'], ['tagged'], [], false],
  [['deploy'], [], ['deploy'], false],
  [['deploy', 'web'], [], ['web'], false],
  [['config'], [], ['deploy'], true],
  [[], [], ['deploy'], true],
  [['deploy'], ['deploy'], ['deploy'], false],
  [['always'], [], ['always'], false],
  [['always'], ['deploy'], ['always'], false],
  [['always'], [], ['all'], true],
  [['always'], [], ['all', 'always'], false],
  [['deploy'], [], ['all'], false],
  [[], [], ['all'], false],
  [['deploy'], [], ['tagged'], false],
  [[], [], ['tagged'], true],
  [['always'], [], ['tagged'], false],
  [[], [], ['untagged'], false],
  [['deploy'], [], ['untagged'], true],
  [['never', 'debug'], ['debug'], ['never'], false]
]

describe('shouldRunTags', () => {
  it.each(CASES)(
    'task tags %j with --tags %j --skip-tags %j runs: %s',
    (tags, only, skip, runs) => {
      expect(shouldRunTags(tags, { only, skip })).toBe(runs)
    }
  )
})

describe('parseTagList', () => {
  it('splits repeated comma lists, trims and drops blanks and duplicates', () => {
    expect(parseTagList(['a, b', 'c,,a', ' '])).toEqual(['a', 'b', 'c'])
    expect(parseTagList(['deploy\nconfig'])).toEqual(['deploy', 'config'])
  })
})

describe('tags on plays and the command line', () => {
  it('gives every task of a play the play tags on top of its own', () => {
    const playbook = parsePlaybookText(
      `- hosts: all\n  tags: [web]\n  tasks:\n    - shell: a\n      tags: deploy\n    - shell: b\n`,
      'p.yml',
      '/tmp',
      MODULE_CATALOG
    )
    const play = playbook.plays[0]!
    expect(play.tags).toEqual(['web'])
    expect(play.tasks.filter((t) => !t.implicit).map((t) => t.tags)).toEqual([
      ['web', 'deploy'],
      ['web']
    ])
  })

  it('reads -t/--tags and --skip-tags as repeatable comma lists', () => {
    const request = parseCli(
      ['site.yml', '-t', 'a,b', '--tags', 'c', '--skip-tags', 'd', '--skip-tags', 'e,f'],
      {},
      false
    )
    expect(request.settings?.tags).toEqual({ only: ['a', 'b', 'c'], skip: ['d', 'e', 'f'] })
    expect(parseCli(['site.yml'], {}, false).settings?.tags).toBeUndefined()
  })
})

describe('tags and skip-tags action inputs', () => {
  it('read comma- or newline-separated lists into the run settings', () => {
    const saved = { ...process.env }
    try {
      process.env['INPUT_PLAYBOOK'] = '- hosts: all\n  tasks: []\n'
      process.env['INPUT_TAGS'] = 'deploy, config\nweb'
      process.env['INPUT_SKIP-TAGS'] = 'slow'
      expect(readActionSettings(process.env).run.tags).toEqual({
        only: ['deploy', 'config', 'web'],
        skip: ['slow']
      })
      delete process.env['INPUT_TAGS']
      delete process.env['INPUT_SKIP-TAGS']
      expect(readActionSettings(process.env).run.tags).toBeUndefined()
    } finally {
      process.env = saved
    }
  })
})

describe('inputs that select hosts or tasks, in a step that only gathers jobs', () => {
  const jobs = JSON.stringify({ web1: { mig: { ansible_job_id: 'j123456789.42', dir: '/tmp/j' } } })
  it.each([
    ['INPUT_LIMIT', 'web1', 'limit'],
    ['INPUT_SHARD', '1/2', 'shard'],
    ['INPUT_TAGS', 'deploy', 'tags'],
    ['INPUT_SKIP-TAGS', 'slow', 'skip-tags']
  ])('refuses %s, naming the input, instead of ignoring it', (variable, value, input) => {
    const saved = { ...process.env }
    try {
      process.env['INPUT_JOBS'] = jobs
      process.env[variable] = value
      expect(() => readActionSettings(process.env)).toThrow(
        new RegExp(`^Input '${input}' does nothing when the step only gathers jobs`)
      )
      // With a playbook as well, the same input selects what runs.
      process.env['INPUT_PLAYBOOK'] = '- hosts: all\n  tasks: []\n'
      expect(() => readActionSettings(process.env)).not.toThrow()
    } finally {
      process.env = saved
    }
  })
})
