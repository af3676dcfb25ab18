#!/bin/sh
# apb-systemd: reads (probe) or changes (act) one systemd unit through the target's systemctl, for
# src/modules/systemd.ts. POSIX sh, no Python.
#
# Run as:  /bin/sh -c "<this text>" apb-systemd <scope> <no_block> <force> probe <reload> <reexec> <unit> <masked?> <enabled?>
#     or:  /bin/sh -c "<this text>" apb-systemd <scope> <no_block> <force> act <unit> <query?> <verb:must>...
#
# systemctl is looked up as Ansible's get_bin_path does: $PATH, then /sbin, /usr/sbin, /usr/local/sbin.
# The answer is key=value lines, tools' output in hex (keys ending in _hex), ending with end=1.
set -u
scope=$1 no_block=$2 force=$3 phase=$4
shift 4

hex() {
  od -An -v -tx1 | tr -d ' \n'
}

# systemctl is looked for in the task's PATH; this script's own tools (od, tr, mktemp) also in the
# usual directories, so that a task's PATH without them still gets Ansible's answer.
task_path=${PATH-}
PATH=$task_path:/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin
paths=$task_path
for d in /sbin /usr/sbin /usr/local/sbin; do
  case ":$paths:" in
    *":$d:"*) ;;
    *) if [ -e "$d" ]; then paths="$paths:$d"; fi ;;
  esac
done
systemctl=
rest=$paths:
while [ -n "$rest" ]; do
  d=${rest%%:*}
  rest=${rest#*:}
  if [ -n "$d" ] && [ -e "$d/systemctl" ] && [ ! -d "$d/systemctl" ] && [ -x "$d/systemctl" ]; then
    systemctl=$d/systemctl
    break
  fi
done
if [ -z "$systemctl" ]; then
  printf 'missing_tool=systemctl\npaths_hex=%s\nend=1\n' "$(printf '%s' "$paths" | hex)"
  exit 0
fi
echo "systemctl_hex=$(printf '%s' "$systemctl" | hex)"

# Ansible points a user scope at the caller's runtime directory when none is set.
if [ -z "${XDG_RUNTIME_DIR+x}" ]; then
  XDG_RUNTIME_DIR=/run/user/$(id -u)
  export XDG_RUNTIME_DIR
fi
# Our own fixed words only (never a user value): expanded unquoted as systemctl options.
opts=
[ "$scope" = system ] || opts="$opts --$scope"
[ "$no_block" = 1 ] && opts="$opts --no-block"
[ "$force" = 1 ] && opts="$opts --force"
set -f

out=$(mktemp) || exit 1
err=$(mktemp) || exit 1
trap 'rm -f "$out" "$err"' EXIT

# sc KEY ARGS...: runs systemctl with the options and ARGS, reports KEY_rc, KEY_out_hex, KEY_err_hex.
sc() {
  key=$1
  shift
  # shellcheck disable=SC2086
  PATH=$task_path LC_ALL=C "$systemctl" $opts "$@" >"$out" 2>"$err" </dev/null
  last_rc=$?
  echo "${key}_rc=$last_rc"
  echo "${key}_out_hex=$(hex <"$out")"
  echo "${key}_err_hex=$(hex <"$err")"
  return "$last_rc"
}

if [ "$phase" = probe ]; then
  reload=$1 reexec=$2 unit=$3 want_masked=$4 want_enabled=$5
  if [ "$reload" = 1 ]; then
    sc reload daemon-reload || {
      echo end=1
      exit 0
    }
  fi
  if [ "$reexec" = 1 ]; then
    sc reexec daemon-reexec || {
      echo end=1
      exit 0
    }
  fi
  if [ -n "$unit" ]; then
    case $unit in
      /*) initd=$unit ;;
      *) initd=/etc/init.d/$unit ;;
    esac
    if [ -e "$initd" ]; then echo initd=1; else echo initd=0; fi
    sc show show "$unit"
    show_rc=$last_rc
    show_text=$(cat "$out" "$err")
    ignored=0
    case $show_text in
      *=*) ;;
      *'ignoring request'* | *'ignoring command'*) ignored=1 ;;
    esac
    if [ "$show_rc" -eq 1 ] && grep -q 'Failed to parse bus message' "$err"; then
      base=${unit%%@*}
      case $unit in *@*) base=$base@ ;; esac
      sc bus_list list-unit-files "$base*"
      sc bus_active is-active "$unit"
    elif [ "$show_rc" -ne 0 ] || [ "$ignored" = 1 ]; then
      sc fb_enabled is-enabled "$unit"
      sc fb_list list-unit-files "$unit"
      if [ "$last_rc" -ne 0 ]; then
        sc bare
      fi
      # What Ansible checks before it calls a unit's state unknown.
      if [ -n "${debian_chroot:-}" ]; then
        echo chroot=1
      else
        root_id=$(stat -c '%d:%i' / 2>/dev/null)
        init_root=$(stat -c '%d:%i' /proc/1/root/. 2>/dev/null)
        if [ -n "$init_root" ]; then
          [ "$root_id" = "$init_root" ] && echo chroot=0 || echo chroot=1
        else
          [ "${root_id#*:}" = 2 ] && echo chroot=0 || echo chroot=1
        fi
      fi
      echo "offline=${SYSTEMD_OFFLINE:-}"
    fi
    [ "$want_masked" = 1 ] && sc masked is-enabled "$unit"
    if [ "$want_enabled" = 1 ]; then
      sc enabled is-enabled "$unit" -l
      sysv=0
      for link in /etc/rc?.d/S??"$unit"; do
        [ -e "$link" ] && sysv=1
      done
      echo "sysv_enabled=$sysv"
    fi
  fi
  echo end=1
  exit 0
fi

# act: each VERB:MUST runs in turn; a failed one with MUST=1 ends the run (act_failed=N). With
# QUERY=1, `is-enabled -l` is read again after a mask or unmask (enabling is decided after masking).
# The op enabled-if:WANT:RC1 (after a mask or unmask, in the same run) reads `is-enabled -l` as
# `enabled` and enables (WANT=1) or disables (WANT=0) the unit where it says otherwise, by
# systemd.ts's rule: exit 0 is enabled unless the answer is the one line `indirect` or `alias`; exit 1
# is enabled only with RC1=1 (a system-scope SysV script with S links) and a last line not ending in
# `disabled`. The enable or disable is reported as that op's (act_N_verb names it).
unit=$1 query=$2
shift 2
nl='
'
cr=$(printf '\r')
n=0
for op in "$@"; do
  n=$((n + 1))
  verb=${op%%:*}
  must=${op#*:}
  if [ "$verb" = enabled-if ]; then
    want=${must%%:*}
    rc1=${must#*:}
    must=1
    sc enabled is-enabled "$unit" -l
    said=$(
      cat "$out"
      printf x
    )
    now=0
    if [ "$last_rc" -eq 0 ]; then
      now=1
      case $said in
        indirectx | "indirect${nl}x" | "indirect${cr}${nl}x" | aliasx | "alias${nl}x" | "alias${cr}${nl}x") now=0 ;;
      esac
    elif [ "$last_rc" -eq 1 ] && [ "$rc1" = 1 ]; then
      tail_line=$(sed -e 's/[[:space:]]*$//' -e '/^$/d' "$out" | tail -n 1)
      case $tail_line in *disabled) ;; *) now=1 ;; esac
    fi
    [ "$now" = "$want" ] && continue
    if [ "$want" = 1 ]; then verb=enable; else verb=disable; fi
    echo "act_${n}_verb=$verb"
  fi
  sc "act_$n" "$verb" "$unit"
  if [ "$last_rc" -ne 0 ] && [ "$must" = 1 ]; then
    echo "act_failed=$n"
    echo end=1
    exit 0
  fi
  if [ "$query" = 1 ] && { [ "$verb" = mask ] || [ "$verb" = unmask ]; }; then
    sc enabled is-enabled "$unit" -l
  fi
done
echo end=1
