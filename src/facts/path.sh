#!/bin/sh
# apb-path: the state of one path on the target, in one round trip. POSIX sh, no Python.
#
# Run as:  /bin/sh -c "<this text>" apb-path <path> <follow> <checksum> <mime> <attributes>
# (src/facts/path.ts builds the command and parses the answer)
#
#   path        the path to describe
#   follow      1: describe what a symbolic link points to (stat -L); 0: the link itself
#   checksum    md5, sha1, sha224, sha256, sha384 or sha512: hash a regular file the user can read;
#               empty: no checksum
#   mime        1: add what `file --mime-type --mime-encoding` says; 0: do not run it
#   attributes  1: add what `lsattr -vd` says; 0: do not run it
#
# The answer is key=value lines. A value that may hold any byte (a link target, a tool's message) is
# printed in hex, under a key ending in _hex, or (error, mime, lsattr) as it is when it holds only
# letters, digits, blanks and `._/:;=+,'-`. The last line is end=1, so that an answer cut short is
# never taken for a whole one. GNU coreutils and busybox (stat -c) and BSD/macOS (stat -f) are read.
set -u
path=$1 follow=$2 algorithm=$3 mime=$4 attributes=$5
# Not an option to any tool, even to those that take no `--` (busybox realpath).
case $path in -*) path=./$path ;; esac

hex() {
  od -An -v -tx1 | tr -d ' \n'
}

has() {
  command -v "$1" >/dev/null 2>&1
}

# `key=value` when the value holds only characters that need no escaping (no process started), else
# `key_hex=<the value in hex>` (two more: od and tr, which on a busy target cost more than the rest).
path_field() {
  case $2 in
    *[!ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789\ ._/:\;=+,\'-]*)
      printf '%s_hex=' "$1"
      printf '%s' "$2" | hex
      echo
      ;;
    *) printf '%s=%s\n' "$1" "$2" ;;
  esac
}

finish() {
  echo end=1
  exit 0
}

# `key=1` when the test holds, else `key=0` (no subshell: this probe runs before every task, and on a
# busy target each fork counts).
path_bit() {
  key=$1
  shift
  if "$@"; then echo "$key=1"; else echo "$key=0"; fi
}

printf 'umask='
umask

# Following a link that points nowhere finds nothing (BSD stat -L would describe the link instead).
if [ "$follow" = 1 ] && [ -L "$path" ] && [ ! -e "$path" ]; then
  echo exists=0
  echo error=dangling
  finish
fi

# One field a line: the newlines are part of the formats. GNU and busybox stat are tried on the path
# itself first (one process where it works); BSD's only when GNU's options are not understood.
path_gnu() {
  set -- -c 'flavour=gnu
mode_hex=%f
uid=%u
gid=%g
owner=%U
group=%G
size=%s
blocks=%b
block_unit=%B
block_size=%o
inode=%i
dev=%d
nlink=%h
rdev_major_hex=%t
rdev_minor_hex=%T
atime=%X
mtime=%Y
ctime=%Z
atime_text=%x
mtime_text=%y
ctime_text=%z'
  [ "$follow" = 1 ] && set -- -L "$@"
  stat "$@" -- "$path"
}
path_bsd() {
  set -- -f 'flavour=bsd
mode_octal=%p
uid=%u
gid=%g
owner=%Su
group=%Sg
size=%z
blocks=%b
block_unit=512
block_size=%k
inode=%i
dev=%d
nlink=%l
rdev=%r
atime=%a
mtime=%m
ctime=%c
atime_text=%Fa
mtime_text=%Fm
ctime_text=%Fc'
  [ "$follow" = 1 ] && set -- -L "$@"
  stat "$@" -- "$path"
}

if ! path_gnu 2>/dev/null; then
  # Most often the path is simply not there: when nothing is at it (not even a link) and its directory
  # can be searched, that is what stat met (ENOENT), and the shell's own tests say so without the two
  # more stat runs below (each a process, on targets where a process is dear). A stat that cannot run
  # at all is still reported as missing.
  case $path in
    */*) parent=${path%/*} ;;
    *) parent=. ;;
  esac
  [ -n "$parent" ] || parent=/
  if [ ! -e "$path" ] && [ ! -L "$path" ] && [ -d "$parent" ] && [ -x "$parent" ] && has stat; then
    echo exists=0
    finish
  fi
  if stat -c %f / >/dev/null 2>&1; then
    describe=path_gnu
  elif stat -f %p / >/dev/null 2>&1; then
    describe=path_bsd
  else
    echo missing_tool=stat
    finish
  fi
  if [ "$describe" = path_gnu ] || ! path_bsd 2>/dev/null; then
    # The tool's message ends with the system's reason (No such file or directory, Permission denied).
    echo exists=0
    path_field error "$("$describe" 2>&1 >/dev/null)"
    finish
  fi
fi
echo exists=1

# For the user running this (the become user under become), following links, as access(2) does.
path_bit readable test -r "$path"
path_bit writeable test -w "$path"
path_bit executable test -x "$path"

if [ -L "$path" ]; then
  if has readlink; then
    echo "link_target_hex=$(readlink -- "$path" | hex)"
  else
    echo missing_tool=readlink
  fi
  # Where the link leads, as an absolute path without links (empty when no tool can tell).
  echo "link_source_hex=$({ realpath "$path" || readlink -f "$path"; } 2>/dev/null | hex)"
  if [ -d "$path" ]; then
    echo link_to=directory
  elif [ -f "$path" ]; then
    echo link_to=file
  elif [ -e "$path" ]; then
    echo link_to=other
  else
    echo link_to=missing
  fi
fi

# A checksum of a regular file the user can read (not of a link itself unless following it).
if [ -n "$algorithm" ] && [ -f "$path" ] && [ -r "$path" ] && { [ "$follow" = 1 ] || [ ! -L "$path" ]; }; then
  bits=${algorithm#sha}
  if has "${algorithm}sum"; then
    tool="${algorithm}sum"
    sum=$("$tool" <"$path") || sum=
  elif [ "$algorithm" != md5 ] && has shasum; then
    tool="shasum -a $bits"
    sum=$(shasum -a "$bits" <"$path") || sum=
  elif has "$algorithm"; then
    tool="$algorithm -q"
    sum=$("$algorithm" -q <"$path") || sum=
  elif has openssl; then
    tool="openssl dgst -$algorithm"
    sum=$(openssl dgst "-$algorithm" <"$path") || sum=
    sum=${sum##* }
  else
    tool=
    echo "missing_tool=checksum"
  fi
  if [ -n "$tool" ]; then
    echo "checksum_tool=$tool"
    echo "checksum=${sum%% *}"
  fi
fi

if [ "$mime" = 1 ]; then
  if has file; then
    if out=$(file --mime-type --mime-encoding -- "$path" 2>/dev/null); then
      path_field mime "$out"
    fi
  fi
fi

if [ "$attributes" = 1 ]; then
  if has lsattr; then
    if out=$(lsattr -vd -- "$path" 2>/dev/null); then
      path_field lsattr "$out"
    fi
  fi
fi
finish
