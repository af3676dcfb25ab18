#!/bin/sh
# apb-wait-for: waits on the target for a port, a path or a drained port, looping here (never from the
# controller) until the condition holds or the deadline passes. POSIX sh, no Python.
#
# Run as:  /bin/sh -c "<this text>" apb-wait-for <what> <delay> <timeout_ms> <sleep> <args…>
# (src/modules/wait-for.ts builds the command and parses the answer)
#
#   what        sleep | port | path | drained
#   delay       seconds to sleep first (they count against the timeout, as in Ansible)
#   timeout_ms  how long to wait, from the start (before the delay)
#   sleep       seconds between checks
#   port:     <host> <port> <started|stopped> <connect_timeout>
#   path:     <path> <present|absent> <regex: 0|1> <signature of the content already seen, or empty>
#   drained:  <port as 4 hex digits> <state codes, e.g. "01 06"> <local addresses> <excluded remotes>
#             (addresses as /proc/net/tcp{,6} write them, prefixed 4: or 6:, blank-separated)
#
# describe_path (path-info.sh) is prepended by wait-for.ts.
#
# The answer is key=value lines, then a line `--`; with result=content the file's bytes follow it.
#   result=ok | timeout | content | staterror | missing
set -u
what=$1 delay=$2 timeout_ms=$3 pause=$4
shift 4

has() {
  command -v "$1" >/dev/null 2>&1
}

# Milliseconds since the epoch (seconds × 1000 where date has no %N, as busybox's).
now_ms() {
  n=$(date +%s%N)
  case $n in
    *[!0-9]*) n=$(date +%s) && echo $((n * 1000)) ;;
    *) echo $((n / 1000000)) ;;
  esac
}

start=$(now_ms)
end=$((start + timeout_ms))

finish() {
  echo "elapsed_ms=$(($(now_ms) - start))"
  echo --
  exit 0
}

time_left() {
  [ "$(now_ms)" -lt "$end" ]
}

[ "$delay" -gt 0 ] && sleep "$delay"

case $what in
  sleep)
    sleep $((timeout_ms / 1000))
    echo result=ok
    finish
    ;;

  port)
    host=$1 port=$2 state=$3 connect_timeout=$4
    # How a connection is tried, from the most to the least common on a Linux target. The first that
    # is installed is used.
    tool=
    if has bash && has timeout; then
      tool=bash
    elif has nc && nc -h 2>&1 | grep -q -- '-z'; then
      tool=nc
    elif has ncat; then
      tool=ncat
    elif has busybox && busybox nc --help 2>&1 | grep -q 'Usage: nc'; then
      tool=busybox
    elif has bash; then
      tool=bash-no-timeout
    else
      case $host in
        127.* | localhost | ::1 | 0.0.0.0 | ::) [ -r /proc/net/tcp ] && tool=proc ;;
      esac
    fi
    if [ -z "$tool" ]; then
      echo result=missing
      echo "missing=nc, ncat, bash or busybox nc (/proc/net/tcp only answers for a local host)"
      finish
    fi
    echo "tool=$tool"
    # Whether the port accepts a connection within $1 seconds.
    # shellcheck disable=SC2016 # bash expands $0 and $1, the host and the port
    connects() {
      case $tool in
        bash) timeout "$1" bash -c 'exec 3<>"/dev/tcp/$0/$1"' "$host" "$port" 2>/dev/null ;;
        bash-no-timeout) bash -c 'exec 3<>"/dev/tcp/$0/$1"' "$host" "$port" 2>/dev/null ;;
        nc) nc -z -w "$1" "$host" "$port" </dev/null >/dev/null 2>&1 ;;
        ncat) ncat -z -w "$1" "$host" "$port" </dev/null >/dev/null 2>&1 ;;
        busybox) busybox nc -w "$1" "$host" "$port" </dev/null >/dev/null 2>&1 ;;
        proc)
          # Something listens (state 0A) on the port, on any address or a loopback one.
          hexport=$(printf '%04X' "$port")
          cat /proc/net/tcp /proc/net/tcp6 2>/dev/null | awk -v p="$hexport" '
            $4 == "0A" { split($2, a, ":"); if (a[2] == p) found = 1 }
            END { exit found ? 0 : 1 }'
          ;;
      esac
    }
    while time_left; do
      if [ "$state" = started ]; then
        # The connect timeout, or the seconds left if fewer (rounded up), as Ansible does.
        left=$(((end - $(now_ms) + 999) / 1000))
        ct=$connect_timeout
        [ "$left" -lt "$ct" ] && ct=$left
        [ "$ct" -lt 1 ] && ct=1
        if connects "$ct"; then
          echo result=ok
          finish
        fi
      elif ! connects "$connect_timeout"; then
        echo result=ok
        finish
      fi
      sleep "$pause"
    done
    echo result=timeout
    finish
    ;;

  path)
    home_path "$1"
    # shellcheck disable=SC2154 # set by home_path (path-info.sh)
    path=$expanded state=$2 regex=$3 seen=$4
    echo "path=$path"
    case $path in -*) path=./$path ;; esac
    while time_left; do
      if [ "$state" = absent ]; then
        if [ ! -e "$path" ]; then
          echo result=ok
          finish
        fi
      elif [ -e "$path" ]; then
        if [ "$regex" = 0 ]; then
          echo result=ok
          describe_path "$path"
          finish
        fi
        # A file it can read that is not empty: its contents go to the controller, which matches
        # them, only when they differ from those it has already seen.
        if [ -f "$path" ] && [ -r "$path" ] && [ -s "$path" ]; then
          sig=$(cksum <"$path" 2>/dev/null) || sig=
          if [ -n "$sig" ] && [ "$sig" != "$seen" ]; then
            echo result=content
            echo "sig=$sig"
            describe_path "$path"
            echo "elapsed_ms=$(($(now_ms) - start))"
            echo --
            exec cat -- "$path"
          fi
        fi
      elif [ ! -L "$path" ]; then
        # Missing, or a component that cannot be searched: only a missing path is waited for. One
        # that appeared since the test above reads fine now: look again at once.
        if error=$(LC_ALL=C ls -d -- "$path" 2>&1 >/dev/null); then
          continue
        fi
        case $error in
          *'No such file or directory'*) ;;
          *)
            echo result=staterror
            echo "error=${error##*: }"
            finish
            ;;
        esac
      fi
      sleep "$pause"
    done
    echo result=timeout
    finish
    ;;

  drained)
    hexport=$1 states=$2 locals=$3 excluded=$4
    if [ ! -r /proc/net/tcp ] && [ ! -r /proc/net/tcp6 ]; then
      echo result=missing
      echo "missing=/proc/net/tcp and /proc/net/tcp6"
      finish
    fi
    echo tool=proc
    # How many connections to the port are in an active state, on the host's addresses, from
    # anything but the excluded hosts.
    active() {
      for family in 4 6; do
        file=/proc/net/tcp
        [ "$family" = 6 ] && file=/proc/net/tcp6
        [ -r "$file" ] || continue
        awk -v f="$family" -v p="$hexport" -v states=" $states " -v locals=" $locals " \
          -v excluded=" $excluded " '
          NR > 1 {
            split($2, l, ":"); split($3, r, ":")
            if (l[2] != p || index(states, " " $4 " ") == 0) next
            if (index(excluded, " " f ":" r[1] " ")) next
            any = (f == 4) ? "00000000" : "00000000000000000000000000000000"
            if (index(locals, " " f ":" l[1] " ") || index(locals, " " f ":" any " ") ||
                (f == 6 && substr(l[1], 1, 24) == "0000000000000000FFFF0000" &&
                 index(locals, " 6:0000000000000000FFFF000000000000 ")))
              n++
          }
          END { print n + 0 }' "$file"
      done | awk '{ n += $1 } END { print n + 0 }'
    }
    while time_left; do
      if [ "$(active)" -eq 0 ]; then
        echo result=ok
        finish
      fi
      sleep "$pause"
    done
    echo result=timeout
    finish
    ;;
esac
echo "result=missing"
echo "missing=a known check (got $what)"
finish
