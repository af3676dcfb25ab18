// Fuzz: the playbook loader and extra-vars never throw anything but our typed errors, never hang and
// never pollute Object.prototype, whatever text they are given.
import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import fc from 'fast-check'
import { afterAll, describe, expect, it } from 'vitest'
import { MODULE_CATALOG } from '../../src/modules/registry.js'
import { PLAY_KEYWORDS, TASK_KEYWORDS } from '../../src/playbook/keywords.js'
import { parseExtraVars } from '../../src/playbook/extra-vars.js'
import { loadInclude, loadPlaybook, parsePlaybookText } from '../../src/playbook/playbook-loader.js'
import { dumpYaml } from '../../src/values/yaml.js'
import { TEMPLATED_ACTION, type Playbook } from '../../src/playbook/types.js'
import { setVaultKeyring, VaultKeyring } from '../../src/vault/index.js'
import { anyText, checkCall, mutatedText, runs, slowest } from './fuzz-helpers.js'

const ROOT = path.resolve(import.meta.dirname, '../..')
// The vault passwords the differential fixtures give both tools (vault.yml's `# apb-args:`), so that its
// encrypted vars files load as seeds.
setVaultKeyring(
  new VaultKeyring(
    [
      ['default', 'password.txt'],
      ['prod', 'prod-password.txt']
    ].map(([id, file]) => ({
      id: id!,
      password: Buffer.from(
        readFileSync(path.join(ROOT, '__fixtures__/differential/vault', file!), 'utf8').trim()
      ),
      source: file!
    }))
  )
)
const REFUSED_AT_LOAD = ['semantics-lookups-unknown.yml']
const SEEDS = [
  ...['__fixtures__/differential', 'examples'].flatMap((dir) =>
    readdirSync(path.join(ROOT, dir))
      // A differential fixture that both tools must refuse at load is no seed.
      .filter((f) => f.endsWith('.yml') && !REFUSED_AT_LOAD.includes(f))
      .map((f) => readFileSync(path.join(ROOT, dir, f), 'utf8'))
  ),
  `- hosts: all
  gather_facts: no
  vars:
    __proto__: {polluted: 1}
    constructor: {prototype: {polluted: 2}}
    base: &base {a: 1, b: [1, 2]}
    merged: {<<: *base, c: 0644}
  tasks:
    - name: kv
      shell: chdir=/tmp creates=/x echo "{{ a }}" 'b c' && ls
      args: {__proto__: {polluted: 3}}
      register: r
      loop: "{{ [1, 2] }}"
      loop_control: {loop_var: it, label: "{{ it }}"}
      when: [r is defined, true]
    - action: command echo hi
      async: 10
      poll: 0
    - ansible.builtin.debug: msg=done
      tags: a, b
`
]

/** Checks a loaded playbook is what the executor expects: plays with hosts, tasks naming known modules. */
function assertSanePlaybook(playbook: Playbook): void {
  for (const play of playbook.plays) {
    expect(typeof play.hosts === 'string' || Array.isArray(play.hosts)).toBe(true)
    expect(play.location.line).toBeGreaterThanOrEqual(1)
    for (const task of play.tasks) {
      // `meta` is an action of the executor (flush_handlers, end_play…), not a module; a templated
      // action (`action: "{{ m }}"`) names its module when it runs, and carries its template.
      expect(
        task.module === 'meta' ||
          MODULE_CATALOG.names.has(task.module) ||
          (task.module === TEMPLATED_ACTION && typeof task.moduleTemplate?.template === 'string')
      ).toBe(true)
      expect(typeof task.name).toBe('string')
      expect(task.args !== null && typeof task.args === 'object').toBe(true)
    }
  }
}

/**
 * Keys named like Object.prototype members (`__proto__`, `constructor`, `toString`…) are left out of the
 * random structures below; a dedicated test checks their messages.
 */
const PROTOTYPE_NAMES = Object.getOwnPropertyNames(Object.prototype)

/** Seeds come from __fixtures__/differential and examples; their imports resolve from the former. */
const parse = (text: string): Playbook =>
  parsePlaybookText(
    text,
    'fuzz.yml',
    path.join(ROOT, '__fixtures__', 'differential'),
    MODULE_CATALOG
  )

/** Mutations may move a `__proto__:` line to play or task level; that is the known bug, not news. */
function isKnownPrototypeKeyBug(text: string, message: string): boolean {
  return PROTOTYPE_NAMES.some(
    (name) => message.includes(`'${name}' is not supported: `) && text.includes(name)
  )
}

function parseMutated(text: string): Playbook | undefined {
  try {
    return parse(text)
  } catch (error) {
    if (error instanceof Error && isKnownPrototypeKeyBug(text, error.message)) return undefined
    throw error
  }
}

/** Random keys, favouring real play and task keywords, and random JSON values: reaches the loader's checks. */
const keyArb = fc.oneof(
  fc.constantFrom(...PLAY_KEYWORDS, ...TASK_KEYWORDS, ...MODULE_CATALOG.names, 'block', 'notify'),
  fc.string({ maxLength: 12 }).filter((k) => !PROTOTYPE_NAMES.includes(k))
)
const valueArb = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.constantFrom('echo hi', 'msg=hi', 'all', '{{ x }}', 'a=1 b="2 3"', 'chdir=/tmp ls')
)
const taskArb = fc.dictionary(keyArb, valueArb, { maxKeys: 6 })
const playArb = fc.record(
  {
    hosts: fc.oneof(fc.constant('all'), valueArb),
    tasks: fc.oneof(fc.array(taskArb, { maxLength: 4 }), valueArb),
    extra: fc.dictionary(keyArb, valueArb, { maxKeys: 4 })
  },
  { requiredKeys: [] }
)

describe('playbook loader under fuzz', () => {
  afterAll(() => {
    for (const [label, { ms }] of slowest) console.log(`slowest ${label}: ${ms.toFixed(1)} ms`)
  })

  it('accepts every seed as it is', () => {
    for (const seed of SEEDS) {
      const outcome = checkCall('seed', seed, parse)
      expect(outcome.ok, outcome.ok ? '' : outcome.error.message).toBe(true)
    }
  })

  it('random text: a playbook or a PlaybookError', () => {
    fc.assert(
      fc.property(anyText, (text) => {
        const outcome = checkCall('parsePlaybookText(random)', text, parseMutated)
        if (outcome.ok) {
          if (outcome.value) assertSanePlaybook(outcome.value)
        } else expect(outcome.error.name).toBe('PlaybookError')
      }),
      { numRuns: runs(3000) }
    )
  })

  it('mutated valid playbooks: a playbook or a PlaybookError with file and line', () => {
    fc.assert(
      fc.property(mutatedText(SEEDS), (text) => {
        const outcome = checkCall('parsePlaybookText(mutated)', text, parseMutated)
        if (outcome.ok) {
          if (outcome.value) assertSanePlaybook(outcome.value)
        } else {
          expect(outcome.error.name).toBe('PlaybookError')
          expect(outcome.error.location?.file).toBe('fuzz.yml')
        }
      }),
      { numRuns: runs(4000) }
    )
  })

  it('random structures of plays and tasks (valid YAML, wrong shapes)', () => {
    fc.assert(
      fc.property(fc.array(playArb, { maxLength: 3 }), (plays) => {
        const text = dumpYaml(
          plays.map(({ extra = {}, ...play }) => ({
            ...extra,
            // KNOWN BUG (pinned below): a non-string strategy is shown as [object Object].
            ...(typeof extra['strategy'] === 'object' ? { strategy: 'free' } : {}),
            ...play
          }))
        )
        const outcome = checkCall('parsePlaybookText(structured)', text, parse)
        if (outcome.ok) assertSanePlaybook(outcome.value)
        else expect(outcome.error.location?.line).toBeGreaterThanOrEqual(1)
      }),
      { numRuns: runs(3000) }
    )
  })

  it('roles, import_role and dynamic includes with random entries and arguments: a playbook or a PlaybookError', () => {
    // Real roles (under __fixtures__/differential/roles) and files, so loading gets past the lookup.
    const roleName = fc.constantFrom(
      'app',
      'common',
      'svc',
      'shared',
      'notifier',
      'missing',
      '../roles/app'
    )
    const roleEntry = fc.oneof(
      roleName,
      fc
        .record(
          { role: roleName, extra: fc.dictionary(keyArb, valueArb, { maxKeys: 3 }) },
          { requiredKeys: ['role'] }
        )
        .map(({ role, extra = {} }) => ({ ...extra, role })),
      valueArb
    )
    const includeArgs = fc.oneof(
      fc.constantFrom('includes/item.yml', 'includes/empty.yml', 'includes', 'nope.yml', ''),
      fc.record(
        {
          name: fc.oneof(roleName, valueArb),
          file: fc.oneof(fc.constantFrom('includes/outer.yml'), valueArb),
          tasks_from: fc.oneof(fc.constantFrom('extra', 'main', 'nope'), valueArb),
          apply: fc.oneof(fc.dictionary(keyArb, valueArb, { maxKeys: 2 }), valueArb)
        },
        { requiredKeys: [] }
      ),
      valueArb
    )
    const taskWith = fc
      .oneof(
        fc.record({
          import_role: includeArgs,
          extra: fc.dictionary(keyArb, valueArb, { maxKeys: 2 })
        }),
        fc.record({
          include_role: includeArgs,
          extra: fc.dictionary(keyArb, valueArb, { maxKeys: 2 })
        }),
        fc.record({
          include_tasks: includeArgs,
          extra: fc.dictionary(keyArb, valueArb, { maxKeys: 2 })
        })
      )
      .map(({ extra, ...task }) => ({ ...extra, ...task }))
    // The property must reach the role and include loaders, not only their first checks.
    let rolesLoaded = 0
    let includesLoaded = 0
    fc.assert(
      fc.property(
        fc.array(roleEntry, { maxLength: 3 }),
        fc.array(taskWith, { maxLength: 3 }),
        includeArgs,
        (roles, tasks, runtimeArgs) => {
          const text = dumpYaml([{ hosts: 'all', roles, tasks }])
          const outcome = checkCall('parsePlaybookText(roles)', text, parse)
          if (!outcome.ok) {
            expect(outcome.error.name).toBe('PlaybookError')
            return
          }
          assertSanePlaybook(outcome.value)
          if (outcome.value.plays.some((p) => p.tasks.some((t) => t.role))) rolesLoaded++
          // What a dynamic include loads when it runs, with random (rendered) arguments.
          for (const task of outcome.value.plays.flatMap((p) => p.tasks)) {
            if (!task.include) continue
            const args =
              runtimeArgs !== null && typeof runtimeArgs === 'object' && !Array.isArray(runtimeArgs)
                ? (runtimeArgs as Record<string, unknown>)
                : { _raw_params: runtimeArgs }
            const loaded = checkCall('loadInclude(random)', args, (a) =>
              loadInclude(task.include!, a, task.location)
            )
            if (loaded.ok) {
              expect(Array.isArray(loaded.value.tasks)).toBe(true)
              includesLoaded++
            } else expect(loaded.error.name).toBe('PlaybookError')
          }
        }
      ),
      {
        numRuns: runs(1500),
        // One case known to load a role and an included file, so the counts below never depend on luck;
        // the random cases then probe the loaders' edges.
        examples: [
          [['app'], [{ include_tasks: 'includes/outer.yml' }], { file: 'includes/outer.yml' }]
        ]
      }
    )
    expect(rolesLoaded).toBeGreaterThan(0)
    expect(includesLoaded).toBeGreaterThan(0)
  })

  it('loadPlaybook on inline text behaves as parsePlaybookText does', () => {
    fc.assert(
      fc.property(mutatedText(SEEDS), (text) => {
        const inline = text.includes('\n') ? text : `-${text}`
        checkCall('loadPlaybook(inline)', inline, (t) => {
          try {
            return loadPlaybook(t, MODULE_CATALOG, '/')
          } catch (error) {
            if (error instanceof Error && isKnownPrototypeKeyBug(t, error.message)) return undefined
            throw error
          }
        })
      }),
      { numRuns: runs(1000) }
    )
  })

  it('names a play or task key such as __proto__ or constructor without internal values', () => {
    for (const key of ['__proto__', 'constructor', 'toString']) {
      for (const text of [
        `- hosts: all\n  ${key}: 1\n  tasks: []\n`,
        `- hosts: all\n  tasks:\n    - debug: msg=hi\n      ${key}: 1\n`
      ]) {
        const outcome = checkCall('prototype-named key', text, parse)
        expect(outcome.ok).toBe(false)
        if (!outcome.ok)
          expect(outcome.error.message).toMatch(/not a valid (play|task) keyword|couldn't resolve/)
      }
    }
  })

  it('names a strategy given as a list or mapping without [object Object]', () => {
    const outcome = checkCall('strategy', '- hosts: all\n  strategy: [{}]\n', parse)
    expect(outcome.ok).toBe(false)
    if (!outcome.ok)
      expect(outcome.error.message).toContain('Invalid play strategy specified: [{}]')
  })

  it('a playbook path naming a directory: a PlaybookError, not a raw fs error', () => {
    const outcome = (() => {
      try {
        return checkCall('loadPlaybook(dir)', 'examples', (p) =>
          loadPlaybook(p, MODULE_CATALOG, ROOT)
        )
      } catch (error) {
        return error as Error
      }
    })()
    expect(outcome instanceof Error ? outcome.message : 'typed').toBe('typed')
  })
})

describe('extra vars under fuzz', () => {
  const EXTRA_SEEDS = [
    '{"a": 1, "b": [1, 2], "c": {"d": null}}',
    'a: 1\nb: [x, y]\n',
    'x=1 y="two words" z=\'q\'',
    '---\nlist: [1]\n',
    '{"__proto__": {"polluted": 1}, "constructor": {"prototype": {"polluted": 1}}}',
    '__proto__=x constructor=y'
  ]

  it('random and mutated values: a mapping or an OptionError/PlaybookError', () => {
    fc.assert(
      fc.property(fc.oneof(anyText, mutatedText(EXTRA_SEEDS)), (text) => {
        // '@…' reads a file: keep random text off the file system except through the fixtures below.
        const value = text.trimStart().startsWith('@') ? text.replace('@', '') : text
        const outcome = checkCall('parseExtraVars', value, (v) => parseExtraVars(v, '/nonexistent'))
        if (outcome.ok) {
          const vars = outcome.value
          expect(vars !== null && typeof vars === 'object' && !Array.isArray(vars)).toBe(true)
        } else {
          expect(['OptionError', 'PlaybookError']).toContain(outcome.error.name)
        }
      }),
      { numRuns: runs(3000) }
    )
  })

  it('keeps __proto__ keys as plain data', () => {
    const vars = parseExtraVars('{"__proto__": {"polluted": 1}}')
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined()
    expect(Object.getPrototypeOf(vars)).toBe(Object.prototype)
    expect(Object.getOwnPropertyDescriptor(vars, '__proto__')?.value).toEqual({ polluted: 1 })
  })

  it('@file that is a directory or unreadable: an OptionError, not a raw fs error', () => {
    checkCall('parseExtraVars(@dir)', '@.', (v) => parseExtraVars(v, ROOT))
    expect(() => parseExtraVars('@.', ROOT)).toThrow(/extra vars file '\.'/)
  })
})
