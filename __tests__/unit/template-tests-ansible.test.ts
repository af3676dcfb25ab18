import { mkdtempSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { TemplateError } from '../../src/errors.js'
import { Templar } from '../../src/template/index.js'

// Expected values below come from Ansible 2.14's Templar.
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

describe('the version test', () => {
  it('loose (the default) orders as LooseVersion, and refuses int against str', () => {
    expect(ev("'1.2.3' is version('1.2', '>')")).toBe(true)
    expect(ev("'1.2' is version('1.2.0', '==')")).toBe(false)
    expect(ev("'1.10' is version('1.9', 'gt')")).toBe(true)
    expect(ev("'1.0a' is version('1.0', '>')")).toBe(true)
    expect(ev("'2.0-beta' is version('2.0', 'lt')")).toBe(false)
    expect(ev("'3' is version(3, '==')")).toBe(true)
    expect(ev("'1.0' is version_compare('1.0', 'eq')")).toBe(true)
    expect(errorOf(() => ev("'1.0' is version('1.a', '<')"))).toBe(
      "Version comparison failed: '<' not supported between instances of 'int' and 'str'"
    )
  })
  it('strict, semver/semantic and pep440', () => {
    expect(ev("'1.2' is version('1.2.0', '==', strict=true)")).toBe(true)
    expect(ev("'1.2a1' is version('1.2', '<', version_type='strict')")).toBe(true)
    expect(ev("'1.0b2' is version('1.0a3', '>', version_type='strict')")).toBe(true)
    expect(errorOf(() => ev("'1.2.3-rc' is version('1.2', '>', version_type='strict')"))).toBe(
      "Version comparison failed: invalid version number '1.2.3-rc'"
    )
    expect(ev("'1.0.0-alpha' is version('1.0.0', '<', version_type='semver')")).toBe(true)
    expect(ev("'1.0.0-alpha.1' is version('1.0.0-alpha.beta', '<', version_type='semantic')")).toBe(
      true
    )
    expect(ev("'1.0.0-rc.1' is version('1.0.0-rc.10', '<', version_type='semver')")).toBe(true)
    expect(ev("'1.0.0+b1' is version('1.0.0', '==', version_type='semver')")).toBe(true)
    expect(errorOf(() => ev("'1.0' is version('1.0.0', '==', version_type='semver')"))).toBe(
      "Version comparison failed: invalid semantic version '1.0'"
    )
    expect(ev("'1.0a1' is version('1.0', '<', version_type='pep440')")).toBe(true)
    expect(ev("'1.0.post1' is version('1.0', '>', version_type='pep440')")).toBe(true)
    expect(ev("'1.0.dev1' is version('1.0a1', '<', version_type='pep440')")).toBe(true)
    expect(ev("'1.0' is version('1.0.0', '==', version_type='pep440')")).toBe(true)
    expect(ev("'1.0rc1' is version('1.0c1', '==', version_type='pep440')")).toBe(true)
    expect(ev("'1!1.0' is version('2.0', '>', version_type='pep440')")).toBe(true)
    expect(ev("'1.0.post1.dev1' is version('1.0.post1', '<', version_type='pep440')")).toBe(true)
  })
  it('refuses unknown operators, types and an empty version by name', () => {
    expect(errorOf(() => ev("'1.0' is version('1.0', 'foo')"))).toContain(
      'Invalid operator type (foo)'
    )
    expect(errorOf(() => ev("'1.0' is version('1.0', '<', version_type='bogus')"))).toBe(
      "Invalid version type (bogus). Must be one of 'loose', 'strict', 'semver', 'semantic', 'pep440'"
    )
    expect(errorOf(() => ev("'1.0' is version('', '<')"))).toBe(
      'Version parameter to compare against cannot be empty'
    )
  })
})

describe('set and truth tests', () => {
  it('subset, superset, all, any, nan', () => {
    expect(ev('[1,2] is subset([1,2,3])')).toBe(true)
    expect(ev('[1,2] is issubset([1,2,3])')).toBe(true)
    expect(ev('[1,4] is subset([1,2,3])')).toBe(false)
    expect(ev("'abc' is subset('abcd')")).toBe(true)
    expect(ev("{'a':1} is superset(['a'])")).toBe(true)
    expect(ev('[1,2,3] is issuperset([1])')).toBe(true)
    expect(ev('[true, 1] is all')).toBe(true)
    expect(ev('[] is all')).toBe(true)
    expect(ev("[0, ''] is any")).toBe(false)
    expect(ev('[0, 2] is ansible.builtin.any')).toBe(true)
    expect(ev('1 is nan')).toBe(false)
  })
  it('vault_encrypted is false for text (vault-encrypted-test.test.ts has !vault values)', () => {
    expect(ev("'abc' is vault_encrypted")).toBe(false)
  })
})

describe('path and URI tests on the controller', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'apb-tests-'))
  writeFileSync(path.join(dir, 'f'), 'x')
  symlinkSync(path.join(dir, 'f'), path.join(dir, 'l'))
  symlinkSync(path.join(dir, 'gone'), path.join(dir, 'dangling'))
  const v = { dir, f: path.join(dir, 'f'), l: path.join(dir, 'l'), d: path.join(dir, 'dangling') }
  it('exists, file, directory, link, link_exists, same_file, mount, abs', () => {
    expect(ev('f is exists', v)).toBe(true)
    expect(ev('d is exists', v)).toBe(false)
    expect(ev('d is link_exists', v)).toBe(true)
    expect(ev('f is file', v)).toBe(true)
    expect(ev('dir is file', v)).toBe(false)
    expect(ev('dir is directory', v)).toBe(true)
    expect(ev('l is link', v)).toBe(true)
    expect(ev('f is is_link', v)).toBe(false)
    expect(ev('l is same_file(f)', v)).toBe(true)
    expect(ev("'/' is mount")).toBe(true)
    expect(ev('dir is mount', v)).toBe(false)
    expect(ev("'/tmp' is abs")).toBe(true)
    expect(ev("'tmp' is is_abs")).toBe(false)
  })
  it('uri, url, urn', () => {
    expect(ev("'http://x' is url")).toBe(true)
    expect(ev("'file:///x' is url")).toBe(true)
    expect(ev("'x' is url")).toBe(false)
    expect(ev("'mailto:x@y' is uri")).toBe(true)
    expect(ev("'x' is uri(['http'])")).toBe(false)
    expect(ev("'urn:isbn:123' is urn")).toBe(true)
  })
})
