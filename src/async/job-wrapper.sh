#!/bin/sh
# apb-job: the remote side of async-playbook's async mode. POSIX sh + coreutils, no Python.
#
# Run as:  /bin/sh -c "<this text>" apb-job <mode> <args...>   (src/async/job-protocol.ts builds it)
#
#   launch    <jid-prefix> <async-seconds> <async-dir> <meta> <command> <this script's text>
#   status    <cap-bytes> <wait-seconds> <dir> <jid>...
#   cleanup   <dir> <jid>
#   kill      <dir> <jid>
#   supervise <jid> <async-seconds> <dir> <command> <job-umask>   (internal; script text in $APB_JOB_SELF)
#   watchdog  <async-seconds> <job-pid> <pgid> <record-base>      (internal)
#
# Files in <dir>: <jid> (the record, key=value lines, always replaced atomically), <jid>.out and
# <jid>.err (live output), <jid>.meta (controller JSON), <jid>.timedout (marker directory).
# Full-line comments are stripped before this text is sent, so comment freely.

set -u
unset CDPATH
# Our files are private; the job itself gets the login umask back (see supervise).
login_umask=$(umask)
umask 077

# Prints one protocol line: newlines inside values would break the line framing.
say() {
  printf '%s' "$*" | tr '\n\r' '  '
  echo
}

fail() {
  say "APB-ERROR $*"
  exit 1
}

# Keeps the part of a tool's error message after its last ": " (the strerror text).
reason_of() {
  case $1 in
    '') printf '%s' 'write failed' ;;
    *) printf '%s' "${1##*: }" ;;
  esac
}

is_prefix() {
  case $1 in j*) ;; *) return 1 ;; esac
  case ${1#j} in '' | *[!0-9]*) return 1 ;; esac
  return 0
}

is_jid() {
  case $1 in j*.*) ;; *) return 1 ;; esac
  is_prefix "${1%%.*}" || return 1
  case ${1#*.} in '' | *[!0-9]*) return 1 ;; esac
  return 0
}

# A process id we may signal: digits, not 0 or 1 (kill 0 / -1 would hit far more than one job).
is_pid() {
  case $1 in '' | 0* | 1 | *[!0-9]*) return 1 ;; esac
  return 0
}

# Seconds, integer or decimal (no sign, no exponent).
is_seconds() {
  case $1 in '' | *[!0-9.]* | .* | *. | *.*.*) return 1 ;; esac
  return 0
}

now() {
  t=$(date +%s.%N 2>/dev/null)
  case $t in *[!0-9.]* | '') t=$(date +%s) ;; esac
  printf '%s' "$t"
}

boot_id() {
  cat /proc/sys/kernel/random/boot_id 2>/dev/null || :
}

# Expands a leading ~ or ~/ to $HOME (nothing else) into $expanded.
expand_home() {
  expanded=$1
  case $1 in
    \~ | \~/*)
      [ -n "${HOME-}" ] || fail "cannot expand ~ in the async directory $1: HOME is not set"
      expanded=$HOME${1#'~'}
      ;;
  esac
}

# Writes $2 to file $1; on failure sets $write_error (and $write_reason), removes the file and
# returns 1.
write_file() {
  if err=$({ printf '%s' "$2" | cat >"$1"; } 2>&1); then return 0; fi
  rm -f -- "$1" 2>/dev/null
  write_reason=$(reason_of "$err")
  write_error="could not write $1 - $write_reason"
  return 1
}

# ---------------------------------------------------------------------------------------------
# launch

launch() {
  [ $# -eq 6 ] || fail "launch expects 6 arguments, got $#"
  prefix=$1 seconds=$2 given_dir=$3 meta=$4 command=$5 self=$6
  is_prefix "$prefix" || fail "refusing job id prefix $prefix: expected j followed by digits"
  [ -z "$seconds" ] || is_seconds "$seconds" || fail "async must be a number of seconds, got $seconds"
  [ -n "$given_dir" ] || fail 'the async directory is empty'
  case $given_dir in *'
'*) fail 'the async directory must not contain a newline' ;; esac

  expand_home "$given_dir"
  dir=$expanded
  if [ ! -d "$dir" ]; then
    err=$(mkdir -p -- "$dir" 2>&1) || fail "could not create directory: $dir - $(reason_of "$err")"
    err=$(chmod 700 -- "$dir" 2>&1) || fail "could not set mode 0700 on directory: $dir - $(reason_of "$err")"
  fi
  # pwd -P gives the physical absolute path; the trailing "." keeps trailing newlines intact.
  abs=$(cd -P -- "$dir" 2>&1 && pwd -P && echo .) || fail "could not enter directory: $dir - $(reason_of "$abs")"
  abs=${abs%.}
  abs=${abs%?}
  probe=$abs/.apb-probe.$$
  write_file "$probe" 'apb-job write probe
' || fail "async directory is not writable: $abs - $write_reason"
  rm -f -- "$probe"

  jid=$prefix.$$
  write_file "$abs/$jid.meta" "$meta" || fail "$write_error"

  # The supervisor reports on a pipe (this command substitution) until its first record is
  # written, then closes it. Backgrounded inside the substitution so we wait for that report,
  # not for the job. setsid puts it in a new session: the SSH session can end at once.
  if command -v setsid >/dev/null 2>&1; then
    report=$(APB_JOB_SELF=$self setsid /bin/sh -c "$self" apb-job supervise "$jid" "$seconds" "$abs" "$command" "$login_umask" </dev/null 2>&1 &)
  else
    # No setsid (macOS, BSD): a process group of its own where the shell supports job control.
    (set -m) 2>/dev/null && set -m
    report=$(APB_JOB_SELF=$self /bin/sh -c "$self" apb-job supervise "$jid" "$seconds" "$abs" "$command" "$login_umask" </dev/null 2>&1 &)
  fi
  case $report in
    *APB-SUPERVISING*)
      printf 'APB-LAUNCHED %s %s\n' "$jid" "$abs"
      ;;
    *)
      rm -f -- "$abs/$jid.meta" "$abs/$jid.out" "$abs/$jid.err"
      report=${report#APB-ERROR }
      fail "the job supervisor did not start for $abs/$jid: ${report:-it exited without a word}"
      ;;
  esac
}

# ---------------------------------------------------------------------------------------------
# supervise (internal): runs the job, writes the records, owns the watchdog

record_text() {
  printf 'state=%s\n' "$1"
  [ -z "${2-}" ] || printf 'rc=%s\n' "$2"
  printf 'pid=%s\npgid=%s\nsupervisor=%s\nboot_id=%s\nstart=%s\n' "$job" "$pgid" "$$" "$boot" "$start"
  [ -z "${3-}" ] || printf 'end=%s\n' "$3"
  printf 'timeout=%s\n' "$seconds"
}

# Atomic: readers see the old record or the new one, never a part of one.
write_record() {
  tmp=$base.tmp.$$
  write_file "$tmp" "$(record_text "$@")
" || return 1
  if err=$(mv -f -- "$tmp" "$base" 2>&1); then return 0; fi
  rm -f -- "$tmp"
  write_error="could not write $base - $(reason_of "$err")"
  return 1
}

# Signals the job's process group (or only its pid when no group could be made).
signal_job() {
  if [ -n "$pgid" ]; then kill "-$1" "-$pgid" 2>/dev/null; else kill "-$1" "$job" 2>/dev/null; fi
}

# True while the job's group (or pid) has a live member. Zombies do not count: an orphan whose
# parent we killed waits for init to reap it, and some container inits take their time.
job_alive() {
  signal_job 0 || return 1
  [ -n "$pgid" ] || return 0
  procs=$(ps -A -o pgid= -o stat= 2>/dev/null) || return 0
  live=$(printf '%s\n' "$procs" | awk -v g="$pgid" '$1 == g && $2 !~ /^Z/ { n++ } END { print n + 0 }')
  [ "${live:-1}" -gt 0 ]
}

# TERM to the job's group; KILL after a 2 s grace if anything in it is still alive.
terminate_job() {
  signal_job TERM
  tries=0
  while [ "$tries" -lt 20 ] && job_alive; do
    sleep 0.1
    tries=$((tries + 1))
  done
  signal_job KILL
}

supervise() {
  jid=$1 seconds=$2 dir=$3 command=$4 job_umask=$5
  self=${APB_JOB_SELF-}
  unset APB_JOB_SELF
  base=$dir/$jid
  write_file "$base.out" '' || fail "$write_error"
  write_file "$base.err" '' || fail "$write_error"

  if command -v setsid >/dev/null 2>&1; then
    grouping=setsid
  elif (set -m) 2>/dev/null; then
    grouping=monitor
    set -m
  else
    grouping=none
  fi

  # sh starts background commands with SIGINT and SIGQUIT ignored, and a shell cannot undo that:
  # GNU env (coreutils 8.31+) can, so the job gets the dispositions a foreground command has.
  set -- /bin/sh -c "$command"
  if env --default-signal=INT,QUIT true 2>/dev/null; then
    set -- env --default-signal=INT,QUIT "$@"
  fi
  # The job: its own process group (so a timeout or kill reaches everything it started), stdin
  # at EOF, output streamed to files as it is produced, the login umask. setsid does not fork
  # here (we are not a group leader), so $! is the job's pid and its process group id.
  if [ "$grouping" = setsid ]; then
    (umask "$job_umask" && exec setsid "$@") </dev/null >>"$base.out" 2>>"$base.err" &
  else
    (umask "$job_umask" && exec "$@") </dev/null >>"$base.out" 2>>"$base.err" &
  fi
  job=$!
  pgid=$job
  [ "$grouping" != none ] || pgid=
  boot=$(boot_id)
  start=$(now)
  if ! write_record running; then
    signal_job KILL
    wait "$job" 2>/dev/null
    rm -f -- "$base.out" "$base.err"
    fail "$write_error"
  fi

  watchdog_pid=
  case $seconds in
    *[1-9]*)
      if [ "$grouping" = setsid ]; then
        setsid /bin/sh -c "$self" apb-job watchdog "$seconds" "$job" "$pgid" "$base" </dev/null >/dev/null 2>&1 &
      else
        /bin/sh -c "$self" apb-job watchdog "$seconds" "$job" "$pgid" "$base" </dev/null >/dev/null 2>&1 &
      fi
      watchdog_pid=$!
      ;;
    *) ;;
  esac

  # The handshake: the launcher is waiting for this line and for our end of its pipe to close.
  # (A launcher that went away must not take us down with SIGPIPE.)
  trap '' PIPE
  echo APB-SUPERVISING
  exec >/dev/null 2>&1

  wait "$job"
  rc=$?
  if [ -n "$watchdog_pid" ]; then
    if [ -d "$base.timedout" ]; then
      # It is killing the job's group: let it finish (it stops as soon as the group is empty).
      wait "$watchdog_pid"
    else
      # Its sleep goes with it: the whole group (or, without groups, the shell alone). A job that ends
      # at once can beat the watchdog's setsid: then there is no group yet, and the process itself is
      # stopped before it ever starts its sleep.
      if [ "$grouping" = none ]; then
        kill -TERM "$watchdog_pid" 2>/dev/null
      else
        kill -TERM "-$watchdog_pid" 2>/dev/null || kill -TERM "$watchdog_pid" 2>/dev/null
      fi
      wait "$watchdog_pid"
      # It may have fired between our wait and our kill.
      [ ! -d "$base.timedout" ] || signal_job KILL
    fi
  fi
  state=finished
  [ ! -d "$base.timedout" ] || state=timeout
  # A cleanup while the job ran removed the meta file: do not bring the record back.
  if [ -e "$base.meta" ]; then
    write_record "$state" "$rc" "$(now)" || exit 1
  else
    rm -f -- "$base.out" "$base.err"
  fi
  rmdir -- "$base.timedout" 2>/dev/null
  exit 0
}

# ---------------------------------------------------------------------------------------------
# watchdog (internal): its own session and group, so the supervisor ends it together with its sleep

watchdog() {
  seconds=$1 job=$2 pgid=$3 base=$4
  # The supervisor sends TERM when the job ends first. A trapped signal that arrives while the shell
  # waits for a foreground command runs its trap only once that command ends: TERM landing just before
  # a foreground sleep started (a job that ends at once) would hold the supervisor, and the job's
  # record, at "running" for the whole async time. So the sleep runs in the background and `wait`,
  # which a trapped signal interrupts, waits for it; the trap stops the sleep and exits.
  sleeper=
  trap 'kill "$sleeper" 2>/dev/null; exit 0' TERM
  sleep "$seconds" &
  sleeper=$!
  wait "$sleeper"
  kill -0 "$job" 2>/dev/null || exit 0
  mkdir -- "$base.timedout" 2>/dev/null
  terminate_job
  exit 0
}

# ---------------------------------------------------------------------------------------------
# status

# Reads file $1 into $content, byte for byte (trailing newlines kept).
slurp() {
  content=
  [ -f "$1" ] || return 1
  content=$(cat -- "$1" 2>/dev/null && echo .) || return 1
  content=${content%.}
}

byte_length() {
  printf '%s' "$1" | wc -c | tr -d ' '
}

file_size() {
  s=$(wc -c <"$1" 2>/dev/null) || s=0
  s=${s##* }
  printf '%s' "${s:-0}"
}

# Prints exactly $2 bytes: the last ones of file $1, zero-padded if it shrank meanwhile.
emit_tail() {
  [ "$2" -gt 0 ] || return 0
  { tail -c "$2" -- "$1" 2>/dev/null; cat /dev/zero 2>/dev/null; } | head -c "$2"
}

# Sets $rec_state, $rec_supervisor, $rec_pid, $rec_pgid and $rec_boot from a record on stdin.
parse_record() {
  rec_state='' rec_supervisor='' rec_pid='' rec_pgid='' rec_boot=''
  while IFS= read -r line; do
    case $line in
      state=*) rec_state=${line#state=} ;;
      supervisor=*) rec_supervisor=${line#supervisor=} ;;
      pid=*) rec_pid=${line#pid=} ;;
      pgid=*) rec_pgid=${line#pgid=} ;;
      boot_id=*) rec_boot=${line#boot_id=} ;;
    esac
  done
}

supervisor_alive() {
  is_pid "$rec_supervisor" && kill -0 "$rec_supervisor" 2>/dev/null || return 1
  # A zombie is dead: a killed supervisor waits there until init reaps it, which some container
  # inits do late. Linux only; elsewhere kill -0 has to do.
  [ -r "/proc/$rec_supervisor/stat" ] || return 0
  proc_stat=
  read -r proc_stat <"/proc/$rec_supervisor/stat" 2>/dev/null || return 0
  proc_state=${proc_stat##*) }
  [ "${proc_state%% *}" != Z ]
}

# True when any valid jid of "$@" is no longer running (finished, missing, or its supervisor gone).
any_settled() {
  for id in "$@"; do
    is_jid "$id" || continue
    [ -f "$dir/$id" ] || return 0
    parse_record <"$dir/$id" 2>/dev/null || return 0
    [ "$rec_state" = running ] || return 0
    supervisor_alive || return 0
  done
  return 1
}

status() {
  [ $# -ge 4 ] || fail "status expects <cap-bytes> <wait-seconds> <dir> <jid>..., got $# arguments"
  cap=$1 wait_seconds=$2
  case $cap in '' | *[!0-9]*) fail "status: cap-bytes must be a whole number, got $cap" ;; esac
  is_seconds "$wait_seconds" || fail "status: wait-seconds must be a number, got $wait_seconds"
  expand_home "$3"
  dir=$expanded
  shift 3

  # Long poll, in tenths of a second.
  whole=${wait_seconds%%.*}
  tenths=0
  case $wait_seconds in
    *.*)
      tenths=${wait_seconds#*.}
      tenths=${tenths%"${tenths#?}"}
      ;;
  esac
  polls=$((${whole:-0} * 10 + ${tenths:-0}))
  while [ "$polls" -gt 0 ] && ! any_settled "$@"; do
    sleep 0.1
    polls=$((polls - 1))
  done

  boot_now=$(boot_id)
  count=0
  for id in "$@"; do
    count=$((count + 1))
    if ! is_jid "$id"; then
      printf 'APB-REFUSED %s\n' "$(byte_length "$id")"
      printf '%s' "$id"
      continue
    fi
    base=$dir/$id
    exists=0 alive=0 record=
    # The record first: when it says finished, the output read after it is complete.
    if slurp "$base"; then
      exists=1
      record=$content
      parse_record <<EOF
$record
EOF
      ! supervisor_alive || alive=1
    fi
    out_size=$(file_size "$base.out")
    err_size=$(file_size "$base.err")
    out_len=$out_size
    [ "$out_len" -le "$cap" ] || out_len=$cap
    err_len=$err_size
    [ "$err_len" -le "$cap" ] || err_len=$cap
    slurp "$base.meta" || :
    meta=$content
    printf 'APB-JOB %s %s %s %s %s %s %s %s %s %s\n' "$id" "$exists" "$alive" "${boot_now:--}" \
      "$(byte_length "$record")" "$out_len" "$out_size" "$err_len" "$err_size" "$(byte_length "$meta")"
    printf '%s' "$record"
    emit_tail "$base.out" "$out_len"
    emit_tail "$base.err" "$err_len"
    printf '%s' "$meta"
  done
  printf 'APB-END %s\n' "$count"
}

# ---------------------------------------------------------------------------------------------
# cleanup and kill

one_job_args() {
  [ $# -eq 2 ] || fail "$mode expects <dir> <jid>, got $# arguments"
  expand_home "$1"
  dir=$expanded
  is_jid "$2" || fail "refusing job id $2: expected j<digits>.<digits>"
  jid=$2
  base=$dir/$jid
}

cleanup() {
  one_job_args "$@"
  existed=0
  [ ! -e "$base" ] || existed=1
  rm -f -- "$base" "$base.out" "$base.err" "$base.meta" "$base".tmp.*
  rmdir -- "$base.timedout" 2>/dev/null
  printf 'APB-ERASED %s %s\n' "$jid" "$existed"
}

kill_job() {
  one_job_args "$@"
  was_running=0
  if [ -f "$base" ] && parse_record <"$base" 2>/dev/null; then
    job=$rec_pid pgid=$rec_pgid boot=$rec_boot
    # Only a job whose supervisor still runs on this boot: otherwise the pid may be someone else's.
    if [ "$rec_state" = running ] && supervisor_alive && is_pid "$job" && { [ -z "$pgid" ] || is_pid "$pgid"; } &&
      [ "$boot" = "$(boot_id)" ] && kill -0 "$job" 2>/dev/null; then
      was_running=1
      terminate_job
    fi
  fi
  printf 'APB-KILLED %s %s\n' "$jid" "$was_running"
}

# ---------------------------------------------------------------------------------------------

[ $# -ge 1 ] || fail 'usage: apb-job launch|status|cleanup|kill ... (run by async-playbook, not by hand)'
mode=$1
shift
case $mode in
  launch) launch "$@" ;;
  supervise) supervise "$@" ;;
  watchdog) watchdog "$@" ;;
  status) status "$@" ;;
  cleanup) cleanup "$@" ;;
  kill) kill_job "$@" ;;
  *) fail "unknown mode $mode" ;;
esac
