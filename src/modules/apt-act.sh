#!/bin/sh
# apb-apt-act: runs one apt-get, aptitude or dpkg command as the apt module decided, waiting for a
# held dpkg/apt lock until the lock timeout, then marks the named packages manually installed
# (apt-mark manual) as Ansible's apt does after an install. POSIX sh.
#
# Run as:  /bin/sh -c "<this text>" apb-apt-act <lock timeout> <locale> <remove dir or ""> \
#            <automatic only 0|1> <how many names> <name to mark>... <command word>...
# With <automatic only> 1, only the names apt holds as installed automatically once the command has run
# are marked (apt-get marks the packages it is given itself; a package it pulled in as a dependency may
# be one of the names); with 0, every name.
# (src/modules/apt.ts builds the command as words; no command words: only the marking). Every name and
# word stays one word: none is split, globbed or read as an option of this script.
#
# The answer: rc, out_hex, err_hex of the command (when there is one); mark_cmd_hex, mark_rc,
# mark_out_hex, mark_err_hex of apt-mark (when there are names to mark and it exists: the module warns
# of a missing one from its probe). Last line end=1.
set -u
lock_timeout=$1 loc=$2 remove_dir=$3 auto_only=$4 mark_count=$5
shift 5

hex() {
  od -An -v -tx1 | tr -d ' \n'
}

LANG=$loc LC_ALL=$loc LC_MESSAGES=$loc LC_CTYPE=$loc DEBIAN_FRONTEND=noninteractive DEBIAN_PRIORITY=critical
export LANG LC_ALL LC_MESSAGES LC_CTYPE DEBIAN_FRONTEND DEBIAN_PRIORITY

case $mark_count in '' | *[!0-9]*)
  echo "apb-apt-act: not a count of names: $mark_count" >&2
  exit 2
  ;;
esac

# command_words NAME… WORD…: runs the command words (after the names), output to $out and $err.
command_words() {
  shift "$mark_count"
  "$@" >"$out" 2>"$err" </dev/null
}

# apt_mark HOW NAME…: apt-mark HOW on the names.
apt_mark() {
  how=$1
  shift
  "$mark" "$how" "$@" >"$out" 2>"$err" </dev/null
  mark_rc=$?
}

out=$(mktemp) err=$(mktemp)
if [ $# -gt "$mark_count" ]; then
  deadline=$(($(date +%s) + lock_timeout))
  while :; do
    command_words "$@"
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

if [ "$mark_count" -gt 0 ]; then
  # The names alone from here on (the command has run): the first mark_count words.
  n=$(($# - mark_count))
  i=0
  while [ "$i" -lt "$mark_count" ]; do
    set -- "$@" "$1"
    shift
    i=$((i + 1))
  done
  shift "$n"
  if [ "$auto_only" = 1 ]; then
    auto=
    [ -r /var/lib/apt/extended_states ] && auto=$(awk '
      /^Package:/ { name = $2 }
      /^Auto-Installed: 1/ { print name }' /var/lib/apt/extended_states)
    for name in "$@"; do
      shift
      case "
$auto
" in *"
${name%%:*}
"*) set -- "$@" "$name" ;;
      esac
    done
  fi
  if [ $# -gt 0 ] && mark=$(command -v apt-mark); then
    apt_mark manual "$@"
    if grep -q 'Invalid operation' "$err"; then
      apt_mark unmarkauto "$@"
    fi
    echo "mark_cmd_hex=$(printf '%s' "$mark $how $*" | hex)"
    echo "mark_rc=$mark_rc"
    echo "mark_out_hex=$(hex <"$out")"
    echo "mark_err_hex=$(hex <"$err")"
  fi
fi
rm -f "$out" "$err"
[ -n "$remove_dir" ] && rm -rf -- "$remove_dir"
echo end=1
