#!/bin/sh
# apb-put: writes stdin to a file, atomically, as the become user (SFTP writes as the login user).
#
# Run as:  /bin/sh -c "<this text>" apb-put <dest> <mode> <temp-suffix>   (src/connection/become.ts)
#
#   dest         the file to create or replace
#   mode         octal mode to set, or empty: keep the mode of the file it replaces (else umask's)
#   temp-suffix  random text for the temporary file next to dest, renamed over dest at the end
set -u
dest=$1 mode=$2 suffix=$3
dir=$(dirname -- "$dest")
base=$(basename -- "$dest")
tmp=$dir/.$base.apb-$suffix.tmp
if ! (set -C && cat >"$tmp"); then
  rm -f -- "$tmp"
  exit 1
fi
if [ -n "$mode" ]; then
  chmod "$mode" "$tmp" || {
    rm -f -- "$tmp"
    exit 1
  }
elif [ -e "$dest" ]; then
  chmod --reference="$dest" "$tmp" 2>/dev/null || :
fi
mv -f -- "$tmp" "$dest" || {
  rm -f -- "$tmp"
  exit 1
}
