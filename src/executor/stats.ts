import { dict } from '../values/dict.js'
import { isRecord, mergeHash } from '../values/records.js'
import { pythonClass } from '../modules/arg-types.js'
import { emptyStats, type CustomStats, type HostStats } from './events.js'
import { isNumeric, pyFloat } from '../values/py-float.js'

/** The key of the run's own custom statistics, as Ansible names it. */
const RUN_KEY = '_run'

/**
 * The recap counters of a run, per host, as Ansible's AggregateStats keeps them: the plays of a playbook and
 * the gather-only run (--jobs without a playbook) count through this one class. A host is in the recap once
 * something counted on it, not merely for being targeted.
 */
export class Stats {
  /** In the order hosts were first counted (keys are host names: a Map, never an object's prototype). */
  private readonly counters = new Map<string, HostStats>()
  /** set_stats' values: per host, and the run's under RUN_KEY. */
  private readonly custom = new Map<string, Record<string, unknown>>()

  /**
   * A set_stats value for a host (or the run, without one): replaced, or with `aggregate` added to what is
   * there as Ansible's update_custom_stats does (mappings merged, numbers added, text and lists joined; a
   * value of another type is left out).
   */
  setCustom(name: string, value: unknown, aggregate: boolean, host?: string): void {
    const key = host ?? RUN_KEY
    let values = this.custom.get(key)
    if (!values) {
      values = dict()
      this.custom.set(key, values)
    }
    if (!aggregate || !Object.hasOwn(values, name)) {
      values[name] = value
      return
    }
    const old = values[name]
    if (!sameKind(value, old)) return
    if (isRecord(old) && isRecord(value)) values[name] = mergeHash(old, value)
    else if (Array.isArray(old) && Array.isArray(value)) values[name] = [...old, ...value]
    else if (typeof old === 'string' && typeof value === 'string') values[name] = old + value
    else if (isNumeric(old) || typeof old === 'boolean') {
      const sum = Number(old) + Number(value)
      // Floats added up give a float (1.0 + 2.0 is 3.0).
      values[name] = pythonClass(old) === 'float' ? pyFloat(sum) : sum
    } else values[name] = value
  }

  /** The custom statistics, hosts sorted and the run's last; undefined when no task set any. */
  customSummary(): CustomStats | undefined {
    if (this.custom.size === 0) return undefined
    const out: CustomStats = dict()
    for (const key of [...this.custom.keys()].filter((k) => k !== RUN_KEY).sort())
      out[key] = this.custom.get(key)!
    const run = this.custom.get(RUN_KEY)
    if (run) out[RUN_KEY] = run
    return out
  }

  /**
   * Puts the host in the recap with its counters as they are: a task ran there, though it may count in no
   * counter (include_role counts in none, as in Ansible).
   */
  enter(host: string): void {
    this.of(host)
  }

  /** Adds `by` to one counter of the host. */
  increment(host: string, what: keyof HostStats, by = 1): void {
    this.of(host)[what] += by
  }

  /** Counts a result a task reported on a host: `ok`, and `changed` too when it changed something. */
  ok(host: string, changed: boolean): void {
    const counters = this.of(host)
    counters.ok++
    if (changed) counters.changed++
  }

  /** Counts a failure that `ignore_errors` (or `ignore_unreachable`) turned into a warning. */
  ignored(host: string, changed: boolean): void {
    this.ok(host, changed)
    this.increment(host, 'ignored')
  }

  /** Whether anything was counted on the host. */
  has(host: string): boolean {
    return this.counters.has(host)
  }

  /** Whether the host has a failure in its counters (what the recap and the exit code call failed). */
  failed(host: string): boolean {
    return (this.counters.get(host)?.failed ?? 0) > 0
  }

  /**
   * The recap: each counted host with its counters, in `order` when given (hosts never counted are left
   * out), else in the order they were first counted. Keyed by host name in an object without prototype.
   */
  summary(order?: Iterable<string>): Record<string, HostStats> {
    const hosts = order ? [...order].filter((h) => this.counters.has(h)) : [...this.counters.keys()]
    return dict(hosts.map((h) => [h, { ...this.counters.get(h)! }]))
  }

  private of(host: string): HostStats {
    let counters = this.counters.get(host)
    if (!counters) {
      counters = emptyStats()
      this.counters.set(host, counters)
    }
    return counters
  }
}

/**
 * Whether `value` is an instance of the Python type of `old`, as update_custom_stats checks: a boolean
 * counts as a number, as Python's bool is an int.
 */
function sameKind(value: unknown, old: unknown): boolean {
  const kind = pythonClass(old)
  const given = pythonClass(value)
  return given === kind || (kind === 'int' && given === 'bool')
}
