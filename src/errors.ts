/** Where something came from in a playbook, inventory or vars file. */
export interface SourceLocation {
  file: string
  line: number
  column?: number
}

/** Formats a location as `file:line[:column]`. */
export function formatLocation(loc: SourceLocation | undefined): string {
  if (!loc) return ''
  return loc.column ? `${loc.file}:${loc.line}:${loc.column}` : `${loc.file}:${loc.line}`
}

/**
 * A module refused its arguments: the task fails with this message (Ansible's wording where it has one).
 * Defined here, below every folder, so that what modules share with the connection and the HTTP transport
 * (the task environment) can raise it; modules import it from modules/module.ts.
 */
export class ModuleArgumentError extends Error {}

/** Base class of every error this product raises on purpose. Its message is meant for the user. */
export class AsyncPlaybookError extends Error {
  constructor(
    message: string,
    readonly location?: SourceLocation
  ) {
    super(location ? `${formatLocation(location)}: ${message}` : message)
    this.name = new.target.name
  }
}

/** A playbook, vars file or YAML document that cannot be read or is not valid. Exit code 4. */
export class PlaybookError extends AsyncPlaybookError {
  constructor(
    message: string,
    location?: SourceLocation,
    /**
     * What a file names cannot be found (a task file, a role), or a task file holds no list of tasks. Met by
     * a dynamic include while it runs, such an error fails the hosts that include it, as in Ansible (a rescue
     * can handle that); any other error in what an include brings in (YAML, an unknown module or keyword)
     * stops the whole run, as a playbook that cannot be loaded does.
     */
    readonly failsHost = false
  ) {
    super(message, location)
  }
}

/** An inventory that cannot be read or is not valid. Exit code 4. */
export class InventoryError extends AsyncPlaybookError {}

/** A template or expression that cannot be evaluated (syntax error, undefined variable, bad filter). */
export class TemplateError extends AsyncPlaybookError {
  constructor(
    message: string,
    readonly expression?: string,
    location?: SourceLocation
  ) {
    super(message, location)
  }
}

/**
 * An error Ansible's Templar reports in a wrapper naming the template: Jinja2's syntax errors (an unknown
 * filter or test among them: "Could not load") and Python's TypeError in an expression. Raised with the
 * bare `reason`; the template engine wraps it once, with the text being templated (`shownSource`), in
 * Ansible's words, and a conditional wraps it with the `{% if %}` text Ansible templates.
 */
export class JinjaError extends TemplateError {
  constructor(
    readonly reason: string,
    readonly kind: 'syntax' | 'type',
    readonly shownSource?: string
  ) {
    super(
      shownSource === undefined ? reason : jinjaErrorMessage(reason, kind, shownSource),
      shownSource
    )
    // By name, the kind survives nunjucks re-creating the error from its text (inside `{% for %}`).
    if (kind === 'type') this.name = 'JinjaTypeError'
  }
}

/** Ansible's message for a Jinja2 error in `source`: its own words, then the cause's again. */
export function jinjaErrorMessage(reason: string, kind: 'syntax' | 'type', source: string): string {
  return kind === 'syntax'
    ? `template error while templating string: ${reason}. String: ${source}. ${reason}`
    : `Unexpected templating type error occurred on (${source}): ${reason}. ${reason}`
}

/**
 * A conditional that is data of the targets, or rendered from it (or `!unsafe` text), and so is never
 * evaluated: Ansible's "Conditional is marked as unsafe, and cannot be evaluated."
 */
export class UnsafeConditionalError extends TemplateError {
  constructor(expression: string) {
    super('Conditional is marked as unsafe, and cannot be evaluated.', expression)
  }
}

/**
 * A template used a variable or key that is not defined (`'x' is undefined`, `'dict object' has no
 * attribute 'y'`): Jinja2's UndefinedError, which Ansible words differently from other template errors.
 */
export class UndefinedVariableError extends TemplateError {}

/** A command-line option or action input that is not valid. Exit code 5. */
export class OptionError extends AsyncPlaybookError {}

/** The inventory, host pattern and --limit leave no host to run on: exit 1, as ansible-playbook. */
export class NoHostsError extends AsyncPlaybookError {}

/**
 * A host cannot be reached or authenticated: the host becomes unreachable. The message names the host by
 * its inventory name only (it lands in results, annotations and the summary); `detail`, for the log only,
 * may give the address and port that were tried.
 */
export class ConnectionError extends AsyncPlaybookError {
  constructor(
    message: string,
    readonly host: string,
    readonly detail?: string
  ) {
    super(message)
  }
}

/** The remote host presented a key we do not trust. Reported as unreachable, never retried. */
export class HostKeyError extends ConnectionError {
  constructor(
    message: string,
    host: string,
    readonly fingerprint: string,
    detail?: string
  ) {
    super(message, host, detail)
  }
}

/** A remote command exceeded its deadline. */
export class CommandTimeoutError extends AsyncPlaybookError {
  constructor(
    message: string,
    readonly host: string,
    readonly timeoutMs: number
  ) {
    super(message)
  }
}

/** Returns the closest candidate to `word` (Levenshtein), if it is close enough to be a useful hint. */
export function closestMatch(word: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined
  let bestDistance = Infinity
  for (const candidate of candidates) {
    const d = editDistance(word.toLowerCase(), candidate.toLowerCase())
    if (d < bestDistance) {
      bestDistance = d
      best = candidate
    }
  }
  return best !== undefined && bestDistance <= Math.max(2, Math.floor(word.length / 3))
    ? best
    : undefined
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i)
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!
    row[0] = i
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j]!
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1))
      prev = tmp
    }
  }
  return row[b.length]!
}
