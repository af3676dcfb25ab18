#!/bin/sh
# apb-apt-act: runs one apt-get, aptitude or dpkg command as the apt module decided, waiting for a
# held dpkg/apt lock until the lock timeout, then marks the named packages manually installed
# (apt-mark manual) as Ansible's apt does after an install. POSIX sh.
#
# Run as:  /bin/sh -c "<this text>" apb-apt-act <lock timeout> <locale> <remove dir or ""> \
#            <name to mark>... -- <command word>...
# (src/modules/apt.ts builds the command; no command words: only the marking)
#
# The answer: rc, out_hex, err_hex of the command (when there is one); mark_cmd_hex, mark_rc,
# mark_out_hex, mark_err_hex of apt-mark (when there are names and it exists; mark_missing=1 when it
# does not). Last line end=1.
set -u
lock_timeout=$1 loc=$2 remove_dir=$3
shift 3

hex() {
  od -An -v -tx1 | tr -d ' \n'
}

LANG=$loc LC_ALL=$loc LC_MESSAGES=$loc LC_CTYPE=$loc DEBIAN_FRONTEND=noninteractive DEBIAN_PRIORITY=critical
export LANG LC_ALL LC_MESSAGES LC_CTYPE DEBIAN_FRONTEND DEBIAN_PRIORITY

marks=
while [ $# -gt 0 ]; do
  arg=$1
  shift
  [ "$arg" = -- ] && break
  marks="$marks $arg"
done

out=$(mktemp) err=$(mktemp)
if [ $# -gt 0 ]; then
  deadline=$(($(date +%s) + lock_timeout))
  while :; do
    "$@" >"$out" 2>"$err" </dev/null
    rc=$?
    if [ "$rc" != 0 ] && grep -Eq 'Could not get lock|dpkg frontend lock|dpkg status database is locked' "$err" &&
      [ "$(date +%s)" -lt "$deadline" ]; then
      sleep 1
      continue
    fi
    break
  done
  echo "rc=$rc"
  echo "out_hex=$(hex <"$out")"
  echo "err_hex=$(hex <"$err")"
fi

if [ -n "$marks" ]; then
  if mark=$(command -v apt-mark); then
    # shellcheck disable=SC2086 # package names have no blanks
    "$mark" manual $marks >"$out" 2>"$err" </dev/null
    mark_rc=$?
    cmd="$mark manual$marks"
    if grep -q 'Invalid operation' "$err"; then
      # shellcheck disable=SC2086
      "$mark" unmarkauto $marks >"$out" 2>"$err" </dev/null
      mark_rc=$?
      cmd="$mark unmarkauto$marks"
    fi
    echo "mark_cmd_hex=$(printf '%s' "$cmd" | hex)"
    echo "mark_rc=$mark_rc"
    echo "mark_out_hex=$(hex <"$out")"
    echo "mark_err_hex=$(hex <"$err")"
  else
    echo mark_missing=1
  fi
fi
rm -f "$out" "$err"
[ -n "$remove_dir" ] && rm -rf -- "$remove_dir"
echo end=1
