#!/bin/sh
# apb-get-url-file: reads a file:// URL's file on the target for get_url, as urllib's file handler does.
#
# Run as:  /bin/sh -c "<this text>" apb-get-url-file <path> <out>
#
#   path  the file the URL names (decoded)
#   out   where to copy it (created 0600); empty: only measure it and print its sha1
#
# The answer is key=value lines: errno=<Python's errno> when it cannot be read (2 missing, 21 a
# directory, 13 not readable), else size=<bytes> and sha1=<hex> or copied=1.
set -u
src=$1 out=$2
if [ ! -e "$src" ]; then
  echo errno=2
  exit 0
fi
if [ -d "$src" ]; then
  echo errno=21
  exit 0
fi
if [ ! -r "$src" ]; then
  echo errno=13
  exit 0
fi
echo "size=$(($(wc -c <"$src")))"
if [ -z "$out" ]; then
  echo "sha1=$(sha1sum <"$src" | cut -d' ' -f1)"
  exit 0
fi
if ! (umask 077 && cat -- "$src" >"$out"); then
  rm -f -- "$out"
  echo errno=13
  exit 0
fi
echo copied=1
