import { describe, expect, it } from 'vitest'
import { TemplateError } from '../../src/errors.js'
import { Templar } from '../../src/template/index.js'

const t = new Templar()
const ev = (expression: string, vars: Record<string, unknown> = {}) => t.evaluate(expression, vars)

describe('Jinja2 tests on task results', () => {
  const vars = {
    ok: { changed: false, rc: 0 },
    bad: { failed: true, rc: 1 },
    changedLoop: { results: [{ changed: false }, { changed: true }] },
    skippedResult: { skipped: true, changed: false },
    done: { finished: 1, started: 1 },
    running: { finished: 0, started: 1 },
    legacy: { ansible_job_id: '1' }
  }

  it('failed / succeeded and their aliases', () => {
    expect(ev('bad is failed', vars)).toBe(true)
    expect(ev('bad is failure', vars)).toBe(true)
    expect(ev('ok is failed', vars)).toBe(false)
    expect(ev('ok is succeeded', vars)).toBe(true)
    expect(ev('ok is success', vars)).toBe(true)
    expect(ev('bad is not success', vars)).toBe(true)
  })

  it('changed looks into loop results when the result has no changed key', () => {
    expect(ev('ok is changed', vars)).toBe(false)
    expect(ev('changedLoop is changed', vars)).toBe(true)
    expect(ev('changedLoop is change', vars)).toBe(true)
  })

  it('skipped / skip', () => {
    expect(ev('skippedResult is skipped', vars)).toBe(true)
    expect(ev('ok is skip', vars)).toBe(false)
  })

  it('finished / started compare with 1 and are true when the key is missing', () => {
    expect(ev('done is finished', vars)).toBe(true)
    expect(ev('running is finished', vars)).toBe(false)
    expect(ev('running is started', vars)).toBe(true)
    expect(ev('legacy is finished', vars)).toBe(true)
    expect(ev('legacy is started', vars)).toBe(true)
  })

  it('throw on a non-dictionary', () => {
    for (const test of ['failed', 'succeeded', 'changed', 'skipped', 'finished', 'started']) {
      expect(() => ev(`'text' is ${test}`)).toThrow(TemplateError)
    }
    expect(() => ev("'text' is failed")).toThrow("The 'failed' test expects a dictionary")
    expect(() => ev('[1] is finished')).toThrow("The 'finished' test expects a dictionary")
  })

  it('refuse undefined values, except defined/undefined', () => {
    expect(() => ev('nope is failed')).toThrow("'nope' is undefined")
    expect(ev('nope is undefined')).toBe(true)
  })
})

describe('Jinja2 type and value tests', () => {
  it('none, string, number, mapping, sequence, iterable, boolean', () => {
    expect(ev('None is none')).toBe(true)
    expect(ev('x is none', { x: null })).toBe(true)
    expect(ev('0 is none')).toBe(false)
    expect(ev("'s' is string")).toBe(true)
    expect(ev('1 is string')).toBe(false)
    expect(ev('1.5 is number')).toBe(true)
    expect(ev("'1' is number")).toBe(false)
    expect(ev("{'a': 1} is mapping")).toBe(true)
    expect(ev('[1] is mapping')).toBe(false)
    expect(ev('[1] is sequence')).toBe(true)
    expect(ev("'abc' is iterable")).toBe(true)
    expect(ev('1 is iterable')).toBe(false)
    expect(ev('True is boolean')).toBe(true)
  })

  it('match (anchored), search and regex', () => {
    expect(ev("'hello world' is match('hello')")).toBe(true)
    expect(ev("'hello world' is match('world')")).toBe(false)
    expect(ev("'hello world' is search('world')")).toBe(true)
    expect(ev("'HELLO' is search('hello', ignorecase=True)")).toBe(true)
    expect(ev("'v1.2' is regex('\\d+\\.\\d+')")).toBe(true)
    expect(ev("'abc' is regex('b', match_type='match')")).toBe(false)
  })

  it('truthy and falsy, with convert_bool', () => {
    expect(ev("'x' is truthy")).toBe(true)
    expect(ev('[] is falsy')).toBe(true)
    expect(ev("'no' is truthy")).toBe(true)
    expect(ev("'no' is truthy(convert_bool=True)")).toBe(false)
  })

  it('in, contains, equalto and comparison tests', () => {
    expect(ev('2 is in([1, 2])')).toBe(true)
    expect(ev('[1, 2] is contains(2)')).toBe(true)
    expect(ev('2 is equalto(2)')).toBe(true)
    expect(ev('2 is ==(3)')).toBe(false)
    expect(ev('3 is gt(2)')).toBe(true)
    expect(ev('4 is divisibleby(2)')).toBe(true)
    expect(ev('3 is odd')).toBe(true)
  })

  it('take one argument without parentheses, as Jinja2 allows (`x is divisibleby 3`)', () => {
    expect(ev('6 is divisibleby 3')).toBe(true)
    expect(ev('7 is not divisibleby 2')).toBe(true)
    expect(ev('x is sameas true', { x: true })).toBe(true)
    expect(ev('x is sameas none', { x: null })).toBe(true)
    expect(ev("'abc' is match 'a.c'")).toBe(true)
    expect(ev('[1, 2] is contains 2 and 1 is odd')).toBe(true)
    expect(ev("'y' if x is defined else 'n'", {})).toBe('n')
    expect(ev('x is defined or 1 is number', {})).toBe(true)
    expect(t.renderText('{% if 3 is gt 2 %}yes{% endif %}', {})).toBe('yes')
  })

  it('version compares loosely, with operator names or symbols', () => {
    expect(ev("'2.10.1' is version('2.9', '>')")).toBe(true)
    expect(ev("'2.10.1' is version('2.9', 'lt')")).toBe(false)
    expect(ev("'1.0.0' is version('1.0.0')")).toBe(true)
    expect(ev("'1.2.3' is version('1.3', operator='<')")).toBe(true)
    expect(ev("v is version_compare('20.04', '>=')", { v: '22.04' })).toBe(true)
  })
})
