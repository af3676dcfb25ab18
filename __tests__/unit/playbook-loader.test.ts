import { mkdtempSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { OptionError, PlaybookError } from '../../src/errors.js'
import { MODULE_CATALOG } from '../../src/modules/registry.js'
import { buildAdhocPlaybook } from '../../src/playbook/adhoc.js'
import { parseExtraVars } from '../../src/playbook/extra-vars.js'
import { parseKeyValueArgs, splitArgs } from '../../src/playbook/kv-args.js'
import { loadPlaybook, parsePlaybookText } from '../../src/playbook/playbook-loader.js'
import type { Play, Task } from '../../src/playbook/types.js'
import { parseYaml } from '../../src/playbook/yaml-loader.js'

const FILE = 'site.yml'

/** Loads a playbook; the implicit flush_handlers markers are left out (playbook-handlers.test.ts covers them). */
function load(text: string) {
  const playbook = parsePlaybookText(text, FILE, '/base', MODULE_CATALOG)
  return {
    ...playbook,
    plays: playbook.plays.map((p) => ({ ...p, tasks: p.tasks.filter((t) => !t.implicit) }))
  }
}

function onlyPlay(text: string): Play {
  const plays = load(text).plays
  expect(plays).toHaveLength(1)
  return plays[0]!
}

/** Loads one play with the given task lines (indented under `tasks:`). */
function tasksOf(taskYaml: string): Task[] {
  return onlyPlay(`- hosts: all\n  tasks:\n${taskYaml}`).tasks
}

function onlyTask(taskYaml: string): Task {
  const tasks = tasksOf(taskYaml)
  expect(tasks).toHaveLength(1)
  return tasks[0]!
}

function playbookError(fn: () => unknown): PlaybookError {
  try {
    fn()
  } catch (error) {
    expect(error).toBeInstanceOf(PlaybookError)
    return error as PlaybookError
  }
  throw new Error('expected a PlaybookError')
}

describe('task locations', () => {
  it('records the file and line of every task, across blank lines, comments and flow style', () => {
    const text = [
      '# a comment', // 1
      '- name: first play', // 2
      '  hosts: all', // 3
      '  tasks:', // 4
      '    - name: one', // 5
      '      shell: echo 1', // 6
      '', // 7
      '    # a comment between tasks', // 8
      '    - name: two', // 9
      '      debug: msg=hi', // 10
      '    - {name: three, shell: echo 3}', // 11
      '', // 12
      '    -   name: four', // 13
      '        ping:', // 14
      '- hosts: web', // 15
      '  tasks:', // 16
      '    - shell: echo 5' // 17
    ].join('\n')
    const plays = load(text).plays
    expect(plays.map((p) => p.location)).toEqual([
      { file: FILE, line: 2 },
      { file: FILE, line: 15 }
    ])
    const lines = plays.flatMap((p) =>
      p.tasks.map((t) => [t.name, t.location.file, t.location.line])
    )
    expect(lines).toEqual([
      ['one', FILE, 5],
      ['two', FILE, 9],
      ['three', FILE, 11],
      ['four', FILE, 13],
      ['shell', FILE, 17]
    ])
  })

  it('puts the line of the offending task in validation errors', () => {
    const error = playbookError(() =>
      tasksOf('    - shell: echo ok\n\n    - name: bad\n      shel: echo typo\n')
    )
    // The line where the task starts (`- name: bad`), not the line of the bad key.
    expect(error.location).toEqual({ file: FILE, line: 5 })
    expect(error.message.startsWith(`${FILE}:5: `)).toBe(true)
  })
})

describe('YAML 1.1 as Ansible reads it', () => {
  it('reads yes/no/on/off as booleans, keeps quoted and y/n as strings', () => {
    const play = onlyPlay(
      [
        '- hosts: all',
        '  gather_facts: no',
        '  vars:',
        '    a: yes',
        '    b: No',
        '    c: on',
        '    d: OFF',
        '    e: "yes"',
        "    f: 'off'",
        '    g: y',
        '    h: n',
        '    i: True',
        '    j: 0644',
        '  tasks: []'
      ].join('\n')
    )
    expect(play.gatherFacts).toBe(false)
    expect(play.vars).toEqual({
      a: true,
      b: false,
      c: true,
      d: false,
      e: 'yes',
      f: 'off',
      g: 'y',
      h: 'n',
      i: true,
      j: 420
    })
  })

  it('reads integers as YAML 1.1 does: leading-zero octal, underscores, binary, hex', () => {
    const doc = parseYaml(
      'a: 0644\nb: -012\nc: 1_000\nd: 0b101\ne: 0x1F\nf: 0\ng: 0o17\nh: "0644"\n',
      'x.yml'
    )
    // Expected values are PyYAML's (yaml.safe_load): 0o17 is not a YAML 1.1 integer.
    expect(doc.data).toEqual({ a: 420, b: -10, c: 1000, d: 5, e: 31, f: 0, g: '0o17', h: '0644' })
  })

  it('names file, line and column of a syntax error', () => {
    const error = playbookError(() =>
      load('- hosts: all\n  tasks:\n    - name: x\n      shell: "unterminated\n')
    )
    expect(error.message).toMatch(/^site\.yml:\d+:\d+: YAML syntax error: /)
    expect(error.location?.line).toBeGreaterThanOrEqual(4)
    expect(error.location?.column).toBeGreaterThan(0)
  })

  it('reports a bad indentation on its line', () => {
    const error = playbookError(() => load('- hosts: all\n  tasks:\n   - shell: a\n  - shell: b\n'))
    expect(error.location?.line).toBe(4)
    expect(error.message).toContain('YAML syntax error')
  })

  it('gives each mapping its starting line', () => {
    const doc = parseYaml('a:\n  b:\n    - c: 1\n', 'x.yml')
    const data = doc.data as { a: { b: Array<Record<string, number>> } }
    expect(doc.lineOf(data)).toBe(1)
    expect(doc.lineOf(data.a.b[0]!)).toBe(3)
  })
})

describe('keyword validation', () => {
  it('names the closest valid task keyword for a typo', () => {
    const error = playbookError(() => tasksOf('    - shell: echo\n      regster: out\n'))
    expect(error.message).toContain("'regster' is not a valid task keyword")
    expect(error.message).toContain("did you mean 'register'?")
  })

  it('names the closest play keyword and lists the valid ones', () => {
    const error = playbookError(() => load('- hosts: all\n  gather_fact: false\n  tasks: []\n'))
    expect(error.message).toContain("'gather_fact' is not a valid play keyword")
    expect(error.message).toContain("did you mean 'gather_facts'?")
    expect(error.message).toContain('Valid keywords: ')
    expect(error.location?.line).toBe(1)
  })

  it('suggests the closest module for an unknown one and points to shell', () => {
    const error = playbookError(() => tasksOf('    - name: x\n      comand: ls\n'))
    expect(error.message).toContain("couldn't resolve module/action 'comand'")
    expect(error.message).toContain("did you mean 'command'?")
    expect(error.message).toContain('shell: <command>')
    expect(error.location?.line).toBe(3)
  })

  it('lists the supported modules for a module it cannot guess', () => {
    // (apt itself is a module now: zypper is one async-playbook does not have)
    const error = playbookError(() => tasksOf('    - zypper: name=nginx\n'))
    expect(error.message).toContain("couldn't resolve module/action 'zypper'")
    expect(error.message).toContain('Supported modules: ')
    expect(error.message).toContain('shell')
  })

  it.each([
    ['listen', '      listen: restart\n', "'listen' belongs on a handler"],
    // Two modules in one task: local_action is an action of its own, as in Ansible.
    ['local_action', '      local_action: shell echo\n', 'conflicting action statements']
  ])('refuses the unsupported task keyword %s with a hint and the line', (keyword, line, hint) => {
    const error = playbookError(() => tasksOf(`    - name: x\n      shell: echo\n${line}`))
    expect(error.message).toContain(`'${keyword}'`)
    expect(error.message).toContain(hint)
    expect(error.location).toEqual({ file: FILE, line: 3 })
  })

  it('reads the become keywords of tasks and plays, as written (templated at run time)', () => {
    const task = onlyTask(
      '    - shell: echo\n      become: true\n      become_user: "{{ app_user }}"\n' +
        '      become_method: su\n      become_flags: -l\n      become_exe: /bin/su\n'
    )
    expect(task.become).toEqual({
      become: true,
      becomeUser: '{{ app_user }}',
      becomeMethod: 'su',
      becomeFlags: '-l',
      becomeExe: '/bin/su'
    })
    expect(onlyTask('    - shell: echo\n').become).toBeUndefined()
    const play = load('- hosts: all\n  become: yes\n  become_user: app\n  tasks: []\n').plays[0]!
    expect(play.become).toEqual({ become: true, becomeUser: 'app' })
  })

  it('refuses a become_method other than sudo or su, naming the ones there are', () => {
    const error = playbookError(() =>
      tasksOf('    - name: x\n      shell: echo\n      become: true\n      become_method: doas\n')
    )
    expect(error.message).toContain("become_method 'doas' is not supported: use 'sudo'")
    expect(error.location).toEqual({ file: FILE, line: 3 })
    expect(() =>
      tasksOf('    - shell: echo\n      become_method: ansible.builtin.sudo\n')
    ).not.toThrow()
    expect(playbookError(() => load('- hosts: all\n  become_user: [a]\n')).message).toContain(
      "'become_user' must be a string"
    )
  })

  it('accepts an empty handlers list at play level', () => {
    expect(load('- hosts: all\n  handlers: []\n').plays[0]!.handlers).toEqual([])
  })

  it('refuses two modules in one task', () => {
    const error = playbookError(() => tasksOf('    - shell: a\n      command: b\n'))
    expect(error.message).toContain("conflicting action statements: 'shell' and 'command'")
  })

  it('refuses a task with no module', () => {
    const error = playbookError(() => tasksOf('    - name: nothing to do\n'))
    expect(error.message).toContain('this task has no module')
  })

  it('refuses a play without hosts', () => {
    const error = playbookError(() => load('- name: p\n  tasks: []\n'))
    expect(error.message).toContain("the field 'hosts' is required but was not set")
    expect(error.location?.line).toBe(1)
  })

  it('refuses a playbook that is not a list of plays', () => {
    expect(playbookError(() => load('hosts: all\n')).message).toContain('must be a list of plays')
    expect(playbookError(() => load('')).message).toContain('Empty playbook, nothing to do')
  })

  it.each(['out-put', '1st', 'a b'])('refuses register: %j', (name) => {
    const error = playbookError(() => tasksOf(`    - shell: echo\n      register: "${name}"\n`))
    expect(error.message).toContain("'register' must be a variable name")
  })

  it('refuses an unknown loop_control option', () => {
    const error = playbookError(() =>
      tasksOf('    - shell: echo\n      loop: [1]\n      loop_control:\n        loopvar: x\n')
    )
    expect(error.message).toContain("unknown loop_control option 'loopvar'")
  })

  it('refuses loop together with with_items', () => {
    const error = playbookError(() =>
      tasksOf('    - shell: echo\n      loop: [1]\n      with_items: [2]\n')
    )
    expect(error.message).toContain('use only one of loop, with_items')
  })
})

describe('module arguments', () => {
  it("decodes escapes in key=value values as Ansible's parse_kv does, but not in a free-form command", () => {
    const task = onlyTask(
      '    - debug: msg="say \\"hi\\" {{ x | default(\\"d\\") }}\\tend\\nnext \\x41\\u00e9 \\d"\n'
    )
    expect(task.args).toEqual({ msg: 'say "hi" {{ x | default("d") }}\tend\nnext Aé \\d' })
    const shell = onlyTask('    - shell: printf "a\\nb" chdir=/tmp/a\\tb\n')
    expect(shell.args).toEqual({ chdir: '/tmp/a\tb', _raw_params: 'printf "a\\nb"' })
  })

  it('extracts chdir from a free-form shell string and keeps the rest as _raw_params', () => {
    const task = onlyTask('    - shell: chdir=/tmp make all\n')
    expect(task.module).toBe('shell')
    expect(task.args).toEqual({ chdir: '/tmp', _raw_params: 'make all' })
  })

  it('keeps key=value text that is not a shell option inside the command', () => {
    const task = onlyTask('    - shell: FOO=bar env creates=/tmp/x | grep FOO\n')
    expect(task.args).toEqual({ creates: '/tmp/x', _raw_params: 'FOO=bar env | grep FOO' })
  })

  it('keeps a multi-line shell script verbatim, its trailing newline included, as Ansible does', () => {
    const script = 'set -e\nif [ -f x ]; then\n  echo "a  b"   # spaces kept\nfi\n'
    const task = onlyTask(
      `    - shell: |\n${script
        .split('\n')
        .map((l) => (l ? `        ${l}` : l))
        .join('\n')}`
    )
    expect(task.args).toEqual({ _raw_params: script })
  })

  it('parses debug: msg="a b" var=x into separate arguments', () => {
    expect(onlyTask('    - debug: msg="a b" var=x\n').args).toEqual({ msg: 'a b', var: 'x' })
  })

  it('keeps Jinja2 expressions with spaces as one value', () => {
    expect(onlyTask("    - debug: msg={{ a ~ ' ' ~ b }}\n").args).toEqual({
      msg: "{{ a ~ ' ' ~ b }}"
    })
  })

  it('merges args: into the module arguments', () => {
    const task = onlyTask(
      '    - shell: make\n      args:\n        chdir: /src\n        creates: out\n'
    )
    expect(task.args).toEqual({ _raw_params: 'make', chdir: '/src', creates: 'out' })
  })

  it('reads action: shell echo hi', () => {
    const task = onlyTask('    - action: shell echo hi\n')
    expect(task.module).toBe('shell')
    expect(task.args).toEqual({ _raw_params: 'echo hi' })
  })

  it('reads action: with a module: mapping', () => {
    const task = onlyTask('    - action:\n        module: debug\n        msg: hi\n')
    expect(task.module).toBe('debug')
    expect(task.args).toEqual({ msg: 'hi' })
  })

  it('accepts FQCN module names and stores the short name', () => {
    const task = onlyTask('    - ansible.builtin.shell: echo hi\n')
    expect(task.module).toBe('shell')
    expect(task.name).toBe('ansible.builtin.shell')
    expect(task.named).toBe(false)
    expect(onlyTask('    - ansible.legacy.command: ls\n').module).toBe('command')
  })

  it('keeps mapping arguments as given', () => {
    expect(
      onlyTask('    - copy:\n        content: "x"\n        dest: /tmp/x\n        mode: "0644"\n')
        .args
    ).toEqual({
      content: 'x',
      dest: '/tmp/x',
      mode: '0644'
    })
  })

  it('refuses list arguments', () => {
    expect(playbookError(() => tasksOf('    - shell: [a, b]\n')).message).toContain(
      "the arguments of 'shell' must be a mapping or a string"
    )
  })
})

describe('task keywords', () => {
  it('flattens with_items one level; loop and with_list do not', () => {
    const [withItems, loop, withList] = tasksOf(
      [
        '    - shell: echo {{ item }}',
        '      with_items: [[1, 2], 3]',
        '    - shell: echo {{ item }}',
        '      loop: [[1, 2], 3]',
        '    - shell: echo {{ item }}',
        '      with_list: [[1, 2], 3]',
        ''
      ].join('\n')
    )
    // with_items and with_list are lookups in Ansible (their items are marked unsafe); loop is not.
    expect(withItems!.loop).toEqual({ value: [[1, 2], 3], flatten: true, viaLookup: true })
    expect(loop!.loop).toEqual({ value: [[1, 2], 3], flatten: false })
    expect(withList!.loop).toEqual({ value: [[1, 2], 3], flatten: false, viaLookup: true })
  })

  it('reads loop_control', () => {
    const task = onlyTask(
      [
        '    - debug: msg={{ pkg }}',
        '      loop: "{{ pkgs }}"',
        '      loop_control:',
        '        loop_var: pkg',
        '        index_var: idx',
        '        label: "{{ pkg.name }}"',
        '        pause: 2',
        ''
      ].join('\n')
    )
    expect(task.loop).toEqual({ value: '{{ pkgs }}', flatten: false })
    expect(task.loopControl).toEqual({
      loopVar: 'pkg',
      indexVar: 'idx',
      label: '{{ pkg.name }}',
      pause: 2
    })
  })

  it('defaults loop_var to item', () => {
    expect(onlyTask('    - debug: msg=x\n').loopControl.loopVar).toBe('item')
  })

  it('keeps when/until/failed_when/changed_when as lists of expressions', () => {
    const task = onlyTask(
      [
        '    - shell: check',
        '      register: r',
        '      when: x is defined',
        '      until:',
        '        - r.rc == 0',
        '        - "\'ready\' in r.stdout"',
        '      retries: 5',
        '      delay: 0',
        '      failed_when: false',
        '      changed_when: r.rc == 2',
        ''
      ].join('\n')
    )
    expect(task.register).toBe('r')
    expect(task.when).toEqual(['x is defined'])
    expect(task.until).toEqual(['r.rc == 0', "'ready' in r.stdout"])
    expect(task.retries).toBe(5)
    expect(task.delay).toBe(0)
    expect(task.failedWhen).toEqual([false])
    expect(task.changedWhen).toEqual(['r.rc == 2'])
  })

  it('refuses a mapping as a conditional', () => {
    const error = playbookError(() => tasksOf('    - shell: x\n      when: {a: 1}\n'))
    expect(error.message).toContain("'when' must be a Jinja2 expression")
  })

  it('reads tags as a list or a comma-separated string', () => {
    const [a, b] = tasksOf('    - ping:\n      tags: [x, y]\n    - ping:\n      tags: "a, b"\n')
    expect(a!.tags).toEqual(['x', 'y'])
    expect(b!.tags).toEqual(['a', 'b'])
  })
})

describe('plays', () => {
  it('defaults gather_facts to true and names an unnamed play by its hosts', () => {
    const play = onlyPlay('- hosts: web\n  tasks: []\n')
    expect(play.gatherFacts).toBe(true)
    expect(play.name).toBe('web')
    expect(play.anyErrorsFatal).toBe(false)
    expect(play.tasks).toEqual([])
  })

  it('runs pre_tasks, then tasks, then post_tasks, whatever order they are written in', () => {
    const play = onlyPlay(
      [
        '- hosts: all',
        '  post_tasks:',
        '    - debug: msg=post',
        '  tasks:',
        '    - debug: msg=main',
        '  pre_tasks:',
        '    - debug: msg=pre',
        ''
      ].join('\n')
    )
    expect(play.tasks.map((t) => t.args['msg'])).toEqual(['pre', 'main', 'post'])
  })

  it('turns connection and remote_user into connection variables kept apart from play vars', () => {
    const play = onlyPlay('- hosts: all\n  connection: local\n  remote_user: ops\n  vars: {a: 1}\n')
    expect(play.vars).toEqual({ a: 1 })
    expect(play.connectionVars).toEqual({ ansible_connection: 'local', ansible_user: 'ops' })
  })

  it('accepts a list of host patterns', () => {
    expect(onlyPlay('- hosts: [web, db]\n').hosts).toEqual(['web', 'db'])
    expect(onlyPlay('- hosts: [web, db]\n').name).toBe('web,db')
  })

  it('refuses a strategy other than linear', () => {
    expect(playbookError(() => load('- hosts: all\n  strategy: free\n')).message).toContain(
      "strategy 'free' is not supported"
    )
  })
})

describe('loadPlaybook', () => {
  it('reads a file and resolves relative paths against its directory', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'playbook-loader-'))
    writeFileSync(path.join(dir, 'play.yml'), '- hosts: all\n  tasks:\n    - ping:\n')
    const playbook = loadPlaybook('play.yml', MODULE_CATALOG, dir)
    expect(playbook.file).toBe('play.yml')
    expect(playbook.baseDir).toBe(dir)
    expect(playbook.plays[0]!.tasks.find((t) => !t.implicit)!.location).toEqual({
      file: 'play.yml',
      line: 3
    })
  })

  it('says where it looked for a missing file', () => {
    const error = playbookError(() => loadPlaybook('nope.yml', MODULE_CATALOG, '/tmp'))
    expect(error.message).toContain("the playbook 'nope.yml' could not be found")
    expect(error.message).toContain('/tmp')
  })

  it('takes text with a newline as inline YAML', () => {
    const playbook = loadPlaybook('- hosts: all\n  tasks: []\n', MODULE_CATALOG, '/cwd')
    expect(playbook.file).toBe('<inline playbook>')
    expect(playbook.baseDir).toBe('/cwd')
  })
})

describe('kv-args', () => {
  it('splits on whitespace outside quotes and Jinja2 blocks', () => {
    expect(
      splitArgs(`a="x y" b='p q' c={{ d | default('e f') }} {% if x %}y{% endif %}`).map(
        (t) => t.text
      )
    ).toEqual(['a="x y"', "b='p q'", "c={{ d | default('e f') }}", '{% if x %}y{% endif %}'])
  })

  it('splits a key=value token at its first unescaped = after the first character, as parse_kv', () => {
    // A templated key (set_fact: "{{ 'j' }}=b") is a key like any other.
    expect(parseKeyValueArgs(`{{ 'j' }}=b k_{{ n }}=c`, false)).toEqual({
      "{{ 'j' }}": 'b',
      'k_{{ n }}': 'c'
    })
    expect(parseKeyValueArgs('a-b=1 k=v\\=x =x', false)).toEqual({
      'a-b': '1',
      k: 'v\\=x',
      _raw_params: '=x'
    })
    // Free-form modules still take only their own options out of the text.
    expect(parseKeyValueArgs(`echo {{ 'j' }}=b chdir=/tmp`, true)).toEqual({
      chdir: '/tmp',
      _raw_params: `echo {{ 'j' }}=b`
    })
  })

  it("keeps a free-form command's text as Ansible's split_args/join_args do", () => {
    const raw = (text: string) => parseKeyValueArgs(text, true)['_raw_params']
    expect(raw('echo one\necho two\n')).toBe('echo one\necho two\n')
    expect(raw('echo a\n\n')).toBe('echo a\n\n')
    expect(raw("echo   'a  b'  c   ")).toBe("echo   'a  b'  c   ")
    expect(raw('if x; then\n    echo "a  b"\nfi\n')).toBe('if x; then\n    echo "a  b"\nfi\n')
    // A line indented by exactly one space loses it in Ansible's join; a lone `\` joins two lines.
    expect(raw('a\n b\n  c')).toBe('a\nb\n  c')
    expect(raw('echo a \\\nb')).toBe('echo a b')
    // Options are cut out; the newline that followed one stays with it.
    expect(parseKeyValueArgs('chdir=/tmp echo a\n', true)).toEqual({
      chdir: '/tmp',
      _raw_params: 'echo a\n'
    })
    expect(parseKeyValueArgs('echo a creates=/x  \n', true)).toEqual({
      creates: '/x',
      _raw_params: 'echo a'
    })
  })

  it('parses non-free-form k=v, leaving stray words in _raw_params', () => {
    expect(parseKeyValueArgs('src=a dest="b c" stray', false)).toEqual({
      src: 'a',
      dest: 'b c',
      _raw_params: 'stray'
    })
  })
})

describe('parseExtraVars', () => {
  it('reads key=value pairs with quoting', () => {
    expect(parseExtraVars('version=1.2 name="my app"')).toEqual({ version: '1.2', name: 'my app' })
  })

  it('reads JSON and YAML mappings with their types', () => {
    expect(parseExtraVars('{"n": 3, "flag": true, "list": [1, "a"]}')).toEqual({
      n: 3,
      flag: true,
      list: [1, 'a']
    })
    expect(parseExtraVars('debug: yes')).toEqual({ debug: true })
  })

  it('reads @file relative to the working directory', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'extra-vars-'))
    writeFileSync(path.join(dir, 'vars.yml'), 'region: eu\nreplicas: 2\n')
    expect(parseExtraVars('@vars.yml', dir)).toEqual({ region: 'eu', replicas: 2 })
  })

  it('returns nothing for an empty value', () => {
    expect(parseExtraVars('   ')).toEqual({})
  })

  it('refuses a missing @file, naming the path', () => {
    expect(() => parseExtraVars('@missing.yml', '/tmp')).toThrow(OptionError)
    expect(() => parseExtraVars('@missing.yml', '/tmp')).toThrow('/tmp/missing.yml')
  })

  it('refuses text that is neither key=value nor a mapping', () => {
    expect(() => parseExtraVars('just words')).toThrow(OptionError)
    expect(() => parseExtraVars('just words')).toThrow('must be key=value pairs')
  })

  it('refuses malformed inline JSON as a bad option, quoting it', () => {
    expect(() => parseExtraVars('{"a": ')).toThrow(OptionError)
    expect(() => parseExtraVars('{"a": ')).toThrow(`extra vars '{"a": ' are not valid YAML/JSON`)
  })

  it('refuses a YAML list', () => {
    expect(() => parseExtraVars('[1, 2]')).toThrow(/must be|key=value/)
  })
})

describe('buildAdhocPlaybook', () => {
  it('builds one play with one task for `-m shell -a`', () => {
    const playbook = buildAdhocPlaybook(
      'web',
      'ansible.builtin.shell',
      'chdir=/tmp ls -l',
      MODULE_CATALOG,
      '/cwd'
    )
    const play = playbook.plays[0]!
    expect(play.hosts).toBe('web')
    expect(play.gatherFacts).toBe(false)
    expect(play.tasks).toHaveLength(1)
    expect(play.tasks[0]).toMatchObject({
      module: 'shell',
      args: { chdir: '/tmp', _raw_params: 'ls -l' }
    })
  })

  it('allows no arguments and refuses an unknown module', () => {
    expect(
      buildAdhocPlaybook('all', 'ping', '', MODULE_CATALOG, '/').plays[0]!.tasks[0]!.args
    ).toEqual({})
    expect(() => buildAdhocPlaybook('all', 'zypper', '', MODULE_CATALOG, '/')).toThrow(
      "couldn't resolve module 'zypper'"
    )
  })
})

describe('blocks', () => {
  const text = [
    '- hosts: all',
    '  tasks:',
    '    - name: outer',
    '      when: a',
    '      vars: { x: 1, y: 1 }',
    '      environment: { E: outer }',
    '      tags: [deploy]',
    '      become: true',
    '      ignore_errors: true',
    '      block:',
    '        - name: first',
    '          shell: echo 1',
    '          when: b',
    '          vars: { y: 2 }',
    '        - name: inner',
    '          when: c',
    '          block:',
    '            - name: nested',
    '              command: echo 2',
    '              ignore_errors: false',
    '              become_user: app',
    '              environment: { E: task }',
    '          always:',
    '            - name: inner always',
    '              command: echo 3',
    '      rescue:',
    '        - name: fix',
    '          debug: msg=fix',
    '      always:',
    '        - name: finally',
    '          debug: msg=done',
    '    - name: plain',
    '      shell: echo 4',
    ''
  ].join('\n')

  it('flattens nested blocks in order, each task keeping its own line and its block frames', () => {
    const tasks = onlyPlay(text).tasks
    expect(tasks.map((t) => [t.name, t.location.line])).toEqual([
      ['first', 11],
      ['nested', 18],
      ['inner always', 24],
      ['fix', 27],
      ['finally', 30],
      ['plain', 32]
    ])
    const frames = tasks.map((t) => t.blocks?.map((f) => `${f.name ?? '-'}:${f.section}`))
    expect(frames).toEqual([
      ['outer:block'],
      ['outer:block', 'inner:block'],
      ['outer:block', 'inner:always'],
      ['outer:rescue'],
      ['outer:always'],
      undefined
    ])
    expect(tasks[0]!.blocks![0]!.location).toEqual({ file: FILE, line: 3 })
    expect(tasks[1]!.blocks![0]!.id).toBe(tasks[3]!.blocks![0]!.id)
    expect(tasks[1]!.blocks![1]!.id).not.toBe(tasks[1]!.blocks![0]!.id)
  })

  it('hands block keywords down: when accumulates, task keywords override, tags add up', () => {
    const [first, nested, innerAlways, fix] = onlyPlay(text).tasks
    expect(first!.when).toEqual(['a', 'b'])
    expect(nested!.when).toEqual(['a', 'c'])
    expect(innerAlways!.when).toEqual(['a', 'c'])
    expect(fix!.when).toEqual(['a'])
    expect(first!.vars).toEqual({ x: 1, y: 2 })
    expect(fix!.vars).toEqual({ x: 1, y: 1 })
    expect(first!.ignoreErrors).toBe(true)
    expect(nested!.ignoreErrors).toBe(false)
    expect(first!.become).toEqual({ become: true })
    expect(nested!.become).toEqual({ become: true, becomeUser: 'app' })
    expect(first!.environment).toEqual([{ E: 'outer' }])
    expect(nested!.environment).toEqual([{ E: 'outer' }, { E: 'task' }])
    expect(first!.tags).toContain('deploy')
    expect(fix!.tags).toContain('deploy')
  })

  it('refuses keywords a block cannot take, naming the keyword and the line', () => {
    const error = playbookError(() =>
      tasksOf('    - name: b\n      loop: [1]\n      block:\n        - shell: echo\n')
    )
    expect(error.message).toContain("'loop' is not a valid keyword for a block")
    expect(error.location).toEqual({ file: FILE, line: 3 })
    // any_errors_fatal is a block keyword, as in Ansible: the block's tasks inherit it.
    const [inner] = tasksOf(
      '    - any_errors_fatal: true\n      block:\n        - name: inner\n          shell: echo\n'
    )
    expect(inner!.anyErrorsFatal).toBe(true)
    expect(playbookError(() => tasksOf('    - shell: echo\n      rescue: []\n')).message).toContain(
      "'rescue' and 'always' belong to a block"
    )
    expect(playbookError(() => tasksOf('    - block: echo\n')).message).toContain(
      "'block' must be a list of tasks"
    )
  })
})

describe('extra params (words that are not key=value)', () => {
  const parse = (task: string): unknown =>
    parsePlaybookText(
      `- hosts: all\n  tasks:\n    - ${task}\n`,
      'play.yml',
      '/base',
      MODULE_CATALOG
    )

  it.each(['fail: msg=in nested rescue', 'debug: msg=hello world', 'pause: seconds=1 now'])(
    'refuses %j at load, as Ansible does, naming the task line',
    (task) => {
      let error: unknown
      try {
        parse(task)
      } catch (e) {
        error = e
      }
      expect(error).toBeInstanceOf(PlaybookError)
      expect((error as PlaybookError).message).toMatch(
        /^play.yml:3: this task '(fail|debug|pause)' has extra params, which is only allowed in the following modules: /
      )
      expect((error as PlaybookError).location).toMatchObject({ file: 'play.yml', line: 3 })
    }
  )

  it.each([
    'shell: echo two words',
    'command: echo a b chdir=/tmp',
    'debug: msg="hello world"',
    "fail: msg='a b'",
    'set_fact: a=1 b=2'
  ])('accepts %j', (task) => {
    expect(() => parse(task)).not.toThrow()
  })

  it('keeps a template left over as the arguments to come at run time (variable params)', () => {
    const argsOf = (task: string): Record<string, unknown> => tasksOf(`    - ${task}\n`)[0]!.args
    expect(argsOf('file: "{{ item }}"')).toEqual({ _variable_params: '{{ item }}' })
    expect(argsOf('file: "{{ base }} mode=0600"')).toEqual({
      _variable_params: '{{ base }}',
      mode: '0600'
    })
    expect(argsOf('ping: "{# a comment #}"')).toEqual({ _variable_params: '{# a comment #}' })
    expect(argsOf('file: path=/x\n      args: "{{ more }}"')).toEqual({
      _variable_params: '{{ more }}',
      path: '/x'
    })
    // Words without a template stay refused.
    expect(() => parse('file: "item"')).toThrow(/has extra params/)
  })

  it('refuses `args:` given as text that is not a template, as Ansible does', () => {
    const error = playbookError(() => tasksOf('    - file: path=/x\n      args: more\n'))
    expect(error.message).toContain(
      "Complex args containing variables cannot use bare variables (without Jinja2 delimiters), and must use the full variable style ('{{var_name}}')"
    )
    expect(error.location).toMatchObject({ line: 3 })
  })
})

describe('arguments that cannot be split', () => {
  it.each(["command: echo it's", 'shell: echo "unclosed', 'debug: msg="{{ x"', 'shell: echo {{ x'])(
    'refuses %j at load with Ansible’s message, at the task line',
    (task) => {
      expect(() =>
        parsePlaybookText(
          `- hosts: all\n  tasks:\n    - ${task}\n`,
          'play.yml',
          '/base',
          MODULE_CATALOG
        )
      ).toThrow(
        /^play.yml:3: failed at splitting arguments, either an unbalanced jinja2 block or quotes: /
      )
    }
  )

  it('refuses them in -e key=value too', () => {
    expect(() => parseExtraVars("a='x", '/base')).toThrow(
      /failed at splitting arguments, either an unbalanced jinja2 block or quotes: a='x/
    )
  })
})
