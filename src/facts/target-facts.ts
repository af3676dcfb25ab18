/**
 * The facts a module reads about its target, cached for one task run on one host: a module that asks
 * twice pays once. The cache is dropped as soon as the module changes the target (anything run or
 * written through `connection()`, or an explicit `invalidate()`), so a decision is never made on a
 * state the module itself has made stale.
 */
import type { CommandResult, Connection, RunOptions } from '../connection/connection.js'
import type { GetFileOptions } from '../connection/get-file.js'
import { readPackages, type PackageState, type PackagesState } from './package.js'
import { readPath, type PathOptions, type PathState } from './path.js'
import { readService, type ServiceState } from './service.js'
import { readGroup, readUser, type GroupState, type UserState } from './user.js'

/** What facts need from a module's context: its connection and the deadline of each remote call. */
export interface FactsSource {
  /** The host's connection (under the task's become), opened on first use. */
  connection(): Promise<Connection>
  /** Deadline of each probe, in milliseconds. */
  timeoutMs: number
}

/** One cached path answer, and what it was asked with. */
interface CachedPath {
  options: PathOptions
  state: Promise<PathState>
}

/** Reads facts about one host for one task run, once each until the target changes. */
export class TargetFacts {
  private paths = new Map<string, CachedPath[]>()
  /** Service, package, user and group answers, by fact and name. */
  private others = new Map<string, Promise<unknown>>()
  private tracked: Promise<Connection> | undefined

  constructor(private readonly source: FactsSource) {}

  /**
   * The state of `path` (see readPath). A cached answer serves any question it covers: one read with
   * a sha1 checksum also answers a later question without one.
   */
  path(path: string, options: PathOptions = {}): Promise<PathState> {
    const key = `${options.follow ? 'L' : 'l'}\0${path}`
    const cached = this.paths.get(key)?.find((entry) => covers(entry.options, options))
    if (cached) return cached.state
    const entries = this.paths.get(key) ?? []
    const paths = this.paths
    const entry: CachedPath = {
      options,
      state: this.source
        .connection()
        .then((connection) =>
          readPath({ connection, timeoutMs: this.source.timeoutMs }, path, options)
        )
    }
    // A failed read is not remembered: the next question asks the target again.
    entry.state.catch(() => {
      const list = paths.get(key)
      const at = list?.indexOf(entry) ?? -1
      if (at >= 0) list!.splice(at, 1)
    })
    entries.push(entry)
    this.paths.set(key, entries)
    return entry.state
  }

  /** The state of service `name` (see readService). */
  service(name: string): Promise<ServiceState> {
    return this.cached(`service\0${name}`, (target) => readService(target, name))
  }

  /**
   * The state of each of `names` and the target's package manager (see readPackages), in one round
   * trip for the packages not already read.
   */
  async packages(names: readonly string[]): Promise<PackagesState> {
    const wanted = [...new Set(names)]
    const missing = wanted.filter((name) => !this.others.has(`package\0${name}`))
    let fresh: Promise<PackagesState> | undefined
    if (missing.length > 0 || !this.others.has('package-manager')) {
      fresh = this.cached(`packages\0${missing.join('\0')}`, (target) =>
        readPackages(target, missing)
      )
      this.remember('package-manager', fresh)
      for (const name of missing) {
        this.remember(
          `package\0${name}`,
          fresh.then((state) => state.packages[name])
        )
      }
    }
    const base = (await (fresh ?? this.others.get('package-manager'))) as PackagesState
    const packages = Object.create(null) as Record<string, PackageState>
    for (const name of wanted) {
      packages[name] = (await this.others.get(`package\0${name}`)) as PackageState
    }
    return { manager: base.manager, database: base.database, packages }
  }

  /** User `name`'s entry (see readUser). */
  user(name: string): Promise<UserState> {
    return this.cached(`user\0${name}`, (target) => readUser(target, name))
  }

  /** Group `name`'s entry (see readGroup). */
  group(name: string): Promise<GroupState> {
    return this.cached(`group\0${name}`, (target) => readGroup(target, name))
  }

  private cached<T>(
    key: string,
    read: (target: { connection: Connection; timeoutMs: number }) => Promise<T>
  ): Promise<T> {
    const known = this.others.get(key)
    if (known) return known as Promise<T>
    const state = this.source
      .connection()
      .then((connection) => read({ connection, timeoutMs: this.source.timeoutMs }))
    this.remember(key, state)
    return state
  }

  /** Keeps an answer until the target changes; a failed read is not remembered. */
  private remember(key: string, state: Promise<unknown>): void {
    const others = this.others
    others.set(key, state)
    state.catch(() => {
      if (others.get(key) === state) others.delete(key)
    })
  }

  /** Forgets every fact read: the target has changed (or may have). */
  invalidate(): void {
    this.paths = new Map()
    this.others = new Map()
  }

  /**
   * The host's connection, wrapped: every command run and every file written through it drops the
   * cache first and again once done, since either may change what the facts say.
   */
  connection(): Promise<Connection> {
    this.tracked ??= this.source.connection().then((inner) => new ChangeTracking(inner, this))
    this.tracked.catch(() => (this.tracked = undefined))
    return this.tracked
  }
}

/** True when an answer read with `had` answers a question asked with `wanted` (same `follow`). */
function covers(had: PathOptions, wanted: PathOptions): boolean {
  const sum = (checksum: PathOptions['checksum']): string | undefined =>
    checksum === true ? 'sha1' : checksum === false ? undefined : checksum
  const wantedSum = sum(wanted.checksum)
  return (
    (wantedSum === undefined || sum(had.checksum) === wantedSum) &&
    (!wanted.mime || had.mime === true) &&
    (!wanted.attributes || had.attributes === true)
  )
}

/** A connection that tells the facts whenever it may have changed the target. */
class ChangeTracking implements Connection {
  constructor(
    private readonly inner: Connection,
    private readonly facts: TargetFacts
  ) {}

  get host(): string {
    return this.inner.host
  }

  async run(command: string, options: RunOptions): Promise<CommandResult> {
    this.facts.invalidate()
    try {
      return await this.inner.run(command, options)
    } finally {
      this.facts.invalidate()
    }
  }

  async putFile(
    remotePath: string,
    content: Buffer,
    options: { mode?: number; timeoutMs: number }
  ): Promise<void> {
    this.facts.invalidate()
    try {
      await this.inner.putFile(remotePath, content, options)
    } finally {
      this.facts.invalidate()
    }
  }

  /** Reading changes nothing: the facts stay. */
  getFile(remotePath: string, options: GetFileOptions): Promise<Buffer> {
    return this.inner.getFile(remotePath, options)
  }

  close(): Promise<void> {
    return this.inner.close()
  }
}

const perContext = new WeakMap<object, TargetFacts>()

/**
 * The facts of a module's context: one cache per context, that is per host and task run (each loop
 * item and each retry gets a fresh one, since the module ran in between).
 */
export function factsFor(ctx: FactsSource): TargetFacts {
  let facts = perContext.get(ctx)
  if (!facts) {
    facts = new TargetFacts(ctx)
    perContext.set(ctx, facts)
  }
  return facts
}
