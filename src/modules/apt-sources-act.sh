#!/bin/sh
# apb-apt-sources-act: writes and removes apt sources files for apt_repository and deb822_repository,
# then (when asked) runs apt-get update with retries; when the update keeps failing, puts the files back
# as they were. POSIX sh.
#
# Run as:  /bin/sh -c "<this text>" apb-apt-sources-act <retries> <max delay> <update 0|1> OP…
# with the new files' texts concatenated on stdin. Each OP is one argument:
#   w:<offset>:<length>:<mode>:<path>  write that slice of stdin to path (atomically: a temporary file in
#                                      its directory, then mv); mode is octal or empty (an existing file
#                                      keeps its mode and owner, a new one gets what the umask gives)
#   d:<path>                           remove path
#   r:… and x:…                        the same, done only to revert after a failed update
# The answer: error_hex=<message> and failed=write|update, or nothing; update_err_hex= (what apt-get
# update said last). Last line end=1.
set -u
PATH=$PATH:/usr/sbin:/sbin
export PATH
retries=$1 max_delay=$2 update=$3
shift 3

hex() {
  od -An -v -tx1 | tr -d ' \n'
}

scratch=$(mktemp -d "${TMPDIR:-/tmp}/apb-apt.XXXXXX") || exit 1
trap 'rm -rf "$scratch"' EXIT
cat >"$scratch/in"

fail() {
  echo "failed=$1"
  echo "error_hex=$(printf '%s' "$2" | hex)"
}

# put OFFSET LENGTH MODE PATH
put() {
  dir=$(dirname -- "$4")
  [ -d "$dir" ] || mkdir -p -- "$dir" 2>"$scratch/err" || {
    fail write "Failed to create directory $dir: $(cat "$scratch/err")"
    return 1
  }
  tmp="$dir/.apb-$(basename -- "$4").$$"
  if ! (set -C && : >"$tmp") 2>"$scratch/err"; then
    # Python's words for the usual reason (what Ansible's message quotes), else the shell's.
    reason=$(cat "$scratch/err")
    [ -w "$dir" ] || reason="[Errno 13] Permission denied: '$tmp'"
    fail write "Unable to create temp file at \"$dir\" for apt source: $reason"
    return 1
  fi
  if [ "$2" -gt 0 ]; then
    dd if="$scratch/in" of="$tmp" bs=1 skip="$1" count="$2" 2>/dev/null
  fi
  if [ -e "$4" ]; then
    chmod --reference="$4" "$tmp" 2>/dev/null
    chown --reference="$4" "$tmp" 2>/dev/null
  fi
  mv -f -- "$tmp" "$4" 2>"$scratch/err" || {
    rm -f -- "$tmp"
    fail write "$(cat "$scratch/err")"
    return 1
  }
  if [ -n "$3" ]; then
    chmod "$3" -- "$4" 2>"$scratch/err" || {
      fail write "$(cat "$scratch/err")"
      return 1
    }
  fi
  return 0
}

# apply KIND-WRITE KIND-REMOVE OP…: carries out the ops of one kind (w/d, or r/x to revert)
apply() {
  write=$1 remove=$2
  shift 2
  for op in "$@"; do
    kind=${op%%:*}
    rest=${op#*:}
    if [ "$kind" = "$write" ]; then
      offset=${rest%%:*}
      rest=${rest#*:}
      length=${rest%%:*}
      rest=${rest#*:}
      mode=${rest%%:*}
      target=${rest#*:}
      put "$offset" "$length" "$mode" "$target" || return 1
    elif [ "$kind" = "$remove" ]; then
      if [ -e "$rest" ] || [ -L "$rest" ]; then
        rm -f -- "$rest" 2>"$scratch/err" || {
          fail write "$(cat "$scratch/err")"
          return 1
        }
      fi
    fi
  done
  return 0
}

if ! apply w d "$@"; then
  apply r x "$@" >/dev/null
  echo end=1
  exit 0
fi

if [ "$update" = 1 ]; then
  if ! command -v apt-get >/dev/null 2>&1; then
    echo missing_tool=apt-get
    echo end=1
    exit 0
  fi
  # Exponential backoff with a little randomness (2^attempt + r seconds, at most max_delay + r), as
  # Ansible waits after each failed attempt, the last one included.
  jitter=$(awk 'BEGIN { srand(); printf "%.3f", rand() }')
  attempt=0 ok=0
  : >"$scratch/update"
  while [ "$attempt" -lt "$retries" ]; do
    # A source that could not be fetched fails the update as it fails python-apt's (apt-get itself
    # only warns when the network failed).
    if LC_ALL=C apt-get update -q </dev/null >/dev/null 2>"$scratch/update" &&
      ! grep -q '^W: Some index files failed to download' "$scratch/update"; then
      ok=1
      break
    fi
    delay=$(awk -v a="$attempt" -v m="$max_delay" -v j="$jitter" \
      'BEGIN { d = 2 ^ a; if (d > m) d = m; printf "%.3f", d + j }')
    sleep "$delay" 2>/dev/null || sleep "${delay%.*}"
    attempt=$((attempt + 1))
  done
  if [ "$ok" = 0 ]; then
    echo "update_err_hex=$(hex <"$scratch/update")"
    echo failed=update
    apply r x "$@" >/dev/null
  fi
fi
echo end=1
