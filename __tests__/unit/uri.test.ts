import { describe, expect, it } from 'vitest'
import { responseFilename } from '../../src/modules/uri.js'
import {
  buildRequest,
  encodeBody,
  formUrlencoded,
  quotePlus,
  urlProblem,
  type HttpRequest,
  type UriRequestArgs
} from '../../src/modules/uri-request.js'
import {
  absoluteLocation,
  collectCookies,
  cookieFields,
  decodeBody,
  parseContentType,
  parseJson,
  shapeResult,
  type UriResponse,
  type UriExchange
} from '../../src/modules/uri-result.js'

// Expectations below were read from (the cookie jar's order: from Python's http.cookiejar) Ansible 2.14's uri run against a small test server (ansible
// localhost -m uri), unless a comment says otherwise.

const U = 'http://127.0.0.1:18089'

function args(over: Partial<UriRequestArgs>): UriRequestArgs {
  return {
    url: `${U}/echo`,
    method: 'GET',
    body: null,
    bodyFormat: 'raw',
    headers: {},
    httpAgent: 'ansible-httpget',
    username: null,
    password: null,
    forceBasicAuth: false,
    force: false,
    ...over
  }
}

function built(over: Partial<UriRequestArgs>): HttpRequest {
  const out = buildRequest(args(over))
  if ('error' in out) throw new Error(out.error)
  return out.request
}

function header(request: HttpRequest, name: string): string | undefined {
  return request.headers.find(([n]) => n.toLowerCase() === name.toLowerCase())?.[1]
}

function response(
  status: number,
  reason: string,
  headers: Array<[string, string]>,
  body = ''
): UriResponse {
  return { status, reason, headers, body: Buffer.from(body) }
}

function only(r: UriResponse, url = `${U}/x`): UriExchange {
  return { outcome: { response: r }, finalUrl: url }
}

describe('uri request bodies', () => {
  it('form-urlencodes a dict as Python urlencode(doseq) does: lists repeat, None dropped, str() of others', () => {
    expect(
      formUrlencoded({
        'a b': 'c&d=é',
        l: [1, 'x', null],
        n: null,
        t: true,
        d: { k: 'v' }
      })
    ).toBe('a+b=c%26d%3D%C3%A9&l=1&l=x&t=True&d=k')
    expect(
      formUrlencoded([
        ['a', '1'],
        ['a', '2']
      ])
    ).toBe('a=1&a=2')
  })

  it('quotes as quote_plus: only letters, digits and _.-~ stay', () => {
    expect(quotePlus("a!'()*~_.-/ z")).toBe('a%21%27%28%29%2A~_.-%2F+z')
  })

  it('refuses a list item that is no pair with the unpacking message', () => {
    expect(encodeBody([['a', '1', '2']], 'form-urlencoded', [])).toEqual({
      error: 'failed to parse body as form_urlencoded: too many values to unpack (expected 2)'
    })
  })

  it('serialises a json body as json.dumps (ASCII escapes, ", " and ": ") and sets Content-Type', () => {
    const out = encodeBody({ z: 1, a: ['é', null, true, 1.5] }, 'json', [])
    expect(out).toEqual({
      body: Buffer.from('{"z": 1, "a": ["\\u00e9", null, true, 1.5]}'),
      headers: [['Content-Type', 'application/json']]
    })
  })

  it('keeps a json string body and a Content-Type given in any case', () => {
    const out = encodeBody('{"k":1}', 'json', [['content-TYPE', 'text/x']])
    expect(out).toEqual({ body: Buffer.from('{"k":1}'), headers: [['content-TYPE', 'text/x']] })
  })

  it('sends "null" for body_format json without a body, as json.dumps(None)', () => {
    expect(built({ bodyFormat: 'json' }).body?.toString()).toBe('null')
  })

  it('refuses a raw body that is no string, naming body_format', () => {
    const out = encodeBody({ a: 1 }, 'raw', [])
    expect('error' in out && out.error).toMatch(/body_format raw sends a string.*body_format json/)
  })

  it('gives a raw body urllib’s default Content-Type and a bodiless POST Content-Length 0', () => {
    const withBody = built({ method: 'POST', body: 'abc' })
    expect(header(withBody, 'content-type')).toBe('application/x-www-form-urlencoded')
    expect(withBody.body?.toString()).toBe('abc')
    const bodiless = built({ method: 'post' })
    expect(bodiless.method).toBe('POST')
    expect(bodiless.body).toEqual(Buffer.alloc(0))
    expect(header(bodiless, 'content-type')).toBeUndefined()
    expect(built({}).body).toBeUndefined()
  })
})

describe('uri request headers and method', () => {
  it('refuses a method that is not one word', () => {
    expect(buildRequest(args({ method: 'PO ST' }))).toEqual({
      error: "Parameter 'method' needs to be a single word in uppercase, like GET or POST."
    })
    expect(built({ method: 'purge' }).method).toBe('PURGE')
  })

  it('sends User-Agent from http_agent, overridden by the task’s headers', () => {
    expect(header(built({}), 'user-agent')).toBe('ansible-httpget')
    expect(header(built({ headers: { 'user-agent': 'me' } }), 'User-Agent')).toBe('me')
    expect(header(built({ headers: { 'X-N': 5, 'X-B': true } }), 'x-b')).toBe('True')
  })

  it('sends If-Modified-Since with dest’s mtime, with force too (Ansible never passes force on)', () => {
    const when = new Date(Date.UTC(2026, 11, 5, 18, 23, 57))
    expect(header(built({ lastModified: when }), 'if-modified-since')).toBe(
      'Sat, 05 Dec 2026 18:23:57 GMT'
    )
    const forced = built({ lastModified: when, force: true })
    expect(header(forced, 'if-modified-since')).toBe('Sat, 05 Dec 2026 18:23:57 GMT')
    expect(header(forced, 'cache-control')).toBeUndefined()
  })

  it('sends Basic credentials up front only with force_basic_auth, over a given Authorization', () => {
    const forced = built({
      username: 'alice',
      password: 's3cret',
      forceBasicAuth: true,
      headers: { authorization: 'Bearer x' }
    })
    expect(header(forced, 'authorization')).toBe('Basic YWxpY2U6czNjcmV0')
    const lazy = buildRequest(args({ username: 'alice', password: 's3cret' }))
    expect(lazy).toMatchObject({ challenge: { username: 'alice', password: 's3cret' } })
    expect('request' in lazy && header(lazy.request, 'authorization')).toBeUndefined()
  })

  it('takes credentials out of the URL when url_username is not given', () => {
    const out = buildRequest(args({ url: 'http://bob:pw@127.0.0.1:1/x' }))
    expect(out).toMatchObject({
      request: { url: 'http://127.0.0.1:1/x' },
      challenge: { username: 'bob', password: 'pw' }
    })
  })
})

describe('uri results', () => {
  const base = { url: `${U}/x`, statusCode: [200], returnContent: false, elapsed: 0 }

  it('shapes a 200 JSON answer as Ansible does', () => {
    const out = shapeResult(
      only(
        response(
          200,
          'OK',
          [
            ['Server', 'BaseHTTP/0.6 Python/3.11.7'],
            ['Content-Type', 'application/json'],
            ['Content-Length', '27']
          ],
          '{"a": 1, "b": [true, null]}'
        )
      ),
      base
    )
    expect({ ...out.result }).toEqual({
      changed: false,
      content_length: '27',
      content_type: 'application/json',
      cookies: {},
      cookies_string: '',
      elapsed: 0,
      json: { a: 1, b: [true, null] },
      msg: 'OK (27 bytes)',
      redirected: false,
      server: 'BaseHTTP/0.6 Python/3.11.7',
      status: 200,
      url: `${U}/x`
    })
  })

  it('joins repeated headers, reports cookies, content with return_content', () => {
    const headers: Array<[string, string]> = [
      ['Content-Type', 'text/plain'],
      ['Set-Cookie', 'sid=abc; Path=/'],
      ['Set-Cookie', 'theme=dark'],
      ['X-Dup', 'one'],
      ['X-Dup', 'two'],
      ['X-Under_Score', 'u'],
      ['Content-Length', '1']
    ]
    const out = shapeResult(
      { outcome: { response: response(200, 'OK', headers, 'c') }, finalUrl: `${U}/cookie` },
      { ...base, returnContent: true }
    )
    expect(out.result).toMatchObject({
      content: 'c',
      cookies: { sid: 'abc', theme: 'dark' },
      cookies_string: 'sid=abc; theme=dark',
      set_cookie: 'sid=abc; Path=/, theme=dark',
      x_dup: 'one, two',
      x_under_score: 'u',
      msg: 'OK (1 bytes)'
    })
  })

  it('fails a 404 with the reason, json of a JSON body, no content, no cookies', () => {
    const r404 = response(
      404,
      'Not Found',
      [
        ['Content-Type', 'application/json'],
        ['Content-Length', '12']
      ],
      '{"err": "x"}'
    )
    const out = shapeResult(only(r404), base)
    expect({ ...out.result }).toEqual({
      changed: false,
      content_length: '12',
      content_type: 'application/json',
      elapsed: 0,
      failed: true,
      json: { err: 'x' },
      msg: 'Status code was 404 and not [200]: HTTP Error 404: Not Found',
      redirected: false,
      status: 404,
      url: `${U}/x`
    })
  })

  it('keeps the body of an accepted error status as `body`, or as content when asked', () => {
    const r404 = response(404, 'Not Found', [['Content-Type', 'text/html']], 'nope\n')
    const accepted = shapeResult(only(r404), { ...base, statusCode: [404, 200] })
    expect(accepted.result).toMatchObject({ body: 'nope\n', msg: 'HTTP Error 404: Not Found' })
    expect(accepted.result['failed']).toBeUndefined()
    const asked = shapeResult(only(r404), { ...base, statusCode: [404], returnContent: true })
    expect(asked.result['content']).toBe('nope\n')
    expect(asked.result['body']).toBeUndefined()
    const failed = shapeResult(only(r404), { ...base, statusCode: [200, 201], returnContent: true })
    expect(failed.result).toMatchObject({
      content: 'nope\n',
      msg: 'Status code was 404 and not [200, 201]: HTTP Error 404: Not Found'
    })
  })

  it('reports a refused connection and a timeout as urllib words them', () => {
    const refused = shapeResult(
      {
        outcome: {
          failure: {
            kind: 'refused',
            stage: 'connect',
            reason: '[Errno 111] Connection refused',
            detail: 'curl: (7) Failed to connect to 127.0.0.1 port 1: Connection refused'
          }
        },
        finalUrl: `${U}/x`
      },
      base
    )
    expect({ ...refused.result }).toEqual({
      changed: false,
      elapsed: 0,
      failed: true,
      msg: 'Status code was -1 and not [200]: Request failed: <urlopen error [Errno 111] Connection refused>',
      redirected: false,
      status: -1,
      url: `${U}/x`
    })
    const timeout = shapeResult(
      {
        outcome: {
          failure: {
            kind: 'timeout',
            stage: 'response',
            reason: 'timed out',
            detail: 'curl: (28) Operation timed out after 1001 milliseconds with 0 bytes received'
          }
        },
        finalUrl: `${U}/x`
      },
      base
    )
    expect(timeout.result['msg']).toBe(
      'Status code was -1 and not [200]: Connection failure: timed out'
    )
  })

  it('makes Location absolute the way Ansible does, quirks included', () => {
    expect(absoluteLocation(`${U}/r301`, '/echo')).toBe(`${U}/echo`)
    expect(absoluteLocation(`${U}/a/b?x=1`, 'echo')).toBe(`${U}/a/echo`)
    expect(absoluteLocation(`${U}/a`, 'https://h/z')).toBe('https://h/z')
    // Every occurrence of the path is taken out of the URL, '/' included.
    expect(absoluteLocation('http://h/', '/echo')).toBe('http:h/echo')
  })

  it('says the URL was redirected when the final URL differs', () => {
    const out = shapeResult(only(response(200, 'OK', []), `${U}/echo`), {
      ...base,
      url: `${U}/r302`
    })
    expect(out.result).toMatchObject({
      redirected: true,
      url: `${U}/echo`,
      msg: 'OK (unknown bytes)'
    })
  })

  it('parses JSON only for json and javascript media types, +json suffixes included', () => {
    expect(parseContentType([['Content-Type', 'application/vnd.api+json; charset=utf-8']])).toEqual(
      { type: 'application', subtype: 'vnd.api+json', charset: 'utf-8' }
    )
    expect(parseContentType([])).toMatchObject({ type: 'text', subtype: 'plain' })
    const text = shapeResult(
      only(response(200, 'OK', [['Content-Type', 'text/plain']], '{"a": 1}')),
      base
    )
    expect(text.result['json']).toBeUndefined()
    const bad = shapeResult(
      only(response(200, 'OK', [['Content-Type', 'application/json']], '{"a": ')),
      base
    )
    expect(bad.result['json']).toBeUndefined()
    expect(bad.result['failed']).toBeUndefined()
    expect(parseJson('[NaN, -Infinity, "NaN"]')?.value).toEqual([NaN, -Infinity, 'NaN'])
  })

  it('orders cookies as Python’s jar (domain, path, name) and drops expired ones', () => {
    const jar = collectCookies(
      [],
      [
        ['Set-Cookie', 'b=2; Path=/'],
        ['Set-Cookie', 'a=1; Path=/deep'],
        ['Set-Cookie', 'gone=x; Max-Age=0'],
        ['Set-Cookie', 'old=x; Expires=Thu, 01 Jan 1970 00:00:00 GMT'],
        ['Set-Cookie', 'q="quoted"']
      ],
      `${U}/dir/page`
    )
    expect(cookieFields(jar)).toEqual({
      cookies: { b: '2', a: '1', q: '"quoted"' },
      string: 'b=2; a=1; q="quoted"'
    })
  })

  it('reports urllib’s redirect-loop message with the last 3xx', () => {
    const out = shapeResult(
      {
        outcome: { response: response(302, 'Found', [['Location', '/redirect-loop']]) },
        finalUrl: `${U}/redirect-loop`,
        redirectLoop: true
      },
      { ...base, url: `${U}/redirect-loop` }
    )
    expect(out.result).toMatchObject({
      status: 302,
      location: `${U}/redirect-loop`,
      redirected: false,
      msg:
        'Status code was 302 and not [200]: HTTP Error 302: The HTTP server returned a redirect ' +
        'error that would ' +
        'lead to an infinite loop.\nThe last 30x error message was:\nFound'
    })
  })

  it('keeps the requested URL for an error status reached through redirects', () => {
    const out = shapeResult(only(response(404, 'Not Found', []), `${U}/status/404`), {
      ...base,
      url: `${U}/redirect/302/1?to=/status/404`
    })
    expect(out.result).toMatchObject({
      url: `${U}/redirect/302/1?to=/status/404`,
      redirected: false
    })
  })

  it('words a connection the server closed, or a wait that timed out, as a socket error', () => {
    const failure = (
      kind: 'closed' | 'timeout',
      stage: 'connect' | 'response',
      reason: string
    ): string =>
      String(
        shapeResult(
          { outcome: { failure: { kind, stage, reason, detail: '' } }, finalUrl: `${U}/x` },
          base
        ).result['msg']
      )
    expect(failure('closed', 'response', 'Remote end closed connection without response')).toBe(
      'Status code was -1 and not [200]: Connection failure: Remote end closed connection without response'
    )
    expect(failure('timeout', 'connect', 'timed out')).toBe(
      'Status code was -1 and not [200]: Request failed: <urlopen error timed out>'
    )
  })
})

describe('uri dest directory names', () => {
  it('takes Content-Disposition’s filename, else the URL’s last segment unquoted, else index.html', () => {
    expect(
      responseFilename([['Content-Disposition', 'attachment; filename="a b.txt"']], `${U}/x/y`)
    ).toBe('a b.txt')
    expect(responseFilename([['Content-Disposition', 'inline; filename=c.tgz']], `${U}/x`)).toBe(
      'c.tgz'
    )
    expect(responseFilename([], `${U}/files/na%20me.txt?q=1`)).toBe('na me.txt')
    expect(responseFilename([], `${U}/dir/`)).toBe('dir')
    expect(responseFilename([], `${U}/`)).toBe('index.html')
  })
})

describe('uri body text', () => {
  it('decodes UTF-8 with Python’s surrogateescape: each invalid byte becomes U+DC80–U+DCFF', () => {
    // Python: b'a\xff\xe2\x82A\xf0\x9f\x98\x80\xed\xa0\x80'.decode('utf-8', 'surrogateescape')
    const bytes = Buffer.from([
      0x61, 0xff, 0xe2, 0x82, 0x41, 0xf0, 0x9f, 0x98, 0x80, 0xed, 0xa0, 0x80
    ])
    expect(decodeBody(bytes, 'utf-8')).toBe('a\udcff\udce2\udc82A😀\udced\udca0\udc80')
    expect(decodeBody(Buffer.from([0xe9]), 'ISO-8859-1')).toBe('é')
    expect(decodeBody(Buffer.from([0xc3, 0xa9]), 'no-such-charset')).toBe('é')
  })
})

describe('uri URLs urllib refuses before connecting', () => {
  it('words each as Ansible does, and refuses ftp and file by name', () => {
    expect(urlProblem('example.com/x')).toEqual({
      kind: 'value',
      msg: "unknown url type: 'example.com/x'"
    })
    expect(urlProblem('127.0.0.1:18089/json')).toEqual({
      kind: 'urlopen',
      reason: 'unknown url type: 127.0.0.1'
    })
    expect(urlProblem('Gopher://x/')).toEqual({
      kind: 'urlopen',
      reason: 'unknown url type: gopher'
    })
    expect(urlProblem('http://')).toEqual({ kind: 'urlopen', reason: 'no host given' })
    expect(urlProblem('ftp://h/x')).toMatchObject({ kind: 'unsupported' })
    expect(urlProblem('http://127.0.0.1:18089/a b?x=1 2#f g')).toEqual({
      kind: 'unknown',
      msg: "URL can't contain control characters. '/a b?x=1 2' (found at least ' ')"
    })
    expect(urlProblem('http://127.0.0.1:18089/é', 'GET')).toEqual({
      kind: 'value',
      msg: "'ascii' codec can't encode character '\\xe9' in position 5: ordinal not in range(128)"
    })
    expect(urlProblem('http://h/x?€', 'POST')).toMatchObject({
      msg: "'ascii' codec can't encode character '\\u20ac' in position 8: ordinal not in range(128)"
    })
    expect(urlProblem('HTTP://127.0.0.1/x')).toBeUndefined()
    expect(urlProblem('https://u:p@h/x')).toBeUndefined()
  })
})
