#!/bin/sh
# apb-service: reads (probe) or changes (act) a service through the target's init tools, for
# src/modules/service.ts (Ansible's service module on Linux). POSIX sh, no Python.
#
# Run as:  /bin/sh -c "<this text>" apb-service probe <name> <status?> <pattern?> <enabled?> <arg>...
#     or:  /bin/sh -c "<this text>" apb-service act <name> <service|script> <nops> <op>... <arg>...
# A `pattern` comes on stdin, never in the arguments (ps would show it, and find this script).
# Ops: updrc:ACTION (update-rc.d NAME ACTION; stops at a failure), ctl:ACTION (the service command,
# detached, in a clean environment as Ansible runs it), sleep:SECONDS.
# The answer is key=value lines, tools' output in hex (keys ending in _hex), ending with end=1.
set -u
phase=$1 name=$2
shift 2

hex() {
  od -An -v -tx1 | tr -d ' \n'
}

# The task's PATH finds the init tools; this script's own tools (od, ps, mktemp) are also looked for
# in the usual directories.
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

# The locale Ansible picks for the tools it screen-scrapes: the first of these that exists.
loc=C
for l in C.utf8 C.UTF-8 en_US.utf8 en_US.UTF-8; do
  if locale -a 2>/dev/null | grep -qx "$l"; then
    loc=$l
    break
  fi
done
detach=
if command -v setsid >/dev/null 2>&1 && setsid -w true >/dev/null 2>&1; then
  detach='setsid -w'
fi

# ctl KEY CMD...: runs CMD detached from this session, from /, with only the locale in its
# environment; reports KEY_rc, KEY_out_hex, KEY_err_hex.
ctl() {
  key=$1
  shift
  # shellcheck disable=SC2086
  (cd / && exec env -i LANG="$loc" LC_ALL="$loc" LC_MESSAGES="$loc" $detach "$@") >"$out" 2>"$err" </dev/null
  last_rc=$?
  echo "${key}_rc=$last_rc"
  echo "${key}_out_hex=$(hex <"$out")"
  echo "${key}_err_hex=$(hex <"$err")"
}

# The service command and its words: `service NAME` or the init script itself.
set_svc() {
  case $1 in
    service) svc_cmd=$(find_tool service) ;;
    *) svc_cmd=/etc/init.d/$name ;;
  esac
}

if [ "$phase" = probe ]; then
  want_status=$1 want_pattern=$2 want_enabled=$3
  shift 3
  pattern=
  [ "$want_pattern" = 1 ] && pattern=$(cat)
  for tool in service chkconfig update-rc.d rc-service rc-update initctl systemctl insserv; do
    if where=$(find_tool "$tool"); then
      echo "tool_$(printf '%s' "$tool" | tr -c 'a-z\n' '_')_hex=$(printf '%s' "$where" | hex)"
    fi
  done
  [ -f "/etc/init.d/$name" ] && echo initscript=1
  [ -e "/etc/init/$name.conf" ] && echo upstart_conf=1
  # Ansible's own test of systemd running the host, before it looks at init scripts.
  systemd=0
  if find_tool systemctl >/dev/null; then
    for canary in /run/systemd/system/ /dev/.run/systemd/ /dev/.systemd/; do
      [ -e "$canary" ] && systemd=1
    done
    if [ "$systemd" = 0 ] && [ -r /proc/1/comm ] && grep -q systemd /proc/1/comm; then
      systemd=1
    fi
  fi
  echo "systemd=$systemd"

  # The service manager, as Ansible's facts name it (src/facts/service-mgr.sh, put before this script).
  mgr=$(apb_service_mgr)
  echo "service_mgr_hex=$(printf '%s' "$mgr" | hex)"

  if [ "$want_enabled" = 1 ]; then
    s=0 k=0
    for link in /etc/rc?.d/S??"$name"; do [ -e "$link" ] && s=1; done
    for link in /etc/rc?.d/K??"$name"; do [ -e "$link" ] && k=1; done
    echo "slinks=$s"
    echo "klinks=$k"
  fi
  if [ "$want_pattern" = 1 ]; then
    running=0
    psout=$(ps auxww 2>/dev/null) && {
      while IFS= read -r line; do
        case $line in
          *pattern=*) ;;
          *"$pattern"*) running=1 ;;
        esac
      done <<EOF
$psout
EOF
      echo "ps_running=$running"
    }
  elif [ "$want_status" = 1 ] && [ "$systemd" = 0 ] && [ -f "/etc/init.d/$name" ]; then
    if find_tool service >/dev/null; then
      set_svc service
      ctl status "$svc_cmd" "$name" status "$@"
    else
      set_svc script
      ctl status "$svc_cmd" status "$@"
    fi
  fi
  echo end=1
  exit 0
fi

# act: the ops (our own words: updrc:ACTION, ctl:ACTION, sleep:SECONDS) come first, then the
# service's extra arguments, which stay in "$@" as they are.
svc_kind=$1 nops=$2
shift 2
ops=
i=0
while [ "$i" -lt "$nops" ]; do
  i=$((i + 1))
  ops="$ops $1"
  shift
done
set_svc "$svc_kind"
updrc=$(find_tool update-rc.d)
n=0
for op in $ops; do
  n=$((n + 1))
  kind=${op%%:*}
  what=${op#*:}
  case $kind in
    updrc)
      ctl "act_$n" "$updrc" "$name" "$what"
      if [ "$last_rc" -ne 0 ]; then
        echo "act_failed=$n"
        break
      fi
      ;;
    sleep) sleep "$what" ;;
    ctl)
      if [ "$svc_kind" = service ]; then
        ctl "act_$n" "$svc_cmd" "$name" "$what" "$@"
      else
        ctl "act_$n" "$svc_cmd" "$what" "$@"
      fi
      ;;
  esac
done
echo end=1
