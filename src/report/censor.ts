/** Ansible's text for results hidden by `no_log: true`. */
export const NO_LOG_MESSAGE =
  "the output has been hidden due to the fact that 'no_log: true' was specified for this result"

/** What reports show for a no_log result: nothing of its values, only whether it changed or failed. */
export function censor(result: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {
    censored: NO_LOG_MESSAGE,
    changed: result['changed'] ?? false
  }
  if (result['failed'] !== undefined) out['failed'] = result['failed']
  if (result['skipped'] !== undefined) out['skipped'] = result['skipped']
  if (result['unreachable'] !== undefined) out['unreachable'] = result['unreachable']
  if (Array.isArray(result['results'])) {
    out['results'] = result['results'].map((r) =>
      r && typeof r === 'object' ? censor(r as Record<string, unknown>) : r
    )
  }
  return out
}
