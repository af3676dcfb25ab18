// Unit: the guard between text from targets/playbooks and a runner's log or a terminal, checked against a
// model of the runner's command parser.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { ConsoleReporter } from '../../src/report/console-reporter.js'
import { AdhocReporter } from '../../src/report/adhoc-reporter.js'
import { InertWriter, inertLine, inertText, visibleControls } from '../../src/values/inert-text.js'
import { readRunnerLog } from '../helpers/runner-log.js'

/** Every form a target could use to issue a command, each carrying the word FORGED. */
const HOSTILE = [
  '::error::FORGED v2',
  '::error file=deploy.yml,line=1::FORGED annotation',
  '  \t::warning::FORGED after blanks',
  '\u00a0\u2003::notice::FORGED after unicode blanks',
  '\u0085::error::FORGED after NEL',
  '\ufeff::error::FORGED after BOM',
  ':\u200b:error::FORGED zero-width',
  '::add-mask::FORGED',
  '::stop-commands::FORGEDTOKEN',
  '::set-output name=ok::FORGED',
  '::save-state name=x::FORGED',
  '::add-path::/FORGED',
  '::set-env name=NODE_OPTIONS::FORGED',
  '::echo::on FORGED',
  '::ErRoR::FORGED mixed case',
  'text before ##[error]FORGED v1',
  '##[add-mask]FORGED',
  '##[stop-commands]FORGEDTOKEN',
  '##[group]FORGED group',
  '#\u00ad#[error]FORGED soft hyphen',
  '#\u2060#\u200b[error]FORGED joiners',
  'progress 50%\r::error::FORGED behind CR',
  'progress\r\r##[warning]FORGED behind CRs',
  'a\r\n::error::FORGED after CRLF',
  '\x1b[31m::error::FORGED after colour',
  '\x1b]0;FORGED title\x07 osc',
  '\u2028::error::FORGED after LS'
]

function guarded(text: string, chunks?: number[]): string {
  let out = ''
  const writer = new InertWriter((t) => (out += t), { workflowCommands: true })
  if (!chunks) writer.write(text)
  else {
    let start = 0
    for (const end of [...chunks, text.length]) {
      writer.write(text.slice(start, end))
      start = end
    }
  }
  writer.close()
  return out
}

describe('InertWriter (workflowCommands)', () => {
  it('leaves the runner no command in any hostile form, and keeps the text visible', () => {
    for (const hostile of HOSTILE) {
      const out = guarded(`${hostile}\n`)
      const log = readRunnerLog(out)
      expect(log.commands, JSON.stringify(hostile)).toEqual([])
      expect(log.lines.join('\n')).toContain('FORGED')
      expect(out.endsWith('\n')).toBe(true)
    }
    const all = readRunnerLog(guarded(HOSTILE.join('\n') + '\n'))
    expect(all.commands).toEqual([])
    expect(all.lines.filter((l) => l.includes('FORGED'))).toHaveLength(HOSTILE.length)
  })

  it('shows what was escaped: CR, ESC, C1 and bidi controls as escapes, a backslash before the command', () => {
    // Once the CR is shown, the `::` no longer starts a line.
    expect(guarded('50%\r::error::x\n')).toBe('50%\\r::error::x\n')
    expect(guarded('  ::warning::x\n')).toBe('  :\\:warning::x\n')
    expect(guarded('a ##[error]b ###[x]\n')).toBe('a ##\\[error]b ###\\[x]\n')
    expect(guarded('\x1b]0;title\x07 \x1b[2J \x9b1m \u202eevil\n')).toBe(
      '\\x1b]0;title\\x07 \\x1b[2J \\x9b1m \\u202eevil\n'
    )
    // CRLF line ends are line ends; tabs stay; ordinary text and IPv6 addresses mid-line are untouched.
    expect(guarded('a\r\nb\tc fe80::1 ::1\n')).toBe('a\nb\tc fe80::1 ::1\n')
  })

  it('keeps the plain colour our reporters write, around text that is inert', () => {
    expect(guarded('\x1b[0;31mfatal: ##[error]x\x1b[0m\n')).toBe(
      '\x1b[0;31mfatal: ##\\[error]x\x1b[0m\n'
    )
    expect(readRunnerLog(guarded('\x1b[0;32m::error::x\x1b[0m\n')).commands).toEqual([])
  })

  it('gives the same output however the text is cut into chunks, even mid-line and between CR and LF', () => {
    const text = HOSTILE.join('\n') + '\nlast line without newline ##[error]x\r'
    const whole = guarded(text)
    for (let cut = 0; cut <= text.length; cut++) expect(guarded(text, [cut])).toBe(whole)
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 0, max: text.length }), { maxLength: 12 }),
        (cuts) => {
          expect(
            guarded(
              text,
              cuts.sort((a, b) => a - b)
            )
          ).toBe(whole)
        }
      )
    )
  })

  it('never passes a command through, whatever the text and however it is cut (property)', () => {
    const alphabet = fc.constantFrom(
      ':',
      ':',
      '#',
      '#',
      '[',
      ']',
      ' ',
      '\t',
      '\r',
      '\n',
      '\u0085',
      '\u00a0',
      '\u00ad',
      '\u200b',
      '\ufeff',
      '\x1b',
      'error',
      'add-mask',
      'stop-commands',
      'group',
      'x',
      '%0A',
      '%0D'
    )
    fc.assert(
      fc.property(
        fc.array(alphabet, { maxLength: 40 }).map((parts) => parts.join('')),
        fc.array(fc.nat(), { maxLength: 5 }),
        (text, rawCuts) => {
          const cuts = rawCuts.map((c) => c % (text.length + 1)).sort((a, b) => a - b)
          const out = guarded(text, cuts)
          expect(readRunnerLog(out).commands).toEqual([])
          expect(out === '' || out.endsWith('\n')).toBe(true)
        }
      ),
      { numRuns: 2000 }
    )
  })

  it('holds a partial line back, so a command written meanwhile still starts a line of its own', () => {
    let stream = ''
    const sink = (t: string): void => {
      stream += t
    }
    const writer = new InertWriter(sink, { workflowCommands: true })
    writer.write('[web1] job | half a line :')
    sink('::group::TASK [next]\n') // what core.startGroup writes meanwhile
    writer.write(':error::FORGED\n')
    writer.line('waiting on 1 job: web1 ::error::FORGED 3s')
    sink('::endgroup::\n')
    const log = readRunnerLog(stream)
    expect(log.commands.map((c) => c.name)).toEqual(['group', 'endgroup'])
    expect(log.lines).toEqual([
      '[web1] job | half a line ::error::FORGED',
      'waiting on 1 job: web1 ::error::FORGED 3s'
    ])
  })

  it('keeps masks working after a target printed stop-commands in every form', () => {
    let stream = ''
    const sink = (t: string): void => {
      stream += t
    }
    const writer = new InertWriter(sink, { workflowCommands: true })
    writer.write('::stop-commands::xyz\n##[stop-commands]abc\nok\r::stop-commands::def\n')
    sink('::add-mask::s3cret-value\n') // core.setSecret
    writer.write('the value is s3cret-value\n')
    const log = readRunnerLog(stream)
    expect(log.masks).toEqual(['s3cret-value'])
    expect(log.lines).toContain('the value is ***')
    expect(log.lines.join('\n')).not.toContain('s3cret-value')
  })

  it('breaks a line longer than 64 KiB, and its rest is inert as a line start', () => {
    const long = 'x'.repeat(64 * 1024) + '::error::FORGED'
    const out = guarded(long)
    expect(readRunnerLog(out).commands).toEqual([])
    expect(out.split('\n')).toHaveLength(3)
  })
})

describe('InertWriter (terminal)', () => {
  it('escapes escape sequences and bare CRs from text but not our colours, and leaves commands alone', () => {
    let out = ''
    const writer = new InertWriter((t) => (out += t), { workflowCommands: false })
    writer.write('\x1b[0;32mok\x1b[0m \x1b]8;;https://evil/\x07link\x1b]8;;\x07 a\rb ::error::x\n')
    expect(out).toBe(
      '\x1b[0;32mok\x1b[0m \\x1b]8;;https://evil/\\x07link\\x1b]8;;\\x07 a\\rb ::error::x\n'
    )
  })
})

describe('inertLine / inertText / visibleControls', () => {
  it('escape per line, keep newlines, and leave ordinary text as it is', () => {
    expect(inertText('a\n::error::b\n  ##[x]')).toBe('a\n:\\:error::b\n  ##\\[x]')
    expect(inertLine('déjà vu — ✅ 日本')).toBe('déjà vu — ✅ 日本')
    expect(visibleControls('a\x00b\x7fc\td\ne')).toBe('a\\x00b\\x7fc\td\ne')
    expect(visibleControls('\x1b[31mred')).toBe('\\x1b[31mred')
    expect(visibleControls('\x1b[31mred', { keepColour: true })).toBe('\x1b[31mred')
  })
})

describe('reporters', () => {
  it("ConsoleReporter paints its own colours but shows a target's escape sequences and CRs", () => {
    let out = ''
    const reporter = new ConsoleReporter((t) => (out += t), { color: true, verbosity: 0 })
    const task = { name: 'deploy \x1b[2Jnow', module: 'shell', noLog: false }
    reporter.taskStart(task)
    reporter.log('web1', task, 'building\r\x1b]0;pwned\x07 done')
    reporter.itemResult(task, {
      host: 'web1',
      status: 'ok',
      ignored: false,
      result: {},
      durationMs: 1,
      item: { label: 'a\x1b[31mb\rc' }
    })
    reporter.warning('careful \x1b[5mblink')
    expect(out).toContain('TASK [deploy \\x1b[2Jnow]')
    expect(out).toContain('[web1] deploy \\x1b[2Jnow | building\\r\\x1b]0;pwned\\x07 done\n')
    expect(out).toContain('\x1b[0;32mok: [web1] => (item=a\\x1b[31mb\\rc)\x1b[0m')
    expect(out).toContain('careful \\x1b[5mblink')
    // The only raw ESC left are our own colours.
    // eslint-disable-next-line no-control-regex
    expect(out.replace(/\x1b\[0(;\d+)?m/g, '')).not.toContain('\x1b')
    expect(out).not.toContain('\r')
  })

  it("AdhocReporter shows a command's escape sequences instead of sending them to the terminal", () => {
    let out = ''
    const reporter = new AdhocReporter((t) => (out += t))
    reporter.hostResult(
      { name: 'x', module: 'shell', noLog: false },
      {
        host: 'web1',
        status: 'changed',
        ignored: false,
        result: { rc: 0, stdout: 'a\x1b]0;title\x07b\rc', stderr: '' },
        durationMs: 1
      }
    )
    expect(out).toBe('web1 | CHANGED | rc=0 >>\na\\x1b]0;title\\x07b\\rc\n')
  })
})
