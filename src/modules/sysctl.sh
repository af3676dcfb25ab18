#!/bin/sh
# apb-sysctl: reads and changes one kernel parameter and a sysctl file on the target with its own sysctl
# tool. POSIX sh.
#
# Run as:  /bin/sh -c "<this text>" apb-sysctl probe <name> <file>
#     or:  /bin/sh -c "<this text>" apb-sysctl act <sysctl> <name> <value> <set 0|1> <write 0|1>
#            <reload 0|1> <ignoreerrors 0|1> <file>      (the file's new text on stdin when write=1)
# (src/modules/sysctl.ts decides what to do from the probe's answer)
#
# probe answers: sysctl=<path> (or missing_tool=sysctl and path_hex), proc_rc and proc_hex (what
# `sysctl -e -n NAME` printed), and for the file: file=none|unreadable|read with file_hex (its text).
# act answers: fail_hex=<message> when sysctl failed or the file could not be written. Last line end=1.
set -u
PATH=$PATH:/usr/sbin:/sbin:/usr/local/sbin
export PATH
LANG=C LC_ALL=C LC_MESSAGES=C
export LANG LC_ALL LC_MESSAGES

hex() {
  od -An -v -tx1 | tr -d ' \n'
}
say() {
  printf '%s=%s\n' "$1" "$(printf '%s' "$2" | hex)"
}

scratch=$(mktemp -d "${TMPDIR:-/tmp}/apb-sysctl.XXXXXX") || exit 1
trap 'rm -rf "$scratch"' EXIT

# failed: whether sysctl refused although it exited 0 (it reports some refusals on stderr only).
failed() {
  [ "$1" != 0 ] || grep -Eq '^sysctl: setting key "[^"]+": (Invalid argument|Read-only file system)$' "$scratch/err"
}
output() {
  cat "$scratch/out" "$scratch/err"
}

if [ "$1" = probe ]; then
  name=$2 file=$3
  tool=$(command -v sysctl 2>/dev/null) || tool=
  if [ -z "$tool" ]; then
    say path_hex "$PATH"
    echo missing_tool=sysctl
    echo end=1
    exit 0
  fi
  echo "sysctl=$tool"
  rc=0
  "$tool" -e -n "$name" >"$scratch/out" 2>/dev/null </dev/null || rc=$?
  echo "proc_rc=$rc"
  echo "proc_hex=$(hex <"$scratch/out")"
  if [ ! -f "$file" ]; then
    echo file=none
  elif [ ! -r "$file" ]; then
    echo file=unreadable
  else
    echo file=read
    echo "file_hex=$(hex <"$file")"
  fi
  echo end=1
  exit 0
fi

tool=$2 name=$3 value=$4 set_proc=$5 write=$6 reload=$7 ignore=$8 file=$9
if [ "$set_proc" = 1 ]; then
  set -- "$tool"
  [ "$ignore" = 1 ] && set -- "$@" -e
  rc=0
  "$@" -w "$name=$value" >"$scratch/out" 2>"$scratch/err" </dev/null || rc=$?
  if failed "$rc"; then
    message=$(output; echo x)
    say fail_hex "setting $name failed: ${message%x}"
    echo end=1
    exit 0
  fi
fi
if [ "$write" = 1 ]; then
  dir=$(dirname -- "$file")
  if ! tmp=$(mktemp "$dir/.ansible_m_sysctl_XXXXXX" 2>"$scratch/err"); then
    say fail_hex "Failed to write to a temporary file in $dir: $(cat "$scratch/err")"
    echo end=1
    exit 0
  fi
  cat >"$tmp"
  if [ -e "$file" ]; then
    # The file keeps its mode and owner, as Ansible's atomic move keeps them.
    chmod "$(stat -c %a "$file")" "$tmp" 2>/dev/null
    chown "$(stat -c %u:%g "$file")" "$tmp" 2>/dev/null
  else
    chmod "$(printf '%o' $((0666 & ~0$(umask))))" "$tmp"
  fi
  if ! mv -f -- "$tmp" "$file" 2>"$scratch/err"; then
    rm -f -- "$tmp"
    say fail_hex "Failed to write $file: $(cat "$scratch/err")"
    echo end=1
    exit 0
  fi
fi
if [ "$reload" = 1 ]; then
  set -- "$tool"
  [ "$ignore" = 1 ] && set -- "$@" -e
  rc=0
  "$@" -p "$file" >"$scratch/out" 2>"$scratch/err" </dev/null || rc=$?
  if failed "$rc"; then
    message=$(output; echo x)
    say fail_hex "Failed to reload sysctl: ${message%x}"
  fi
fi
echo end=1
