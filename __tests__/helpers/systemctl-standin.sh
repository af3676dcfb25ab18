#!/bin/sh
# A stand-in for systemd 252's systemctl, for test beds where systemd is not PID 1 (see
# systemctl-standin.ts and the README's testing section). POSIX sh; all state is files under
# $SYSTEMCTL_STANDIN_ROOT:
#
#   system/lib/UNIT        unit files as a package installs them (/usr/lib/systemd/system)
#   system/etc/UNIT        an administrator's unit file, or a symlink to /dev/null: masked (/etc/systemd/system)
#   system/etc/T.wants/UNIT  the links `enable` makes for WantedBy=T (RequiredBy=: T.requires)
#   system/run/UNIT.state  "ActiveState SubState Result ExecMainStatus" while not inactive/dead/success
#   system/run/UNIT.starts, .stops, .reloads, /daemon-reloads, /daemon-reexecs  one line per call
#   user/...               the same for --user/--global unit file verbs
#
# Without SYSTEMCTL_STANDIN_ROOT it runs the real systemctl, so nothing else that finds it by
# accident changes behaviour. Output (stdout/stderr), wording and exit codes follow systemctl 252 as
# it answers on a booted system; unit file verbs were checked against the real one with --root.
# `start` of Type=oneshot runs ExecStart (a failure leaves the unit failed, as systemd does); other
# types are marked running without starting a process (MainPID stays 0).
set -u

if [ -z "${SYSTEMCTL_STANDIN_ROOT:-}" ]; then
  for real in /usr/bin/systemctl /bin/systemctl; do
    if [ -x "$real" ]; then
      exec "$real" "$@"
    fi
  done
  echo 'systemctl stand-in: SYSTEMCTL_STANDIN_ROOT is not set and no real systemctl exists' >&2
  exit 1
fi

scope=system
no_block=0
value_only=0
props=
verb=
units=
nl='
'
while [ $# -gt 0 ]; do
  case $1 in
    --system) scope=system ;;
    --user) scope=user ;;
    --global) scope=global ;;
    --no-block) no_block=1 ;;
    --force | -f | -l | --full | --no-pager | --no-legend | --no-ask-password | -q | --quiet) ;;
    --value) value_only=1 ;;
    -p | --property)
      shift
      props="$props $(printf '%s' "${1:-}" | tr ',' ' ')"
      ;;
    --property=*) props="$props $(printf '%s' "${1#--property=}" | tr ',' ' ')" ;;
    --version)
      echo 'systemd 252 (252-apb-standin)'
      echo '+SYSVINIT (a stand-in for tests: __tests__/helpers/systemctl-standin.sh)'
      exit 0
      ;;
    --)
      shift
      break
      ;;
    -*)
      echo "systemctl: unrecognized option '$1'" >&2
      exit 1
      ;;
    *)
      if [ -z "$verb" ]; then verb=$1; else units="$units$1$nl"; fi
      ;;
  esac
  shift
done
for arg in "$@"; do
  if [ -z "$verb" ]; then verb=$arg; else units="$units$arg$nl"; fi
done
[ -n "$verb" ] || verb=list-units

case $scope in
  system) base=$SYSTEMCTL_STANDIN_ROOT/system ;;
  *) base=$SYSTEMCTL_STANDIN_ROOT/user ;;
esac
lib=$base/lib
etc=$base/etc
run=$base/run
mkdir -p "$lib" "$etc" "$run" || exit 1
if [ "$scope" = system ]; then
  shown_etc=/etc/systemd/system
  shown_lib=/usr/lib/systemd/system
else
  shown_etc=/etc/systemd/user
  shown_lib=/usr/lib/systemd/user
fi

# A name without a type suffix is a service, as systemctl reads it.
unit_name() {
  case $1 in
    *.service | *.socket | *.timer | *.target | *.path | *.mount | *.slice) printf '%s' "$1" ;;
    *) printf '%s.service' "$1" ;;
  esac
}

is_masked() {
  [ -L "$etc/$1" ] && [ "$(readlink "$etc/$1")" = /dev/null ]
}

# The unit's file (the administrator's first), or nothing.
unit_file() {
  if is_masked "$1"; then
    return 1
  elif [ -f "$etc/$1" ]; then
    printf '%s' "$etc/$1"
  elif [ -f "$lib/$1" ]; then
    printf '%s' "$lib/$1"
  else
    return 1
  fi
}

shown_path() {
  case $1 in
    "$etc"/*) printf '%s/%s' "$shown_etc" "${1#"$etc"/}" ;;
    "$lib"/*) printf '%s/%s' "$shown_lib" "${1#"$lib"/}" ;;
  esac
}

# The value of KEY= in the unit file $1 (the last one set), or $3.
unit_key() {
  v=$(sed -n "s/^$2=//p" "$1" | tail -n 1)
  if [ -n "$v" ]; then printf '%s' "$v"; else printf '%s' "${3:-}"; fi
}

# The targets of WantedBy= (dir suffix .wants) and RequiredBy= (.requires), as "T.wants" lines.
install_dirs() {
  sed -n 's/^WantedBy=//p' "$1" | tr ' ' '\n' | sed -n 's/^\(..*\)$/\1.wants/p'
  sed -n 's/^RequiredBy=//p' "$1" | tr ' ' '\n' | sed -n 's/^\(..*\)$/\1.requires/p'
}

# enabled | disabled | static | masked | not-found
file_state() {
  if is_masked "$1"; then
    echo masked
    return
  fi
  file=$(unit_file "$1") || {
    echo not-found
    return
  }
  dirs=$(install_dirs "$file")
  if [ -z "$dirs" ]; then
    echo static
    return
  fi
  for d in $dirs; do
    if [ -L "$etc/$d/$1" ]; then
      echo enabled
      return
    fi
  done
  echo disabled
}

# "ActiveState SubState Result ExecMainStatus"
active_state() {
  if [ -f "$run/$1.state" ]; then cat "$run/$1.state"; else echo 'inactive dead success 0'; fi
}

set_state() {
  if [ "$2" = 'inactive dead success 0' ]; then
    rm -f "$run/$1.state"
  else
    echo "$2" >"$run/$1.state"
  fi
}

no_bus() {
  if [ "$scope" != system ]; then
    echo 'Failed to connect to bus: No medium found' >&2
    exit 1
  fi
}

# Runs the unit's start (oneshot: ExecStart; others: marked running). 0 when it started.
do_start() {
  file=$(unit_file "$1")
  type=$(unit_key "$file" Type simple)
  echo x >>"$run/$1.starts"
  if [ "$type" = oneshot ]; then
    set_state "$1" 'activating start success 0'
    cmd=$(unit_key "$file" ExecStart)
    /bin/sh -c "$cmd" >/dev/null 2>&1 </dev/null
    status=$?
    if [ "$status" -ne 0 ]; then
      set_state "$1" "failed failed exit-code $status"
      return 1
    fi
    case $(unit_key "$file" RemainAfterExit no) in
      yes | true | 1 | on) set_state "$1" 'active exited success 0' ;;
      *) set_state "$1" 'inactive dead success 0' ;;
    esac
    return 0
  fi
  set_state "$1" 'active running success 0'
  return 0
}

job_failed() {
  if [ "$no_block" = 0 ]; then
    printf 'Job for %s failed because the control process exited with error code.\nSee "systemctl status %s" and "journalctl -xeu %s" for details.\n' "$1" "$1" "$1" >&2
    exit 1
  fi
}

# Fails like systemctl for a unit that cannot take a job: not found (5) or masked (1; a masked unit
# can still be stopped).
need_loaded() {
  verb_word=$2
  if is_masked "$1"; then
    [ "$verb_word" = stop ] && return 0
    echo "Failed to $verb_word $1: Unit $1 is masked." >&2
    exit 1
  fi
  if ! unit_file "$1" >/dev/null; then
    if [ "$verb_word" = stop ]; then
      echo "Failed to stop $1: Unit $1 not loaded." >&2
    else
      echo "Failed to $verb_word $1: Unit $1 not found." >&2
    fi
    exit 5
  fi
}

show_unit() {
  file=$(unit_file "$1") || file=
  u=$1
  read -r active sub result status <<EOF
$(active_state "$u")
EOF
  fstate=$(file_state "$u")
  if is_masked "$u"; then
    load=masked
  elif [ -n "$file" ]; then
    load=loaded
  else
    load=not-found
  fi
  type=simple remain=no desc=$u start='' reload='' fragment='' preset='' ufstate=''
  if [ -n "$file" ]; then
    type=$(unit_key "$file" Type simple)
    remain=$(unit_key "$file" RemainAfterExit no)
    desc=$(unit_key "$file" Description "$u")
    start=$(unit_key "$file" ExecStart)
    reload=$(unit_key "$file" ExecReload)
    fragment=$(shown_path "$file")
    ufstate=$fstate
    if [ "$fstate" != static ]; then preset=enabled; fi
  elif [ "$load" = masked ]; then
    ufstate=masked
  fi
  can_reload=no
  [ -n "$reload" ] && can_reload=yes
  {
    echo "Type=$type"
    echo 'Restart=no'
    echo "RemainAfterExit=$remain"
    echo "Result=$result"
    echo 'MainPID=0'
    echo "ExecMainStatus=$status"
    if [ -n "$start" ]; then
      set -f
      # shellcheck disable=SC2086
      set -- $start
      set +f
      echo "ExecStart={ path=$1 ; argv[]=$start ; ignore_errors=no ; start_time=[n/a] ; stop_time=[n/a] ; pid=0 ; code=(null) ; status=0/0 }"
    fi
    if [ -n "$reload" ]; then
      set -f
      # shellcheck disable=SC2086
      set -- $reload
      set +f
      echo "ExecReload={ path=$1 ; argv[]=$reload ; ignore_errors=no ; start_time=[n/a] ; stop_time=[n/a] ; pid=0 ; code=(null) ; status=0/0 }"
    fi
    echo "Id=$u"
    echo "Names=$u"
    echo "Description=$desc"
    echo "LoadState=$load"
    echo "ActiveState=$active"
    echo 'FreezerState=running'
    echo "SubState=$sub"
    echo "FragmentPath=$fragment"
    echo "UnitFileState=$ufstate"
    echo "UnitFilePreset=$preset"
    echo "CanStart=$([ "$load" = loaded ] && echo yes || echo no)"
    echo "CanStop=$([ "$load" = loaded ] && echo yes || echo no)"
    echo "CanReload=$can_reload"
    case $load in
      not-found) echo "LoadError=org.freedesktop.systemd1.NoSuchUnit \"Unit $u not found.\"" ;;
      masked) echo "LoadError=org.freedesktop.systemd1.UnitMasked \"Unit $u is masked.\"" ;;
    esac
  } | if [ -n "$props" ]; then
    while IFS= read -r line; do
      for p in $props; do
        if [ "${line%%=*}" = "$p" ]; then
          if [ "$value_only" = 1 ]; then printf '%s\n' "${line#*=}"; else printf '%s\n' "$line"; fi
        fi
      done
    done
  else
    cat
  fi
}

list_unit_files() {
  rows=
  for f in "$lib"/* "$etc"/*; do
    [ -f "$f" ] || [ -L "$f" ] || continue
    [ -d "$f" ] && continue
    n=${f##*/}
    case $rows in *"$nl$n "* | "$n "*) continue ;; esac
    if [ $# -gt 0 ]; then
      hit=0
      for pat in "$@"; do
        # shellcheck disable=SC2254
        case $n in $pat) hit=1 ;; esac
      done
      [ "$hit" = 1 ] || continue
    fi
    st=$(file_state "$n")
    pr=enabled
    [ "$st" = static ] && pr=-
    rows="$rows$n $st $pr$nl"
  done
  rows=$(printf '%s' "$rows" | sort)
  count=0
  [ -n "$rows" ] && count=$(printf '%s\n' "$rows" | wc -l | tr -d ' ')
  printf 'UNIT FILE\nSTATE\nPRESET\n%s\n' "$rows" | awk '
    NR <= 3 { h[NR] = $0; next }
    NF == 3 { n++; a[n] = $1; b[n] = $2; c[n] = $3 }
    END {
      w1 = length(h[1]); w2 = length(h[2])
      for (i = 1; i <= n; i++) { if (length(a[i]) > w1) w1 = length(a[i]); if (length(b[i]) > w2) w2 = length(b[i]) }
      printf "%-" w1 "s %-" w2 "s %s\n", h[1], h[2], h[3]
      for (i = 1; i <= n; i++) printf "%-" w1 "s %-" w2 "s %s\n", a[i], b[i], c[i]
    }'
  printf '\n%s unit files listed.\n' "$count"
  [ "$count" -gt 0 ]
}

rc=0
case $verb in
  daemon-reload | daemon-reexec)
    no_bus
    echo x >>"$run/${verb}s"
    ;;
  list-units)
    no_bus
    echo '  UNIT LOAD ACTIVE SUB DESCRIPTION'
    ;;
  list-unit-files)
    set -f
    # shellcheck disable=SC2086
    set -- $units
    set +f
    list_unit_files "$@" || rc=1
    ;;
  show)
    no_bus
    first=1
    printf '%s' "$units" | while IFS= read -r raw; do
      [ "$first" = 1 ] || echo
      first=0
      show_unit "$(unit_name "$raw")"
    done
    ;;
  is-active)
    no_bus
    for raw in $units; do
      u=$(unit_name "$raw")
      cur=$(active_state "$u")
      echo "${cur%% *}"
      [ "${cur%% *}" = active ] || rc=3
    done
    ;;
  is-enabled)
    for raw in $units; do
      u=$(unit_name "$raw")
      st=$(file_state "$u")
      case $st in
        not-found)
          echo "Failed to get unit file state for $u: No such file or directory" >&2
          rc=1
          ;;
        enabled | static) echo "$st" ;;
        *)
          echo "$st"
          rc=1
          ;;
      esac
    done
    ;;
  enable | disable)
    for raw in $units; do
      u=$(unit_name "$raw")
      if is_masked "$u"; then
        echo "Failed to $verb unit: Unit file $shown_etc/$u is masked." >&2
        exit 1
      fi
      file=$(unit_file "$u") || {
        echo "Failed to $verb unit: Unit file $u does not exist." >&2
        exit 1
      }
      dirs=$(install_dirs "$file")
      if [ -z "$dirs" ] && [ "$verb" = enable ]; then
        cat >&2 <<'EOF'
The unit files have no installation config (WantedBy=, RequiredBy=, Also=,
Alias= settings in the [Install] section, and DefaultInstance= for template
units). This means they are not meant to be enabled using systemctl.
 
Possible reasons for having this kind of units are:
• A unit may be statically enabled by being symlinked from another unit's
  .wants/ or .requires/ directory.
• A unit's purpose may be to act as a helper for some other unit which has
  a requirement dependency on it.
• A unit may be started when needed via activation (socket, path, timer,
  D-Bus, udev, scripted systemctl call, ...).
• In case of template units, the unit is meant to be enabled with some
  instance name specified.
EOF
      fi
      for d in $dirs; do
        if [ "$verb" = enable ] && [ ! -L "$etc/$d/$u" ]; then
          mkdir -p "$etc/$d" && ln -s "$file" "$etc/$d/$u" || exit 1
          echo "Created symlink $shown_etc/$d/$u → $(shown_path "$file")." >&2
        elif [ "$verb" = disable ] && [ -L "$etc/$d/$u" ]; then
          rm -f "$etc/$d/$u" || exit 1
          echo "Removed \"$shown_etc/$d/$u\"." >&2
        fi
      done
    done
    ;;
  mask)
    for raw in $units; do
      u=$(unit_name "$raw")
      is_masked "$u" && continue
      if [ -e "$etc/$u" ]; then
        echo "Failed to mask unit: File $shown_etc/$u already exists." >&2
        exit 1
      fi
      ln -s /dev/null "$etc/$u" || exit 1
      echo "Created symlink $shown_etc/$u → /dev/null." >&2
    done
    ;;
  unmask)
    for raw in $units; do
      u=$(unit_name "$raw")
      if is_masked "$u"; then
        rm -f "$etc/$u" || exit 1
        echo "Removed \"$shown_etc/$u\"." >&2
      fi
    done
    ;;
  start | restart)
    no_bus
    for raw in $units; do
      u=$(unit_name "$raw")
      need_loaded "$u" "$verb"
      cur=$(active_state "$u")
      if [ "$verb" = restart ]; then
        case ${cur%% *} in active | activating | reloading)
          echo x >>"$run/$u.stops"
          set_state "$u" 'inactive dead success 0'
          ;;
        esac
      elif [ "${cur%% *}" = active ]; then
        continue
      fi
      do_start "$u" || job_failed "$u"
    done
    ;;
  stop)
    no_bus
    for raw in $units; do
      u=$(unit_name "$raw")
      need_loaded "$u" stop
      cur=$(active_state "$u")
      case ${cur%% *} in
        active | activating | reloading | deactivating)
          echo x >>"$run/$u.stops"
          set_state "$u" 'inactive dead success 0'
          ;;
      esac
    done
    ;;
  reload)
    no_bus
    for raw in $units; do
      u=$(unit_name "$raw")
      need_loaded "$u" reload
      file=$(unit_file "$u")
      if [ -z "$(unit_key "$file" ExecReload)" ]; then
        echo "Failed to reload $u: Job type reload is not applicable for unit $u." >&2
        exit 1
      fi
      cur=$(active_state "$u")
      if [ "${cur%% *}" != active ]; then
        echo "Failed to reload $u: Unit $u cannot be reloaded because it is inactive." >&2
        exit 1
      fi
      echo x >>"$run/$u.reloads"
    done
    ;;
  *)
    echo "Unknown command verb $verb." >&2
    exit 1
    ;;
esac
exit "$rc"
