import { TemplateError } from '../errors.js'
import { UndefinedVariableError } from '../errors.js'
import { isRecord } from '../values/records.js'

/**
 * Ansible's undefined value (a Jinja2 StrictUndefined): produced by looking up a missing variable or key.
 * It may be chained (`nope.attr`), tested (`is defined`) and defaulted (`| default(x)`); anything that
 * needs its value (printing, comparing, arithmetic, truthiness, most filters) throws the original reason.
 */
export class Undefined {
  constructor(
    /** Why the value is undefined, as Jinja2 words it: `'x' is undefined`. */
    readonly reason: string,
    /** The variable or key name, for `mandatory`'s message. */
    readonly name: string
  ) {}

  /** Throws the UndefinedVariableError this undefined value stands for. */
  fail(): never {
    throw new UndefinedVariableError(this.reason)
  }

  toString(): string {
    return this.fail()
  }

  valueOf(): never {
    return this.fail()
  }

  toJSON(): never {
    return this.fail()
  }

  [Symbol.toPrimitive](): never {
    return this.fail()
  }

  [Symbol.iterator](): Iterator<never> {
    return this.fail()
  }
}

/** The undefined value of a missing variable: `'name' is undefined`. */
export function undefinedVariable(name: string): Undefined {
  return new Undefined(`'${name}' is undefined`, name)
}

/** Throws if `value` is Undefined; returns it otherwise. */
export function assertDefined<T>(value: T): Exclude<T, Undefined> {
  if (value instanceof Undefined) value.fail()
  return value as Exclude<T, Undefined>
}

/** Throws if `value` or anything nested in its lists and dicts is Undefined (as Ansible does on output). */
export function assertDeeplyDefined(value: unknown, seen: Set<object> = new Set()): void {
  if (value instanceof Undefined) value.fail()
  if (value === null || typeof value !== 'object' || seen.has(value)) return
  seen.add(value)
  if (Array.isArray(value)) {
    for (const item of value) assertDeeplyDefined(item, seen)
  } else if (isRecord(value)) {
    for (const key of Object.keys(value))
      assertDeeplyDefined((value as Record<string, unknown>)[key], seen)
  }
}

/**
 * Whether a template error comes from an undefined value (Ansible's AnsibleUndefinedVariable): a missing
 * variable, attribute or key.
 */
export function isUndefinedTemplateError(error: unknown): boolean {
  return (
    error instanceof TemplateError &&
    /\bis undefined\b|\bhas no attribute\b|has no element|no such element/.test(error.message)
  )
}
