// Integration: the live output of a polled job (poll > 0) is exact — every line once, whole and in
// order — through the engine and a real OpenSSH sshd, for a job that writes as fast as it can (several
// lines per write, writes that stop mid-line) and for one that writes slowly.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { resultOf, runCaptured, sshdInventory, sshdSettings } from '../helpers/engine.js'
import { startSshd, type SshdFixture } from '../helpers/sshd.js'

let sshd: SshdFixture
let inventory: string

beforeAll(async () => {
  sshd = await startSshd({ name: 'async-live' })
  inventory = sshdInventory(sshd, { hosts: ['web1'] })
})
afterAll(async () => sshd?.stop())

/** The lines the run printed for `task` on web1, per stream, in order. */
function printed(output: string, task: string): { stdout: string[]; stderr: string[] } {
  const prefix = `[web1] ${task} | `
  const lines = output
    .split('\n')
    .filter((l) => l.startsWith(prefix))
    .map((l) => l.slice(prefix.length))
  return {
    stdout: lines.filter((l) => !l.startsWith('stderr: ')),
    stderr: lines.filter((l) => l.startsWith('stderr: ')).map((l) => l.slice('stderr: '.length))
  }
}

const pad = (n: number): string => String(n).padStart(5, '0')

describe('live output of a polled job', () => {
  it('shows 5,000 quickly written lines exactly once, whole and in order', async () => {
    // Four lines per round in two writes, the first ending mid-line; a fork between them (so the
    // target is read while lines are half written); a stderr line every 100 rounds. Halfway it pauses
    // longer than a poll interval, so that a poll comes while it runs however fast the machine writes.
    const job = [
      'i=1',
      'while [ $i -le 5000 ]; do',
      '  [ $i -ne 2501 ] || sleep 4',
      "  printf 'fast %05d alpha\\nfast %05d beta\\nfast %05d' $i $((i + 1)) $((i + 2))",
      '  /bin/true',
      "  printf ' gamma\\nfast %05d delta\\n' $((i + 3))",
      "  [ $(( (i - 1) % 400 )) -ne 0 ] || printf 'err %05d\\n' $i >&2",
      '  i=$((i + 4))',
      'done'
    ].join('\n')
    const out = await runCaptured(
      sshdSettings(
        sshd,
        `- hosts: web1
  gather_facts: false
  tasks:
    - name: fast writer
      shell: ${JSON.stringify(job)}
      async: 300
      poll: 1
      register: r
`,
        inventory
      )
    )
    if (out.exitCode !== 0) console.log(out.output.slice(-3000))
    expect(out.exitCode).toBe(0)
    const expected: string[] = []
    for (let i = 1; i <= 5000; i += 4) {
      expected.push(
        `fast ${pad(i)} alpha`,
        `fast ${pad(i + 1)} beta`,
        `fast ${pad(i + 2)} gamma`,
        `fast ${pad(i + 3)} delta`
      )
    }
    const lines = printed(out.output, 'fast writer')
    expect(lines.stdout.length).toBe(5000)
    expect(lines.stdout).toEqual(expected)
    expect(lines.stderr).toEqual(Array.from({ length: 13 }, (_, k) => `err ${pad(k * 400 + 1)}`))
    // The registered result is the whole output too (it is under the cap).
    expect(String(resultOf(out, 'fast writer', 'web1')['stdout']).split('\n')).toEqual(expected)
    // It was shown while the job ran, not only at its end: the first half before a poll line that came
    // during the pause, the second half after it.
    const firstHalf = out.output.indexOf('[web1] fast writer | fast 02500 delta')
    const secondHalf = out.output.indexOf('[web1] fast writer | fast 02501 alpha')
    const pollBetween = out.output.slice(firstHalf, secondHalf)
    expect(firstHalf).toBeGreaterThan(-1)
    expect(pollBetween).toMatch(/ASYNC POLL on web1/)
  })

  it('shows a slowly written job line by line, holding a partial line until it is complete', async () => {
    const job = [
      'for i in 1 2 3 4 5 6; do',
      "  printf 'slow %d begins' $i",
      '  sleep 0.7',
      "  printf ' and ends\\n'",
      'done',
      "printf 'no newline at the end'"
    ].join('\n')
    const out = await runCaptured(
      sshdSettings(
        sshd,
        `- hosts: web1
  gather_facts: false
  tasks:
    - name: slow writer
      shell: ${JSON.stringify(job)}
      async: 120
      poll: 1
`,
        inventory
      )
    )
    expect(out.exitCode).toBe(0)
    expect(printed(out.output, 'slow writer')).toEqual({
      stdout: [1, 2, 3, 4, 5, 6]
        .map((i) => `slow ${i} begins and ends`)
        .concat('no newline at the end'),
      stderr: []
    })
    // Polls happened while it ran (so partial lines were seen and held back).
    expect(out.output.match(/ASYNC POLL on web1/g)?.length ?? 0).toBeGreaterThanOrEqual(2)
  })
})
