#!/bin/sh
### BEGIN INIT INFO
# Provides:          apb-test
# Required-Start:
# Required-Stop:
# Default-Start:     2 3 4 5
# Default-Stop:      0 1 6
# Short-Description: async-playbook's test daemon
# Description:       A sleep loop with a pid file, for the service module's tests
#                    (__tests__/helpers/initd-service.ts). Installed as /etc/init.d/apb-test-<id>.
### END INIT INFO
# LSB actions: start, stop, restart, force-reload, reload (SIGHUP), status (0 running, 1 dead with a
# pid file, 3 stopped). Every action is appended to /run/<name>.log with its extra arguments, and the
# daemon appends "reloaded" on SIGHUP, so that tests can see what the service module ran.
set -u
name=${0##*/}
pidfile=/run/$name.pid
log=/run/$name.log

running() {
  [ -f "$pidfile" ] && pid=$(cat "$pidfile") && [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null
}

do_start() {
  if running; then
    echo "$name is already running"
    return 0
  fi
  # The daemon's own name in ps (its $0) lets `pattern` find it; $1 is expanded by that shell.
  # shellcheck disable=SC2016
  setsid sh -c 'trap "echo reloaded >>\"$1\"" HUP; trap "exit 0" TERM; while :; do sleep 1 & wait $!; done' \
    "$name-daemon" "$log" </dev/null >/dev/null 2>&1 &
  echo $! >"$pidfile"
  echo "Starting $name: done"
}

do_stop() {
  if running; then
    kill "$pid"
    i=0
    while kill -0 "$pid" 2>/dev/null && [ "$i" -lt 100 ]; do
      sleep 0.1
      i=$((i + 1))
    done
  fi
  rm -f "$pidfile"
  echo "Stopping $name: done"
}

action=${1:-}
[ $# -gt 0 ] && shift
echo "$action $*" >>"$log"
case $action in
  start) do_start ;;
  stop) do_stop ;;
  restart | force-reload)
    do_stop
    do_start
    ;;
  reload)
    if running; then
      kill -HUP "$pid"
      echo "Reloading $name: done"
    else
      echo "$name is not running" >&2
      exit 7
    fi
    ;;
  status)
    if running; then
      echo "$name is running"
      exit 0
    elif [ -f "$pidfile" ]; then
      echo "$name is not running but its pid file exists"
      exit 1
    fi
    echo "$name is not running"
    exit 3
    ;;
  *)
    echo "Usage: $0 {start|stop|restart|force-reload|reload|status}" >&2
    exit 3
    ;;
esac
exit 0
