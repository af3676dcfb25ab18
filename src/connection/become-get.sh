#!/bin/sh
# apb-get: prints a regular file as the user running it (the become user under become, where SFTP
# would read as the login user; or the login user, where an SFTP session's start costs more), at most
# <limit> bytes of it: the controller asks for one byte more than its cap, so that a longer file is
# told from one of exactly the cap without sending the rest.
#
# Run as:  /bin/sh -c "<this text>" apb-get <path> <limit>   (src/connection/command-read.ts)
#
# Exit status: 0 the bytes are on stdout; 3 not a regular file; 4 the read failed (the tool's message,
# which ends with the system's reason, is on stderr); 5 no head command.
set -u
path=$1 limit=$2
# Not an option to head, even one that takes no `--`.
case $path in -*) path=./$path ;; esac
case $limit in
  '' | *[!0-9]*)
    echo "apb-get: the limit must be a number of bytes, got '$limit'" >&2
    exit 2
    ;;
esac
if [ -e "$path" ] && [ ! -f "$path" ]; then
  echo "apb-get: $path is not a regular file" >&2
  exit 3
fi
if ! command -v head >/dev/null 2>&1; then
  echo "apb-get: the target has no head command (coreutils or busybox)" >&2
  exit 5
fi
head -c "$limit" -- "$path" || exit 4
