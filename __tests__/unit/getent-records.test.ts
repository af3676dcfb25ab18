import { describe, expect, it } from 'vitest'
import { getentRecords } from '../../src/modules/getent.js'

describe("getent's records", () => {
  it('keys each line by its first field, split at colons or at white space', () => {
    expect(getentRecords('root:x:0:0:root:/root:/bin/bash\n', ':')).toEqual({
      root: ['x', '0', '0', 'root', '/root', '/bin/bash']
    })
    expect(getentRecords('http                  80/tcp www\n', null)).toEqual({
      http: ['80/tcp', 'www']
    })
    // Empty fields stay with a separator given; white space never makes one.
    expect(getentRecords('root:x:0:\n', ':')).toEqual({ root: ['x', '0', ''] })
  })

  it('turns a key met on several lines into the list of each line’s fields', () => {
    const ahosts =
      '127.0.0.1       STREAM localhost\n127.0.0.1       DGRAM  \n127.0.0.1       RAW    \n'
    expect(getentRecords(ahosts, null)).toEqual({
      '127.0.0.1': [['STREAM', 'localhost'], ['DGRAM'], ['RAW']]
    })
  })

  it('skips blank lines, and splits lines as Python does', () => {
    expect(getentRecords('a b\n\n   \nc d\re f\u2028g\n', null)).toEqual({
      a: ['b'],
      c: ['d'],
      e: ['f'],
      g: []
    })
  })
})
