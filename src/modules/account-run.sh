#!/bin/sh
# Functions the user and group scripts share (sourced before them). POSIX sh.
#
#   have TOOL         true when TOOL is on PATH (sbin directories included); sets $found to its path,
#                     which is how the tools are run (their messages then name them as Ansible's do)
#   missing TOOL      prints missing_tool=TOOL and the end of the answer, and exits
#   hex               stdin as hex (od), one line
#   entry DB NAME     the entry of NAME in passwd, group or shadow (getent; the file without getent)
#   run_tool CMD…     runs CMD, printing rc=, out_hex= and err_hex= (its exit code, stdout, stderr), each
#                     word expanded first as Ansible's run_command expands a command given as a list:
#                     environment variables (`$NAME`, `${NAME}`; unset ones stay as written), then a
#                     leading `~` or `~user` (an unknown user stays as written)
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

# apb_vars WORD: WORD with the environment's `$NAME` and `${NAME}` replaced (NAME of letters, digits and
# `_` in the first form, anything but `}` in the second), in $apb_x. An unset name stays as written; a
# value is not expanded again. printenv reads the environment only (not this script's own variables).
apb_vars() {
  apb_rest=$1 apb_x=
  while :; do
    case $apb_rest in
      *'$'*) ;;
      *)
        apb_x=$apb_x$apb_rest
        return 0
        ;;
    esac
    apb_x=$apb_x${apb_rest%%\$*}
    apb_rest=${apb_rest#*\$}
    case $apb_rest in
      '{'*'}'*)
        apb_name=${apb_rest#\{}
        apb_name=${apb_name%%\}*}
        apb_token="\${$apb_name}"
        ;;
      [A-Za-z0-9_]*)
        apb_name=${apb_rest%%[!A-Za-z0-9_]*}
        apb_token="\$$apb_name"
        ;;
      *)
        apb_x=$apb_x'$'
        continue
        ;;
    esac
    apb_rest=${apb_rest#"${apb_token#?}"}
    if [ -n "$apb_name" ] && apb_value=$(printenv "$apb_name" 2>/dev/null && echo .); then
      apb_value=${apb_value%.}
      apb_x=$apb_x${apb_value%?}
    else
      apb_x=$apb_x$apb_token
    fi
  done
}

# apb_home WORD: WORD with a leading `~` (the HOME variable, else the running user's home) or `~user`
# (that user's home) replaced, in $apb_x; an unknown user or home leaves WORD as it is.
apb_home() {
  apb_x=$1
  case $1 in
    '~'*) ;;
    *) return 0 ;;
  esac
  apb_first=${1%%/*}
  apb_tail=${1#"$apb_first"}
  apb_user=${apb_first#?}
  if [ -z "$apb_user" ] && [ -n "${HOME+set}" ]; then
    apb_dir=$HOME
  else
    [ -n "$apb_user" ] || apb_user=$(id -un 2>/dev/null) || return 0
    apb_entry=$(entry passwd "$apb_user")
    [ -n "$apb_entry" ] || return 0
    apb_dir=$(printf '%s\n' "$apb_entry" | cut -d: -f6)
  fi
  while :; do
    case $apb_dir in
      */) apb_dir=${apb_dir%/} ;;
      *) break ;;
    esac
  done
  apb_x=$apb_dir$apb_tail
  [ -n "$apb_x" ] || apb_x=/
}

run_tool() {
  apb_left=$#
  while [ "$apb_left" -gt 0 ]; do
    apb_vars "$1"
    apb_home "$apb_x"
    shift
    set -- "$@" "$apb_x"
    apb_left=$((apb_left - 1))
  done
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
