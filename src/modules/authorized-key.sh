#!/bin/sh
# apb-authorized-key: reads (probe) or writes (write) a user's authorized_keys file on the target for
# src/modules/authorized-key.ts, which decides what the file holds. POSIX sh (+ od, stat, mktemp).
# path-info.sh and expand-args.sh come before this text.
#
#   probe USER PATH FOLLOW NEED_USER
#     PATH '' for ~USER/.ssh/authorized_keys. Prints pw_hex (USER's passwd entry, when NEED_USER is 1),
#     path_hex (PATH with ~ and $VAR expanded), keyfile_hex (the file), real_hex (the file with its links
#     resolved, when FOLLOW is 1), content_hex (what the file holds, when it is a regular file) and the
#     path's info (describe_path).
#   write KEYFILE SSHDIR UID GID MANAGE_DIR PATH
#     The new content comes on stdin (keys are user data: never on a command line). With MANAGE_DIR 1,
#     SSHDIR is made 0700 and given to UID:GID; the file is made if missing, given to UID:GID and made
#     0600, then replaced by the new content with its mode and owner kept. Prints error_hex on failure,
#     then PATH's info; mkdir_error_hex (mkdir's message) when SSHDIR could not be made.
# The answer ends with end=1.
set -u

hex() {
  od -An -v -tx1 | tr -d ' \n'
}

resolve() {
  realpath -m -- "$1" 2>/dev/null || readlink -f -- "$1" 2>/dev/null || printf '%s\n' "$1"
}

fail() {
  echo "error_hex=$(printf '%s' "$1" | hex)"
  echo end=1
  exit 0
}

mode=$1
shift
case $mode in
  probe)
    user=$1 path=$2 follow=$3 need_user=$4
    home=
    if [ "$need_user" = 1 ]; then
      if command -v getent >/dev/null 2>&1; then
        entry=$(getent passwd "$user" 2>/dev/null) || entry=
      else
        entry=$(awk -F: -v wanted="$user" '$1 == wanted { print; exit }' /etc/passwd 2>/dev/null)
      fi
      echo "pw_hex=$(printf '%s' "$entry" | hex)"
      home=$(printf '%s\n' "$entry" | cut -d: -f6)
    fi
    if [ -n "$path" ]; then
      apb_expanded=$(apb_expand "$path")
      path=${apb_expanded%x}
      echo "path_hex=$(printf '%s' "$path" | hex)"
      keyfile=$path
    elif [ -n "$home" ]; then
      keyfile=${home%/}/.ssh/authorized_keys
    else
      echo end=1
      exit 0
    fi
    echo "keyfile_hex=$(printf '%s' "$keyfile" | hex)"
    if [ "$follow" = 1 ]; then
      real=$(resolve "$keyfile")
      echo "real_hex=$(printf '%s' "$real" | hex)"
    fi
    if [ -f "$keyfile" ]; then
      if [ -r "$keyfile" ]; then
        echo "content_hex=$(hex <"$keyfile")"
      else
        echo unreadable=1
      fi
    fi
    [ -n "$path" ] && describe_path "$path"
    ;;
  write)
    keyfile=$1 sshdir=$2 uid=$3 gid=$4 manage_dir=$5 path=$6
    if [ "$manage_dir" = 1 ]; then
      if [ ! -e "$sshdir" ]; then
        if ! out=$(mkdir -m 700 -- "$sshdir" 2>&1); then
          echo "mkdir_error_hex=$(printf '%s' "$out" | hex)"
          echo end=1
          exit 0
        fi
      fi
      chown "$uid:$gid" -- "$sshdir" 2>/dev/null
      chmod 700 -- "$sshdir" 2>/dev/null
    fi
    dir=$(dirname -- "$keyfile")
    if [ ! -e "$keyfile" ]; then
      out=$( (mkdir -p -- "$dir" && : >"$keyfile") 2>&1) || fail "Failed to create $keyfile: $out"
    fi
    chown "$uid:$gid" -- "$keyfile" 2>/dev/null
    chmod 600 -- "$keyfile" 2>/dev/null
    tmp=$(mktemp "$dir/.apb-authorized_keys.XXXXXX" 2>&1) || fail "Failed to write to $dir: $tmp"
    if ! cat >"$tmp"; then
      rm -f -- "$tmp"
      fail "Failed to write to file $tmp"
    fi
    if owner=$(stat -L -c '%a %u %g' -- "$keyfile" 2>/dev/null); then
      # shellcheck disable=SC2086 # three words: mode, uid, gid
      set -- $owner
      chmod "$1" -- "$tmp" 2>/dev/null
      chown "$2:$3" -- "$tmp" 2>/dev/null
    fi
    out=$(mv -f -- "$tmp" "$keyfile" 2>&1) || {
      rm -f -- "$tmp"
      fail "Failed to replace $keyfile: $out"
    }
    [ -n "$path" ] && describe_path "$path"
    ;;
esac
echo end=1
