import { createHash } from 'node:crypto'
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import type { CommandResult, Connection, RunOptions } from '../../src/connection/connection.js'
import type { ModuleResult } from '../../src/modules/module.js'
import { runModuleOn } from '../helpers/module-harness.js'

/**
 * A target whose only file is `dest` (or nothing): answers the path fact's probe from the file it
 * holds (as GNU stat would), the validate and backup commands the template module sends, applies
 * uploads, chmod and mv to that file, and records every command and upload.
 */
class FakeTarget implements Connection {
  readonly host = 'web1'
  readonly commands: string[] = []
  readonly uploads: Array<{ path: string; content: string; mode?: number }> = []
  /** The bytes of each upload, for the encodings. */
  readonly uploadedBytes: Buffer[] = []
  /** Owners the attribute act was asked to give. */
  readonly owners: string[] = []
  private readonly files = new Map<string, { content: string; mode: number }>()
  constructor(
    existing: { content: string; mode: string } | undefined,
    private readonly validateCode = 0,
    dest = '/etc/app.conf'
  ) {
    if (existing)
      this.files.set(dest, { content: existing.content, mode: parseInt(existing.mode, 8) })
  }

  async run(command: string, options: RunOptions): Promise<CommandResult> {
    this.commands.push(command)
    let stdout = ''
    let code = 0
    // New bytes go to become-put.sh on stdin, followed by the attribute act in one command.
    const put = / apb-put '?([^' ]+)'? '?([0-7]+)'? /.exec(command)
    if (put) {
      const content = Buffer.from(options.stdin ?? '')
      const mode = parseInt(put[2]!, 8)
      this.uploads.push({ path: put[1]!, content: content.toString('utf8'), mode })
      this.uploadedBytes.push(content)
      this.files.set(put[1]!, { content: content.toString('utf8'), mode })
    }
    const probe = / apb-path '?([^' ]+)'? /.exec(command)
    // The attribute act (file-act.sh) and the path probe after it, in one command.
    // (With no operation to run, `echo act=done` stands for file-act.sh.)
    const act = / (?:apb-file((?: .*)?)|echo act=done); echo apb-split; /.exec(command)
    const chmod = /^chmod '?([0-7]+)'? '?([^' ]+)'?$/.exec(command)
    const move = /mv -f '?([^' ]+)'? '?([^' ]+)'?/.exec(command)
    if (act) {
      const lines: string[] = []
      for (const [, what, file, value] of (act[1] ?? '').matchAll(
        /\b(owner|group|mode) '?([^' ]+)'? '?([^' ]+)'?/g
      )) {
        const held = this.files.get(file!)
        if (what === 'mode' && held && held.mode !== parseInt(value!, 8)) {
          lines.push(`mode=${held.mode.toString(8)}:${value!}`)
          held.mode = parseInt(value!, 8)
        }
        if (what === 'owner') this.owners.push(value!)
      }
      stdout = `${lines.join('\n')}\nact=done\napb-split\n${this.pathAnswer(probe![1]!)}`
    } else if (probe) {
      stdout = this.pathAnswer(probe[1]!)
    } else if (chmod) {
      const file = this.files.get(chmod[2]!)
      if (file) file.mode = parseInt(chmod[1]!, 8)
    } else if (command.startsWith('b=')) {
      stdout = '/etc/app.conf.4242.2026-01-02@03:04:05~'
    } else if (command.startsWith('validator ')) {
      code = this.validateCode
    } else if (move) {
      const file = this.files.get(move[1]!)
      if (file) this.files.set(move[2]!, file)
      this.files.delete(move[1]!)
    }
    return {
      code,
      signal: null,
      stdout: Buffer.from(stdout),
      stderr: Buffer.from(code ? 'bad config' : ''),
      timedOut: false
    }
  }

  /** What the path probe prints about `file` on a GNU target with umask 022. */
  private pathAnswer(file: string): string {
    const held = this.files.get(file)
    if (!held) return 'umask=0022\nflavour=gnu\nexists=0\nend=1\n'
    return [
      'umask=0022',
      `mode_hex=${(0o100000 | held.mode).toString(16)}`,
      'uid=1000',
      'gid=1000',
      'owner=deploy',
      'group=deploy',
      'size=42',
      'blocks=8',
      'block_unit=512',
      'block_size=4096',
      'inode=7',
      'dev=2049',
      'nlink=1',
      'rdev_major_hex=0',
      'rdev_minor_hex=0',
      'atime=1767322245',
      'mtime=1767322245',
      'ctime=1767322245',
      'exists=1',
      'readable=1',
      'writeable=1',
      'executable=0',
      'checksum_tool=sha1sum',
      `checksum=${sha1(held.content)}`,
      'end=1',
      ''
    ].join('\n')
  }

  async putFile(remotePath: string, content: Buffer, options: { mode?: number }): Promise<void> {
    this.uploads.push({ path: remotePath, content: content.toString('utf8'), mode: options.mode })
    this.uploadedBytes.push(content)
    this.files.set(remotePath, { content: content.toString('utf8'), mode: options.mode ?? 0o644 })
  }

  async getFile(): Promise<Buffer> {
    throw new Error('getFile is not used by these tests')
  }

  async close(): Promise<void> {}
}

function sha1(text: string): string {
  return createHash('sha1').update(text).digest('hex')
}

/** A playbook directory with templates/app.conf.j2 and a top-level plain.j2. */
function playbookDir(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'apb-template-'))
  mkdirSync(path.join(dir, 'templates'))
  writeFileSync(
    path.join(dir, 'templates', 'app.conf.j2'),
    [
      '# {{ app | upper }}',
      '{% if debug %}',
      'debug = on',
      '{% endif %}',
      '{% for port in ports %}',
      'listen {{ port }}',
      '{% endfor %}',
      'workers = {{ workers | default(4) }}',
      ''
    ].join('\n')
  )
  writeFileSync(path.join(dir, 'plain.j2'), 'name={{ app }}\n')
  return dir
}

const VARS = { app: 'shop', debug: true, ports: [80, 443] }
const RENDERED = '# SHOP\ndebug = on\nlisten 80\nlisten 443\nworkers = 4\n'

async function runTemplate(
  args: Record<string, unknown>,
  target: FakeTarget,
  baseDir = playbookDir()
): Promise<ModuleResult> {
  const { result } = await runModuleOn('template', args, {
    vars: VARS,
    baseDir,
    connect: async () => target
  })
  return result
}

describe('template module', () => {
  it('renders templates/<src> with the task variables (if, for, filters) and uploads it', async () => {
    const target = new FakeTarget(undefined)
    const dir = playbookDir()
    const result = await runTemplate({ src: 'app.conf.j2', dest: '/etc/app.conf' }, target, dir)
    // A new file: the mode the target's umask (022 here) leaves, known before the upload starts.
    expect(target.uploads).toEqual([{ path: '/etc/app.conf', content: RENDERED, mode: 0o644 }])
    expect(result).toMatchObject({
      changed: true,
      dest: '/etc/app.conf',
      checksum: sha1(RENDERED),
      src: path.join(dir, 'templates', 'app.conf.j2'),
      state: 'file',
      owner: 'deploy',
      mode: '0644',
      size: 42
    })
  })

  it('falls back to the playbook directory itself when templates/ has no such file', async () => {
    const target = new FakeTarget(undefined)
    await runTemplate({ src: 'plain.j2', dest: '/tmp/plain' }, target)
    expect(target.uploads[0]?.content).toBe('name=shop\n')
  })

  it('writes nothing and reports no change when the target already holds the rendered bytes', async () => {
    const target = new FakeTarget({ content: RENDERED, mode: '644' })
    const result = await runTemplate({ src: 'app.conf.j2', dest: '/etc/app.conf' }, target)
    expect(target.uploads).toEqual([])
    expect(result['changed']).toBe(false)
  })

  it('reports a change when only the mode differs', async () => {
    const target = new FakeTarget({ content: RENDERED, mode: '644' })
    const result = await runTemplate(
      { src: 'app.conf.j2', dest: '/etc/app.conf', mode: '0600' },
      target
    )
    expect(target.uploads).toEqual([])
    expect(result).toMatchObject({ changed: true, mode: '0600' })
  })

  it('a symbolic mode is resolved before the upload: the file is written with its final mode', async () => {
    const fresh = new FakeTarget(undefined)
    await runTemplate({ src: 'app.conf.j2', dest: '/etc/app.conf', mode: 'u=rw,go=' }, fresh)
    expect(fresh.uploads.map((u) => u.mode)).toEqual([0o600])
    // Relative to the mode of the file it replaces, as Ansible applies it.
    const replaced = new FakeTarget({ content: 'old\n', mode: '754' })
    await runTemplate({ src: 'app.conf.j2', dest: '/etc/app.conf', mode: 'g-x,o=' }, replaced)
    expect(replaced.uploads.map((u) => u.mode)).toEqual([0o740])
  })

  it('without a mode, a replaced file keeps its mode from the first byte on', async () => {
    const target = new FakeTarget({ content: 'old\n', mode: '600' })
    await runTemplate({ src: 'app.conf.j2', dest: '/etc/app.conf' }, target)
    expect(target.uploads.map((u) => u.mode)).toEqual([0o600])
  })

  it('keeps a backup of the file it replaces and returns backup_file', async () => {
    const target = new FakeTarget({ content: 'old\n', mode: '644' })
    const result = await runTemplate(
      { src: 'app.conf.j2', dest: '/etc/app.conf', backup: true },
      target
    )
    expect(result['backup_file']).toBe('/etc/app.conf.4242.2026-01-02@03:04:05~')
    const backup = target.commands.find((c) => c.startsWith('b='))
    // The backup is created exclusively: a symlink planted under its name is not written through.
    expect(backup).toContain('cp -p --remove-destination /etc/app.conf "$b"')
    // The time of the backup, as Ansible stamps it; not the replaced file's mtime (date -r).
    expect(backup).toContain('$(date +%Y-%m-%d@%H:%M:%S~)')
    expect(backup).not.toContain('date -r')
  })

  it('fails with "failed to validate" and replaces nothing when validate refuses the candidate', async () => {
    const target = new FakeTarget({ content: 'old\n', mode: '644' }, 1)
    const result = await runTemplate(
      { src: 'app.conf.j2', dest: '/etc/app.conf', validate: 'validator %s' },
      target
    )
    expect(result).toMatchObject({ failed: true, msg: 'failed to validate', exit_status: 1 })
    expect(target.uploads).toHaveLength(1)
    const candidate = target.uploads[0]!.path
    expect(candidate).toMatch(/^\/etc\/\.app\.conf\.apb-[0-9a-f]+\.tmp$/)
    expect(target.commands).toContain(`validator ${candidate}`)
    expect(target.commands).toContain(`rm -f ${candidate}`)
    expect(target.commands.some((c) => c.includes('mv -f'))).toBe(false)
  })

  it('moves the candidate over dest once validate accepts it', async () => {
    const target = new FakeTarget({ content: 'old\n', mode: '644' }, 0)
    const result = await runTemplate(
      { src: 'app.conf.j2', dest: '/etc/app.conf', validate: 'validator %s' },
      target
    )
    expect(result['changed']).toBe(true)
    const candidate = target.uploads[0]!.path
    expect(target.commands.some((c) => c.includes(`mv -f ${candidate} /etc/app.conf`))).toBe(true)
  })

  it('refuses a validate command without %s, hands owner to the target, and names where it looked for src', async () => {
    await expect(
      runTemplate({ src: 'app.conf.j2', dest: '/x', validate: 'true' }, new FakeTarget(undefined))
    ).rejects.toThrow('validate must contain %s: true')
    const owned = new FakeTarget(undefined, 0, '/x')
    await runTemplate({ src: 'app.conf.j2', dest: '/x', owner: 'root' }, owned)
    expect(owned.owners).toEqual(['root'])
    const dir = playbookDir()
    await expect(
      runTemplate({ src: 'missing.j2', dest: '/x' }, new FakeTarget(undefined), dir)
    ).rejects.toThrow(
      `Could not find or access 'missing.j2'\nSearched in:\n\t${dir}/templates/missing.j2\n\t${dir}/missing.j2`
    )
  })

  it('does not upload when force is false and dest exists', async () => {
    const target = new FakeTarget({ content: 'old\n', mode: '644' })
    const result = await runTemplate(
      { src: 'app.conf.j2', dest: '/etc/app.conf', force: 'no' },
      target
    )
    expect(target.uploads).toEqual([])
    expect(result['changed']).toBe(false)
  })
})

describe('template engine options', () => {
  /** Renders `text` (written as the template file) with `args` on a target without the file. */
  async function render(
    text: string | Buffer,
    args: Record<string, unknown> = {},
    vars: Record<string, unknown> = { flag: true, items: [1, 2], text: 'a\nb' }
  ): Promise<{ target: FakeTarget; result: ModuleResult }> {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'apb-template-options-'))
    writeFileSync(path.join(dir, 't.j2'), text)
    const target = new FakeTarget(undefined, 0, '/etc/out')
    const { result } = await runModuleOn(
      'template',
      { src: 't.j2', dest: '/etc/out', ...args },
      { vars, baseDir: dir, connect: async () => target }
    )
    return { target, result }
  }
  const written = (target: FakeTarget): string | undefined =>
    target.uploadedBytes[0]?.toString('latin1')

  const BLOCKS = 'a\n  {% if flag %}\n  b\n  {% endif %}\nc\n'

  it('trims the newline after a block by default, as Ansible does', async () => {
    expect(written((await render(BLOCKS)).target)).toBe('a\n    b\n  c\n')
  })

  it('keeps it with trim_blocks false (also written as a word)', async () => {
    for (const off of [false, 'no', 'False', 'maybe']) {
      const { target } = await render(BLOCKS, { trim_blocks: off })
      expect(written(target)).toBe('a\n  \n  b\n  \nc\n')
    }
  })

  it('strips the blanks before a block with lstrip_blocks, unless the block says {%+', async () => {
    expect(written((await render(BLOCKS, { lstrip_blocks: true })).target)).toBe('a\n  b\nc\n')
    const plus = 'a\n  {%+ if flag %}\n  b\n  {%+ endif %}\nc\n'
    expect(written((await render(plus, { lstrip_blocks: 'yes' })).target)).toBe('a\n    b\n  c\n')
  })

  it('writes the text newlines in newline_sequence and leaves printed values alone', async () => {
    const source = 'one\r\ntwo {{ text }}\r\n{% for i in items %}\r\n{{ i }}\r\n{% endfor %}\r\n'
    expect(written((await render(source)).target)).toBe('one\ntwo a\nb\n1\n2\n')
    for (const crlf of ['\r\n', '\\r\\n']) {
      const { target } = await render(source, { newline_sequence: crlf })
      expect(written(target)).toBe('one\r\ntwo a\nb\r\n1\r\n2\r\n')
    }
    expect(written((await render('x\n', { newline_sequence: '\r' })).target)).toBe('x\r')
  })

  it("refuses another newline_sequence with Ansible's message", async () => {
    await expect(render('x', { newline_sequence: '\n\n' })).rejects.toThrow(
      /^newline_sequence needs to be one of: \n, \r or \r\n$/
    )
  })

  it('reads the delimiter options, and the #jinja2: header over them', async () => {
    const custom = {
      variable_start_string: '[[',
      variable_end_string: ']]',
      block_start_string: '[%',
      block_end_string: '%]'
    }
    const { target } = await render('[% if flag %]\n[[ items ]] {{ items }}\n[% endif %]\n', custom)
    expect(written(target)).toBe('[1, 2] {{ items }}\n')
    const header =
      "#jinja2: variable_start_string: '<<', variable_end_string: '>>', block_start_string: '{%', block_end_string: '%}', lstrip_blocks: True\n  {% if flag %}\n<< flag >>\n  {% endif %}\n"
    expect(written((await render(header, custom)).target)).toBe('True\n')
  })

  it('refuses a header setting it does not implement, and a header without a colon', async () => {
    await expect(render('#jinja2: autoescape: True\nx')).rejects.toThrow(
      "AnsibleError: the '#jinja2:' header sets 'autoescape', which is not supported"
    )
    await expect(render('#jinja2: trim_blocks False\nx')).rejects.toThrow(
      "AnsibleError: failed to parse jinja2 override 'trim_blocks False'. Did you use something different from colon as key-value separator?"
    )
  })

  it('reads string options as Ansible does: one pair of quotes removed, other types refused', async () => {
    const { target } = await render('[[ flag ]] {{ flag }}\n', {
      variable_start_string: "'[['",
      variable_end_string: ']]',
      newline_sequence: '"\\r\\n"'
    })
    expect(written(target)).toBe('True {{ flag }}\r\n')
    const list = await render('x', { newline_sequence: ['a'], trim_blocks: [1] })
    expect(list.result).toEqual({
      failed: true,
      msg: 'Unexpected failure during module execution: Invalid type provided for "string": [\'a\']',
      stdout: ''
    })
    await expect(render('x', { trim_blocks: [1] })).rejects.toThrow("unhashable type: 'list'")
  })

  it('refuses delimiters Jinja2 cannot lex with', async () => {
    await expect(render('x', { variable_start_string: '{%' })).rejects.toThrow(
      /start strings must be different/
    )
    await expect(render('x', { block_end_string: '' })).rejects.toThrow(
      /block_end_string must not be empty/
    )
  })

  it('encodes the text in output_encoding, as Python does', async () => {
    const source = 'caf\u00e9 \u20ac\n'
    const bytes = async (encoding: string): Promise<string | undefined> =>
      (await render(source, { output_encoding: encoding })).target.uploadedBytes[0]?.toString('hex')
    expect(await bytes('utf-8')).toBe(Buffer.from(source).toString('hex'))
    expect(await bytes('ISO-8859-15')).toBe('636166e920a40a')
    expect(await bytes('windows-1252')).toBe('636166e920800a')
    expect(await bytes('utf-16-be')).toBe('00630061006600e9002020ac000a')
    expect(await bytes('utf-8-sig')).toBe('efbbbf' + Buffer.from(source).toString('hex'))
  })

  it('keeps the bytes of a template file that is not UTF-8', async () => {
    const latin1 = Buffer.from('caf\xe9 {{ flag }}\n', 'latin1')
    const { target } = await render(latin1)
    expect(target.uploadedBytes[0]).toEqual(Buffer.from('caf\xe9 True\n', 'latin1'))
  })

  it('fails as Ansible fails for a character the encoding lacks and for an unknown encoding', async () => {
    const lacking = await render('caf\u00e9\u00e9!', { output_encoding: 'ascii' })
    expect(lacking.result).toEqual({
      failed: true,
      msg: "Unexpected failure during module execution: 'ascii' codec can't encode characters in position 3-4: ordinal not in range(128)",
      stdout: ''
    })
    expect(lacking.target.uploadedBytes).toEqual([])
    const unknown = await render('x', { output_encoding: 'no-such-codec' })
    expect(unknown.result).toEqual({
      failed: true,
      msg: 'Unexpected failure during module execution: unknown encoding: no-such-codec',
      stdout: ''
    })
  })

  it('refuses by name a Python codec it does not implement', async () => {
    await expect(render('x', { output_encoding: 'shift_jis' })).rejects.toThrow(
      "output_encoding 'shift_jis' is a Python codec that async-playbook does not support"
    )
  })

  it("adds the template action's variables over the task's", async () => {
    const { target } = await render(
      '{{ ansible_managed }}|{{ template_path }}|{{ template_destpath }}|{{ template_host }}|{{ template_mtime }}',
      {},
      { ansible_managed: 'mine', template_path: 'mine' }
    )
    const [managed, src, dest, host, mtime] = written(target)!.split('|')
    expect([managed, src, dest, host]).toEqual([
      'Ansible managed',
      't.j2',
      '/etc/out',
      os.hostname()
    ])
    expect(mtime).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d{6})?$/)
  })

  it('includes and imports templates from templates/ or beside the template, with its settings', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'apb-template-include-'))
    mkdirSync(path.join(dir, 'templates'))
    writeFileSync(
      path.join(dir, 'templates', 'part.j2'),
      '  {% if flag %}\n  in {{ items }}\n  {% endif %}\n'
    )
    writeFileSync(path.join(dir, 'm.j2'), '{% macro hi(n) %}hi {{ n }}{% endmacro %}')
    writeFileSync(
      path.join(dir, 'templates', 't.j2'),
      '{% import "m.j2" as m %}\n{% include "part.j2" %}\n{{ m.hi(1) }}\n'
    )
    const target = new FakeTarget(undefined, 0, '/etc/out')
    await runModuleOn(
      'template',
      { src: 't.j2', dest: '/etc/out', lstrip_blocks: true },
      { vars: { flag: true, items: [1] }, baseDir: dir, connect: async () => target }
    )
    expect(written(target)).toBe('  in [1]\nhi 1\n')
    writeFileSync(path.join(dir, 'templates', 't.j2'), '{% include "../m.j2" %}')
    await expect(
      runModuleOn(
        'template',
        { src: 't.j2', dest: '/etc/out' },
        { vars: {}, baseDir: dir, connect: async () => target }
      )
    ).rejects.toThrow(/template not found: \.\.\/m\.j2/)
  })

  it('names the Python error type of a failed rendering, as Ansible does', async () => {
    await expect(render('{{ nope }}')).rejects.toThrow(
      "AnsibleUndefinedVariable: 'nope' is undefined. 'nope' is undefined"
    )
    await expect(render('a {# open')).rejects.toThrow(
      'AnsibleError: template error while templating string: Missing end of comment tag. String: a {# open. Missing end of comment tag'
    )
  })
})
