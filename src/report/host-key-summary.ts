import type { AcceptedHostKey, UnverifiedHost } from '../connection/index.js'
import { code, mdText } from './markdown.js'

/**
 * The job summary's host key sections: hosts whose key was not verified (checking off, or nothing to check
 * it against), and keys `accept-new` trusted on first use, with the pin that would trust them for good.
 * Hosts are named by inventory name only: the known_hosts lines, which hold addresses, are in the log.
 * Empty when there is nothing to say.
 */
export function renderHostKeySections(
  accepted: readonly AcceptedHostKey[],
  unverified: readonly UnverifiedHost[]
): string {
  let out = ''
  if (unverified.length > 0) {
    out +=
      '\n\n### ⚠️ Host keys not verified\n\n' +
      'A man in the middle would have gone unnoticed on these hosts. Give their keys in `known-hosts` ' +
      'or pin them with `ansible_ssh_host_key_fingerprints`.\n\n' +
      '| Host | Why |\n| --- | --- |\n' +
      unverified
        .map(
          (u) =>
            `| ${mdText(u.host)} | ${u.reason === 'off' ? 'host key checking is off' : 'no known_hosts key to check against'}: ${code(u.source)} |`
        )
        .join('\n') +
      '\n'
  }
  if (accepted.length > 0) {
    out +=
      '\n\n### Host keys accepted on first use (host-key-checking: accept-new)\n\n' +
      'Pin them to trust them for good (the known_hosts lines are in the log):\n\n' +
      '| Host | Key | Pin |\n| --- | --- | --- |\n' +
      accepted
        .map(
          (k) =>
            `| ${mdText(k.where)} | ${mdText(k.keyType)} | ${code(`${k.pinVariable}: ${k.fingerprint}`)} |`
        )
        .join('\n') +
      '\n'
  }
  return out
}
