#!/bin/sh
# Functions the user and group scripts share (sourced before them). POSIX sh.
#
#   have TOOL         true when TOOL is on PATH (sbin directories included); sets $found to its path,
#                     which is how the tools are run (their messages then name them as Ansible's do)
#   missing TOOL      prints missing_tool=TOOL and the end of the answer, and exits
#   hex               stdin as hex (od), one line
#   entry DB NAME     the entry of NAME in passwd, group or shadow (getent; the file without getent)
#   run_tool CMD…     runs CMD, printing rc=, out_hex= and err_hex= (its exit code, stdout, stderr)
PATH=$PATH:/usr/sbin:/sbin:/usr/local/sbin
export PATH

have() {
  found=$(command -v "$1" 2>/dev/null) && [ -n "$found" ]
}

missing() {
  echo "missing_tool=$1"
  echo end=1
  exit 0
}

hex() {
  od -An -v -tx1 | tr -d ' \n'
}

entry() {
  if have getent; then
    getent "$1" "$2" 2>/dev/null
  else
    awk -F: -v wanted="$2" '$1 == wanted { print; exit }' "/etc/$1" 2>/dev/null
  fi
  return 0
}

apb_scratch=$(mktemp -d "${TMPDIR:-/tmp}/apb-account.XXXXXX") || exit 1
trap 'rm -rf "$apb_scratch"' EXIT

run_tool() {
  apb_rc=0
  "$@" >"$apb_scratch/out" 2>"$apb_scratch/err" </dev/null || apb_rc=$?
  echo "rc=$apb_rc"
  echo "out_hex=$(hex <"$apb_scratch/out")"
  echo "err_hex=$(hex <"$apb_scratch/err")"
}
