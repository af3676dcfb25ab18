import { ansibleBoolean } from '../ansible-boolean.js'
import { pyTypeName } from '../template/python.js'
import { untypedOptions } from './arg-spec.js'
import { ModuleArgumentError, SHOW_RESULT, type ModuleDefinition } from './module.js'

/**
 * `assert`: checks each expression in `that`; fails on the first false one with `fail_msg` (or `msg`),
 * else succeeds with `success_msg`. As Ansible's, its result is printed in full unless `quiet`.
 */
export const assertModule: ModuleDefinition = {
  name: 'assert',
  // Changes nothing on the target: runs as usual in check mode.
  supportsCheckMode: true,
  local: true,
  // Ansible's assert action checks only the names; `that` holds expressions it evaluates itself.
  args: {
    side: 'action',
    unknown: 'names',
    options: {
      ...untypedOptions('fail_msg', 'msg', 'success_msg', 'quiet'),
      that: { type: 'raw', expression: true }
    }
  },
  async run(ctx) {
    const that = ctx.args['that']
    if (that === undefined) throw new ModuleArgumentError('conditional required in "that" string')
    const failMsg = message(
      ctx.args['fail_msg'] ?? ctx.args['msg'],
      'Assertion failed',
      'fail_msg or msg'
    )
    const successMsg = message(ctx.args['success_msg'], 'All assertions passed', 'success_msg')
    const quiet = quietFlag(ctx.args['quiet'])
    // As Ansible: a string that templates to a list (`that: "{{ checks }}"`) asserts each of its items.
    // Any other string is a conditional, as `when` reads it: a value is never evaluated a second time.
    const listed = typeof that === 'string' ? ctx.template(that) : undefined
    const conditions = Array.isArray(that) ? that : Array.isArray(listed) ? listed : [that]
    const shown = (result: Record<string, unknown>): Record<string, unknown> => {
      if (!quiet) Object.defineProperty(result, SHOW_RESULT, { value: true })
      return result
    }
    for (const condition of conditions) {
      if (!ctx.isTrue(condition)) {
        return shown({
          assertion: condition,
          changed: false,
          evaluated_to: false,
          failed: true,
          msg: failMsg
        })
      }
    }
    return shown({ changed: false, msg: successMsg })
  }
}

/** A message argument as Ansible's assert takes it: a string or a list of strings. */
function message(value: unknown, fallback: string, name: string): unknown {
  if (value === undefined || value === null) return fallback
  if (typeof value === 'string') return value
  if (Array.isArray(value)) {
    if (!value.every((item) => typeof item === 'string'))
      throw new ModuleArgumentError(
        `Type of one of the elements in ${name} list is not string type`
      )
    return value
  }
  throw new ModuleArgumentError(
    `Incorrect type for ${name}, expected a string or list and got <class '${pyTypeName(value)}'>`
  )
}

/**
 * `quiet`, read as Ansible's assert reads it: boolean(value, strict=False), so a value that is no boolean
 * is false; a list or a mapping cannot be read at all.
 */
function quietFlag(value: unknown): boolean {
  if (value === undefined) return false
  try {
    return ansibleBoolean(value, 'lenient')
  } catch (error) {
    throw new ModuleArgumentError(
      `quiet must be a boolean (true or false): ${(error as Error).message}`
    )
  }
}
