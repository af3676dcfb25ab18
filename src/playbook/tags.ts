/** `--tags` / `--skip-tags` (or the action's `tags` / `skip-tags` inputs), as ansible-playbook reads them. */
export interface TagSelection {
  /** Run only tasks with one of these tags. Empty means `all`. */
  only: readonly string[]
  /** Never run tasks with one of these tags. */
  skip: readonly string[]
}

/** Ansible's default: every task except those tagged `never`. */
export const ALL_TAGS: TagSelection = { only: ['all'], skip: [] }

/**
 * Splits repeatable, comma-separated tag options (`--tags a,b --tags c`) into one list without blanks or
 * duplicates, as ansible-playbook does.
 */
export function parseTagList(values: readonly string[]): string[] {
  const tags = new Set<string>()
  for (const value of values) {
    for (const tag of value.split(/[,\n]/)) {
      const trimmed = tag.trim()
      if (trimmed) tags.add(trimmed)
    }
  }
  return [...tags]
}

/**
 * Whether a task with `tags` (its own plus those inherited from its block and play) runs under `selection`,
 * following Ansible's Taggable.evaluate_tags:
 * - an untagged task counts as tagged `untagged`;
 * - with `only`, a task runs when tagged `always`, or when `all` is asked and it is not tagged `never`, or
 *   when it has one of the asked tags (so `never` tasks run when one of their tags, or `never`, is asked), or
 *   when `tagged` is asked and it has tags and is not tagged `never`;
 * - `skip` then removes it: `all` skips everything except `always` tasks (unless `always` is skipped too),
 *   any shared tag skips it, `tagged` skips every tagged task.
 */
export function shouldRunTags(tags: readonly string[], selection: TagSelection): boolean {
  const own = new Set(tags.length > 0 ? tags : ['untagged'])
  const untagged = tags.length === 0
  const only = selection.only.length > 0 ? selection.only : ['all']
  const skip = selection.skip
  const shares = (list: readonly string[]): boolean => list.some((t) => own.has(t))
  let run = false
  if (own.has('always')) run = true
  else if (only.includes('all') && !own.has('never')) run = true
  else if (shares(only)) run = true
  else if (only.includes('tagged') && !untagged && !own.has('never')) run = true
  if (run && skip.length > 0) {
    if (skip.includes('all')) {
      if (!own.has('always') || skip.includes('always')) run = false
    } else if (shares(skip)) run = false
    else if (skip.includes('tagged') && !untagged) run = false
  }
  return run
}

/** Tags of a task as it inherits them: its own, then its parents' (block, play), without duplicates. */
export function inheritTags(own: readonly string[], inherited: readonly string[]): string[] {
  return [...new Set([...own, ...inherited])]
}
