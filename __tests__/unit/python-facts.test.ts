import { describe, expect, it } from 'vitest'
import { pythonFacts } from '../../src/modules/setup.js'

describe("ansible_python from the interpreter's -V", () => {
  it('reads a final release as sys.version_info has it', () => {
    expect(pythonFacts('/usr/bin/python3', 'Python 3.11.2\n')).toEqual({
      ansible_python: {
        version: { major: 3, minor: 11, micro: 2, releaselevel: 'final', serial: 0 },
        version_info: [3, 11, 2, 'final', 0],
        executable: '/usr/bin/python3',
        has_sslcontext: true,
        type: 'cpython'
      },
      ansible_python_version: '3.11.2'
    })
  })

  it('reads pre-releases, Debian build suffixes, Python 2 and PyPy', () => {
    const rc = pythonFacts('/usr/bin/python3.12', 'Python 3.12.0rc1')
    expect(rc['ansible_python']).toMatchObject({
      version_info: [3, 12, 0, 'candidate', 1]
    })
    expect(rc['ansible_python_version']).toBe('3.12.0rc1')
    expect(pythonFacts('/usr/bin/python3', 'Python 3.13.0a4')['ansible_python']).toMatchObject({
      version: { releaselevel: 'alpha', serial: 4 }
    })
    expect(pythonFacts('/usr/bin/python3', 'Python 3.11.2+')['ansible_python_version']).toBe(
      '3.11.2'
    )
    expect(pythonFacts('/usr/bin/python', 'Python 2.7.18')['ansible_python']).toMatchObject({
      version_info: [2, 7, 18, 'final', 0]
    })
    expect(
      pythonFacts('/usr/bin/pypy3', 'Python 3.9.16 (7.3.11+dfsg-2, Feb 06 2023)\n[PyPy 7.3.11]')[
        'ansible_python'
      ]
    ).toMatchObject({ type: 'pypy' })
  })

  it('gives no python facts when the target has no Python', () => {
    expect(pythonFacts(undefined, undefined)).toEqual({})
    expect(pythonFacts('/usr/bin/python3', 'sh: python3: not found')).toEqual({})
  })
})
