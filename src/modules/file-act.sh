#!/bin/sh
# apb-file: the changes of the `file` module, in one round trip. POSIX sh, no Python.
#
# Run as:  /bin/sh -c "<this text>" apb-file <op> <operands>... [<op> <operands>...]...
# (src/modules/file.ts decides what to change from the path fact, then lists the operations here)
#
#   rm P LIST DRY           remove P (a directory with everything in it); LIST=1: first print what is
#                           below a directory P (entry=…); DRY=1: only print it
#   mkdir P                 create directory P unless it exists; the attribute operations that follow
#                           (up to the next mkdir) apply only when it was created here
#   create P                create an empty regular file P (never through an existing name)
#   symlink S P REPLACE T   make P a symbolic link holding S; REPLACE=1: atomically replace what is at P
#                           through the new name T beside it (an empty directory at P is removed first)
#   hardlink S P REPLACE T  make P a hard link to S; REPLACE=1: as for symlink
#   owner P SPEC            chown -h P to SPEC (a name or a uid) when it differs
#   group P SPEC            chgrp -h P to SPEC (a name or a gid) when it differs
#   mode P OCTAL            chmod P to OCTAL when it differs
#   recurse P FOLLOW OWNER GROUP MODE DRY
#                           the same below P (not P itself); empty OWNER/GROUP/MODE: leave as is;
#                           FOLLOW=1: also the targets of links found; DRY=1: only say whether
#                           anything would change
#   times P ATIME MTIME DRY ATIME/MTIME: `preserve`, `now` or a touch -t stamp (CCYYMMDDhhmm.ss);
#                           changes them when they differ; DRY=1: only say what would change
#
# Each change is reported as a key=value line (owner=BEFORE:AFTER, mode=…, recursed=1, atime=…).
# On the first failure it prints fail=<what> and fail_hex=<the tool's message, hex> and stops.
set -u

hex() {
  od -An -v -tx1 | tr -d ' \n'
}

fail() {
  echo "fail=$1"
  printf '%s' "${p:-}" | hex | sed 's/^/fail_at_hex=/'
  echo
  printf '%s' "$2" | hex | sed 's/^/fail_hex=/'
  echo
  exit 1
}

# Sets p to the path $1, made not to look like an option to any tool (a function that sets it, not
# one whose output is captured: that would cost a process per operation).
at() {
  case $1 in -*) p=./$1 ;; *) p=$1 ;; esac
}

# A name or number for chown/chgrp, as an id: prints nothing when there is no such account.
user_id() {
  case $1 in
    *[!0-9]*) id -u -- "$1" 2>/dev/null ;;
    *) echo "$1" ;;
  esac
}
group_id() {
  case $1 in
    *[!0-9]*)
      if command -v getent >/dev/null 2>&1; then
        getent group "$1" | cut -d: -f3
      else
        awk -F: -v n="$1" '$1 == n { print $3; exit }' /etc/group
      fi
      ;;
    *) echo "$1" ;;
  esac
}

# recurse_change P DRY TOOL FINDOPT TEST... -exec CMD... {} +: runs the find below P, naming in
# $changes each entry it changes; DRY=1: only looks for one. Fails with the tool's message.
recurse_change() {
  rp=$1 rdry=$2 rtool=$3 rwalk=$4
  shift 4
  count=$#
  seen=
  for a do
    if [ "$a" = -exec ] && [ -z "$seen" ]; then
      seen=1
      set -- "$@" -print
      [ "$rdry" = 1 ] && break
    fi
    set -- "$@" "$a"
  done
  shift "$count"
  if [ "$rdry" = 1 ]; then
    changes=$changes$(find "$rwalk" "$rp" -mindepth 1 "$@" 2>/dev/null | head -n 1)
    return 0
  fi
  # find's own complaints (a loop of links under -L) are not failures of the change.
  rout=$(find "$rwalk" "$rp" -mindepth 1 "$@" 2>&1 | grep -v '^find: ')
  rerr=$(printf '%s\n' "$rout" | grep "^$rtool: ")
  [ -z "$rerr" ] || fail "$rtool" "$rerr"
  changes=$changes$rout
}

# Replaces P by what is at T (a link just made beside it), as rename(2) does.
replace_with() {
  if ! out=$(mv -fT -- "$1" "$2" 2>&1); then
    # Without -T (busybox), mv would move into a directory P points to: unlink P first.
    if [ -d "$2" ] && [ ! -L "$2" ]; then
      rm -f -- "$1"
      fail replace "$out"
    fi
    if ! { rm -f -- "$2" && mv -f -- "$1" "$2"; }; then
      rm -f -- "$1"
      fail replace "$out"
    fi
  fi
}

p=
skip=
while [ $# -gt 0 ]; do
  op=$1
  shift
  case $op in
    rm)
      at "$1"
      list=$2 dry=$3
      shift 3
      if [ "$list" = 1 ] && [ -d "$p" ] && [ ! -L "$p" ]; then
        # Everything below, in find's order: D a directory, L a link to one, F anything else.
        # shellcheck disable=SC2016 # the inner script expands its own variables
        find "$p" -mindepth 1 -exec sh -c 'for f do
          if [ -d "$f" ] && [ ! -L "$f" ]; then c=D; elif [ -d "$f" ]; then c=L; else c=F; fi
          printf "entry=%s" "$c"; printf "%s" "$f" | od -An -v -tx1 | tr -d " \n"; echo
        done' apb-walk {} +
      fi
      if [ "$dry" != 1 ]; then
        out=$(rm -rf -- "$p" 2>&1) || fail rm "$out"
      fi
      ;;
    mkdir)
      at "$1"
      shift
      skip=$p
      # As os.path.exists: a dangling link or a file in the way makes mkdir fail, as in Ansible.
      if [ ! -e "$p" ]; then
        if out=$(mkdir -- "$p" 2>&1); then
          echo created=1
          skip=
        elif [ ! -d "$p" ]; then
          fail mkdir "$out"
        fi
        # Else another process made it since the test (hosts sharing a filesystem create the same
        # parents at once): as in Ansible, a directory that is there now is no error.
      fi
      ;;
    create)
      at "$1"
      shift
      out=$( (set -C && : >"$p") 2>&1) || fail create "$out"
      ;;
    symlink | hardlink)
      s=$1 replace=$3 t=$4
      at "$2"
      shift 4
      flag=
      if [ "$op" = symlink ]; then flag=-s; fi
      if [ "$replace" = 1 ]; then
        # T: an unpredictable name beside P (64 random bits from the controller); anything already
        # there is refused rather than linked into or moved over P.
        tdir=$(dirname -- "$p" && echo x) && t=${tdir%??}/$t
        if [ -e "$t" ] || [ -L "$t" ]; then fail replace "$t exists"; fi
        if [ -d "$p" ] && [ ! -L "$p" ]; then
          out=$(rmdir -- "$p" 2>&1) || fail replace "$out"
        fi
        out=$(ln $flag -- "$s" "$t" 2>&1) || fail replace "$out"
        replace_with "$t" "$p"
      else
        out=$(ln $flag -- "$s" "$p" 2>&1) || fail link "$out"
      fi
      ;;
    owner | group)
      at "$1"
      spec=$2
      shift 2
      [ "$skip" = "$p" ] && continue
      if [ "$op" = owner ]; then
        want=$(user_id "$spec")
        [ -n "$want" ] || fail owner-lookup "$spec"
        now=$(stat -c %u -- "$p" 2>/dev/null || stat -f %u -- "$p")
        if [ "$now" != "$want" ]; then
          out=$(chown -h -- "$want" "$p" 2>&1) || fail chown "$out"
          echo "owner=$now:$want"
        fi
      else
        want=$(group_id "$spec")
        [ -n "$want" ] || fail group-lookup "$spec"
        now=$(stat -c %g -- "$p" 2>/dev/null || stat -f %g -- "$p")
        if [ "$now" != "$want" ]; then
          out=$(chgrp -h -- "$want" "$p" 2>&1) || fail chgrp "$out"
          echo "group=$now:$want"
        fi
      fi
      ;;
    mode)
      at "$1"
      want=$2
      shift 2
      [ "$skip" = "$p" ] && continue
      now=$(stat -c %a -- "$p" 2>/dev/null || stat -f %Lp -- "$p")
      if [ "$((0$now))" != "$((0$want))" ]; then
        out=$(chmod -- "$want" "$p" 2>&1) || fail chmod "$out"
        echo "mode=$now:$want"
      fi
      ;;
    recurse)
      at "$1"
      follow=$2 owner=$3 group=$4 mode=$5 dry=$6
      shift 6
      # Only what differs is changed (chown and chmod change the ctime even when nothing differs).
      # With follow, find -L describes and changes what links lead to (and descends into linked
      # directories), and the links themselves get their owner and group too.
      walk=-P hflag=-h sflag=''
      if [ "$follow" = 1 ]; then walk=-L hflag='' sflag=-L; fi
      changes=
      if [ -n "$owner" ]; then
        want=$(user_id "$owner")
        [ -n "$want" ] || fail owner-lookup "$owner"
        recurse_change "$p" "$dry" chown "$walk" ! -uid "$want" -exec chown $hflag -- "$want" {} +
        if [ "$follow" = 1 ]; then
          recurse_change "$p" "$dry" chown -P -type l ! -uid "$want" -exec chown -h -- "$want" {} +
        fi
      fi
      if [ -n "$group" ]; then
        want=$(group_id "$group")
        [ -n "$want" ] || fail group-lookup "$group"
        recurse_change "$p" "$dry" chgrp "$walk" ! -gid "$want" -exec chgrp $hflag -- "$want" {} +
        if [ "$follow" = 1 ]; then
          recurse_change "$p" "$dry" chgrp -P -type l ! -gid "$want" -exec chgrp -h -- "$want" {} +
        fi
      fi
      if [ -n "$mode" ]; then
        # Each mode found below P (by type), and what the mode asked for makes of it, as chmod
        # computes it on a scratch file or directory of that mode.
        scratch=$(mktemp -d) || fail chmod 'mktemp -d failed'
        modes=$(find "$walk" "$p" -mindepth 1 ! -type l -exec stat $sflag -c %f {} + 2>/dev/null | sort -u)
        for raw in $modes; do
          raw=$((0x$raw))
          now=$(printf '%o' $((raw & 4095)))
          if [ $((raw & 61440)) = 16384 ]; then kind=d; else kind=f; fi
          rm -rf "$scratch/x"
          if [ "$kind" = d ]; then mkdir "$scratch/x"; else : >"$scratch/x"; fi
          if ! { chmod "$now" "$scratch/x" && chmod "$mode" "$scratch/x"; } 2>/dev/null; then
            rm -rf "$scratch"
            fail chmod "invalid mode: $mode"
          fi
          want=$(stat -c %a "$scratch/x" 2>/dev/null || stat -f %Lp "$scratch/x")
          [ "$((0$want))" = "$((0$now))" ] && continue
          if [ "$kind" = d ]; then
            recurse_change "$p" "$dry" chmod "$walk" -type d -perm "$now" -exec chmod -- "$want" {} +
          else
            recurse_change "$p" "$dry" chmod "$walk" ! -type d ! -type l -perm "$now" -exec chmod -- "$want" {} +
          fi
        done
        rm -rf "$scratch"
      fi
      if [ -n "$changes" ]; then echo recursed=1; fi
      ;;
    times)
      at "$1"
      atime=$2 mtime=$3 dry=$4
      shift 4
      for which in a m; do
        if [ "$which" = a ]; then stamp=$atime; else stamp=$mtime; fi
        [ "$stamp" = preserve ] && continue
        # Seconds, then the time with its fraction, as stat prints them (GNU/busybox, then BSD).
        before=$(stat -c "%X %x" -- "$p" 2>/dev/null || stat -f '%a %Fa' -- "$p") || fail times "$before"
        if [ "$which" = m ]; then
          before=$(stat -c '%Y %y' -- "$p" 2>/dev/null || stat -f '%m %Fm' -- "$p") || fail times "$before"
        fi
        if [ "$stamp" = now ]; then
          want=now
        else
          # The stamp in the target's local time, as touch -t reads it, in seconds since the epoch.
          probe=$(mktemp) || fail times 'mktemp failed'
          out=$(touch -t "$stamp" -- "$probe" 2>&1) || {
            rm -f -- "$probe"
            fail times "$out"
          }
          want=$(stat -c %Y -- "$probe" 2>/dev/null || stat -f %m -- "$probe")
          rm -f -- "$probe"
          fraction=${before#*.}
          fraction=${fraction%% *}
          case $fraction in
            *[!0]*) ;;
            *) [ "$want" = "${before%% *}" ] && continue ;;
          esac
        fi
        echo "${which}time=$before|$want"
        [ "$dry" = 1 ] && continue
        if [ "$atime$mtime" = nownow ]; then
          # Both to now at once: utime(NULL), which write permission allows without ownership.
          [ "$which" = m ] && { out=$(touch -c -- "$p" 2>&1) || fail times "$out"; }
        elif [ "$want" = now ]; then
          out=$(touch -c "-$which" -- "$p" 2>&1) || fail times "$out"
        else
          out=$(touch -c "-$which" -t "$stamp" -- "$p" 2>&1) || fail times "$out"
        fi
      done
      ;;
    *)
      fail usage "unknown operation $op"
      ;;
  esac
done
echo act=done
