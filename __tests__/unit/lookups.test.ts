// The lookup plugins' parsing (sequence's two syntaxes, ini's and csvfile's options, password terms) and
// lookup()/query()'s calling conventions, checked here without a playbook run; the differential fixtures
// semantics-lookups.yml and semantics-loops.yml compare the same against ansible-playbook.
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { PlaybookError, TemplateError } from '../../src/errors.js'
import { MODULE_CATALOG } from '../../src/modules/registry.js'
import { WITH_LOOKUPS } from '../../src/playbook/keywords.js'
import { parsePlaybookText } from '../../src/playbook/playbook-loader.js'
import { Templar } from '../../src/template/index.js'
import {
  parseCsv,
  parseIniTerm,
  parsePasswordTerm,
  randomPassword
} from '../../src/template/lookups/files.js'
import { interpolate, parseIni, sectionItems } from '../../src/template/lookups/ini-file.js'
import {
  callLookup,
  lookupNames,
  runLoopLookup,
  setLookupWarningSink
} from '../../src/template/lookups/index.js'
import { parseSequence, sequenceItems } from '../../src/template/lookups/lists.js'

const sequence = (term: string): string[] => sequenceItems(parseSequence(term))

describe('the sequence lookup', () => {
  it('reads the shortcut [start-]end[/stride][:format]', () => {
    expect(sequence('5')).toEqual(['1', '2', '3', '4', '5'])
    expect(sequence('5-8')).toEqual(['5', '6', '7', '8'])
    expect(sequence('2-10/2')).toEqual(['2', '4', '6', '8', '10'])
    expect(sequence('4:host%02d')).toEqual(['host01', 'host02', 'host03', 'host04'])
    expect(sequence('0x0e-0x10:%x')).toEqual(['e', 'f', '10'])
    // As Ansible: the shortcut has no negative numbers, so this is read as key=value words, and refused.
    expect(() => sequence('3-1/-1')).toThrow(
      "unrecognized arguments to with_sequence: ['_raw_params']"
    )
  })

  it('reads key=value arguments, with count', () => {
    expect(sequence('start=5 end=11 stride=2 format=0x%02x')).toEqual([
      '0x05',
      '0x07',
      '0x09',
      '0x0b'
    ])
    expect(sequence('count=5')).toEqual(['1', '2', '3', '4', '5'])
    expect(sequence('start=0x0f00 count=4 format=%04x')).toEqual(['0f00', '0f01', '0f02', '0f03'])
    expect(sequence('start=1 count=5 stride=2')).toEqual(['1', '3', '5', '7', '9'])
    expect(sequence('start=0o10 end=0o12 format=%o')).toEqual(['10', '11', '12'])
    expect(sequence('count=0')).toEqual([])
  })

  it("refuses what Ansible refuses, in Ansible's words", () => {
    expect(() => sequence('start=1')).toThrow('must specify count or end in with_sequence')
    expect(() => sequence('end=3 count=2')).toThrow("can't specify both count and end")
    expect(() => sequence('start=5 end=1')).toThrow('to count backwards make stride negative')
    expect(() => sequence('start=1 end=5 stride=-1')).toThrow(
      "to count forward don't make stride negative"
    )
    expect(() => sequence('end=3 format=%d-%d')).toThrow('bad formatting string: %d-%d')
    expect(() => sequence('start=abc end=3')).toThrow("can't parse start=abc as integer")
    // Python's int(x, 0) refuses leading zeros.
    expect(() => sequence('start=010 end=12')).toThrow("can't parse start=010 as integer")
    expect(() => sequence('end=3 bogus=1')).toThrow(
      "unrecognized arguments to with_sequence: ['bogus']"
    )
  })
})

describe('the ini lookup', () => {
  const text = [
    '# comment',
    '[DEFAULT]',
    'shared = d',
    '',
    '[app]',
    'Name = web',
    'port: 8080',
    'path = %(name)s/root',
    'multi = first',
    '  second',
    'pct = 100%%',
    '; another comment',
    '[db]',
    'user=admin'
  ].join('\n')

  it('reads sections, DEFAULT, continuations and interpolation as configparser', () => {
    const data = parseIni(text, { caseSensitive: false, allowNoValue: false })
    const app = sectionItems(data, 'app')
    const get = (key: string): string | null => interpolate(app, key, app.get(key)!, false)
    expect(get('name')).toBe('web')
    expect(get('port')).toBe('8080')
    expect(get('path')).toBe('web/root')
    expect(get('multi')).toBe('first\nsecond')
    expect(get('pct')).toBe('100%')
    expect(get('shared')).toBe('d')
    const sensitive = parseIni(text, { caseSensitive: true, allowNoValue: false })
    expect([...sectionItems(sensitive, 'app').keys()]).toContain('Name')
  })

  it('fails on what configparser refuses', () => {
    const opts = { caseSensitive: false, allowNoValue: false }
    expect(() => parseIni('x=1\n[s]\n', opts)).toThrow('File contains no section headers.')
    expect(() => parseIni('[s]\na=1\nA=2\n', opts)).toThrow(
      "While reading from '<???>' [line  3]: option 'a' in section 's' already exists"
    )
    expect(parseIni('[s]\nflag\n', { ...opts, allowNoValue: true }).sections.get('s')).toEqual(
      new Map([['flag', null]])
    )
    const bad = sectionItems(parseIni('[s]\na = 5%\n', opts), 's')
    expect(() => interpolate(bad, 'a', bad.get('a')!, false)).toThrow(
      "'%' must be followed by '%' or '('"
    )
  })

  it('reads the inline form: the key, then options that may hold spaces', () => {
    expect(parseIniTerm('user section=db file=x.ini')).toEqual({
      key: 'user',
      params: { section: 'db', file: 'x.ini' }
    })
    expect(parseIniTerm('user section=my db')).toEqual({
      key: 'user',
      params: { section: 'my db' }
    })
    expect(() => parseIniTerm('user bogus=1')).toThrow('bogus is not a valid option.')
  })
})

describe('the csvfile lookup', () => {
  it("reads CSV as Python's csv module (excel dialect)", () => {
    expect(parseCsv('a,b\n"c, d","e ""q"""\r\nf,\n', ',')).toEqual([
      ['a', 'b'],
      ['c, d', 'e "q"'],
      ['f', '']
    ])
    expect(parseCsv('alice\t30\n', '\t')).toEqual([['alice', '30']])
  })

  it('takes options inline and keeps them for the following terms, as Ansible', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'apb-csv-'))
    writeFileSync(path.join(dir, 'p.csv'), 'bob,40,user\n')
    writeFileSync(path.join(dir, 'p.tsv'), 'alice\t30\tadmin\n')
    const vars = { playbook_dir: dir }
    expect(callLookup('query', 'csvfile', ['bob file=p.csv delimiter=, col=2'], {}, vars)).toEqual([
      'user'
    ])
    expect(
      callLookup('query', 'csvfile', ['bob file=p.csv delimiter=,', 'alice file=p.tsv'], {}, vars)
    ).toEqual(['40'])
    expect(callLookup('lookup', 'csvfile', ['alice'], { file: 'p.tsv', col: 2 }, vars)).toBe(
      'admin'
    )
    expect(() =>
      callLookup('lookup', 'csvfile', ['bob'], { file: 'p.csv', encoding: 'latin-1' }, vars)
    ).toThrow("the csvfile lookup's encoding 'latin-1' is not supported")
    expect(() => callLookup('lookup', 'csvfile', ['bob nope=1'], { file: 'p.csv' }, vars)).toThrow(
      'nope is not a valid option'
    )
  })
})

describe('the password lookup', () => {
  it('reads the path and its parameters', () => {
    expect(parsePasswordTerm('creds/pw length=8 chars=digits,,', {})).toEqual({
      relpath: 'creds/pw',
      length: 8,
      chars: ',0123456789'
    })
    expect(parsePasswordTerm('a b/pw', {}).relpath).toBe('a b/pw')
    expect(parsePasswordTerm('pw', { length: 4, seed: 'x' })).toMatchObject({
      length: 4,
      seed: 'x'
    })
    expect(() => parsePasswordTerm('pw lenght=3', {})).toThrow(
      'Unrecognized parameter(s) given to password lookup: lenght'
    )
  })

  it('creates the file 0600 in a 0700 directory, then reads it back; a seed repeats itself', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'apb-pw-'))
    const vars = { playbook_dir: dir }
    const first = callLookup('lookup', 'password', ['made/pw length=16'], {}, vars)
    expect(first).toMatch(/^[A-Za-z0-9.,:_-]{16}$/)
    expect(readFileSync(path.join(dir, 'made/pw'), 'utf8')).toBe(`${String(first)}\n`)
    expect(statSync(path.join(dir, 'made/pw')).mode & 0o777).toBe(0o600)
    expect(statSync(path.join(dir, 'made')).mode & 0o777).toBe(0o700)
    expect(callLookup('lookup', 'password', ['made/pw length=4'], {}, vars)).toBe(first)
    writeFileSync(path.join(dir, 'salted'), 'secret salt=abcd\n')
    expect(callLookup('lookup', 'password', ['salted'], {}, vars)).toBe('secret')
    expect(randomPassword(12, 'ab', 'seed')).toBe(randomPassword(12, 'ab', 'seed'))
    expect(randomPassword(12, 'ab', 'seed')).toMatch(/^[ab]{12}$/)
    expect(() =>
      callLookup('lookup', 'password', ['/dev/null'], { encrypt: 'sha512_crypt' }, vars)
    ).toThrow("option 'encrypt' is not supported")
  })
})

describe('lookup() and query()', () => {
  const vars = { playbook_dir: process.cwd() }

  it('join strings with commas unless wantlist; give one other value as it is; [] when empty', () => {
    expect(callLookup('lookup', 'items', [['a', 'b']], {}, vars)).toBe('a,b')
    expect(callLookup('lookup', 'items', [['a', 'b']], { wantlist: true }, vars)).toEqual([
      'a',
      'b'
    ])
    expect(callLookup('query', 'items', ['a'], {}, vars)).toEqual(['a'])
    expect(callLookup('lookup', 'items', [[5]], {}, vars)).toBe(5)
    expect(callLookup('lookup', 'items', [[1, 2]], {}, vars)).toEqual([1, 2])
    expect(callLookup('lookup', 'fileglob', ['*.nothing-here'], {}, vars)).toEqual([])
  })

  it("print a pipe command's stderr inert: it can issue no workflow command", () => {
    const written: string[] = []
    const write = process.stderr.write.bind(process.stderr)
    process.stderr.write = ((chunk: string | Uint8Array): boolean => {
      written.push(String(chunk))
      return true
    }) as typeof process.stderr.write
    try {
      expect(callLookup('lookup', 'pipe', ['echo out; echo "::add-mask::x" >&2'], {}, vars)).toBe(
        'out'
      )
    } finally {
      process.stderr.write = write
    }
    expect(written.join('')).toContain(':\\:add-mask::x')
    expect(written.join('')).not.toMatch(/^::add-mask::/m)
  })

  it('honour errors=ignore and errors=warn, and always refuse an unknown plugin', () => {
    const warnings: string[] = []
    const previous = setLookupWarningSink((m) => warnings.push(m))
    try {
      expect(callLookup('lookup', 'pipe', ['exit 3'], { errors: 'ignore' }, vars)).toBeNull()
      expect(callLookup('query', 'pipe', ['exit 3'], { errors: 'warn' }, vars)).toEqual([])
      expect(warnings).toEqual([
        "An unhandled exception occurred while running the lookup plugin 'pipe'. Error was a <class 'ansible.errors.AnsibleError'>, original message: lookup_plugin.pipe(exit 3) returned 3"
      ])
      expect(() => callLookup('lookup', 'pipe', ['exit 3'], {}, vars)).toThrow(
        'lookup_plugin.pipe(exit 3) returned 3. lookup_plugin.pipe(exit 3) returned 3'
      )
      expect(() => callLookup('lookup', 'nosuch', [], { errors: 'ignore' }, vars)).toThrow(
        'lookup plugin (nosuch) not found'
      )
      expect(() => callLookup('lookup', 'config', ['DEFAULT_FORKS'], {}, vars)).toThrow(
        'lookup plugin (config) is not supported'
      )
      expect(() => callLookup('lookup', 'url', ['http://x'], { unix_socket: '/s' }, vars)).toThrow(
        "the url lookup's option 'unix_socket' is not supported"
      )
    } finally {
      setLookupWarningSink(previous)
    }
  })

  it('run from templates with the variables they render with', () => {
    const t = new Templar()
    const scope = { ...vars, who: 'world', names: ['a', 'b'] }
    expect(t.render("{{ lookup('vars', 'who') }}", scope)).toBe('world')
    expect(t.render("{{ lookup('env', 'APB_NEVER_SET', default=who) }}", scope)).toBe('world')
    expect(t.render("{{ query('together', names, [1]) }}", scope)).toEqual([
      ['a', 1],
      ['b', null]
    ])
    expect(() => t.render("{{ lookup('file', nope) }}", scope)).toThrow(TemplateError)
  })

  it("keep the action's inputs, saved state and tokens from env and pipe", () => {
    const saved = { ...process.env }
    process.env['INPUT_PRIVATE-KEY'] = 'secret-key'
    process.env['GITHUB_TOKEN'] = 'secret-token'
    process.env['APB_LOOKUP_VISIBLE'] = 'seen'
    try {
      expect(callLookup('lookup', 'env', ['INPUT_PRIVATE-KEY'], { default: 'no' }, vars)).toBe('no')
      expect(callLookup('lookup', 'env', ['GITHUB_TOKEN'], {}, vars)).toBe('')
      expect(callLookup('lookup', 'env', ['APB_LOOKUP_VISIBLE'], {}, vars)).toBe('seen')
      expect(callLookup('lookup', 'pipe', ['env'], {}, vars)).not.toMatch(/secret-(key|token)/)
      expect(callLookup('lookup', 'pipe', ['echo "$APB_LOOKUP_VISIBLE"'], {}, vars)).toBe('seen')
    } finally {
      process.env = saved
    }
  })

  it('give with_<lookup> loops their items: a mapping whole to dict, its keys to the others', () => {
    expect(runLoopLookup('dict', { a: 1 }, vars, 'files')).toEqual([{ key: 'a', value: 1 }])
    expect(runLoopLookup('items', { a: 1, b: 2 }, vars, 'files')).toEqual(['a', 'b'])
    expect(runLoopLookup('sequence', 'count=2', vars, 'files')).toEqual(['1', '2'])
  })
})

describe('with_<lookup> at load', () => {
  const load = (text: string) => parsePlaybookText(text, 'site.yml', '/base', MODULE_CATALOG)

  it('knows every lookup the engine runs, and nothing else', () => {
    expect([...WITH_LOOKUPS].sort()).toEqual(lookupNames())
  })

  it('refuses an unknown with_<name> with the file, the line and the name', () => {
    const text = '- hosts: all\n  tasks:\n    - debug: msg=x\n      with_bogus: [1]\n'
    expect(() => load(text)).toThrow(PlaybookError)
    expect(() => load(text)).toThrow(
      /site\.yml:3.*'with_bogus' is not a valid attribute for a Task: lookup plugin \(bogus\) not found/
    )
  })

  it('takes every with_<lookup> form, one loop per task', () => {
    for (const name of WITH_LOOKUPS) {
      const task = load(`- hosts: all
  tasks:
    - debug: msg=x
      with_${name}: [1]
`).plays[0]!.tasks.find((t) => t.module === 'debug')!
      // with_items and with_list need no lookup: the items, flattened one level by with_items only.
      if (name === 'items' || name === 'list')
        expect(task.loop).toEqual({ value: [1], flatten: name === 'items', viaLookup: true })
      else expect(task.loop).toEqual({ value: [1], flatten: false, lookup: name })
    }
    expect(() =>
      load('- hosts: all\n  tasks:\n    - debug: msg=x\n      with_dict: {}\n      loop: []\n')
    ).toThrow('use only one of')
  })
})
