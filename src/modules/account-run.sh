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

# ssh_key_state HOME KEY: where the key is (KEY, or HOME/KEY when relative) and what is there:
#   key_hex, key_dir (1 when its directory exists), key_exists, pub_exists, fingerprint_hex (ssh-keygen -l),
#   pub_hex (the public key file). no_home=1 when KEY is relative and HOME does not exist.
ssh_key_state() {
  case $2 in
    /*) key_path=$2 ;;
    *)
      if [ ! -e "$1" ]; then
        echo no_home=1
      fi
      key_path=$1/$2
      ;;
  esac
  echo "key_hex=$(printf '%s' "$key_path" | hex)"
  [ -d "$(dirname -- "$key_path")" ] && echo key_dir=1
  if [ -e "$key_path" ]; then
    echo key_exists=1
    if have ssh-keygen; then
      echo "fingerprint_hex=$("$found" -l -f "$key_path" 2>/dev/null | hex)"
    fi
  fi
  if [ -e "$key_path.pub" ]; then
    echo pub_exists=1
    echo "pub_hex=$(hex <"$key_path.pub")"
  fi
  return 0
}
