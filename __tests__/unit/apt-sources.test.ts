// The pure parts of apt_repository, apt_key and deb822_repository: how a sources line is read and written
// back, the file name derived from a source, key ids, and the deb822 text. Expected values were taken
// from Ansible 2.14's apt_repository and apt_key run on the same inputs (deb822: 2.15's documentation).
import { describe, expect, it } from 'vitest'
import { keysOf, parseKeyId } from '../../src/modules/apt-key.js'
import { suggestedFileName } from '../../src/modules/apt-repository.js'
import { formatSourceLine, parseSourceLine, textLines } from '../../src/modules/apt-sources.js'
import { deb822Text } from '../../src/modules/deb822-repository.js'

describe('a sources line', () => {
  it.each([
    [
      '  deb   http://a  b  # c d  ',
      { valid: true, enabled: true, source: 'deb http://a b', comment: 'c d' }
    ],
    ['#deb http://a b', { valid: true, enabled: false, source: 'deb http://a b', comment: '' }],
    ['## x', { valid: false, enabled: false, source: '# x', comment: '' }],
    ['# # x', { valid: false, enabled: false, source: '', comment: 'x' }],
    [
      'deb-src\thttp://a\tb',
      { valid: true, enabled: true, source: 'deb-src http://a b', comment: '' }
    ],
    ['random text', { valid: false, enabled: true, source: 'random text', comment: '' }],
    ['#', { valid: false, enabled: false, source: '', comment: '' }],
    ['', { valid: false, enabled: true, source: '', comment: '' }],
    ['deb#x', { valid: true, enabled: true, source: 'deb', comment: 'x' }],
    [
      ' #  deb http://a b #c',
      { valid: true, enabled: false, source: 'deb http://a b', comment: 'c' }
    ]
  ])('%j is read as Ansible reads it', (raw, expected) => {
    expect(parseSourceLine(raw)).toEqual(expected)
  })

  it('is written back in normal form', () => {
    expect(formatSourceLine(parseSourceLine('  deb   http://a  b  # c d  '))).toBe(
      'deb http://a b # c d\n'
    )
    expect(formatSourceLine(parseSourceLine('#deb http://a b'))).toBe('# deb http://a b\n')
    expect(formatSourceLine(parseSourceLine('## note'))).toBe('# # note\n')
    expect(formatSourceLine(parseSourceLine('# # note'))).toBe('#  # note\n')
  })

  it('splits text into lines as Python does (\\r\\n, \\r, no final newline)', () => {
    expect(textLines('a\r\nb\rc\nd')).toEqual(['a', 'b', 'c', 'd'])
    expect(textLines('a\n\n')).toEqual(['a', ''])
    expect(textLines('')).toEqual([])
  })
})

describe('the file name of a source', () => {
  it.each([
    ['deb http://archive.canonical.com/ubuntu hardy partner', 'archive_canonical_com_ubuntu.list'],
    [
      'deb [arch=amd64 signed-by=/etc/apt/keyrings/x.asc] https://download.example.com/linux/ubuntu jammy stable',
      'download_example_com_linux_ubuntu.list'
    ],
    [
      'deb-src http://user:secret@host.example:8080/path/to/repo/ stable main',
      'host_example_8080_path_to_repo.list'
    ],
    ['deb file:/srv/repo ./', 'file_srv_repo.list'],
    ['deb cdrom:[Debian GNU/Linux 12]/ bookworm main', 'cdrom.list'],
    ['deb http://ex.ample/ü-repo stable main', 'ex_ample_repo.list']
  ])('%s → %s', (source, name) => {
    expect(suggestedFileName(source)).toBe(name)
  })
})

describe('key ids', () => {
  it('reads 8, 16 and longer ids, with 0x and in any case', () => {
    expect(parseKeyId('0x68421b9b')).toEqual({
      short: '68421B9B',
      fingerprint: '68421B9B',
      keyId: '68421B9B'
    })
    expect(parseKeyId('D8CB7815B8099EF814DEA1181EEF0C7468421B9B')).toEqual({
      short: '68421B9B',
      fingerprint: '1EEF0C7468421B9B',
      keyId: 'D8CB7815B8099EF814DEA1181EEF0C7468421B9B'
    })
    expect(parseKeyId('123')).toBeUndefined()
    expect(parseKeyId('12345678901')).toBeUndefined()
    expect(parseKeyId('nothex00')).toBeUndefined()
    expect(parseKeyId(null)).toBeUndefined()
  })

  it("finds the ids in apt-key's list and gpg's colons, leaving out expired keys", () => {
    const list = [
      '/tmp/ring.gpg',
      '--------------',
      'pub   rsa2048/1EEF0C7468421B9B 2026-12-05 [SC]',
      '      D8CB7815B8099EF814DEA1181EEF0C7468421B9B',
      'uid                 [ unknown] APB one <one@apb.test>',
      'sub   rsa2048/AAAABBBBCCCCDDDD 2026-12-05 [E]',
      'pub   rsa2048/0000111122223333 2020-01-01 [SC] [expired: 2021-01-01]'
    ].join('\n')
    expect(keysOf(list)).toEqual(['1EEF0C7468421B9B', 'AAAABBBBCCCCDDDD'])
    expect(keysOf('pub:-:2048:1:1EEF0C7468421B9B:1796505574:::-:\nuid:::::::::x:\n')).toEqual([
      '1EEF0C7468421B9B'
    ])
  })
})

describe('the deb822 text', () => {
  it('writes the options given, in option-name order, with Ansible field names', () => {
    const args = {
      name: 'example',
      types: ['deb', 'deb-src'],
      uris: ['https://a.example/debian'],
      suites: ['stable'],
      components: ['main'],
      by_hash: true,
      pdiffs: false,
      inrelease_path: 'x/InRelease',
      allow_downgrade_to_insecure: false,
      install_python_debian: true,
      mode: '0644',
      state: 'present'
    }
    expect(deb822Text({ args }, 'AAAA BBBB')).toBe(
      'Allow-Downgrade-To-Insecure: no\nBy-Hash: yes\nComponents: main\nInrelease-Path: x/InRelease\n' +
        'X-Repolib-Name: example\nPdiffs: no\nSigned-By: AAAA BBBB\nSuites: stable\nTypes: deb deb-src\n' +
        'URIs: https://a.example/debian\n'
    )
  })
})
