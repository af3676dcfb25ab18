import { randomInt } from 'node:crypto'
import type { ProbeAnswer } from '../facts/probe.js'
import { CronLines, jobLine } from './cron-tab.js'
import script from './cron.sh'
import expandArgs from './expand-args.sh'
import { ModuleScript } from './module-script.js'
import type { ModuleContext, ModuleDefinition, ModuleDiff, ModuleResult } from './module.js'

const SCRIPT = new ModuleScript('apb-cron', `${expandArgs}\n${script}`)

const SPECIAL_TIMES = ['reboot', 'yearly', 'annually', 'monthly', 'weekly', 'daily', 'hourly']

/** Python's tempfile draws names from these (the backup is named as Ansible's mkstemp names it). */
const NAME_CHARACTERS = 'abcdefghijklmnopqrstuvwxyz0123456789_'

/**
 * `cron`: manages a job (`#Ansible: NAME` and its line) or an environment variable (`env`) in a user's
 * crontab, through the target's `crontab` command (`-u USER` for another user, as root), or in a cron
 * file (`cron_file`, under /etc/cron.d unless absolute), as Ansible's cron module does: the same lines,
 * messages, warnings and returned `jobs`/`envs`; `backup` keeps the crontab as it was in a file under
 * /tmp; removing the last job of a cron file deletes it. One round trip when nothing changes, two when
 * something does; check mode and diff.
 */
export const cronModule: ModuleDefinition = {
  name: 'cron',
  supportsCheckMode: true,
  args: {
    options: {
      name: { type: 'str', required: true },
      user: { type: 'str' },
      job: { type: 'str', aliases: ['value'] },
      cron_file: { type: 'path' },
      state: { type: 'str', default: 'present', choices: ['present', 'absent'] },
      backup: { type: 'bool', default: false },
      minute: { type: 'str', default: '*' },
      hour: { type: 'str', default: '*' },
      day: { type: 'str', default: '*', aliases: ['dom'] },
      month: { type: 'str', default: '*' },
      weekday: { type: 'str', default: '*', aliases: ['dow'] },
      special_time: { type: 'str', choices: SPECIAL_TIMES },
      disabled: { type: 'bool', default: false },
      env: { type: 'bool', default: false },
      insertafter: { type: 'str' },
      insertbefore: { type: 'str' }
    },
    mutuallyExclusive: [['insertafter', 'insertbefore']]
  },
  async run(ctx) {
    return new CronTask(ctx).run()
  }
}

class Failure {
  constructor(readonly msg: string) {}
}

class CronTask {
  private readonly args: Record<string, unknown>
  private readonly name: string
  private readonly user: string | undefined
  private readonly cronFile: string | undefined
  private readonly install: boolean
  private readonly warnings: string[] = []

  constructor(private readonly ctx: ModuleContext) {
    this.args = ctx.args
    this.name = this.args['name'] as string
    this.user = this.str('user')
    this.cronFile = this.str('cron_file')
    this.install = this.args['state'] === 'present'
  }

  private str(name: string): string | undefined {
    const value = this.args[name]
    return typeof value === 'string' ? value : undefined
  }

  async run(): Promise<ModuleResult> {
    try {
      return await this.decide()
    } catch (error) {
      if (error instanceof Failure) return { changed: false, failed: true, msg: error.msg }
      throw error
    }
  }

  private async decide(): Promise<ModuleResult> {
    const cronFile = this.cronFile
    if (cronFile !== undefined) {
      if (cronFile === '/etc/crontab') {
        throw new Failure('Will not manage /etc/crontab via cron_file, see documentation.')
      }
      const base = cronFile.slice(cronFile.lastIndexOf('/') + 1)
      if (!/^[A-Z0-9_-]+$/i.test(base)) {
        this.warnings.push(
          `Filename portion of cron_file ("${base}") should consist solely of upper- and lower-case letters, digits, underscores, and hyphens`
        )
      }
    }
    const connection = await this.ctx.connection()
    const probe = await SCRIPT.run(connection, ['probe', cronFile ?? '', this.user ?? ''], {
      timeoutMs: this.ctx.timeoutMs,
      environment: this.ctx.environment
    })
    if (!probe.get('crontab')) {
      throw new Failure(
        `Failed to find required executable "crontab" in paths: ${text(probe, 'path_hex') ?? ''}`
      )
    }
    const tab = this.read(probe)
    const diff: ModuleDiff = { before: tab.existing, before_header: this.header(probe) }

    this.validate()
    const changed = this.edit(tab)
    if (changed === 'file-removed') return this.removeFile(probe, diff)

    let write = changed
    // A crontab that lacks its last line end is rewritten, as Ansible does.
    if (!write && tab.existing !== '' && !/[\r\n]$/.test(tab.existing)) write = true

    const result: ModuleResult = { jobs: tab.jobNames(), envs: tab.envNames() }
    if (this.warnings.length > 0) result['warnings'] = this.warnings
    result['changed'] = write
    if (write) {
      if (!this.ctx.check) {
        const backup = await this.write(tab, probe)
        if (backup !== undefined) result['backup_file'] = backup
      }
      if (this.ctx.diff) {
        result['diff'] = { ...diff, after: tab.render(), after_header: this.header(probe) }
      }
    }
    if (cronFile !== undefined) result['cron_file'] = cronFile
    return result
  }

  /** The crontab (`crontab -l`, its headers left out) or the cron file, as read. */
  private read(probe: ProbeAnswer): CronLines {
    if (this.cronFile !== undefined) return CronLines.fromFile(text(probe, 'content_hex') ?? '')
    const rc = probe.int('rc')
    if (rc !== 0 && rc !== 1) throw new Failure('Unable to read crontab')
    return CronLines.fromCrontab(text(probe, 'out_hex') ?? '')
  }

  private header(probe: ProbeAnswer): string {
    if (this.cronFile !== undefined) return text(probe, 'file_hex') ?? this.cronFile
    return this.user === undefined ? 'crontab' : `crontab for user "${this.user}"`
  }

  private validate(): void {
    const times = ['minute', 'hour', 'day', 'month', 'weekday'].map((n) => this.args[n])
    if (this.str('special_time') && times.some((t) => t !== '*')) {
      throw new Failure('You must specify time and date fields or special time.')
    }
    if (!this.install) return
    if (this.cronFile !== undefined && !this.user) {
      throw new Failure('To use cron_file=... parameter you must specify user=... as well')
    }
    if (this.str('job') === undefined) {
      throw new Failure("You must specify 'job' to install a new cron job or variable")
    }
    if ((this.str('insertafter') || this.str('insertbefore')) && this.args['env'] !== true) {
      throw new Failure('Insertafter and insertbefore parameters are valid only with env=yes')
    }
  }

  /** Edits the lines; true when they changed, `file-removed` when a cron file is left with no job. */
  private edit(tab: CronLines): boolean | 'file-removed' {
    const name = this.name
    const job = this.str('job')
    if (this.args['env'] === true) {
      if (name.includes(' ')) throw new Failure('Invalid name for environment variable')
      const decl = `${name}="${job ?? 'None'}"`
      const pattern = variablePattern(name)
      const old = tab.findEnv(pattern)
      if (!this.install) {
        if (old === undefined) return false
        tab.updateEnv(pattern, undefined)
        return true
      }
      if (old === undefined) {
        this.addEnv(tab, decl)
        return true
      }
      if (old[1] === decl) return false
      tab.updateEnv(pattern, decl)
      return true
    }
    if (!this.install) {
      if (tab.findJob(name).length === 0) return false
      tab.updateJob(name, undefined)
      return this.cronFile !== undefined && tab.isEmpty() ? 'file-removed' : true
    }
    const given = job ?? ''
    if (/[\r\n]/.test(given.replace(/^[\r\n]+|[\r\n]+$/g, ''))) {
      this.warnings.push('Job should not contain line breaks')
    }
    const line = jobLine({
      minute: this.args['minute'] as string,
      hour: this.args['hour'] as string,
      day: this.args['day'] as string,
      month: this.args['month'] as string,
      weekday: this.args['weekday'] as string,
      job: given,
      special: this.str('special_time'),
      disabled: this.args['disabled'] === true,
      fileUser: this.cronFile === undefined ? undefined : this.user
    })
    const old = tab.findJob(name, line)
    if (old.length === 0) {
      tab.addJob(name, line)
      return true
    }
    if (old[1] !== line || old.length > 2) {
      tab.updateJob(name, line)
      return true
    }
    return false
  }

  private addEnv(tab: CronLines, decl: string): void {
    const after = this.str('insertafter')
    const before = this.str('insertbefore')
    const other = after || before
    if (!other) {
      tab.lines.unshift(decl)
      return
    }
    const found = tab.findEnv(variablePattern(other))
    if (found === undefined) throw new Failure(`Variable named '${other}' not found.`)
    tab.lines.splice(after ? found[0] + 1 : found[0], 0, decl)
  }

  /** Ansible's result when a cron file is left without jobs: the file goes. */
  private async removeFile(probe: ProbeAnswer, diff: ModuleDiff): Promise<ModuleResult> {
    let changed: boolean
    if (this.ctx.check) {
      changed = probe.get('is_file') === '1'
    } else {
      const answer = await SCRIPT.run(await this.ctx.connection(), ['remove', this.cronFile!], {
        timeoutMs: this.ctx.timeoutMs,
        environment: this.ctx.environment
      })
      changed = answer.get('removed') === '1'
    }
    return {
      changed,
      cron_file: this.cronFile,
      state: this.args['state'],
      diff: this.ctx.diff ? { ...diff, after: '', after_header: '/dev/null' } : {}
    }
  }

  /** Writes the lines (the backup first, when asked); the backup file's name. */
  private async write(tab: CronLines, probe: ProbeAnswer): Promise<string | undefined> {
    const backup = this.args['backup'] === true
    const before = Buffer.from(this.backupText(probe))
    const after = Buffer.from(tab.render())
    const answer = await SCRIPT.run(
      await this.ctx.connection(),
      [
        'write',
        this.cronFile ?? '',
        this.user ?? '',
        backup ? `/tmp/crontab${randomName()}` : '',
        String(backup ? before.length : 0)
      ],
      {
        timeoutMs: this.ctx.timeoutMs,
        environment: this.ctx.environment,
        stdin: backup ? Buffer.concat([before, after]) : after
      }
    )
    if (answer.int('rc') !== 0) throw new Failure(text(answer, 'err_hex') ?? '')
    return text(answer, 'backup_hex')
  }

  /** What the backup holds: the crontab as read, written out as Ansible writes a crontab. */
  private backupText(probe: ProbeAnswer): string {
    return this.read(probe).render()
  }
}

/** The line of variable `name`: `^NAME=`, the name read as a regular expression (as Ansible does). */
function variablePattern(name: string): RegExp {
  try {
    return new RegExp(`^${name}=`)
  } catch {
    throw new Failure(`Invalid name for environment variable: ${name}`)
  }
}

function randomName(): string {
  return Array.from({ length: 8 }, () => NAME_CHARACTERS[randomInt(NAME_CHARACTERS.length)]).join(
    ''
  )
}

function text(answer: ProbeAnswer, key: string): string | undefined {
  return answer.bytes(key)?.toString('utf8')
}
