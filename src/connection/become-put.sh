#!/bin/sh
# apb-put: writes stdin to a file, atomically, as the user running it: the become user for putFile
# under become (SFTP writes as the login user), and whoever runs copy's transfer, which follows it
# with the attribute act and a read of dest in the same command (src/modules/file-transfer.ts).
#
# Run as:  /bin/sh -c "<this text>" apb-put <dest> <mode> <temp-suffix>   (src/connection/become.ts)
#
#   dest         the file to create or replace
#   mode         octal mode to set, or empty: keep the mode of the file it replaces (else umask's)
#   temp-suffix  random text for the temporary file next to dest, renamed over dest at the end
#
# The temporary file is private from its first byte: created 0600 (or stricter, when the final mode
# is) by the umask in force when the shell creates it, exclusively (set -C: a name that exists, a
# symlink planted there included, is refused), under a random name. It gets its final mode only once
# every byte is in.
set -u
dest=$1 mode=$2 suffix=$3
case $mode in
  '' | [0-7][0-7][0-7] | [0-7][0-7][0-7][0-7]) ;;
  *)
    echo "apb-put: mode must be octal, got '$mode'" >&2
    exit 2
    ;;
esac
# Each process costs the target time: names are split with the shell's own expansions where they can
# be (dirname and basename only for a name that ends with a slash), and nothing runs in a subshell.
case $dest in
  */)
    # A newline may end a name: the x keeps command substitution from stripping it, taken off after.
    dir=$(dirname -- "$dest" && echo x) && dir=${dir%??}
    base=$(basename -- "$dest" && echo x) && base=${base%??}
    ;;
  */*)
    dir=${dest%/*} base=${dest##*/}
    [ -n "$dir" ] || dir=/
    ;;
  *) dir=. base=$dest ;;
esac
tmp=$dir/.$base.apb-$suffix.tmp
# Without a mode, a new file gets what the login umask leaves of 0666: read before it changes below.
login_umask=
if [ -z "$mode" ]; then
  login_umask=$(umask)
fi
# Owner bits of the final mode, at most rw: the umask that creates the file with them. The umask
# stays so for the rest of this shell, which creates no other file.
private=6
[ -z "$mode" ] || private=$(((0$mode & 0600) >> 6))
case $private in
  6) umask 177 ;;
  4) umask 377 ;;
  2) umask 577 ;;
  *) umask 777 ;;
esac
# Nothing is removed when the name is taken: what is there is not ours. (true, not the special
# built-in ':', whose redirection failure would end the shell with its own status.)
set -C
true >"$tmp" || exit 1
set +C
# set -C lets the shell open an existing device or FIFO: refuse anything but the file just made.
if [ -L "$tmp" ] || [ ! -f "$tmp" ] || [ -s "$tmp" ]; then
  echo "apb-put: $tmp is not a new empty file: refusing to write to it" >&2
  exit 1
fi
if ! cat >"$tmp"; then
  rm -f -- "$tmp"
  exit 1
fi
if [ -z "$mode" ]; then
  if [ -e "$dest" ]; then
    mode=$(stat -c %a -- "$dest" 2>/dev/null) || mode=
  fi
  # A new file: what the login umask leaves of 0666, as the shell would have created it.
  [ -n "$mode" ] || mode=$(printf '%o' $((0666 & ~0$login_umask)))
fi
chmod "$mode" "$tmp" || {
  rm -f -- "$tmp"
  exit 1
}
mv -f -- "$tmp" "$dest" || {
  rm -f -- "$tmp"
  exit 1
}
