import { createHash } from 'node:crypto'

/*
 * Inventory aliases of one host share its SSH login, as ansible-playbook's ControlPersist shares one
 * master connection between the hosts whose address, port and user hash to the same ControlPath. Here
 * the key is everything that decides the login and what it trusts (the route's addresses, ports and
 * users, the credentials, the host key settings), so two aliases share only when either would have
 * logged in the same way. Each alias keeps its own sessions on the shared login (its shell, its
 * commands, its SFTP), its own error messages and its own connection state; a login takes at most
 * SEATS_PER_LOGIN aliases, so that their sessions fit in OpenSSH's default MaxSessions (10).
 */

/**
 * Aliases per login: each holds a session for its shared shell and may want one more at a time (a
 * command on a session of its own, an SFTP transfer), which fits five in OpenSSH's default of 10.
 * Past that, an idle shell gives its session back, and a command the server still refuses asks again
 * until its deadline (ssh-connection.ts).
 */
export const SEATS_PER_LOGIN = 5

/** A login being opened or open, and the seats taken on it. */
interface Entry<L> {
  login: Promise<L>
  seats: number
}

/** The logins aliases may still join, by key (see loginKey). */
export class SharedLogins<L> {
  private readonly joinable = new Map<string, Entry<L>>()

  constructor(private readonly seatsPerLogin = SEATS_PER_LOGIN) {}

  /**
   * A seat on the login for `key`: one being opened or open that has a seat left (`shared`), else a
   * new one from `open()`. A login that fails to open is forgotten, so the next alias tries afresh.
   */
  take(
    key: string,
    open: (retire: () => void) => Promise<L>
  ): { login: Promise<L>; shared: boolean } {
    const entry = this.joinable.get(key)
    if (entry && entry.seats < this.seatsPerLogin) {
      entry.seats += 1
      if (entry.seats >= this.seatsPerLogin) this.joinable.delete(key)
      return { login: entry.login, shared: true }
    }
    // `retire`, for the login's owner: no alias joins it any more (it was closed, reset or lost).
    const retire = (): void => {
      if (this.joinable.get(key) === fresh) this.joinable.delete(key)
    }
    const fresh: Entry<L> = { login: open(retire), seats: 1 }
    if (this.seatsPerLogin > 1) this.joinable.set(key, fresh)
    fresh.login.catch(retire)
    return { login: fresh.login, shared: false }
  }
}

/**
 * The key of a login: a digest (the credentials are part of it) of the fields given, in order. Two
 * aliases get the same key only when every field is the same.
 */
export function loginKey(fields: readonly unknown[]): string {
  return createHash('sha256').update(JSON.stringify(fields)).digest('hex')
}
