#!/bin/sh
# apb-job: the remote side of async-playbook's async mode. POSIX sh + coreutils, no Python.
#
# Run as:  /bin/sh -c "<this text>" apb-job <mode> <args...>   (src/async/job-commands.ts builds it)
#
#   launch    <jid-prefix> <async-seconds> <async-dir> <meta> <command> <this script's text>
#   status    <cap-bytes> <wait-seconds> <dir> <jid>[:<stdout-from>:<stderr-from>]...
#   cleanup   <dir> <jid>
#   kill      <dir> <jid>
#   supervise <jid> <async-seconds> <dir> <command> <job-umask>   (internal; script text in $APB_JOB_SELF)
#   watchdog  <async-seconds> <job-pid> <pgid> <record-base> <job-start>   (internal)
#
# Files in <dir>: <jid> (the record, key=value lines, always replaced atomically), <jid>.out and
# <jid>.err (live output, append-only), <jid>.meta (controller JSON), <jid>.timedout (marker
# directory), <jid>.tmp.* (a record being written).
# Full-line comments are stripped before this text is sent, so comment freely.
#
# Why one file of ~750 lines: the launch command carries this text as a single `sh -c` argument and
# the supervisor runs itself again from it ($APB_JOB_SELF), so the whole remote side must be one
# self-contained script (nothing to source on a target that has only sh). Each mode is a function
# below; the controller's side is split by concern in src/async/job-*.ts.
#
# Trust: every mode refuses an async directory that is not ours alone (owned by another user, or
# writable by group or others), since whoever can create names in it could plant a symlink where we
# write or forge a record we would report as the job's result. Every file we create is made
# exclusively under an unpredictable name (mktemp) and renamed into place, which replaces a name
# without following it. A record is believed only if it is a regular file we own.
#
# Signals: a pid or process group is signalled only while it is known to be the job's (its start
# time matches the record, or the group still has a live member): a pid that has exited can be
# reused by an unrelated process.

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

# A byte count or offset: digits, at most 15 of them, so that shell arithmetic stays exact.
is_count() {
  case $1 in '' | *[!0-9]*) return 1 ;; esac
  [ ${#1} -le 15 ]
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

# ---------------------------------------------------------------------------------------------
# who we are, and whom we trust

need_uid() {
  my_uid=$(id -u 2>/dev/null) || my_uid=
  [ -n "$my_uid" ] || fail 'cannot tell which user runs the job: id -u failed'
}

my_name() {
  n=$(id -un 2>/dev/null) || n=
  printf '%s' "${n:-uid $my_uid}"
}

# The owner's name of path $1 itself (for messages only; we read only the third field).
owner_name() {
  # shellcheck disable=SC2012 # ls is the portable way to read an owner (find -printf is GNU)
  n=$(ls -ld -- "$1" 2>/dev/null | awk '{ print $3; exit }') || n=
  printf '%s' "${n:-?}"
}

# Sets $ls_mode (as ls prints it: drwx------) and $ls_owner (numeric uid) of path $1 itself; a
# symlink is not followed. ls -ldn is the portable way (stat -c is GNU/busybox, BSD has stat -f).
inspect() {
  ls_mode='' ls_owner=''
  ls_line=$(ls -ldn -- "$1" 2>/dev/null) || return 1
  set -f
  # shellcheck disable=SC2086 # split into fields on purpose
  set -- $ls_line
  set +f
  ls_mode=${1-} ls_owner=${3-}
}

# drwxr-x--- -> 0750 (the permission bits; setuid, setgid and sticky left out).
octal_of() {
  o_rest=${1#?} o_out=0 o_n=0
  while [ "$o_n" -lt 3 ]; do
    o_digit=0
    case $o_rest in r*) o_digit=4 ;; esac
    case $o_rest in ?w*) o_digit=$((o_digit + 2)) ;; esac
    case $o_rest in ??[xst]*) o_digit=$((o_digit + 1)) ;; esac
    o_out=$o_out$o_digit
    o_rest=${o_rest#???}
    o_n=$((o_n + 1))
  done
  printf '%s' "$o_out"
}

# Sets $abs to the physical absolute path of the existing directory $1. A symlink there is followed
# only if it is ours or root's: whoever owns it can point it anywhere.
enter_dir() {
  if [ -L "$1" ] && inspect "$1" && [ "$ls_owner" != "$my_uid" ] && [ "$ls_owner" != 0 ]; then
    fail "refusing the async directory $1: it is a symbolic link owned by $(owner_name "$1") (uid $ls_owner), not by $(my_name) (uid $my_uid) who runs the job, so its owner can point it anywhere. Fix: set ansible_async_dir to a directory only $(my_name) can write (the default is ~/.ansible_async)"
  fi
  abs=$(cd -P -- "$1" 2>&1 && pwd -P && echo .) || fail "could not enter directory: $1 - $(reason_of "$abs")"
  # pwd -P gives the physical absolute path; the trailing "." keeps trailing newlines intact.
  abs=${abs%.}
  abs=${abs%?}
}

# Refuses (fails) unless directory $1 (physical) is ours alone: owned by the user the job runs as and
# not writable by group or others. Anyone else who can create names in it could plant a symlink
# where we write, or swap a record for a forged one that we would report as the job's result.
trust_dir() {
  inspect "$1" || fail "could not inspect the async directory $1 (ls -ldn failed)"
  t_why='' t_fix=''
  if [ "$ls_owner" != "$my_uid" ]; then
    t_why="it is not owned by $(my_name) (uid $my_uid) who runs the job"
    t_fix="have it owned by $(my_name) (chown $(my_name) $1, as root) and "
  fi
  case $ls_mode in
    d????w* | d???????w*)
      t_why="${t_why:+$t_why, and }group or others can write in it"
      ;;
  esac
  [ -n "$t_why" ] || return 0
  fail "refusing the async directory $1 (owner $(owner_name "$1"), uid $ls_owner; mode $(octal_of "$ls_mode"), $ls_mode): $t_why, so another user could plant links where the job's files go or forge its result. Fix: ${t_fix}chmod 700 $1, or set ansible_async_dir to a directory only $(my_name) can write (the default is ~/.ansible_async)"
}

# Sets $problem when the files of job $base cannot be believed: the record must be a regular file
# (not a symlink, which could point at anything) owned by us, and the output and meta files regular.
check_job_files() {
  problem=
  if [ -L "$base" ]; then
    problem="the job record $base is a symbolic link"
  elif [ -e "$base" ]; then
    if [ ! -f "$base" ]; then
      problem="the job record $base is not a regular file"
    elif inspect "$base" && [ "$ls_owner" != "$my_uid" ]; then
      problem="the job record $base is owned by $(owner_name "$base") (uid $ls_owner), not by $(my_name) (uid $my_uid) who runs the job"
    fi
  fi
  for f in "$base.out" "$base.err" "$base.meta"; do
    [ -z "$problem" ] || return 0
    if [ -L "$f" ]; then
      problem="$f is a symbolic link"
    elif [ -e "$f" ] && [ ! -f "$f" ]; then
      problem="$f is not a regular file"
    fi
  done
}

# ---------------------------------------------------------------------------------------------
# files

# Creates a new empty private file named $1.<random>, exclusively (never through an existing name or
# a symlink planted there); sets $made, or $write_reason and returns 1.
new_temp() {
  if command -v mktemp >/dev/null 2>&1; then
    made=$(mktemp "$1.XXXXXXXXXX" 2>&1) && return 0
    write_reason=$(reason_of "$made")
    return 1
  fi
  # No mktemp: a random name, created with noclobber.
  rnd=$(od -An -N8 -tx1 /dev/urandom 2>/dev/null | tr -dc '0-9a-f')
  made=$1.${rnd:-$$$(now)}
  if err=$( (set -C && : >"$made") 2>&1); then return 0; fi
  write_reason=$(reason_of "$err")
  return 1
}

# Writes $2 to file $1 through a fresh temporary file renamed over it: the rename replaces whatever
# the name was (a symlink there is not written through) and readers see the old file or the new one,
# never a part. On failure sets $write_error (and $write_reason), leaves nothing and returns 1.
write_file() {
  new_temp "$1.tmp" || {
    write_error="could not write $1 - $write_reason"
    return 1
  }
  if err=$({ printf '%s' "$2" | cat >"$made"; } 2>&1) && err=$(mv -f -- "$made" "$1" 2>&1); then return 0; fi
  rm -f -- "$made" 2>/dev/null
  write_reason=$(reason_of "$err")
  write_error="could not write $1 - $write_reason"
  return 1
}

# ---------------------------------------------------------------------------------------------
# processes

# Sets $p_state (Z for a zombie) and $p_start (its start time: a later process that reuses the pid
# has another) for process $1, from /proc (Linux, exact) or ps (to the second; empty where ps cannot
# say). Returns 1 when the process is gone.
proc_info() {
  p_state='' p_start=''
  if [ -r /proc/self/stat ]; then
    p_line=
    read -r p_line 2>/dev/null <"/proc/$1/stat" || return 1
    # After the command name (in parentheses, and it may hold anything): state first, starttime 20th.
    p_line=${p_line##*) }
    set -f
    # shellcheck disable=SC2086 # split into fields on purpose
    set -- $p_line
    set +f
    p_state=${1-}
    [ $# -lt 20 ] || {
      shift 19
      p_start=$1
    }
    return 0
  fi
  kill -0 "$1" 2>/dev/null || return 1
  p_state=$(ps -o stat= -p "$1" 2>/dev/null | tr -d ' ') || p_state=
  p_state=${p_state%"${p_state#?}"}
  p_start=$(ps -o lstart= -p "$1" 2>/dev/null | tr -s ' ') || p_start=
  return 0
}

# True while pid $job is still the job's process (alive or a zombie not yet reaped, so its pid and
# group cannot be reused), not a later process that got the same pid.
job_is_ours() {
  is_pid "$job" && kill -0 "$job" 2>/dev/null || return 1
  proc_info "$job" || return 1
  [ -z "$job_start" ] || [ -z "$p_start" ] || [ "$p_start" = "$job_start" ]
}

# True while the job's group (or, without one, its pid) has a live member. Zombies do not count: an
# orphan whose parent we killed waits for init to reap it, and some container inits take their time.
job_alive() {
  if [ -z "$pgid" ]; then
    job_is_ours && [ "$p_state" != Z ]
    return
  fi
  kill -0 "-$pgid" 2>/dev/null || return 1
  procs=$(ps -A -o pgid= -o stat= 2>/dev/null) || return 0
  live=$(printf '%s\n' "$procs" | awk -v g="$pgid" '$1 == g && $2 !~ /^Z/ { n++ } END { print n + 0 }')
  [ "${live:-1}" -gt 0 ]
}

# Signals the job's process group (or only its pid when no group could be made), and only while it
# has a live member: once they are all gone, the group id can be reused by an unrelated process.
signal_job() {
  job_alive || return 1
  if [ -n "$pgid" ]; then kill "-$1" "-$pgid" 2>/dev/null; else kill "-$1" "$job" 2>/dev/null; fi
}

# TERM to the job's group; KILL after a 2 s grace to whatever in it is still alive.
terminate_job() {
  signal_job TERM || return 0
  tries=0
  while [ "$tries" -lt 20 ] && job_alive; do
    sleep 0.1
    tries=$((tries + 1))
  done
  signal_job KILL || :
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
  need_uid

  expand_home "$given_dir"
  dir=$expanded
  if [ ! -d "$dir" ]; then
    # Made 0700 in one step by the umask (077), never open to others; checked below like any
    # existing directory, since someone else may have made it first.
    err=$(mkdir -p -- "$dir" 2>&1) || fail "could not create directory: $dir - $(reason_of "$err")"
  fi
  enter_dir "$dir"
  # Writable (and not full) first: that is the plainer reason when both apply.
  new_temp "$abs/.apb-probe" || fail "async directory is not writable: $abs - $write_reason"
  if ! err=$({ printf 'apb-job write probe\n' | cat >"$made"; } 2>&1); then
    rm -f -- "$made"
    fail "async directory is not writable: $abs - $(reason_of "$err")"
  fi
  rm -f -- "$made"
  trust_dir "$abs"

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
  printf 'timeout=%s\npid_start=%s\nsupervisor_start=%s\n' "$seconds" "$job_start" "$self_start"
}

# Atomic: readers see the old record or the new one, never a part of one.
write_record() {
  write_file "$base" "$(record_text "$@")
"
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
  # at EOF, output appended to files as it is produced, the login umask. setsid does not fork
  # here (we are not a group leader), so $! is the job's pid and its process group id.
  if [ "$grouping" = setsid ]; then
    (umask "$job_umask" && exec setsid "$@") </dev/null >>"$base.out" 2>>"$base.err" &
  else
    (umask "$job_umask" && exec "$@") </dev/null >>"$base.out" 2>>"$base.err" &
  fi
  job=$!
  pgid=$job
  [ "$grouping" != none ] || pgid=
  # Not reaped before our wait, so its start time can be read even if it has already ended.
  job_start=
  ! proc_info "$job" || job_start=$p_start
  self_start=
  ! proc_info "$$" || self_start=$p_start
  boot=$(boot_id)
  start=$(now)
  if ! write_record running; then
    # Not waited for yet: its pid and group are still its own.
    signal_job KILL
    wait "$job" 2>/dev/null
    rm -f -- "$base.out" "$base.err"
    fail "$write_error"
  fi

  watchdog_pid=
  case $seconds in
    *[1-9]*)
      if [ "$grouping" = setsid ]; then
        setsid /bin/sh -c "$self" apb-job watchdog "$seconds" "$job" "$pgid" "$base" "$job_start" </dev/null >/dev/null 2>&1 &
      else
        /bin/sh -c "$self" apb-job watchdog "$seconds" "$job" "$pgid" "$base" "$job_start" </dev/null >/dev/null 2>&1 &
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
  # From here on the job's pid is reaped and may be reused: we never signal it again. The watchdog
  # is our child and not yet waited for, so signalling it is safe.
  if [ -n "$watchdog_pid" ]; then
    # One that has fired ignores TERM and ends as soon as the job's group is empty. One still
    # asleep goes with its sleep (the whole group; without groups, the shell alone; a job that ends
    # at once can beat the watchdog's setsid, and then there is no group yet).
    if [ ! -d "$base.timedout" ]; then
      if [ "$grouping" = none ]; then
        kill -TERM "$watchdog_pid" 2>/dev/null
      else
        kill -TERM "-$watchdog_pid" 2>/dev/null || kill -TERM "$watchdog_pid" 2>/dev/null
      fi
    fi
    wait "$watchdog_pid"
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
  seconds=$1 job=$2 pgid=$3 base=$4 job_start=$5
  # The supervisor sends TERM when the job ends first. A trapped signal that arrives while the shell
  # waits for a foreground command runs its trap only once that command ends: TERM landing just before
  # a foreground sleep started (a job that ends at once) would hold the supervisor, and the job's
  # record, at "running" for the whole async time. So the sleep runs in the background and `wait`,
  # which a trapped signal interrupts, waits for it; the trap stops the sleep (our unreaped child, so
  # its pid cannot have been reused) and exits.
  sleeper=
  trap 'kill "$sleeper" 2>/dev/null; exit 0' TERM
  sleep "$seconds" &
  sleeper=$!
  wait "$sleeper"
  # Firing: the supervisor now waits for us rather than stopping us halfway.
  trap '' TERM
  # A job that has ended (its pid possibly reused since) is left alone.
  job_is_ours || exit 0
  mkdir -- "$base.timedout" 2>/dev/null
  terminate_job
  exit 0
}

# ---------------------------------------------------------------------------------------------
# status
#
# The answer, one frame per requested job, in request order, then "APB-END <count>":
#   APB-JOB <jid> <record-exists 0|1> <supervisor-alive 0|1> <boot-id|-> <record-len>
#           <out-len> <out-size> <err-len> <err-size> <meta-len> <out-start> <err-start>
#     followed by the record, stdout bytes [out-start, out-size), stderr bytes [err-start,
#     err-size) and the meta document, each exactly as long as announced.
#   APB-REFUSED <len> + the request as given (not a job id)
#   APB-UNTRUSTED <jid> <len> + why the job's files are not to be believed

# Reads file $1 into $content, byte for byte (trailing newlines kept).
slurp() {
  content=
  [ -f "$1" ] || return 1
  content=$(cat -- "$1" 2>/dev/null && echo .) || return 1
  content=${content%.}
}

# Sets $b_len to the length of $1 in bytes: ${#1} where this shell counts bytes (dash does; bash, ksh
# and zsh count characters in a UTF-8 locale), else wc. A status reports several lengths per job, and on
# a busy target each process started costs milliseconds: counting in the shell starts none.
byte_len() {
  if [ "$bytes_counted" = 1 ]; then
    b_len=${#1}
  else
    b_len=$(printf '%s' "$1" | wc -c)
    b_len=$((b_len))
  fi
}

# Sets $bytes_counted to 1 when ${#x} counts the bytes of x here (a two-byte character counts 2).
probe_length_unit() {
  b_probe=$(printf '\303\251')
  bytes_counted=0
  [ "${#b_probe}" -ne 2 ] || bytes_counted=1
}

file_size() {
  s=$(wc -c 2>/dev/null <"$1") || s=0
  s=${s##* }
  printf '%s' "${s:-0}"
}

# Sets $w_size, $w_start and $w_len for file $1: the bytes from offset $2 to its size as measured
# now, at most $cap of them (the last ones).
window() {
  w_size=$(file_size "$1")
  w_start=$2
  [ "$w_start" -le "$w_size" ] || w_start=$w_size
  if [ "$w_size" -gt "$cap" ] && [ "$w_start" -lt $((w_size - cap)) ]; then
    w_start=$((w_size - cap))
  fi
  w_len=$((w_size - w_start))
}

# Prints exactly $3 bytes of file $1 from offset $2. The file only grows, so these are the bytes that
# were there when its size was measured, whatever was appended since (zero-padded if it was cut).
emit_range() {
  [ "$3" -gt 0 ] || return 0
  { tail -c "+$(($2 + 1))" -- "$1" 2>/dev/null; cat /dev/zero 2>/dev/null; } | head -c "$3"
}

# Sets $id, $from_out and $from_err from a request "<jid>" or "<jid>:<stdout-from>:<stderr-from>".
split_request() {
  id=$1 from_out=0 from_err=0
  case $1 in
    *:*:*)
      id=${1%%:*}
      from_err=${1##*:}
      from_out=${1#*:}
      from_out=${from_out%:*}
      is_count "$from_out" && is_count "$from_err" || return 1
      ;;
  esac
  is_jid "$id"
}

# Sets $rec_* from a record on stdin.
parse_record() {
  rec_state='' rec_supervisor='' rec_pid='' rec_pgid='' rec_boot='' rec_pid_start='' rec_supervisor_start=''
  while IFS= read -r line; do
    case $line in
      state=*) rec_state=${line#state=} ;;
      supervisor=*) rec_supervisor=${line#supervisor=} ;;
      pid=*) rec_pid=${line#pid=} ;;
      pgid=*) rec_pgid=${line#pgid=} ;;
      boot_id=*) rec_boot=${line#boot_id=} ;;
      pid_start=*) rec_pid_start=${line#pid_start=} ;;
      supervisor_start=*) rec_supervisor_start=${line#supervisor_start=} ;;
    esac
  done
}

# True while the record's supervisor runs: alive, not a zombie (a killed supervisor waits there
# until init reaps it, which some container inits do late), and not a later process with its pid.
supervisor_alive() {
  is_pid "$rec_supervisor" && kill -0 "$rec_supervisor" 2>/dev/null || return 1
  proc_info "$rec_supervisor" || return 1
  [ "$p_state" != Z ] || return 1
  [ -z "$rec_supervisor_start" ] || [ -z "$p_start" ] || [ "$p_start" = "$rec_supervisor_start" ]
}

# True when any job of "$@" is no longer running (finished, missing, its supervisor gone, or its
# files not to be believed: that is answered at once).
any_settled() {
  for request in "$@"; do
    split_request "$request" || continue
    base=$dir/$id
    [ ! -L "$base" ] && [ -f "$base" ] || return 0
    parse_record <"$base" 2>/dev/null || return 0
    [ "$rec_state" = running ] || return 0
    supervisor_alive || return 0
  done
  return 1
}

status() {
  [ $# -ge 4 ] || fail "status expects <cap-bytes> <wait-seconds> <dir> <jid>..., got $# arguments"
  cap=$1 wait_seconds=$2
  is_count "$cap" || fail "status: cap-bytes must be a whole number, got $cap"
  is_seconds "$wait_seconds" || fail "status: wait-seconds must be a number, got $wait_seconds"
  expand_home "$3"
  dir=$expanded
  shift 3
  need_uid
  # No directory, no jobs (each is reported missing); one that exists must be trusted.
  if [ -d "$dir" ]; then
    enter_dir "$dir"
    trust_dir "$abs"
    dir=$abs
  fi

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
  probe_length_unit
  count=0
  for request in "$@"; do
    count=$((count + 1))
    if ! split_request "$request"; then
      byte_len "$request"
      printf 'APB-REFUSED %s\n' "$b_len"
      printf '%s' "$request"
      continue
    fi
    base=$dir/$id
    check_job_files
    if [ -n "$problem" ]; then
      problem="$problem: refusing to believe it"
      byte_len "$problem"
      printf 'APB-UNTRUSTED %s %s\n' "$id" "$b_len"
      printf '%s' "$problem"
      continue
    fi
    exists=0 alive=0 record=
    rec_state='' rec_boot=''
    # The record first: when it says finished, the output read after it is complete.
    if slurp "$base"; then
      exists=1
      record=$content
      parse_record <<EOF
$record
EOF
      if supervisor_alive; then
        alive=1
      elif [ "$rec_state" = running ]; then
        # The supervisor writes its last record before it exits, so once it is seen gone the record on
        # disk is its last word: it may have finished between the read above and that check (read only
        # the first record and a job that just ended would be reported dead).
        if slurp "$base"; then
          record=$content
          parse_record <<EOF
$record
EOF
        else
          # Cleaned up meanwhile: no record any more.
          exists=0 record='' rec_state='' rec_boot=''
        fi
      fi
    fi
    # Only a job still running gets what it asked for (the output after what it has seen); any other
    # gets the tail a final result shows.
    if [ "$rec_state" = running ] && [ "$alive" = 1 ] && { [ -z "$rec_boot" ] || [ "$rec_boot" = "$boot_now" ]; }; then
      :
    else
      from_out=0 from_err=0
    fi
    window "$base.out" "$from_out"
    out_start=$w_start out_len=$w_len out_size=$w_size
    window "$base.err" "$from_err"
    err_start=$w_start err_len=$w_len err_size=$w_size
    slurp "$base.meta" || :
    meta=$content
    byte_len "$record"
    record_len=$b_len
    byte_len "$meta"
    printf 'APB-JOB %s %s %s %s %s %s %s %s %s %s %s %s\n' "$id" "$exists" "$alive" "${boot_now:--}" \
      "$record_len" "$out_len" "$out_size" "$err_len" "$err_size" "$b_len" \
      "$out_start" "$err_start"
    printf '%s' "$record"
    emit_range "$base.out" "$out_start" "$out_len"
    emit_range "$base.err" "$err_start" "$err_len"
    printf '%s' "$meta"
  done
  printf 'APB-END %s\n' "$count"
}

# ---------------------------------------------------------------------------------------------
# cleanup and kill

one_job_args() {
  [ $# -eq 2 ] || fail "$mode expects <dir> <jid>, got $# arguments"
  is_jid "$2" || fail "refusing job id $2: expected j<digits>.<digits>"
  jid=$2
  expand_home "$1"
  dir=$expanded
  need_uid
  if [ -d "$dir" ]; then
    enter_dir "$dir"
    trust_dir "$abs"
    dir=$abs
  fi
  base=$dir/$jid
}

cleanup() {
  one_job_args "$@"
  existed=0
  [ ! -e "$base" ] && [ ! -L "$base" ] || existed=1
  rm -f -- "$base" "$base.out" "$base.err" "$base.meta" "$base".tmp.* "$base".*.tmp.*
  rmdir -- "$base.timedout" 2>/dev/null
  printf 'APB-ERASED %s %s\n' "$jid" "$existed"
}

kill_job() {
  one_job_args "$@"
  was_running=0
  if [ -e "$base" ] || [ -L "$base" ]; then
    check_job_files
    [ -z "$problem" ] || fail "refusing to stop job $jid: $problem"
    if parse_record <"$base" 2>/dev/null; then
      job=$rec_pid pgid=$rec_pgid job_start=$rec_pid_start
      # Only a job whose supervisor still runs on this boot, and whose pid is still its own (same
      # start time): otherwise the pid may be someone else's by now.
      if [ "$rec_state" = running ] && supervisor_alive && is_pid "$job" &&
        { [ -z "$pgid" ] || [ "$pgid" = "$job" ]; } && [ "$rec_boot" = "$(boot_id)" ] && job_is_ours; then
        was_running=1
        terminate_job
      fi
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
