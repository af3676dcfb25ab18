// Parsing the HTTP transport's answers: header dumps, joined headers, and failures in urllib's words.
import { describe, expect, it } from 'vitest'
import {
  classifyFailure,
  joinHeaders,
  lastHeaderBlock,
  parseAnswer,
  urlopenError
} from '../../src/http/transport.js'

describe('lastHeaderBlock', () => {
  it('takes the last response of a dump (curl -D keeps a 401 before the 200)', () => {
    const dump =
      'HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Basic realm="x"\r\n\r\n' +
      'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nX-Folded: one\r\n  two\r\nSet-Cookie: a=1\r\nset-cookie: b=2\r\n\r\n'
    const block = lastHeaderBlock(dump)
    expect(block.status).toBe(200)
    expect(block.reason).toBe('OK')
    expect(block.pairs).toEqual([
      ['Content-Type', 'text/plain'],
      ['X-Folded', 'one two'],
      ['Set-Cookie', 'a=1'],
      ['set-cookie', 'b=2']
    ])
    expect(joinHeaders(block.pairs)).toEqual({
      'content-type': 'text/plain',
      'x-folded': 'one two',
      'set-cookie': 'a=1, b=2'
    })
  })

  it('reads a status line without a reason, and a header named __proto__ as a plain key', () => {
    const block = lastHeaderBlock('HTTP/1.1 299\n__proto__: x\n')
    expect(block).toMatchObject({ status: 299, reason: '' })
    const joined = joinHeaders(block.pairs)
    expect(Object.keys(joined)).toEqual(['__proto__'])
    expect(joined['__proto__']).toBe('x')
  })
})

describe('classifyFailure', () => {
  it("gives curl's failures urllib's reasons", () => {
    expect(urlopenError(classifyFailure('curl', 7, 'curl: (7) Failed to connect', false)!)).toBe(
      '<urlopen error [Errno 111] Connection refused>'
    )
    expect(classifyFailure('curl', 6, 'curl: (6) Could not resolve host: x', false)?.reason).toBe(
      '[Errno -2] Name or service not known'
    )
    expect(classifyFailure('curl', 28, 'curl: (28) Operation timed out', false)).toMatchObject({
      kind: 'timeout',
      reason: 'timed out',
      stage: 'connect'
    })
    expect(classifyFailure('curl', 28, 'too slow', true)?.stage).toBe('body')
    expect(
      classifyFailure(
        'curl',
        60,
        'curl: (60) SSL certificate problem: self-signed certificate',
        false
      )?.reason
    ).toBe(
      '[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: self-signed certificate (_ssl.c:992)'
    )
    expect(classifyFailure('curl', 0, '', true)).toBeUndefined()
  })

  it("treats wget's exit 8 with a response as a response, not a failure", () => {
    expect(classifyFailure('wget', 8, 'ERROR 404: Not Found.', true)).toBeUndefined()
    expect(classifyFailure('wget', 4, 'failed: Connection refused.', false)?.kind).toBe('refused')
    expect(
      classifyFailure('wget', 4, 'wget: unable to resolve host address ‘x’', false)?.kind
    ).toBe('dns')
  })
})

describe('parseAnswer', () => {
  it('splits the key lines, the header block and the body', () => {
    const headers = 'HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\n'
    const stdout = Buffer.concat([
      Buffer.from(
        `tool=curl\nrc=0\nstatus=200\nurl=http://h/x\nhops=1\nmethod=GET\nelapsed=2\nerr_hex=\nbody_size=3\nheaders_len=${headers.length}\nbody_len=3\nend=1\n`
      ),
      Buffer.from(headers),
      Buffer.from([0, 10, 255])
    ])
    const res = parseAnswer(stdout, 'web1', '', { url: 'http://h/' })
    expect(res).toMatchObject({
      tool: 'curl',
      status: 200,
      reason: 'OK',
      url: 'http://h/x',
      redirects: 1,
      elapsedSeconds: 2,
      bodySize: 3,
      bodyTruncated: false
    })
    expect([...res.body!]).toEqual([0, 10, 255])
    expect(res.failure).toBeUndefined()
  })

  it('names the missing tools', () => {
    expect(() =>
      parseAnswer(Buffer.from('missing=auto\nend=1\n'), 'web1', '', { url: 'x' })
    ).toThrow('neither curl nor wget is installed on web1')
    expect(() =>
      parseAnswer(Buffer.from('tool=wget\nbusybox_wget=1\nend=1\n'), 'web1', '', { url: 'x' })
    ).toThrow(/only busybox wget is installed on web1/)
  })
})
