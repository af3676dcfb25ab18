/** Task keywords this engine implements. */
export const TASK_KEYWORDS = new Set([
  'name',
  'register',
  'when',
  'loop',
  'with_items',
  'with_list',
  'loop_control',
  'until',
  'retries',
  'delay',
  'failed_when',
  'changed_when',
  'ignore_errors',
  'ignore_unreachable',
  'vars',
  'environment',
  'args',
  'no_log',
  'timeout',
  'run_once',
  'throttle',
  'module_defaults',
  'async',
  'poll',
  'tags',
  'action',
  'become',
  'become_user',
  'become_method',
  'become_flags',
  'become_exe',
  'check_mode',
  'diff',
  'debugger',
  'notify',
  'any_errors_fatal',
  'delegate_to',
  'delegate_facts',
  'connection',
  'remote_user',
  'port',
  'local_action'
])

/**
 * Keywords a `block:` entry may carry; all but block/rescue/always are inherited by its tasks (`notify` by the
 * tasks that have none of their own).
 */
export const BLOCK_KEYWORDS = new Set([
  'block',
  'rescue',
  'always',
  'name',
  'when',
  'vars',
  'environment',
  'ignore_errors',
  'ignore_unreachable',
  'no_log',
  'timeout',
  'run_once',
  'throttle',
  'module_defaults',
  'tags',
  'become',
  'become_user',
  'become_method',
  'become_flags',
  'become_exe',
  'check_mode',
  'diff',
  'debugger',
  'notify',
  'any_errors_fatal',
  'delegate_to',
  'delegate_facts',
  'connection',
  'remote_user',
  'port'
])

/** Keywords an `import_tasks:` entry may carry besides the import itself; its tasks inherit them. */
export const IMPORT_TASKS_KEYWORDS = new Set(
  [...BLOCK_KEYWORDS].filter((k) => k !== 'block' && k !== 'rescue' && k !== 'always')
)

/**
 * Keywords include_tasks and include_role take besides the include itself (Ansible's
 * TaskInclude.VALID_INCLUDE_KEYWORDS); they apply to the include alone.
 */
export const INCLUDE_KEYWORDS = new Set([
  'name',
  'args',
  'action',
  'debugger',
  'ignore_errors',
  'loop',
  'with_items',
  'with_list',
  'loop_control',
  'no_log',
  'register',
  'run_once',
  'tags',
  'timeout',
  'vars',
  'when'
])

/** Keywords an `import_playbook:` entry may carry besides the import itself. */
export const IMPORT_PLAYBOOK_KEYWORDS = new Set(['name', 'vars', 'tags'])

/** Play keywords this engine implements. */
export const PLAY_KEYWORDS = new Set([
  'name',
  'hosts',
  'vars',
  'vars_files',
  'gather_facts',
  'tasks',
  'pre_tasks',
  'post_tasks',
  'handlers',
  'force_handlers',
  'any_errors_fatal',
  'max_fail_percentage',
  'serial',
  'ignore_errors',
  'ignore_unreachable',
  'environment',
  'tags',
  'become',
  'become_user',
  'become_method',
  'become_flags',
  'become_exe',
  'connection',
  'remote_user',
  'user',
  'port',
  'ignore_unreachable',
  'timeout',
  'debugger',
  'strategy',
  'order',
  'no_log',
  'check_mode',
  'diff',
  'collections',
  'roles',
  'vars_prompt',
  'run_once',
  'throttle',
  'module_defaults'
])

/**
 * Ansible keywords we recognise but do not implement yet, with what to do instead.
 * Refusing them is safer than ignoring them: ignoring `throttle` or `module_defaults` would run a different deploy.
 */
export const UNSUPPORTED_KEYWORDS: Record<string, string> = {
  listen: "'listen' belongs on a handler: move the task under the play's `handlers:`",
  vars_prompt: "'vars_prompt' is a play keyword: move it to the play",
  collections:
    "'collections' is taken on a play and in a role's meta/main.yml, not here: move it there, or write the module's full name (ansible.posix.authorized_key)",
  gather_subset: 'gather_subset is not supported; the common facts are always gathered',
  gather_timeout: 'gather_timeout is not supported'
}

/** Ansible play keywords we do not implement on a play, with what to do instead (checked before the others). */
export const PLAY_REFUSED: Record<string, string> = {
  include:
    "as in Ansible 2.14, 'include' is not a valid attribute for a Play (the playbook form of include is gone): import the playbook with `- import_playbook: file.yml`",
  fact_path: 'fact_path is not supported: local facts (facts.d) are not gathered'
}

/**
 * The lookups a `with_<lookup>` loop runs (template/lookups runs them; a unit test keeps the two lists
 * equal). Ansible's `flattened` is community.general's, which ansible-playbook finds by its short name.
 */
export const WITH_LOOKUPS: ReadonlySet<string> = new Set([
  'csvfile',
  'dict',
  'env',
  'file',
  'fileglob',
  'first_found',
  'flattened',
  'indexed_items',
  'ini',
  'inventory_hostnames',
  'items',
  'lines',
  'list',
  'nested',
  'password',
  'pipe',
  'random_choice',
  'sequence',
  'subelements',
  'template',
  'together',
  'unvault',
  'url',
  'varnames',
  'vars'
])

/** Lookups Ansible 2.14 ships that this engine does not run, with why. */
export const LOOKUPS_NOT_RUN: Record<string, string> = {
  config:
    "the 'config' lookup reads Ansible's configuration settings, which async-playbook does not expose to templates: set the value in vars or group_vars instead"
}
