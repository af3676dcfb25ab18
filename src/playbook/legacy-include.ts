// The bare `include` task, as Ansible 2.14 still reads it (deprecated, removed in 2.16): static, as
// import_tasks, when its file name is not a template, it has no loop and no dynamic include brought it in;
// dynamic, as include_tasks, otherwise. Its `key=value` words (and `args:`) are variables of the included
// tasks as an enclosing block's are; its `vars:` are include params (above the included tasks' own vars and
// set_fact); its other keywords reach the included tasks in both forms.
import { PlaybookError, type SourceLocation } from '../errors.js'
import { isRecord } from '../values/records.js'
import { BLOCK_KEYWORDS, INCLUDE_KEYWORDS } from './keywords.js'
import { parseKeyValueArgs } from './kv-args.js'
import { describe } from './loader-support.js'

/** Ansible 2.14's deprecation text for the bare `include` (shown once per run). */
export const INCLUDE_DEPRECATION =
  '"include" is deprecated, use include_tasks/import_tasks instead. See https://docs.ansible.com/ansible-core/2.14/user_guide/playbooks_reuse_includes.html for details. This feature will be removed in version 2.16.'

/**
 * Ansible 2.14's run-time deprecation text, shown when a dynamic bare `include` brings its file in (once per
 * run, after the load-time one).
 */
export const DYNAMIC_INCLUDE_DEPRECATION =
  '"include" is deprecated, use include_tasks/import_tasks/import_playbook instead. This feature will be removed in version 2.16.'

/** On the include_tasks entry a dynamic bare `include` stands for: the loader marks its include `legacy`. */
export const LEGACY_INCLUDE: unique symbol = Symbol('bare include')

/**
 * On the import_tasks entry a static bare `include` stands for: its `vars:`, which Ansible gives the
 * included tasks as include params (above their own vars and set_fact), not as block vars.
 */
export const LEGACY_INCLUDE_PARAMS: unique symbol = Symbol('bare include params')

const LOOP_KEY = /^(loop|with_[a-z_]+)$/

/**
 * The entry a bare `include` stands for: the same entry with `import_tasks:` (static) or `include_tasks:`
 * (dynamic) instead, its variables gathered under `vars:`. `key` is the include key as written
 * (`include`, `ansible.builtin.include`); `dynamicParent` whether a dynamic include brought the file in.
 */
export function rewriteLegacyInclude(
  raw: Record<string, unknown>,
  key: string,
  dynamicParent: boolean,
  location: SourceLocation
): Record<string, unknown> {
  const value = raw[key]
  if (typeof value !== 'string' || value.trim() === '')
    throw new PlaybookError(
      `'include' takes the name of a task file (and optional key=value variables), found ${describe(value)}; better, use import_tasks (static) or include_tasks (dynamic)`,
      location
    )
  const { _raw_params: file, ...words } = parseKeyValueArgs(value, false)
  if (typeof file !== 'string' || file.trim() === '')
    throw new PlaybookError(
      `'include' needs the name of a task file, found only variables: ${value}`,
      location
    )
  const { [key]: _include, args, vars, ...keywords } = raw
  if (args !== undefined && args !== null && !isRecord(args))
    throw new PlaybookError(
      `'args' of an include must be a mapping of variables, found ${describe(args)}`,
      location
    )
  if (vars !== undefined && vars !== null && !isRecord(vars))
    throw new PlaybookError(`'vars' must be a mapping, found ${describe(vars)}`, location)
  // As Ansible 2.14: the include's arguments (`key=value` words and `args:`) are variables of the included
  // tasks as an enclosing block's are, under their own; its `vars:` are include params, above those and
  // above set_fact.
  const words2 = { ...(args ?? {}), ...words }
  const hasWords = Object.keys(words2).length > 0
  const params = vars ?? {}
  const looped = Object.keys(keywords).some((k) => LOOP_KEY.test(k))
  const templated = /\{\{|\{%/.test(file)
  if (!looped && !templated && !dynamicParent)
    return {
      ...keywords,
      import_tasks: file,
      ...(hasWords ? { vars: words2 } : {}),
      ...(Object.keys(params).length > 0 ? { [LEGACY_INCLUDE_PARAMS]: params } : {})
    }
  // Dynamic: the keywords of the include itself stay on it; the others reach the included tasks through
  // `apply`, as they do through Ansible's parent chain (when and tags do both).
  const own: Record<string, unknown> = {}
  const apply: Record<string, unknown> = {}
  for (const [name, v] of Object.entries(keywords)) {
    if (INCLUDE_KEYWORDS.has(name) || LOOP_KEY.test(name)) own[name] = v
    if (
      name === 'when' ||
      name === 'tags' ||
      (BLOCK_KEYWORDS.has(name) && !INCLUDE_KEYWORDS.has(name))
    )
      apply[name] = v
    if (!INCLUDE_KEYWORDS.has(name) && !LOOP_KEY.test(name) && !BLOCK_KEYWORDS.has(name))
      own[name] = v
  }
  // The words reach the included tasks as the include's `apply` vars (an enclosing block's); its `vars:`
  // stay the include's own, which include_tasks hands down as include params.
  if (hasWords) apply['vars'] = words2
  const withVars = Object.keys(params).length > 0 ? { vars: params } : {}
  const args2 = Object.keys(apply).length > 0 ? { file, apply } : file
  // Unnamed, it is shown as Ansible shows it: `TASK [include]`, not include_tasks.
  const name = own['name'] === undefined || own['name'] === null ? { name: key } : {}
  return { ...own, ...name, include_tasks: args2, ...withVars, [LEGACY_INCLUDE]: true }
}
