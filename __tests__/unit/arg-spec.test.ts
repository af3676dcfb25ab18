// The argument spec validator: Ansible 2.14's checks, conversions and messages (each message here was
// read from ansible-playbook 2.14 running the module it names).
import { describe, expect, it } from 'vitest'
import { VALID_BOOLEANS } from '../../src/ansible-boolean.js'
import {
  ArgConversionError,
  ArgSpecError,
  checkArgSpec,
  maskNoLogValues,
  NO_LOG_PLACEHOLDER,
  validateArgs,
  type ArgSpec
} from '../../src/modules/arg-spec.js'

const validate = (spec: ArgSpec, args: Record<string, unknown>, action = 'mod') =>
  validateArgs(spec, args, { action })

/** Ansible's async_status spec (its action plugin validates it). */
const ASYNC_STATUS: ArgSpec = {
  side: 'action',
  options: {
    jid: { type: 'str', required: true },
    mode: { type: 'str', choices: ['status', 'cleanup'], default: 'status' }
  }
}

/** A part of Ansible's file module spec. */
const FILE: ArgSpec = {
  options: {
    path: { type: 'path', required: true, aliases: ['dest', 'name'] },
    state: { type: 'str', choices: ['absent', 'directory', 'file', 'hard', 'link', 'touch'] },
    src: { type: 'path' },
    force: { type: 'bool', default: false },
    attributes: { type: 'str', aliases: ['attr'] }
  },
  requiredIf: [['state', 'link', ['src']]]
}

describe('required arguments', () => {
  it('names the missing ones, sorted', () => {
    expect(validate(ASYNC_STATUS, {}).error).toBe('missing required arguments: jid')
    const spec: ArgSpec = { options: { b: { required: true }, a: { required: true } } }
    expect(validate(spec, {}).error).toBe('missing required arguments: a, b')
  })

  it('counts a given null as given, as Ansible does', () => {
    expect(validate(ASYNC_STATUS, { jid: null }).error).toBeUndefined()
  })

  it('is reported before unknown arguments and bad choices', () => {
    expect(validate(ASYNC_STATUS, { mode: 'frob', zz: 1 }).error).toBe(
      'missing required arguments: jid'
    )
  })
})

describe('choices', () => {
  it('refuses another value, shown as Python prints it', () => {
    expect(validate(ASYNC_STATUS, { jid: 'x', mode: 'frob' }).error).toBe(
      'value of mode must be one of: status, cleanup, got: frob'
    )
    // A str argument is converted first: 1 is '1', true is 'True'.
    expect(validate(ASYNC_STATUS, { jid: 5, mode: 1 }).error).toBe(
      'value of mode must be one of: status, cleanup, got: 1'
    )
    expect(validate(ASYNC_STATUS, { jid: 5, mode: true }).error).toBe(
      'value of mode must be one of: status, cleanup, got: True'
    )
    expect(validate(FILE, { path: '/x', state: true }).error).toBe(
      'value of state must be one of: absent, directory, file, hard, link, touch, got: True'
    )
  })

  it('takes back a yes/no that YAML made a boolean when one boolean word is a choice', () => {
    const spec: ArgSpec = { options: { enabled: { choices: ['yes', 'no', 'auto'] } } }
    expect(validate(spec, { enabled: false }).args['enabled']).toBe('no')
    expect(validate(spec, { enabled: true }).args['enabled']).toBe('yes')
  })

  it('checks each item of a list', () => {
    const spec: ArgSpec = { options: { subset: { type: 'list', choices: ['all', 'min'] } } }
    expect(validate(spec, { subset: ['all', 'x', 'y'] }).error).toBe(
      'value of subset must be one or more of: all, min. Got no match for: x, y'
    )
    expect(validate(spec, { subset: 'min,all' }).error).toBeUndefined()
  })

  it('applies to a given null', () => {
    expect(validate(ASYNC_STATUS, { jid: 'x', mode: null }).error).toBe(
      'value of mode must be one of: status, cleanup, got: None'
    )
  })
})

describe('defaults', () => {
  it('fills in an argument not given, converted to its type, and keeps a given null', () => {
    expect(validate(ASYNC_STATUS, { jid: 'x' }).args).toEqual({ jid: 'x', mode: 'status' })
    const spec: ArgSpec = {
      options: { flag: { type: 'bool', default: 'yes' }, data: { default: 'pong' } }
    }
    expect(validate(spec, {}).args).toEqual({ flag: true, data: 'pong' })
    expect(validate(spec, { data: null }).args['data']).toBeNull()
  })

  it('gives each task its own copy of a list default', () => {
    const spec: ArgSpec = { options: { items: { type: 'list', default: [] } } }
    const first = validate(spec, {}).args['items'] as unknown[]
    first.push('x')
    expect(validate(spec, {}).args['items']).toEqual([])
  })
})

describe('mutually exclusive, required together, one of, if and by', () => {
  const spec: ArgSpec = {
    options: { minutes: { type: 'int' }, seconds: { type: 'int' }, a: {}, b: {}, c: {} },
    mutuallyExclusive: [['minutes', 'seconds']],
    requiredTogether: [['a', 'b']],
    requiredBy: { c: ['a'] }
  }

  it('says which are mutually exclusive', () => {
    expect(validate(spec, { minutes: 1, seconds: 1 }).error).toBe(
      'parameters are mutually exclusive: minutes|seconds'
    )
  })

  it('says which are required together', () => {
    expect(validate(spec, { a: 1 }).error).toBe('parameters are required together: a, b')
    expect(validate(spec, { a: 1, b: 2 }).error).toBeUndefined()
  })

  it('says which one is required', () => {
    const oneOf: ArgSpec = {
      options: { src: {}, content: {} },
      requiredOneOf: [['src', 'content']]
    }
    expect(validate(oneOf, {}).error).toBe('one of the following is required: src, content')
  })

  it('says what a value requires', () => {
    expect(validate(FILE, { path: '/l', state: 'link' }).error).toBe(
      'state is link but all of the following are missing: src'
    )
    expect(validate(FILE, { path: '/l', state: 'file' }).error).toBeUndefined()
    const any: ArgSpec = {
      options: { state: {}, a: {}, b: {} },
      requiredIf: [['state', 'present', ['a', 'b'], true]]
    }
    expect(validate(any, { state: 'present' }).error).toBe(
      'state is present but any of the following are missing: a, b'
    )
    expect(validate(any, { state: 'present', b: 1 }).error).toBeUndefined()
  })

  it('says what an argument requires', () => {
    expect(validate(spec, { c: 1 }).error).toBe("missing parameter(s) required by 'c': a")
  })
})

describe('unknown arguments', () => {
  it('are refused as Ansible’s modules refuse them, sorted, with the supported ones and aliases', () => {
    const ping: ArgSpec = { options: { data: { default: 'pong' } } }
    expect(validate(ping, { data: 'x', zeta: 1, alpha: 2 }, 'ansible.builtin.ping').error).toBe(
      'Unsupported parameters for (ansible.builtin.ping) module: alpha, zeta. Supported parameters include: data.'
    )
    expect(validate(FILE, { path: '/x', zz: 1 }, 'file').error).toBe(
      'Unsupported parameters for (file) module: zz. Supported parameters include: attributes, force, path, src, state (attr, dest, name).'
    )
  })

  it('name the module Ansible runs when it is not the action as written', () => {
    const spec: ArgSpec = { reportedAs: 'ansible.legacy.command', options: { chdir: {} } }
    expect(validate(spec, { bogus: 1 }, 'shell').error).toBe(
      'Unsupported parameters for (ansible.legacy.command) module: bogus. Supported parameters include: chdir.'
    )
  })

  it('are reported after every other problem', () => {
    const spec: ArgSpec = { options: { strip_empty_ends: { type: 'bool' } } }
    expect(validate(spec, { bogus: 1, strip_empty_ends: 'maybe' }).error).toMatch(
      /^argument 'strip_empty_ends' is of type <class 'str'>/
    )
  })

  it('are refused first, in the action plugin’s words, where only names are checked', () => {
    const debug: ArgSpec = {
      unknown: 'names',
      options: { msg: { type: 'raw' }, var: { type: 'raw' } }
    }
    expect(validate(debug, { msg: 'x', zz: 1, aa: 2 }, 'debug').error).toBe(
      'Invalid options for debug: aa,zz'
    )
  })

  it('are taken where the module takes any name', () => {
    const setFact: ArgSpec = { unknown: 'any', options: { cacheable: { type: 'raw' } } }
    expect(validate(setFact, { anything: 1 }).error).toBeUndefined()
  })

  it('are accepted, unlisted, when hidden', () => {
    const spec: ArgSpec = { options: { _raw_params: {} }, hidden: ['cmd'] }
    expect(validate(spec, { cmd: 'ls' }).error).toBeUndefined()
    expect(validate(spec, { x: 1 }).error).toBe(
      'Unsupported parameters for (mod) module: x. Supported parameters include: _raw_params.'
    )
  })
})

describe('aliases', () => {
  it('give their value to the option, and warn when both are set', () => {
    const one = validate(FILE, { dest: '/a' })
    expect(one.args['path']).toBe('/a')
    expect(one.warnings).toEqual([])
    const both = validate(FILE, { path: '/a', dest: '/b' })
    expect(both.args['path']).toBe('/b')
    expect(both.warnings).toEqual(['Both option path and its alias dest are set.'])
  })

  it('report a deprecated alias as Ansible does', () => {
    const spec: ArgSpec = {
      options: {
        timeout: {
          type: 'int',
          aliases: ['timeout_sec'],
          deprecatedAliases: [{ name: 'timeout_sec', version: '2.18' }]
        }
      }
    }
    const result = validate(spec, { timeout_sec: '5' })
    expect(result.args['timeout']).toBe(5)
    expect(result.deprecations).toEqual([
      {
        msg: "Alias 'timeout_sec' is deprecated. See the module docs for more information",
        version: '2.18',
        collection_name: null
      }
    ])
  })
})

describe('types', () => {
  const typed = (type: ArgSpec['options'][string]['type'], value: unknown) =>
    validate({ options: { v: { type } } }, { v: value })

  it('str: a non-string becomes what Python’s str() prints', () => {
    expect(typed('str', 5).args['v']).toBe('5')
    expect(typed('str', 1.5).args['v']).toBe('1.5')
    expect(typed('str', true).args['v']).toBe('True')
    expect(typed('str', [1, 2]).args['v']).toBe('[1, 2]')
    expect(typed('str', { a: 1 }).args['v']).toBe("{'a': 1}")
    expect(typed('str', null).args['v']).toBeNull()
    // No type given means str, as in Ansible.
    expect(typed(undefined, 5).args['v']).toBe('5')
  })

  it('bool: Ansible’s booleans; anything else refused with its message', () => {
    expect(typed('bool', 'Yes').args['v']).toBe(true)
    expect(typed('bool', 0).args['v']).toBe(false)
    expect(typed('bool', 'maybe').error).toBe(
      `argument 'v' is of type <class 'str'> and we were unable to convert to bool: The value 'maybe' is not a valid boolean.  Valid booleans include: ${VALID_BOOLEANS}`
    )
    expect(typed('bool', 2).error).toBe(
      `argument 'v' is of type <class 'int'> and we were unable to convert to bool: The value '2' is not a valid boolean.  Valid booleans include: ${VALID_BOOLEANS}`
    )
    expect(typed('bool', [1]).error).toBe(
      "argument 'v' is of type <class 'list'> and we were unable to convert to bool: <class 'list'> cannot be converted to a bool"
    )
  })

  it('int: integers and strings Python’s int() reads', () => {
    expect(typed('int', ' 42 ').args['v']).toBe(42)
    expect(typed('int', '-3').args['v']).toBe(-3)
    expect(typed('int', '1_000').args['v']).toBe(1000)
    expect(typed('int', 7).args['v']).toBe(7)
    expect(typed('int', 'soon').error).toBe(
      "argument 'v' is of type <class 'str'> and we were unable to convert to int: <class 'str'> cannot be converted to an int"
    )
    expect(typed('int', '1.5').error).toContain("<class 'str'> cannot be converted to an int")
    expect(typed('int', 1.5).error).toBe(
      "argument 'v' is of type <class 'float'> and we were unable to convert to int: <class 'float'> cannot be converted to an int"
    )
  })

  it('float: numbers and strings Python’s float() reads', () => {
    expect(typed('float', '1.5').args['v']).toBe(1.5)
    expect(typed('float', '1e3').args['v']).toBe(1000)
    expect(typed('float', 2).args['v']).toBe(2)
    expect(typed('float', 'x').error).toContain("<class 'str'> cannot be converted to a float")
    expect(typed('float', [1]).error).toContain("<class 'list'> cannot be converted to a float")
  })

  it('list: a string is split at commas, a number is a one-item list', () => {
    expect(typed('list', 'echo,hi').args['v']).toEqual(['echo', 'hi'])
    expect(typed('list', 5).args['v']).toEqual(['5'])
    expect(typed('list', { a: 1 }).error).toBe(
      "argument 'v' is of type <class 'dict'> and we were unable to convert to list: <class 'dict'> cannot be converted to a list"
    )
  })

  it('list elements: each converted, or the element named', () => {
    const spec: ArgSpec = {
      options: { argv: { type: 'list', elements: 'str' }, n: { type: 'list', elements: 'int' } }
    }
    expect(validate(spec, { argv: ['a', 1, true] }).args['argv']).toEqual(['a', '1', 'True'])
    expect(validate(spec, { n: ['1', 'x'] }).error).toBe(
      "Elements value for option 'n' is of type <class 'str'> and we were unable to convert to int: <class 'str'> cannot be converted to an int"
    )
  })

  it('dict: a mapping, JSON, a Python literal or k=v pairs', () => {
    expect(typed('dict', { a: 1 }).args['v']).toEqual({ a: 1 })
    expect(typed('dict', '{"a": 1}').args['v']).toEqual({ a: 1 })
    expect(typed('dict', "{'a': 1}").args['v']).toEqual({ a: 1 })
    expect(typed('dict', 'a=1, b="x y"').args['v']).toEqual({ a: '1', b: 'x y' })
    expect(typed('dict', 'nothing').error).toContain(
      'dictionary requested, could not parse JSON or key=value'
    )
    expect(typed('dict', '{nope').error).toContain('unable to evaluate string as dictionary')
    expect(typed('dict', [1]).error).toContain("<class 'list'> cannot be converted to a dict")
  })

  it('path: a string, expanded on the target by the module, not here', () => {
    expect(typed('path', '~/x/$HOME').args['v']).toBe('~/x/$HOME')
  })

  it('raw: the value as given', () => {
    expect(typed('raw', { a: [1] }).args['v']).toEqual({ a: [1] })
  })

  it('a converter of the module’s own, as Ansible takes a callable', () => {
    const even = {
      name: 'even',
      convert(value: unknown) {
        if (typeof value !== 'number' || value % 2 !== 0) throw new ArgConversionError('odd')
        return value
      }
    }
    expect(typed(even, 4).args['v']).toBe(4)
    expect(typed(even, 3).error).toBe(
      "argument 'v' is of type <class 'int'> and we were unable to convert to even: odd"
    )
  })

  it('names a playbook string as Ansible’s action plugins see it', () => {
    const spec: ArgSpec = { side: 'action', options: { seconds: { type: 'int' } } }
    const asIs = validateArgs(
      spec,
      { seconds: 'soon' },
      { action: 'pause', writtenAsIs: () => true }
    )
    expect(asIs.error).toContain(
      "argument 'seconds' is of type <class 'ansible.parsing.yaml.objects.AnsibleUnicode'>"
    )
    const templated = validateArgs(
      spec,
      { seconds: 'soon' },
      { action: 'pause', writtenAsIs: () => false }
    )
    expect(templated.error).toContain("argument 'seconds' is of type <class 'str'>")
  })
})

describe('arguments not implemented yet', () => {
  const spec: ArgSpec = {
    options: {
      owner: { notImplemented: 'use a shell task for it' },
      remote_src: { type: 'bool', default: false, notImplemented: 'use a shell task for it' }
    }
  }

  it('are refused with advice when given a value', () => {
    expect(validate(spec, { owner: 'root' }, 'copy').error).toBe(
      "copy: 'owner' is not supported yet; use a shell task for it"
    )
    expect(validate(spec, { remote_src: 'yes' }, 'copy').error).toBe(
      "copy: 'remote_src' is not supported yet; use a shell task for it"
    )
  })

  it('are accepted when they ask for nothing: null, false or the default', () => {
    expect(validate(spec, { owner: null, remote_src: 'no' }).error).toBeUndefined()
  })
})

describe('no_log arguments', () => {
  const spec: ArgSpec = { options: { password: { noLog: true }, name: {} } }

  it('are collected and masked in a result as Ansible masks them', () => {
    const { noLogValues } = validate(spec, { password: 's3cret', name: 'x' })
    expect(noLogValues).toEqual(['s3cret'])
    const result = maskNoLogValues(
      { msg: 'login with s3cret failed', password: 's3cret', list: ['s3cret', 1], name: 'x' },
      noLogValues
    )
    expect(result).toEqual({
      msg: 'login with ******** failed',
      password: NO_LOG_PLACEHOLDER,
      list: [NO_LOG_PLACEHOLDER, 1],
      name: 'x'
    })
  })

  it('mask numbers that show a secret', () => {
    const { noLogValues } = validate(
      { options: { pin: { type: 'int', noLog: true } } },
      { pin: '1234' }
    )
    expect(maskNoLogValues({ rc: 1234, other: 5 }, noLogValues)).toEqual({
      rc: NO_LOG_PLACEHOLDER,
      other: 5
    })
  })
})

describe('checkArgSpec', () => {
  it('refuses what Ansible calls internal errors', () => {
    expect(() => checkArgSpec({ options: { a: { required: true, default: 1 } } })).toThrow(
      ArgSpecError
    )
    expect(() => checkArgSpec({ options: { a: { elements: 'str' } } })).toThrow(ArgSpecError)
    expect(() => checkArgSpec({ options: { a: { aliases: ['b'] }, b: {} } })).toThrow(ArgSpecError)
    expect(() => checkArgSpec({ options: { a: {} }, mutuallyExclusive: [['a', 'c']] })).toThrow(
      'c is not an option of the spec'
    )
  })
})
