// get_url's decisions without a target: checksum arguments and lists, file names, dates, messages.
import { describe, expect, it } from 'vitest'
import {
  checksumFromList,
  cleanChecksum,
  dispositionFilename,
  httpDate,
  isChecksumUrl,
  pythonDirname,
  splitChecksum,
  unsupportedAlgorithmMessage,
  urlFilename
} from '../../src/modules/get-url-support.js'
import { statusMessage } from '../../src/http/transport.js'

describe('checksum argument', () => {
  it('splits at the first colon only (a URL keeps its own)', () => {
    expect(splitChecksum('sha256:https://h/x:1/SUMS')).toEqual({
      algorithm: 'sha256',
      value: 'https://h/x:1/SUMS'
    })
    expect(splitChecksum('sha256')).toBeUndefined()
    expect(isChecksumUrl('https://h/SUMS')).toBe(true)
    expect(isChecksumUrl('abcdef')).toBe(false)
  })

  it('cleans as Ansible does: separators and a zero-width space dropped, lower case', () => {
    expect(cleanChecksum('AB:CD\u200bEF')).toBe('abcdef')
    expect(cleanChecksum(' ab cd ')).toBe('abcd')
    expect(cleanChecksum('xyz')).toBeUndefined()
    expect(cleanChecksum('')).toBeUndefined()
    expect(unsupportedAlgorithmMessage('/f', 'whirlpool')).toBe(
      "Could not hash file '/f' with algorithm 'whirlpool'. Available algorithms: md5, sha1, sha224, sha256, sha384, sha512"
    )
  })

  it('finds a file in a checksum list: text and binary marks, ./ names, a lone checksum', () => {
    const list = 'aaa  app.tar.gz\nbbb *./other.bin\nccc  sub/dir.txt\n'
    expect(checksumFromList(list, 'app.tar.gz')).toBe('aaa')
    expect(checksumFromList(list, 'other.bin')).toBe('bbb')
    expect(checksumFromList(list, 'dir.txt')).toBeUndefined()
    expect(checksumFromList('ddd\n', 'anything')).toBe('ddd')
    expect(checksumFromList('', 'x')).toBeUndefined()
  })
})

describe('file names', () => {
  it('takes the last part of the URL path, index.html when there is none', () => {
    expect(urlFilename('http://h/a/b/file.tar.gz?x=1#y')).toBe('file.tar.gz')
    expect(urlFilename('http://h/')).toBe('index.html')
    expect(urlFilename('http://h')).toBe('index.html')
    expect(urlFilename('http://h/dir/')).toBe('index.html')
  })

  it("reads Content-Disposition's attachment filename, its last part only", () => {
    expect(
      dispositionFilename({ 'content-disposition': 'attachment; filename="../x/y.txt"' })
    ).toBe('y.txt')
    expect(dispositionFilename({ 'content-disposition': 'attachment;filename=plain.bin' })).toBe(
      'plain.bin'
    )
    expect(
      dispositionFilename({ 'content-disposition': 'inline; filename="no.txt"' })
    ).toBeUndefined()
    expect(dispositionFilename({})).toBeUndefined()
  })
})

describe('pythonDirname', () => {
  it('is os.path.dirname', () => {
    expect(pythonDirname('/a/dir/')).toBe('/a/dir')
    expect(pythonDirname('/a/file')).toBe('/a')
    expect(pythonDirname('/x')).toBe('/')
    expect(pythonDirname('x')).toBe('')
    expect(pythonDirname('a//b')).toBe('a')
  })
})

describe('request texts', () => {
  it('dates If-Modified-Since in GMT, whole seconds', () => {
    expect(httpDate(1546300800.75)).toBe('Tue, 01 Jan 2019 00:00:00 GMT')
  })

  it('words responses as fetch_url does', () => {
    const base = { headers: {}, redirectLoop: false }
    expect(
      statusMessage({ ...base, status: 200, reason: 'OK', headers: { 'content-length': '5' } })
    ).toBe('OK (5 bytes)')
    expect(statusMessage({ ...base, status: 204, reason: 'No Content' })).toBe('OK (unknown bytes)')
    expect(statusMessage({ ...base, status: 404, reason: 'Not Found' })).toBe(
      'HTTP Error 404: Not Found'
    )
    expect(statusMessage({ ...base, status: 302, reason: 'Found', redirectLoop: true })).toBe(
      'HTTP Error 302: The HTTP server returned a redirect error that would lead to an infinite loop.\nThe last 30x error message was:\nFound'
    )
  })
})
