// The pip module's requirement handling: how `name` items are regrouped and printed in `cmd` (as
// Ansible's pip module prints them through Python's packaging, checked against pkg_resources 66), and
// whether an installed version satisfies them (check mode's answer).
import { describe, expect, it } from 'vitest'
import {
  canonicalName,
  parseRequirement,
  regroupNames,
  satisfies
} from '../../src/modules/pip-requirement.js'

describe('regroupNames', () => {
  it('joins a specifier item to the requirement before it', () => {
    expect(
      regroupNames(['django>1.11.1', '<1.11.3', 'ipaddress', 'simple>1.1.0', '<2.0.0'])
    ).toEqual(['django>1.11.1,<1.11.3', 'ipaddress', 'simple>1.1.0,<2.0.0'])
  })
  it('splits items at commas, but not inside extras', () => {
    expect(regroupNames(['django>1.11.1,<1.11.3,ipaddress', 'simple>1.1.0,<2.0.0'])).toEqual([
      'django>1.11.1,<1.11.3',
      'ipaddress',
      'simple>1.1.0,<2.0.0'
    ])
    expect(regroupNames(['foo[bar,baz]>=1', 'qux'])).toEqual(['foo[bar,baz]>=1', 'qux'])
  })
})

describe('parseRequirement', () => {
  // Each pair: what a playbook writes, what pkg_resources.Requirement prints (str()).
  it.each([
    ['bottle>0.10,<0.20,!=0.11', 'bottle!=0.11,<0.20,>0.10'],
    ['Foo_Bar==1.0', 'Foo_Bar==1.0'],
    ['foo >= 1.0', 'foo>=1.0'],
    ['foo[bar,baz]>=1', 'foo[bar,baz]>=1'],
    ['foo[ b ]', 'foo[b]'],
    ['foo==1.*', 'foo==1.*'],
    ['foo~=1.2', 'foo~=1.2'],
    ['foo===1.0', 'foo===1.0'],
    ['foo; python_version>"3"', 'foo; python_version > "3"'],
    ["foo>=1.0 ; python_version > '3'", 'foo>=1.0; python_version > "3"'],
    ['foo @ https://x/y.whl', 'foo@ https://x/y.whl'],
    ['foo (>=1.0)', 'foo>=1.0'],
    ['a.b-c_d', 'a.b-c_d']
  ])('%s is given to pip as %s', (written, printed) => {
    expect(parseRequirement(written).text).toBe(printed)
  })

  it.each(['file:///x/y.whl', 'git+https://x/y', './dir', 'foo>=1.0,', 'foo==1.0 bar'])(
    '%s is no PEP 508 requirement: given to pip as written',
    (written) => {
      const requirement = parseRequirement(written)
      expect(requirement.text).toBe(written)
      expect(requirement.canonical).toBeUndefined()
    }
  )

  it('adds `version` as ==, or as specifiers when it starts with an operator', () => {
    expect(parseRequirement('apbdemo', '1.1').text).toBe('apbdemo==1.1')
    expect(parseRequirement('apbdemo', '>=1.0,<2').text).toBe('apbdemo<2,>=1.0')
  })

  it('knows the canonical project name', () => {
    expect(parseRequirement('Foo_Bar.baz==1').canonical).toBe('foo-bar-baz')
    expect(canonicalName('APB__other')).toBe('apb-other')
  })
})

describe('satisfies', () => {
  const specs = (text: string) => parseRequirement(`x${text}`).specs
  it.each([
    ['1.0', '==1.0', true],
    ['1.0.0', '==1.0', true],
    ['1.1', '==1.0', false],
    ['1.1', '!=1.0', true],
    ['1.5', '>=1.0,<2', true],
    ['2.0', '>=1.0,<2', false],
    ['2.0rc1', '<2', false],
    ['2.0rc1', '<2.0rc2', true],
    ['2.0rc1', '>=1.0', true],
    ['1.0.post1', '>1.0', false],
    ['1.1', '>1.0', true],
    ['1.4.5', '~=1.4.2', true],
    ['1.5', '~=1.4.2', false],
    ['1.9', '~=1.4', true],
    ['2.0', '~=1.4', false],
    ['1.4.7', '==1.4.*', true],
    ['1.5', '==1.4.*', false],
    ['1.5', '!=1.4.*', true],
    ['1.0+local.1', '==1.0', true],
    ['1.0+local.1', '==1.0+local.2', false],
    ['1.0.dev1', '<1.0', false],
    ['0.9.dev1', '<1.0', true],
    ['1!1.0', '>2.0', true],
    ['1.0', '===1.0', true],
    ['1.0.0', '===1.0', false],
    ['1.0', '', true],
    ['not a version', '>=1', false]
  ] as const)('%s against %s: %s', (installed, spec, expected) => {
    expect(satisfies(installed, specs(spec))).toBe(expected)
  })
})
