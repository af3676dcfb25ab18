#!/bin/sh
# apb-sysvinit: reads (probe) or changes (act) a SysV init service, for src/modules/sysvinit.ts
# (Ansible's sysvinit module). POSIX sh, no Python.
#
# Run as:  /bin/sh -c "<this text>" apb-sysvinit probe <name> <script> <pattern?> <runlevel>...
#     or:  /bin/sh -c "<this text>" apb-sysvinit act <op>...
# A `pattern` comes on stdin, never in the arguments (ps would show it). Ops: `run:N` then N words (a
# command, run as Ansible's run_command runs one, its answer under act_K), `sleep:SECONDS`.
# The answer is key=value lines, tools' output in hex (keys ending in _hex), ending with end=1.
set -u
phase=$1
shift

hex() {
  od -An -v -tx1 | tr -d ' \n'
}

task_path=${PATH-}
PATH=$task_path:/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin

# Where Ansible's get_bin_path(NAME, opt_dirs=/sbin:/usr/sbin:/bin:/usr/bin) finds NAME.
find_tool() {
  dirs=/sbin:/usr/sbin:/bin:/usr/bin:$task_path:/sbin:/usr/sbin:/usr/local/sbin:
  while [ -n "$dirs" ]; do
    d=${dirs%%:*}
    dirs=${dirs#*:}
    if [ -n "$d" ] && [ -e "$d/$1" ] && [ ! -d "$d/$1" ] && [ -x "$d/$1" ]; then
      printf '%s' "$d/$1"
      return 0
    fi
  done
  return 1
}

out=$(mktemp) || exit 1
err=$(mktemp) || exit 1
trap 'rm -f "$out" "$err"' EXIT

# run KEY CMD...: runs CMD, reporting KEY_rc, KEY_out_hex, KEY_err_hex.
run() {
  key=$1
  shift
  "$@" >"$out" 2>"$err" </dev/null
  last_rc=$?
  echo "${key}_rc=$last_rc"
  echo "${key}_out_hex=$(hex <"$out")"
  echo "${key}_err_hex=$(hex <"$err")"
}

# ps_has KEY TEXT: KEY=1 when a line of `ps auxww` holds TEXT (Ansible's get_ps), KEY=0 when none does.
ps_has() {
  psout=$(ps auxww 2>/dev/null) || return 0
  found=0
  while IFS= read -r line; do
    case $line in
      *"$2"*) found=1 ;;
    esac
  done <<EOF
$psout
EOF
  echo "$1=$found"
}

if [ "$phase" = probe ]; then
  name=$1 script=$2 want_pattern=$3
  shift 3
  [ -e "$script" ] && echo exists=1
  for tool in service update-rc.d chkconfig; do
    if where=$(find_tool "$tool"); then
      echo "tool_$(printf '%s' "$tool" | tr -c 'a-z\n' '_')_hex=$(printf '%s' "$where" | hex)"
    fi
  done
  # The S links that make it start, in any runlevel or in each one asked about.
  rcdir=/etc
  [ -d /etc/rc0.d/ ] || rcdir=/etc/init.d
  if [ $# -eq 0 ]; then
    s=0
    for link in "$rcdir"/rc?.d/S??"$name"; do [ -e "$link" ] || [ -L "$link" ] && s=1; done
    echo "enabled=$s"
  else
    for level in "$@"; do
      s=0
      for link in "$rcdir/rc$level.d/"S??"$name"; do [ -e "$link" ] || [ -L "$link" ] && s=1; done
      echo "enabled_$(printf '%s' "$level" | hex)=$s"
    done
  fi
  if [ "$want_pattern" = 1 ]; then
    ps_has ps_pattern "$(cat)"
  elif [ -e "$script" ]; then
    if svc=$(find_tool service); then
      run status "$svc" "$name" status
    else
      run status "$script" status
    fi
    ps_has ps_name "$name"
  fi
  echo end=1
  exit 0
fi

# act
n=0
while [ $# -gt 0 ]; do
  op=$1
  shift
  case $op in
    sleep:*) sleep "${op#sleep:}" ;;
    run:*)
      n=$((n + 1))
      count=${op#run:}
      # The command's words, taken off the front of the arguments.
      i=0
      words=
      while [ "$i" -lt "$count" ]; do
        i=$((i + 1))
        words="$words \"\${$i}\""
      done
      eval "run act_$n $words"
      shift "$count"
      [ "$last_rc" -eq 0 ] || break
      ;;
  esac
done
echo end=1
