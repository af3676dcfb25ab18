#!/bin/sh
# apb-edit: puts an edited file in place (lineinfile, replace, blockinfile), or only its attributes.
#
# Run as:  /bin/sh -c "<this text>" apb-edit <tmp> <dest> <backup> <mode> <keep> <owner> <group> <validate> <parents>
#           (the new content on stdin)
#
#   tmp       where the new content (stdin) is written first: a new 0600 file beside dest, under a
#             random name; empty: only set dest's attributes (stdin is not read)
#   dest      the file to replace (the real path: links are resolved by the controller)
#   backup    1: copy dest to dest.PID.YYYY-MM-DD@HH:MM:SS~ before replacing it (Ansible's name)
#   mode      octal mode for the file, or empty to leave it
#   keep      uid:gid of the file being replaced, given back to the new one where we may (else empty)
#   owner     user to give the file, or empty
#   group     group to give the file, or empty
#   validate  a command (the temp path already quoted in it) that must succeed before the move
#   parents   1: make dest's directory (and its parents) when it is missing (lineinfile `create`)
#
# One round trip: the content travels with the command, not in a transfer of its own.
# Prints `backup=<name>` when a backup was made, and `error=<Ansible's message>` on a failure after
# which the task fails (exit 5), with the system's words on stderr. Exit 3: validate refused the file
# (`validate_rc=N` on stdout, its stderr on stderr). Exit 6: the temp file could not be written (the
# system's words on stderr). The temp file is removed on every failure.
set -u
tmp=$1 dest=$2 backup=$3 mode=$4 keep=$5 owner=$6 group=$7 validate=$8 parents=$9
only_attributes=0
[ -n "$tmp" ] || only_attributes=1

fail() {
  [ -z "$tmp" ] || rm -f -- "$tmp"
  printf 'error=%s\n' "$1"
  exit 5
}

if [ -n "$tmp" ]; then
  if [ "$parents" = 1 ]; then
    # The shell's own expansions where they are enough: a process less on the target.
    case $dest in
      */) dir=$(dirname -- "$dest" && echo x) && dir=${dir%??} ;;
      */*)
        dir=${dest%/*}
        [ -n "$dir" ] || dir=/
        ;;
      *) dir=. ;;
    esac
    if [ ! -d "$dir" ]; then
      out=$(mkdir -p -- "$dir" 2>&1) || {
        tmp=
        fail "Error creating $dir ($out)"
      }
    fi
  fi
  # Private from its first byte (umask 077) and made exclusively (set -C refuses a name that exists, a
  # planted link included): nothing is removed when the name is taken, since what is there is not ours.
  if [ -n "$validate" ]; then
    # validate runs under the login umask: the subshell keeps 077 to the temp file.
    (umask 077 && set -C && : >"$tmp") || exit 6
  else
    # Nothing after this creates a file but cp -p, which gives its copy the mode itself: the umask
    # may stay, and a subshell (a process) is spared. (true, not the special built-in ':', whose
    # redirection failure would end the shell with its own status.)
    umask 077
    set -C
    true >"$tmp" || exit 6
    set +C
  fi
  # set -C lets the shell open an existing device or FIFO: refuse anything but the file just made.
  if [ -L "$tmp" ] || [ ! -f "$tmp" ] || [ -s "$tmp" ]; then
    echo "apb-edit: $tmp is not a new empty file: refusing to write to it" >&2
    exit 6
  fi
  if ! cat >"$tmp"; then
    rm -f -- "$tmp"
    exit 6
  fi
fi

if [ -n "$tmp" ] && [ -n "$validate" ]; then
  # stdout is dropped, stderr kept whole for the message (the x keeps its trailing newlines); the
  # status of an assignment is its substitution's.
  err=$(
    sh -c "$validate" 2>&1 >/dev/null
    rc=$?
    echo x
    exit "$rc"
  )
  rc=$?
  err=${err%x}
  if [ "$rc" -ne 0 ]; then
    rm -f -- "$tmp"
    echo "validate_rc=$rc"
    printf '%s' "$err" >&2
    exit 3
  fi
fi

if [ -n "$tmp" ]; then
  # As Ansible's atomic move: the replaced file's owner and group where this user may give them, and
  # the final mode set while the file is still private to us.
  [ -z "$keep" ] || chown "$keep" "$tmp" 2>/dev/null || :
  [ -z "$mode" ] || chmod "$mode" "$tmp" || fail "chmod failed"
  if [ "$backup" = 1 ] && [ -e "$dest" ]; then
    b=$dest.$$.$(date +%Y-%m-%d@%H:%M:%S~)
    # -p keeps mode, owner and times; --remove-destination never writes through a planted link.
    cp -p --remove-destination -- "$dest" "$b" || fail "Could not make a backup of $dest"
    printf 'backup=%s\n' "$b"
  fi
  mv -f -- "$tmp" "$dest" || fail "Could not replace $dest"
  tmp=
fi

# Then owner, group and mode, in Ansible's order, with its messages.
if [ -n "$owner" ]; then
  if ! out=$(chown -- "$owner" "$dest" 2>&1); then
    printf '%s\n' "$out" >&2
    case $out in
      *"invalid user"*) fail "chown failed: failed to look up user $owner" ;;
      *"not permitted"*) fail "chown failed: [Errno 1] Operation not permitted: b'$dest'" ;;
      *) fail "chown failed" ;;
    esac
  fi
fi
if [ -n "$group" ]; then
  if ! out=$(chgrp -- "$group" "$dest" 2>&1); then
    printf '%s\n' "$out" >&2
    case $out in
      *"invalid group"*) fail "chgrp failed: failed to look up group $group" ;;
      *) fail "chgrp failed" ;;
    esac
  fi
fi
if [ "$only_attributes" = 1 ] && [ -n "$mode" ]; then
  chmod "$mode" "$dest" || fail "chmod failed"
fi
exit 0
