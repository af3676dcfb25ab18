// The CLI's options: the README, --help and the parser list the same ones, and every option of
// ansible-playbook (and of `ansible`) is either read or refused in one line.
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import {
  checkPlaybookFile,
  CLI_OPTIONS,
  parseCli,
  PlaybookNotFoundError,
  UsageError,
  USAGE
} from '../../src/cli-options.js'
import { OptionError } from '../../src/errors.js'
import { findAnsiblePlaybook } from '../helpers/ansible.js'

const FLAG = /(?<![\w-])--?[A-Za-z][\w-]*/g

/** The flags of the `Options:` section of --help, in order. */
function helpFlags(): string[] {
  const section = USAGE.slice(
    USAGE.indexOf('Options:'),
    USAGE.indexOf('\n\n', USAGE.indexOf('Options:'))
  )
  return section
    .split('\n')
    .filter((line) => /^\s+-/.test(line))
    .flatMap((line) => (line.trim().split(/\s{2,}/)[0] ?? '').match(FLAG) ?? [])
}

/** The flags in the first column of the README's options table (under "## Command line"). */
function readmeFlags(): string[] {
  const readme = readFileSync('README.md', 'utf8')
  const section = readme.slice(readme.indexOf('## Command line'))
  const table = section.slice(section.indexOf('| option | meaning |'))
  const rows = table.slice(0, table.indexOf('\n\n')).split('\n').slice(2)
  return rows.flatMap((row) => (row.split('|')[1] ?? '').match(FLAG) ?? [])
}

function parserFlags(): string[] {
  return Object.entries(CLI_OPTIONS).flatMap(([name, option]) => [
    ...('short' in option ? [`-${option.short}`] : []),
    `--${name}`
  ])
}

const sorted = (list: string[]): string[] => [...new Set(list)].sort()

describe('the options are listed alike everywhere', () => {
  it('--help lists every option the parser reads, and only those', () => {
    expect(sorted(helpFlags())).toEqual(sorted(parserFlags()))
  })

  it('the README options table lists every option --help lists, and only those', () => {
    expect(sorted(readmeFlags())).toEqual(sorted(helpFlags()))
  })
})

const dir = mkdtempSync(path.join(tmpdir(), 'apb-cli-options-'))
writeFileSync(path.join(dir, 'play.yml'), '- hosts: all\n  tasks: []\n')
writeFileSync(path.join(dir, 'jobs.json'), '{}\n')
const parse = (argv: string[]): ReturnType<typeof parseCli> => parseCli(argv, {}, false, dir)

describe('parse errors', () => {
  it('an unknown option is a UsageError (exit 2) of one line, with a suggestion and no usage', () => {
    const error = (() => {
      try {
        parse(['play.yml', '--forsk', '3'])
      } catch (e) {
        return e as Error
      }
    })()
    expect(error).toBeInstanceOf(UsageError)
    expect(error?.message).toBe(
      "unknown option '--forsk' (did you mean --forks?). Run 'async-playbook --help' for the options."
    )
  })

  it('an option without its value is a one-line UsageError', () => {
    expect(() => parse(['play.yml', '-i'])).toThrow(UsageError)
    expect(() => parse(['play.yml', '-i'])).toThrow(
      /^option '-i, --inventory' needs a value\. Run 'async-playbook --help' for the options\.$/
    )
  })

  it('a playbook file that does not exist is PlaybookNotFoundError (exit 1); inline YAML is not checked', () => {
    expect(() => checkPlaybookFile('no-such-playbook.yml', dir)).toThrow(PlaybookNotFoundError)
    expect(() => checkPlaybookFile('.', dir)).toThrow(/does not appear to be a file/)
    expect(() => checkPlaybookFile('play.yml', dir)).not.toThrow()
    expect(() => checkPlaybookFile('- hosts: all\n  tasks: []\n', dir)).not.toThrow()
  })

  it('refuses an option that does nothing in the mode asked for, as an OptionError (exit 5)', () => {
    for (const argv of [
      ['play.yml', '--timeout', '5'],
      ['play.yml', '-B', '5'],
      ['play.yml', '-m', 'ping'],
      ['all', '-m', 'ping', '-P', '5'],
      ['all', '-m', 'ping', '--skip-tags', 'x'],
      ['all', '-m', 'ping', '--force-handlers'],
      ['--jobs', '/dev/null', '--shard', '1/2'],
      ['--jobs', '/dev/null', '-f', '3'],
      ['--jobs', '/dev/null', '--command-timeout', '3']
    ]) {
      expect(() => parse(argv), JSON.stringify(argv)).toThrow(
        /does nothing|are for ad-hoc|needs -B|is a playbook/
      )
      expect(() => parse(argv), JSON.stringify(argv)).toThrow(OptionError)
      expect(() => parse(argv), JSON.stringify(argv)).not.toThrow(UsageError)
    }
  })

  it('-C/--check and -D/--diff set check and diff mode, in a playbook run and an ad-hoc one', () => {
    for (const argv of [
      ['play.yml', '-C', '-D'],
      ['play.yml', '--check', '--diff'],
      ['play.yml', '-vCD'],
      ['all', '-m', 'ping', '-C', '-D']
    ]) {
      const settings = parse(argv).settings
      expect(settings?.check, JSON.stringify(argv)).toBe(true)
      expect(settings?.diff, JSON.stringify(argv)).toBe(true)
    }
    const plain = parse(['play.yml']).settings
    expect(plain?.check).toBeUndefined()
    expect(plain?.diff).toBeUndefined()
    // ANSIBLE_DIFF_ALWAYS is the default of --diff, as in ansible-playbook.
    expect(parseCli(['play.yml'], { ANSIBLE_DIFF_ALWAYS: 'yes' }, false, dir).settings?.diff).toBe(
      true
    )
    expect(
      parseCli(['play.yml'], { ANSIBLE_DIFF_ALWAYS: 'no' }, false, dir).settings?.diff
    ).toBeUndefined()
  })

  it('still accepts the combinations that do something', () => {
    expect(parse(['all', '-m', 'shell', '-a', 'true', '-B', '5', '-P', '0']).kind).toBe('adhoc')
    expect(parse(['all', '-m', 'async_status', '-a', 'jid=j1.1', '--jobs', 'jobs.json']).kind).toBe(
      'adhoc'
    )
  })
})

const ansiblePlaybook = findAnsiblePlaybook()

describe.runIf(ansiblePlaybook)('every option of ansible-playbook and ansible', () => {
  for (const command of ['ansible-playbook', 'ansible']) {
    it(`${command} --help: each option is read, or refused in one line as not supported`, () => {
      const help = spawnSync(command, ['--help'], {
        encoding: 'utf8',
        env: { PATH: process.env.PATH }
      })
      expect(help.status).toBe(0)
      const theirs = sorted(
        help.stdout
          .split('\n')
          .filter((line) => /^\s+-/.test(line))
          .flatMap((line) => (line.trim().split(/\s{2,}/)[0] ?? '').match(FLAG) ?? [])
      )
      expect(theirs).toContain('--check')
      const ours = new Set(parserFlags())
      for (const flag of theirs.filter((f) => !ours.has(f))) {
        let error: unknown
        try {
          parse(['play.yml', flag, 'value'])
        } catch (e) {
          error = e
        }
        expect(error, flag).toBeInstanceOf(OptionError)
        expect(error, flag).not.toBeInstanceOf(UsageError)
        expect((error as Error).message, flag).toMatch(/ is not supported/)
        expect((error as Error).message, flag).not.toContain('\n')
      }
    })
  }
})
