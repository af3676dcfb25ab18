import { factsFor } from '../facts/index.js'
import type { ProbeAnswer } from '../facts/probe.js'
import { entryFields, runAccountScript, toolRun } from './account-run.js'
import type { ModuleContext, ModuleDefinition, ModuleResult } from './module.js'
import {
  SECONDS_PER_DAY,
  expiresDate,
  isNumber,
  keyState,
  keyWouldBeMade,
  looksHashed,
  stripBang,
  utcDate,
  validPasswd,
  withOutput,
  type SshKeyState
} from './user-support.js'
import actScript from './user-act.sh'
import probeScript from './user-probe.sh'

const NOT_LOGGING = 'NOT_LOGGING_PASSWORD'

/** What the probe found of the user, and of the groups and key the task names. */
interface UserProbe {
  /** passwd fields (name, x, uid, gid, gecos, home, shell), or undefined when there is no such user. */
  passwd: string[] | undefined
  /** The password field as Ansible reads it: passwd's, or shadow's when passwd has `x` or nothing. */
  password: string
  /** Shadow's expiry in days since the epoch, -1 when unset. */
  expireDays: number
  /** Shadow's minimum and maximum password ages (text as written), when shadow could be read. */
  ages: { min: string; max: string } | undefined
  ownGroup: boolean
  /** The `group` argument's entry. */
  group: string[] | undefined
  /** Each of `groups`' entries, in order. */
  each: Array<string[] | undefined>
  /** Groups listing the user as a member. */
  memberOf: string[]
  homeExists: boolean
  homeParent: boolean
  ssh: SshKeyState
  hostname: string
}

/**
 * `user`: makes a user present or absent on the target with its own tools (useradd, usermod, userdel,
 * chpasswd, ssh-keygen), deciding as Ansible's user module does on Linux: usermod runs only for what
 * differs, `groups` compares the groups that list the user (`append` adds only), a home that is
 * missing is made from /etc/skel, and `generate_ssh_key` leaves an existing key alone unless `force`.
 * The password hash and the key passphrase travel on stdin only (`chpasswd -e`, an askpass helper),
 * never on a command line. One round trip when nothing differs, two when something does; check mode.
 */
export const userModule: ModuleDefinition = {
  name: 'user',
  supportsCheckMode: true,
  args: {
    options: {
      state: { type: 'str', default: 'present', choices: ['absent', 'present'] },
      name: { type: 'str', required: true, aliases: ['user'] },
      uid: { type: 'int' },
      non_unique: { type: 'bool', default: false },
      group: { type: 'str' },
      groups: { type: 'list', elements: 'str' },
      comment: { type: 'str' },
      home: { type: 'path' },
      shell: { type: 'str' },
      password: { type: 'str', noLog: true },
      force: { type: 'bool', default: false },
      remove: { type: 'bool', default: false },
      create_home: { type: 'bool', default: true, aliases: ['createhome'] },
      system: { type: 'bool', default: false },
      move_home: { type: 'bool', default: false },
      append: { type: 'bool', default: false },
      generate_ssh_key: { type: 'bool' },
      ssh_key_bits: { type: 'int', default: 0 },
      ssh_key_type: { type: 'str', default: 'rsa' },
      ssh_key_file: { type: 'path' },
      ssh_key_comment: { type: 'str' },
      ssh_key_passphrase: { type: 'str', noLog: true },
      update_password: { type: 'str', default: 'always', choices: ['always', 'on_create'] },
      expires: { type: 'float' },
      password_lock: { type: 'bool' },
      login_class: { type: 'str', notImplemented: 'it applies to BSD targets only' },
      password_expire_max: { type: 'int' },
      password_expire_min: { type: 'int' },
      hidden: { type: 'bool', notImplemented: 'it applies to macOS targets only' },
      seuser: { type: 'str', notImplemented: 'run `usermod -Z` in a command task' },
      skeleton: { type: 'str' },
      local: {
        type: 'bool',
        notImplemented: 'the libuser commands (luseradd) are not driven; leave it out'
      },
      profile: { type: 'str', notImplemented: 'it applies to illumos/Solaris targets only' },
      authorization: { type: 'str', notImplemented: 'it applies to illumos/Solaris targets only' },
      role: { type: 'str', notImplemented: 'it applies to illumos/Solaris targets only' },
      umask: { type: 'str' }
    }
  },
  async run(ctx) {
    return new UserTask(ctx).run()
  }
}

class UserTask {
  private readonly args: Record<string, unknown>
  private readonly name: string
  private readonly password: string | undefined
  private readonly groupsList: string[] | undefined
  private keySpec: string | undefined
  /** The `home` argument, expanded on the target by the probe. */
  private home: string | undefined

  constructor(private readonly ctx: ModuleContext) {
    this.args = ctx.args
    this.name = this.args['name'] as string
    const password = this.args['password']
    this.password = typeof password === 'string' ? password : undefined
    const groups = this.args['groups'] as string[] | null | undefined
    this.groupsList = groups === null || groups === undefined ? undefined : groups.map(String)
    this.keySpec =
      this.args['generate_ssh_key'] === true
        ? ((this.args['ssh_key_file'] as string | null | undefined) ??
          `.ssh/id_${String(this.args['ssh_key_type'])}`)
        : undefined
  }

  async run(): Promise<ModuleResult> {
    if (this.password !== undefined && /[:\n]/.test(this.password)) {
      return {
        changed: false,
        failed: true,
        name: this.name,
        msg: "password: a hash holds no ':' and no line break (chpasswd -e could not set it)"
      }
    }
    if (
      typeof this.args['ssh_key_passphrase'] === 'string' &&
      /[\n\r]/.test(this.args['ssh_key_passphrase'])
    ) {
      return {
        changed: false,
        failed: true,
        name: this.name,
        msg: 'ssh_key_passphrase: a passphrase with a line break cannot be given to ssh-keygen'
      }
    }
    this.warnAboutArguments()
    const probe = await this.probe()
    if (this.args['state'] === 'absent') return this.absent(probe)
    return probe.passwd === undefined ? this.create(probe) : this.modify(probe)
  }

  private warnAboutArguments(): void {
    const password = this.password
    if (password && !['*', '!', '*************'].includes(password) && !looksHashed(password)) {
      this.ctx.warn(
        "The input password appears not to have been hashed. The 'password' argument must be encrypted for this module to work properly."
      )
    }
    if (this.groupsList === undefined && this.args['append'] === true) {
      this.ctx.warn(
        "'append' is set, but no 'groups' are specified. Use 'groups' for appending new groups.This will change to an error in Ansible 2.14."
      )
    }
  }

  /** The requested supplementary groups: the list joined and split on commas, as Ansible reads it. */
  private requestedGroups(): string[] {
    const joined = (this.groupsList ?? []).join(',')
    const names = joined
      .split(',')
      .filter((g) => g !== '')
      .map((g) => g.trim())
    return names.filter((g, i) => names.indexOf(g) === i)
  }

  private async probe(): Promise<UserProbe> {
    const connection = await factsFor(this.ctx).connection()
    const home = (this.args['home'] as string | null | undefined) ?? ''
    const group = (this.args['group'] as string | null | undefined) ?? ''
    const answer = await runAccountScript(
      connection,
      'apb-user-probe',
      probeScript,
      [this.name, home, this.keySpec ?? '', group, ...this.requestedGroups()],
      { timeoutMs: this.ctx.timeoutMs }
    )
    const expandedHome = answer.bytes('home_arg_hex')
    if (expandedHome !== undefined) this.home = expandedHome.toString('utf8')
    const expandedKey = answer.bytes('key_arg_hex')
    if (expandedKey !== undefined) this.keySpec = expandedKey.toString('utf8')
    const passwd = validPasswd(entryFields(answer, 'pw_hex'))
    const shadow = entryFields(answer, 'sp_hex')
    let password = passwd?.[1] ?? ''
    if (password.length <= 1) password = shadow?.[1] ?? ''
    const expire = shadow?.[7] ?? ''
    return {
      passwd,
      password,
      // No shadow entry (or shadow unreadable) reads as day 0, as Ansible's user module does since it
      // stopped failing there (2.14 fails with a ValueError): an empty expiry field is -1 (never).
      expireDays: shadow === undefined ? 0 : /^-?\d+$/.test(expire) ? Number(expire) : -1,
      ages: shadow === undefined ? undefined : { min: shadow[3] ?? '', max: shadow[4] ?? '' },
      ownGroup: answer.get('own_group') === '1',
      group: entryFields(answer, 'group_hex'),
      each: answer.all('each_hex').map((hex) => {
        const line = Buffer.from(hex, 'hex').toString('utf8').split('\n')[0] ?? ''
        return line === '' ? undefined : line.split(':')
      }),
      memberOf: answer.all('member'),
      homeExists: answer.get('home_exists') === '1',
      homeParent: answer.get('home_parent') === '1',
      ssh: keyState(answer),
      hostname: (answer.bytes('hostname_hex')?.toString('utf8') ?? '').trim()
    }
  }

  private absent(probe: UserProbe): Promise<ModuleResult> | ModuleResult {
    const result: ModuleResult = { name: this.name, state: 'absent' }
    if (probe.passwd === undefined) return { ...result, changed: false }
    if (this.ctx.check) return { changed: true }
    const toolArgs: string[] = []
    if (this.args['force'] === true) toolArgs.push('-f')
    if (this.args['remove'] === true) toolArgs.push('-r')
    return this.act(probe, { tool: 'userdel', toolArgs, setPassword: undefined }).then(
      ({ run }) => {
        if (run && run.rc !== 0) return this.toolFailure(run)
        Object.assign(result, {
          changed: true,
          force: this.args['force'],
          remove: this.args['remove']
        })
        return withOutput(result, run)
      }
    )
  }

  private async create(probe: UserProbe): Promise<ModuleResult> {
    if (this.ctx.check) return { changed: true }
    const args = this.args
    const toolArgs: string[] = []
    if (isNumber(args['uid'])) {
      toolArgs.push('-u', String(args['uid']))
      if (args['non_unique'] === true) toolArgs.push('-o')
    }
    const group = args['group'] as string | null | undefined
    if (group !== null && group !== undefined) {
      if (probe.group === undefined) return this.failure(`Group ${group} does not exist`)
      toolArgs.push('-g', group)
    } else if (probe.ownGroup) {
      toolArgs.push('-N')
    }
    if (this.groupsList !== undefined && this.groupsList.join(',') !== '') {
      const missing = this.missingGroup(probe)
      if (missing !== undefined) return this.failure(`Group ${missing} does not exist`)
      toolArgs.push('-G', this.requestedGroups().join(','))
    }
    if (typeof args['comment'] === 'string') toolArgs.push('-c', args['comment'])
    const home = this.home
    let preHome = ''
    if (typeof home === 'string') {
      if (args['create_home'] === true && !probe.homeParent) preHome = home
      toolArgs.push('-d', home)
    }
    if (typeof args['shell'] === 'string') toolArgs.push('-s', args['shell'])
    const expires = expiresDate(args['expires'])
    if (expires !== undefined) toolArgs.push('-e', expires.text)
    if (args['create_home'] === true) {
      toolArgs.push('-m')
      if (typeof args['skeleton'] === 'string') toolArgs.push('-k', args['skeleton'])
      if (typeof args['umask'] === 'string') toolArgs.push('-K', `UMASK=${args['umask']}`)
    } else {
      toolArgs.push('-M')
    }
    if (args['system'] === true) toolArgs.push('-r')
    const setPassword =
      this.password === undefined
        ? undefined
        : args['password_lock'] === true
          ? `!${this.password}`
          : this.password
    const done = await this.act(probe, { tool: 'useradd', toolArgs, setPassword, preHome })
    if (done.failure) return done.failure
    const result: ModuleResult = {
      name: this.name,
      state: 'present',
      system: args['system'],
      create_home: args['create_home']
    }
    if (this.password !== undefined) result['password'] = NOT_LOGGING
    result['changed'] = true
    return this.finish(withOutput(result, done.run), done.answer)
  }

  private async modify(probe: UserProbe): Promise<ModuleResult> {
    const args = this.args
    const passwd = probe.passwd!
    const toolArgs: string[] = []
    if (isNumber(args['uid']) && Number(passwd[2]) !== args['uid']) {
      toolArgs.push('-u', String(args['uid']))
      if (args['non_unique'] === true) toolArgs.push('-o')
    }
    const group = args['group'] as string | null | undefined
    if (group !== null && group !== undefined) {
      if (probe.group === undefined) return this.failure(`Group ${group} does not exist`)
      if (probe.group[2] !== passwd[3]) toolArgs.push('-g', probe.group[2] ?? group)
    }
    if (this.groupsList !== undefined) {
      const current = probe.memberOf
      const append = args['append'] === true
      let needed = false
      let requested: string[] = []
      if (this.groupsList.join(',') === '') {
        needed = current.length > 0 && !append
      } else {
        const missing = this.missingGroup(probe)
        if (missing !== undefined) return this.failure(`Group ${missing} does not exist`)
        requested = this.requestedGroups()
        const differ = [
          ...current.filter((g) => !requested.includes(g)),
          ...requested.filter((g) => !current.includes(g))
        ]
        if (differ.length > 0) {
          if (append) {
            if (requested.some((g) => differ.includes(g))) {
              toolArgs.push('-a')
              needed = true
            }
          } else {
            needed = true
          }
        }
      }
      if (needed) toolArgs.push('-G', requested.join(','))
    }
    if (typeof args['comment'] === 'string' && passwd[4] !== args['comment'])
      toolArgs.push('-c', args['comment'])
    if (this.home !== undefined && passwd[5] !== this.home) {
      toolArgs.push('-d', this.home)
      if (args['move_home'] === true) toolArgs.push('-m')
    }
    if (typeof args['shell'] === 'string' && passwd[6] !== args['shell'])
      toolArgs.push('-s', args['shell'])
    const expires = expiresDate(args['expires'])
    if (expires !== undefined) {
      const current = probe.expireDays
      if (expires.days < 0) {
        if (current >= 0) toolArgs.push('-e', '')
      } else if (current < 0 || utcDate(current * SECONDS_PER_DAY) !== expires.text) {
        toolArgs.push('-e', expires.text)
      }
    }
    let lockArg: string | undefined
    if (args['password_lock'] === true && !probe.password.startsWith('!')) lockArg = '-L'
    else if (args['password_lock'] === false && probe.password.startsWith('!')) lockArg = '-U'
    let setPassword: string | undefined
    if (
      args['update_password'] === 'always' &&
      this.password !== undefined &&
      stripBang(probe.password) !== stripBang(this.password)
    ) {
      lockArg = undefined
      setPassword = args['password_lock'] === true ? `!${this.password}` : this.password
    }
    if (lockArg !== undefined) toolArgs.push(lockArg)

    const result: ModuleResult = {
      name: this.name,
      state: 'present',
      append: args['append'],
      move_home: args['move_home']
    }
    if (this.password !== undefined) result['password'] = NOT_LOGGING
    const changing = toolArgs.length > 0 || setPassword !== undefined
    if (this.ctx.check || (!changing && !this.moreToDo(probe))) {
      result['changed'] = changing
      return this.finish(result, undefined, probe)
    }
    const done = await this.act(probe, {
      tool: toolArgs.length > 0 ? 'usermod' : '',
      toolArgs,
      setPassword
    })
    if (done.failure) return done.failure
    result['changed'] = changing
    return this.finish(withOutput(result, done.run), done.answer)
  }

  /** Whether a user already as asked still needs a round trip: a home to make, a key to generate. */
  private moreToDo(probe: UserProbe): boolean {
    if (this.args['create_home'] === true && !probe.homeExists) return true
    if (this.agesDiffer(probe)) return true
    return this.keySpec !== undefined && keyWouldBeMade(probe.ssh, this.args['force'] === true)
  }

  /** Whether `password_expire_min`/`_max` differ from shadow's (never when shadow cannot be read). */
  private agesDiffer(probe: UserProbe): boolean {
    if (probe.ages === undefined) return false
    const differs = (wanted: unknown, current: string): boolean =>
      isNumber(wanted) && String(wanted) !== current
    return (
      differs(this.args['password_expire_min'], probe.ages.min) ||
      differs(this.args['password_expire_max'], probe.ages.max)
    )
  }

  /** The first requested group that does not exist. */
  private missingGroup(probe: UserProbe): string | undefined {
    const requested = this.requestedGroups()
    return requested.find((_, i) => probe.each[i] === undefined)
  }

  private failure(msg: string): ModuleResult {
    return { changed: false, failed: true, msg }
  }

  private toolFailure(run: { rc: number; stderr: string }): ModuleResult {
    return { changed: false, failed: true, name: this.name, msg: run.stderr, rc: run.rc }
  }

  /** Runs the changes on the target; `failure` when the tool or chpasswd failed. */
  private async act(
    probe: UserProbe,
    plan: { tool: string; toolArgs: string[]; setPassword: string | undefined; preHome?: string }
  ): Promise<{
    run: ReturnType<typeof toolRun>
    answer: ProbeAnswer
    failure?: ModuleResult
  }> {
    const args = this.args
    const present = args['state'] === 'present'
    const passphrase = args['ssh_key_passphrase']
    const connection = await factsFor(this.ctx).connection()
    const answer = await runAccountScript(
      connection,
      'apb-user-act',
      actScript,
      [
        this.name,
        plan.preHome ?? '',
        plan.tool,
        plan.setPassword === undefined ? '0' : '1',
        present && args['create_home'] === true ? '1' : '0',
        this.home ?? '',
        present && this.keySpec !== undefined ? '1' : '0',
        String(args['ssh_key_type']),
        String(args['ssh_key_bits']),
        this.keyComment(probe),
        this.keySpec ?? '',
        args['force'] === true ? '1' : '0',
        typeof passphrase === 'string' ? '1' : '0',
        typeof args['skeleton'] === 'string' ? args['skeleton'] : '',
        present && isNumber(args['password_expire_min']) ? String(args['password_expire_min']) : '',
        present && isNumber(args['password_expire_max']) ? String(args['password_expire_max']) : '',
        ...plan.toolArgs
      ],
      {
        timeoutMs: this.ctx.timeoutMs,
        stdin: `${plan.setPassword ?? ''}\n${typeof passphrase === 'string' ? passphrase : ''}\n`
      }
    )
    const run = toolRun(answer)
    const homeFailed = answer.get('home_fail')
    if (run && run.rc !== 0 && plan.tool !== 'userdel') {
      return { run, answer, failure: this.toolFailure(run) }
    }
    if (homeFailed !== undefined) {
      return {
        run,
        answer,
        failure: { changed: false, failed: true, msg: `could not make the home ${homeFailed}` }
      }
    }
    const pwRc = answer.int('pw_rc')
    if (pwRc !== undefined) {
      return {
        run,
        answer,
        failure: {
          changed: false,
          failed: true,
          name: this.name,
          msg: answer.bytes('pw_err_hex')?.toString('utf8') ?? '',
          rc: pwRc
        }
      }
    }
    return { run, answer }
  }

  private keyComment(probe: UserProbe): string {
    const comment = this.args['ssh_key_comment']
    return typeof comment === 'string' ? comment : `ansible-generated on ${probe.hostname}`
  }

  /**
   * The fields every present user gets, from the state after the change (`answer`) or, when nothing
   * ran, from the probe: the passwd fields, `groups`, the home made, the ssh key, the password ages.
   */
  private finish(
    result: ModuleResult,
    answer: ProbeAnswer | undefined,
    probe?: UserProbe
  ): ModuleResult {
    const passwd = answer ? validPasswd(entryFields(answer, 'pw_hex')) : probe?.passwd
    if (passwd === undefined) {
      return { ...result, failed: true, msg: `failed to look up user name: ${this.name}` }
    }
    Object.assign(result, {
      uid: Number(passwd[2]),
      group: Number(passwd[3]),
      comment: passwd[4],
      home: passwd[5],
      shell: passwd[6]
    })
    if (this.groupsList !== undefined) result['groups'] = this.groupsList.join(',')
    if (answer ? answer.get('home_made') === '1' : !probe!.homeExists) {
      if (this.args['create_home'] === true) result['changed'] = true
    }
    if (this.keySpec !== undefined) {
      const failure = this.keyFields(result, answer, probe)
      if (failure) return failure
    }
    // The password ages come last, as in Ansible.
    if (answer) {
      const chageRc = answer.int('chage_rc')
      if (chageRc !== undefined && chageRc !== 0) {
        return {
          changed: false,
          failed: true,
          name: this.name,
          msg: answer.bytes('chage_err_hex')?.toString('utf8') ?? '',
          rc: chageRc
        }
      }
      if (answer.get('chage_made') === '1') result['changed'] = true
    } else if (this.agesDiffer(probe!)) {
      result['changed'] = true
    }
    return result
  }

  /** The ssh key's fields into `result` (and `changed`); a failure result when ssh-keygen failed. */
  private keyFields(
    result: ModuleResult,
    answer: ProbeAnswer | undefined,
    probe: UserProbe | undefined
  ): ModuleResult | undefined {
    const force = this.args['force'] === true
    let ssh: SshKeyState
    if (answer) {
      ssh = keyState(answer)
      for (const warning of answer.all('warn')) this.warnKey(warning, ssh.path)
      const keyRc = answer.int('key_rc')
      if (keyRc !== undefined && keyRc !== 0) {
        return {
          changed: false,
          failed: true,
          name: this.name,
          msg: answer.bytes('key_err_hex')?.toString('utf8') ?? '',
          rc: keyRc
        }
      }
      if (answer.get('key_made') === '1') result['changed'] = true
    } else {
      ssh = probe!.ssh
      if (!ssh.dirExists) {
        result['changed'] = true
      } else {
        if (ssh.keyExists) this.warnKey(force ? 'overwrite_key' : 'key_exists', ssh.path)
        if ((!ssh.keyExists || force) && ssh.pubExists)
          this.warnKey(force ? 'overwrite_pub' : 'pub_exists', ssh.path)
        if (keyWouldBeMade(ssh, force)) result['changed'] = true
      }
    }
    Object.assign(result, {
      ssh_fingerprint: ssh.fingerprint,
      ssh_key_file: ssh.path,
      ssh_public_key: ssh.publicKey
    })
    return undefined
  }

  private warnKey(kind: string, path: string): void {
    const messages: Record<string, string> = {
      overwrite_key: `Overwriting existing ssh key private file "${path}"`,
      key_exists: `Found existing ssh key private file "${path}", no force, so skipping ssh-keygen generation`,
      overwrite_pub: `Overwriting existing ssh key public file "${path}.pub"`,
      pub_exists: `Found existing ssh key public file "${path}.pub", no force, so skipping ssh-keygen generation`
    }
    const message = messages[kind]
    if (message !== undefined) this.ctx.warn(message)
  }
}
