import { dict } from '../dict.js'
import { emptyStats, type HostStats } from './events.js'

/**
 * The recap counters of a run, per host, as Ansible's AggregateStats keeps them: the plays of a playbook and
 * the gather-only run (--jobs without a playbook) count through this one class. A host is in the recap once
 * something counted on it, not merely for being targeted.
 */
export class Stats {
  /** In the order hosts were first counted (keys are host names: a Map, never an object's prototype). */
  private readonly counters = new Map<string, HostStats>()

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
