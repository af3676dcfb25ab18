import { describe, expect, it } from 'vitest'
import { TemplateError } from '../../src/errors.js'
import { Templar } from '../../src/template/index.js'
import { PyFloat } from '../../src/values/py-float.js'

// Expected values below come from Ansible 2.14's Templar (with passlib, netaddr and jmespath installed).
const t = new Templar()
const ev = (expression: string, vars: Record<string, unknown> = {}) => t.evaluate(expression, vars)
const errorOf = (fn: () => unknown): string => {
  try {
    fn()
  } catch (err) {
    expect(err).toBeInstanceOf(TemplateError)
    return (err as Error).message
  }
  throw new Error('expected a TemplateError')
}

describe('hash, checksum, to_uuid', () => {
  it('hashes text as Python hashlib does', () => {
    expect(ev("'abc' | hash('sha1')")).toBe('a9993e364706816aba3e25717850c26c9cd0d89d')
    expect(ev("'abc' | hash")).toBe('a9993e364706816aba3e25717850c26c9cd0d89d')
    expect(ev("'abc' | checksum")).toBe('a9993e364706816aba3e25717850c26c9cd0d89d')
    expect(ev("'abc' | hash('md5')")).toBe('900150983cd24fb0d6963f7d28e17f72')
    expect(ev("123 | hash('md5')")).toBe('202cb962ac59075b964b07152d234b70')
    expect(ev("'abc' | hash('sha3_256')")).toBe(
      '3a985da74fe225b2045c172d6bd390bd855f086e3e9d525b46bfe24511431532'
    )
    expect(errorOf(() => ev("'abc' | hash('nope')"))).toBe('unsupported hash type nope')
  })
  it('to_uuid is a version-5 UUID in Ansible namespace or the one given', () => {
    expect(ev("'abc' | to_uuid")).toBe('27dc713b-d72c-5825-88f3-9f240e739319')
    expect(ev("'abc' | to_uuid(namespace='6ba7b810-9dad-11d1-80b4-00c04fd430c8')")).toBe(
      '6cb8e707-0fc5-5f55-88d4-d4fed43e64a8'
    )
    expect(errorOf(() => ev("'abc' | to_uuid(namespace='bad')"))).toContain("'namespace'")
  })
})

describe('password_hash', () => {
  it('sha512 and sha256 crypt with salt and rounds, the implicit 5000 rounds not written', () => {
    expect(ev("'secret' | password_hash('sha512', 'saltsalt')")).toBe(
      '$6$rounds=656000$saltsalt$Vg7us3Hcq8rplCTNjwvGRwObM2xyfDZZ.XP2YLQ.ii85wAq/psu28uEfoMveNszsQWMgkWRxbZm2mBBlNn3.J0'
    )
    expect(ev("'secret' | password_hash('sha512', 'saltsalt', rounds=5000)")).toBe(
      '$6$saltsalt$TVLlQcbpFVof5W3Yz4DTP6gRstiNuHwwTt6GLc1E5n0U0aDehy0S5knV8wiOQSpT0Y77vwPZN.Pq.H91p5hVO1'
    )
    expect(ev("'secret' | password_hash('sha512', 'saltsalt', rounds='7000')")).toBe(
      '$6$rounds=7000$saltsalt$DQ4mi9S4IPw2jhH8YVFAiJGlN3acBaB/H/RYkNbj5R9Fk9IhByHggWA1PjIN474qiZAEUNF9HCdtIVvyvYucO.'
    )
    expect(ev("'secret' | password_hash('sha256', 'saltsalt')")).toBe(
      '$5$rounds=535000$saltsalt$VSmVlMm.XSbjLKI0G48ksoE0xc0243La2Jr.EPuau75'
    )
    expect(ev("'pé' | password_hash('sha256', 'x', rounds=1000)")).toBe(
      '$5$rounds=1000$x$qH.igPKhEZlcnbZWVA58CYmV4g1StMuaDEnG/MX9Vq1'
    )
    expect(ev("'' | password_hash('sha512', 'x')")).toBe(
      '$6$rounds=656000$x$HYTtsZgbbf8bwFHQuCFgO0ncemS6cAOOld/gS1u9JYepeHn8SfopJCYRSXNdltBtSIMzuQQNgbZFl86tFcjIP1'
    )
  })
  it('md5 crypt and bcrypt (salt normalised, rounds, ident)', () => {
    expect(ev("'secret' | password_hash('md5', 'saltsalt')")).toBe(
      '$1$saltsalt$9xy1btjgzLYfb7hivXtC//'
    )
    expect(ev("'secret' | password_hash('bcrypt', '1234567890123456789012')")).toBe(
      '$2b$12$123456789012345678901uO/yptqYYqXPYviqOvezm2C7cYzKwtUq'
    )
    expect(ev("'secret' | password_hash('blowfish', '1234567890123456789012', rounds=4)")).toBe(
      '$2b$04$123456789012345678901u//h8y7tq3SNKU3W0iQ9NrkyT8n5fXPS'
    )
    expect(ev("'secret' | password_hash('bcrypt', '1234567890123456789012', ident='2a')")).toBe(
      '$2a$12$123456789012345678901uO/yptqYYqXPYviqOvezm2C7cYzKwtUq'
    )
  })
  it('a random salt of the scheme size when none is given', () => {
    const a = ev("'secret' | password_hash('sha512', rounds=1000)") as string
    const b = ev("'secret' | password_hash('sha512', rounds=1000)") as string
    expect(a).toMatch(/^\$6\$rounds=1000\$[./0-9A-Za-z]{16}\$[./0-9A-Za-z]{86}$/)
    expect(a).not.toBe(b)
    expect(ev("'secret' | password_hash('md5') | length")).toBe(34)
  })
  it('refuses bad salts, rounds and schemes with a message naming them', () => {
    expect(errorOf(() => ev("'s' | password_hash('sha256', 'abcdefghijklmnopqrstu')"))).toContain(
      'salt too large (sha256_crypt requires <= 16 chars)'
    )
    expect(errorOf(() => ev("'s' | password_hash('sha512', 'a_b')"))).toContain(
      'invalid characters in sha512_crypt salt'
    )
    expect(errorOf(() => ev("'s' | password_hash('sha512', 'x', rounds=500)"))).toContain(
      'must be at least 1000'
    )
    expect(errorOf(() => ev("'s' | password_hash('des', 'x')"))).toContain("'des'")
    expect(errorOf(() => ev("123 | password_hash('sha256', 'x')"))).toContain('not int')
  })
})

describe('random and shuffle', () => {
  it('a seed gives Python random.Random(seed) results', () => {
    expect(ev("100 | random(seed='host1')")).toBe(62)
    expect(ev('100 | random(seed=5)')).toBe(79)
    expect(ev('100 | random(seed=-5)')).toBe(79)
    expect(ev('100 | random(start=10, step=5, seed=3)')).toBe(45)
    expect(ev("[1,2,3] | random(seed='x')")).toBe(3)
    expect(ev("['a','b','c'] | random(seed=42)")).toBe('c')
    expect(ev("[1,2,3,4,5] | shuffle(seed='a')")).toEqual([2, 4, 5, 1, 3])
    expect(ev("[1,2,3,4,5,6,7,8,9,10] | shuffle(seed='abc')")).toEqual([
      5, 4, 1, 10, 2, 3, 7, 6, 8, 9
    ])
    expect(ev("'abc' | shuffle(seed=1)")).toEqual(['b', 'c', 'a'])
  })
  it('without a seed stays in range; bad input is refused', () => {
    for (let i = 0; i < 20; i++) expect(ev('[7, 8] | random')).toBeGreaterThanOrEqual(7)
    expect(ev('[1,2,3] | shuffle | sort')).toEqual([1, 2, 3])
    expect(errorOf(() => ev('1.5 | random'))).toBe(
      'random can only be used on sequences and integers'
    )
    expect(errorOf(() => ev('0 | random(seed=1)'))).toContain('empty range')
  })
})

describe('unique, as Ansible 2.14 runs it', () => {
  it("falls back to equality for lists and dicts, unless case_sensitive=False or attribute asks for Jinja2's", () => {
    expect(ev("[{'a': 1}, {'a': 1}, [1], [1]] | unique")).toEqual([{ a: 1 }, [1]])
    expect(t.render("{{ ['a', 'A'] | unique }} {{ ['a', 'A'] | unique(True) }}", {})).toBe(
      "['a'] ['a', 'A']"
    )
    expect(ev('[(1, 2), (1, 2)] | unique(case_sensitive=False) | length')).toBe(1)
    expect(errorOf(() => ev("[{'a': 1}] | unique(case_sensitive=False)"))).toBe(
      "Jinja2's unique filter failed and we cannot fall back to Ansible's version as it does not support the parameters supplied. unhashable type: 'dict'"
    )
    expect(errorOf(() => ev("[{'n': [1]}] | unique(attribute='n')"))).toContain(
      "unhashable type: 'list'"
    )
    expect(ev("[{'n': 1}, {'n': 1, 'm': 2}] | unique(attribute='n') | length")).toBe(1)
  })
})

describe('the now() global', () => {
  it('is the current time as a naive datetime, local or UTC, or formatted', () => {
    const before = Date.now()
    const stamp = ev('now().timestamp()') as number
    expect(stamp * 1000).toBeGreaterThanOrEqual(before - 1000)
    expect(stamp * 1000).toBeLessThanOrEqual(Date.now() + 1000)
    expect(ev('now() | type_debug')).toBe('datetime')
    expect(ev('now(utc=True).year')).toBe(new Date().getUTCFullYear())
    expect(ev("now(fmt='%Y')")).toBe(String(new Date().getFullYear()))
    expect(ev("now(True, '%Y')")).toBe(String(new Date().getUTCFullYear()))
    expect(t.render('{{ now() }}', {})).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d{6})?$/)
    expect(ev('(now() - now()).total_seconds() <= 0')).toBe(true)
  })
})

describe('strftime and to_datetime', () => {
  it('formats epoch seconds with Python directives', () => {
    expect(ev("'%Y-%m-%d' | strftime(0)")).toBe('1970-01-01')
    expect(ev("'%a %b %j %p %y %Z %z %%' | strftime(0, utc=true)")).toBe(
      'Thu Jan 001 AM 70 GMT +0000 %'
    )
    expect(ev("'%Y' | strftime('1700000000', utc=true)")).toBe('2023')
    expect(ev("'%Y' | strftime")).toBe(String(new Date().getFullYear()))
  })
  it('parses a datetime with attributes, str() and subtraction', () => {
    expect(t.render("{{ '2020-01-02' | to_datetime('%Y-%m-%d') }}", {})).toBe('2020-01-02 00:00:00')
    expect(ev("('2020-01-02 03:04:05' | to_datetime).year")).toBe(2020)
    expect(
      ev(
        "(('2020-01-03' | to_datetime('%Y-%m-%d')) - ('2020-01-02' | to_datetime('%Y-%m-%d'))).days"
      )
    ).toBe(1)
    expect(
      t.render("{{ ('2020-01-02 03:04:05.5' | to_datetime('%Y-%m-%d %H:%M:%S.%f')) }}", {})
    ).toBe('2020-01-02 03:04:05.500000')
    expect(ev("'2020-01-02' | to_datetime('%Y-%m-%d') | type_debug")).toBe('datetime')
    expect(ev("[('2020-01-02' | to_datetime('%Y-%m-%d'))] | string")).toBe(
      '[datetime.datetime(2020, 1, 2, 0, 0)]'
    )
    expect(
      ev("('2020-01-02' | to_datetime('%Y-%m-%d')) > ('2020-01-01' | to_datetime('%Y-%m-%d'))")
    ).toBe(true)
    expect(ev("('2020-01-02 10:00:00' | to_datetime).weekday()")).toBe(3)
    expect(
      t.render(
        "{{ ('2021-01-01 00:00:00' | to_datetime) - ('2020-12-31 12:30:00' | to_datetime) }}",
        {}
      )
    ).toBe('11:30:00')
    expect(t.render("{{ [('2020-01-02' | to_datetime('%Y-%m-%d'))] }}", {})).toBe(
      '[datetime.datetime(2020, 1, 2, 0, 0)]'
    )
    expect(errorOf(() => ev("'2020-01-02' | to_datetime"))).toBe(
      "time data '2020-01-02' does not match format '%Y-%m-%d %H:%M:%S'"
    )
  })
})

describe('comment, itertools, zip_longest, subelements, extract', () => {
  it('comment styles and options', () => {
    expect(ev("'a+b' | comment")).toBe('#\n# a+b\n#')
    expect(ev("'a' | comment('erlang')")).toBe('%\n% a\n%')
    expect(ev("'x' | comment('xml')")).toBe('<!--\n -\n - x\n -\n-->')
    expect(ev("'a' | comment(decoration='! ')")).toBe('!\n! a\n!')
    expect(ev("'a' | comment('plain', prefix='#!', postfix='#')")).toBe('#!\n# a\n#')
    expect(ev("t | comment('c')", { t: 'a\n\nb' })).toBe('//\n// a\n//\n// b\n//')
  })
  it('product, combinations, permutations', () => {
    expect(ev('[1,2] | product([3,4]) | list')).toEqual([
      [1, 3],
      [1, 4],
      [2, 3],
      [2, 4]
    ])
    expect(ev('[1,2,3] | combinations(2) | list')).toEqual([
      [1, 2],
      [1, 3],
      [2, 3]
    ])
    expect(ev('[1,2,3] | permutations(2) | list')).toHaveLength(6)
    expect(ev('[1,2,3] | permutations | list')).toContainEqual([3, 2, 1])
  })
  it('zip_longest, subelements, extract and map(extract)', () => {
    expect(ev("[1,2] | zip_longest([3], fillvalue='z') | list")).toEqual([
      [1, 3],
      [2, 'z']
    ])
    expect(ev('[1,2] | zip_longest([3]) | list')).toEqual([
      [1, 3],
      [2, null]
    ])
    const users = [{ n: 'a', g: [1, 2] }, { n: 'b' }]
    expect(ev("u | subelements('g', skip_missing=True)", { u: users })).toEqual([
      [users[0], 1],
      [users[0], 2]
    ])
    expect(errorOf(() => ev("u | subelements('g')", { u: users }))).toBe(
      "could not find 'g' key in iterated item {'n': 'b'}"
    )
    expect(ev("[0,2] | map('extract', ['a','b','c']) | list")).toEqual(['a', 'c'])
    expect(ev("'a' | extract({'a': {'b': [5,6]}}, ['b', 1])")).toBe(6)
  })
})

describe('urlsplit, paths, sizes, regex_escape, quote, json_query', () => {
  it('urlsplit as Python urllib', () => {
    expect(ev("'https://user:pw@www.Example.com:8080/a/b?x=1#frag' | urlsplit")).toEqual({
      fragment: 'frag',
      hostname: 'www.example.com',
      netloc: 'user:pw@www.Example.com:8080',
      password: 'pw',
      path: '/a/b',
      port: 8080,
      query: 'x=1',
      scheme: 'https',
      username: 'user'
    })
    expect(ev("'https://www.example.com/a' | urlsplit('port')")).toBeNull()
    expect(errorOf(() => ev("'http://x' | urlsplit('nope')"))).toBe(
      'urlsplit: unknown URL component: nope'
    )
  })
  it('controller paths', () => {
    expect(ev("'~/x' | expanduser")).toBe(`${process.env.HOME}/x`)
    expect(ev("'$HOME/x ${HOME} $APB_NOPE_VAR' | expandvars")).toBe(
      `${process.env.HOME}/x ${process.env.HOME} $APB_NOPE_VAR`
    )
    expect(ev("'/tmp/../etc/nope/../x' | realpath")).toBe('/etc/x')
    process.env.INPUT_VAULT_PASSWORD = 'hunter2'
    try {
      expect(ev("'$INPUT_VAULT_PASSWORD' | expandvars")).toBe('$INPUT_VAULT_PASSWORD')
    } finally {
      delete process.env.INPUT_VAULT_PASSWORD
    }
  })
  it('human_readable and human_to_bytes', () => {
    expect(ev('1048576 | human_readable')).toBe('1.00 MB')
    expect(ev('1500 | human_readable')).toBe('1.46 KB')
    expect(ev('12 | human_readable')).toBe('12.00 Bytes')
    expect(ev("1048576 | human_readable(unit='K')")).toBe('1024.00 KB')
    expect(ev('10 | human_readable(isbits=True)')).toBe('10.00 bits')
    expect(ev("'1 KB' | human_to_bytes")).toBe(1024)
    expect(ev("'1.5M' | human_to_bytes")).toBe(1572864)
    expect(ev("'10Mb' | human_to_bytes(isbits=True)")).toBe(10485760)
    expect(ev("'10' | human_to_bytes(default_unit='K')")).toBe(10240)
    expect(ev("'1.5' | human_to_bytes")).toBe(2)
    expect(errorOf(() => ev("'1 KiB' | human_to_bytes"))).toBe(
      "human_to_bytes() can't interpret following string: 1 KiB"
    )
  })
  it('regex_escape escapes what Python re.escape escapes', () => {
    expect(ev("'a b-c_d/é.*' | regex_escape")).toBe('a\\ b\\-c_d/é\\.\\*')
    expect(ev("'a.b*c[' | regex_escape('posix_basic')")).toBe('a\\.b\\*c\\[')
    expect(errorOf(() => ev("'a' | regex_escape('posix_extended')"))).toContain('not yet')
  })
  it('tuples (regex_findall groups, splitext) print as Python tuples', () => {
    expect(t.render("{{ 'k1=v1 k2=v2' | regex_findall(p) }}", { p: '(\\w+)=(\\w+)' })).toEqual([
      ['k1', 'v1'],
      ['k2', 'v2']
    ])
    expect(t.render("x{{ 'k1=v1' | regex_findall(p) }}", { p: '(\\w+)=(\\w+)' })).toBe(
      "x[('k1', 'v1')]"
    )
    expect(t.render("{{ 'a/b.txt' | splitext }}", {})).toBe("('a/b', '.txt')")
    expect(ev("('a/b.txt' | splitext)[1]")).toBe('.txt')
    expect(ev("'a/b.txt' | splitext | type_debug")).toBe('tuple')
  })
  it('quote of None is empty quotes', () => {
    expect(ev('None | quote')).toBe("''")
    expect(ev('"it\'s" | quote')).toBe(`'it'"'"'s'`)
  })
  it('json_query runs JMESPath, under its collection name too', () => {
    const data = {
      users: [
        { name: 'a', age: 30 },
        { name: 'b', age: 20 }
      ]
    }
    expect(ev("d | json_query('users[?age > `25`].name')", { d: data })).toEqual(['a'])
    expect(ev("d | community.general.json_query('users[*].age')", { d: data })).toEqual([30, 20])
    expect(ev("d | json_query('nope')", { d: data })).toBeNull()
    expect(errorOf(() => ev("d | json_query('users[')", { d: data }))).toContain(
      'JMESPathError in json_query filter plugin'
    )
  })
  it('json_query finds only the keys the data has, never what JavaScript objects inherit', () => {
    // Ansible (Python dicts) gives None for all of these; a Function or the prototype must never reach a template.
    const data = { a: 1, b: [1, 2], 'x y': { c: 2 } }
    for (const expression of [
      'constructor',
      'toString',
      '__proto__',
      'constructor.name',
      'a.toFixed',
      'b.length',
      'b.map'
    ])
      expect(ev(`d | json_query('${expression}')`, { d: data }), expression).toBeNull()
    expect(ev("d | json_query('keys(@)')", { d: data })).toEqual(['a', 'b', 'x y'])
    expect(ev('d | json_query(\'"x y".c\')', { d: data })).toBe(2)
    // A key named like a built-in is found as any other, and a result is a plain mapping.
    const own = JSON.parse('{"constructor": "mine", "__proto__": {"k": 1}}') as unknown
    expect(ev("d | json_query('constructor')", { d: own })).toBe('mine')
    expect(ev("d | json_query('__proto__.k')", { d: own })).toBe(1)
    expect(ev("d | json_query('@') | to_json", { d: { z: { y: 1 } } })).toBe('{"z": {"y": 1}}')
  })

  it('ansible.builtin names reach the same filters and tests', () => {
    expect(ev('[1,2] | ansible.builtin.zip([3,4]) | list')).toEqual([
      [1, 3],
      [2, 4]
    ])
    expect(ev("'a' is ansible.builtin.match('a')")).toBe(true)
    expect(errorOf(() => ev("'a' | ansible.builtin.nope"))).toContain('ansible.builtin.nope')
  })
})

describe('the smaller builtin filters', () => {
  it('md5, sha1, log, pow, root', () => {
    expect(ev("'abc' | md5")).toBe('900150983cd24fb0d6963f7d28e17f72')
    expect(ev("'abc' | ansible.builtin.sha1")).toBe('a9993e364706816aba3e25717850c26c9cd0d89d')
    // Python's math gives floats: 2.0, as Ansible prints them (an integral float is a PyFloat).
    expect(ev('8 | root(3)')).toStrictEqual(new PyFloat(2))
    expect(ev('16 | root')).toStrictEqual(new PyFloat(4))
    expect(ev('2 | pow(3)')).toStrictEqual(new PyFloat(8))
    expect(ev('100 | log(10)')).toStrictEqual(new PyFloat(2))
    expect(errorOf(() => ev("'x' | log"))).toContain('numbers')
  })
  it('paths: path_join, relpath, splitext, fileglob, win_*', () => {
    expect(ev("['a', '/b', 'c'] | path_join")).toBe('/b/c')
    expect(ev("['a/', 'b'] | path_join")).toBe('a/b')
    expect(ev("'/a' | relpath('/a/b/c')")).toBe('../..')
    expect(ev("'a/b.tar.gz' | splitext")).toEqual(['a/b.tar', '.gz'])
    expect(ev("'.bashrc' | splitext")).toEqual(['.bashrc', ''])
    expect(ev("'/et?/passw[cd]' | fileglob")).toEqual(['/etc/passwd'])
    expect(ev("'/etc/nope*' | fileglob")).toEqual([])
    expect(ev('p | win_basename', { p: 'C:\\x\\y.txt' })).toBe('y.txt')
    expect(ev('p | win_dirname', { p: 'C:\\x\\y.txt' })).toBe('C:\\x')
    expect(ev('p | win_splitdrive', { p: 'C:\\x\\y.txt' })).toEqual(['C:', '\\x\\y.txt'])
  })
  it('urldecode, rekey_on_member, from_yaml_all', () => {
    expect(ev("'a%20b+c%C3%A9' | urldecode")).toBe('a b cé')
    expect(ev("[{'n':'a','v':1}] | rekey_on_member('n')")).toEqual({ a: { n: 'a', v: 1 } })
    expect(errorOf(() => ev("[{'n':'a'},{'n':'a'}] | rekey_on_member('n')"))).toBe(
      'Key a is not unique, cannot correctly turn into dict'
    )
    expect(ev('t | from_yaml_all | list', { t: 'a: 1\n---\nb: 2\n' })).toEqual([{ a: 1 }, { b: 2 }])
  })
})

describe('unique and ternary options', () => {
  it('unique compares strings without case unless asked, and by attribute', () => {
    expect(ev("['a', 'A', 'b'] | unique")).toEqual(['a', 'b'])
    expect(ev("['a', 'A', 'b'] | unique(case_sensitive=True)")).toEqual(['a', 'A', 'b'])
    expect(
      ev("[{'n': 'a', 'v': 1}, {'n': 'a', 'v': 2}, {'n': 'b', 'v': 3}] | unique(attribute='n')")
    ).toEqual([
      { n: 'a', v: 1 },
      { n: 'b', v: 3 }
    ])
  })
  it('ternary takes true_val, false_val and none_val by name', () => {
    expect(ev("None | ternary('a', 'b', none_val='c')")).toBe('c')
    expect(ev("True | ternary(true_val='a', false_val='b')")).toBe('a')
  })
})
