#!/bin/sh
# apb-get-url: puts a downloaded file in place for get_url, as Ansible decides it. POSIX sh.
#
# Run as:  /bin/sh -c "<this text>" apb-get-url <tmp> <dest> <backup> <algorithm> <expected>
# (src/modules/get-url.ts downloads to tmp with the HTTP transport, then runs this)
#
#   tmp        the downloaded file (0600), beside dest or in tmp_dest; removed on every path
#   dest       the file to create or replace (a link there is replaced by the file, as Ansible's
#              atomic move renames over it; the mode and owner kept are those of what it points to)
#   backup     1: copy dest to dest.PID.YYYY-MM-DD@HH:MM:SS~ before replacing it (Ansible's name)
#   algorithm  md5, sha1, sha224, sha256, sha384 or sha512 to check dest against `expected`; empty: no
#              check (a file that fails it is removed)
#
# The answer is key=value lines ending with end=1: checksum_src (sha1 of tmp), checksum_dest (sha1 of
# dest before, when it existed), error=<Ansible's message> when it stops, moved=1 when dest was
# replaced, backup=<name>, digest=<algorithm's digest of dest>, md5=<md5 of dest>.
set -u
tmp=$1 dest=$2 backup=$3 algorithm=$4 expected=$5

has() {
  command -v "$1" >/dev/null 2>&1
}

# The digest of file $2 with algorithm $1 (empty when no tool can make it).
digest() {
  if has "${1}sum"; then
    sum=$("${1}sum" <"$2") || sum=
  elif [ "$1" != md5 ] && has shasum; then
    sum=$(shasum -a "${1#sha}" <"$2") || sum=
  elif has openssl; then
    sum=$(openssl dgst "-$1" <"$2") || sum=
    sum=${sum##* }
  else
    echo "missing_tool=${1}sum"
    sum=
  fi
  printf '%s' "${sum%% *}"
}

stop() {
  rm -f -- "$tmp"
  printf 'error=%s\n' "$1"
  echo end=1
  exit 0
}

echo "checksum_src=$(digest sha1 "$tmp")"

if [ -e "$dest" ]; then
  [ -w "$dest" ] || stop "Destination $dest is not writable"
  [ -r "$dest" ] || stop "Destination $dest is not readable"
  [ ! -d "$dest" ] || stop "attempted to take checksum of directory: $dest"
  before=$(digest sha1 "$dest")
  echo "checksum_dest=$before"
else
  before=
  parent=$(dirname -- "$dest" && echo x) && parent=${parent%??}
  [ -e "$parent" ] || stop "Destination $parent does not exist"
  [ -w "$parent" ] || stop "Destination $parent is not writable"
fi

after=$(digest sha1 "$tmp")
if [ "$after" != "$before" ]; then
  dir=$(dirname -- "$dest" && echo x) && dir=${dir%??}
  landing=$tmp
  tmp_dir=$(dirname -- "$tmp" && echo x) && tmp_dir=${tmp_dir%??}
  if [ "$tmp_dir" != "$dir" ]; then
    # Downloaded elsewhere (tmp_dest): copied beside dest first, so that the move is a rename.
    name=$(basename -- "$dest" && echo x) && name=${name%??}
    landing=$dir/.$name.apb-$$.tmp
    (umask 077 && cp -- "$tmp" "$landing") || {
      rm -f -- "$landing"
      stop "failed to copy $tmp to $dest"
    }
    rm -f -- "$tmp"
  fi
  if [ -e "$dest" ]; then
    # As Ansible's atomic move: the replaced file's mode, owner and group where this user may.
    if [ -n "$(stat -L -c %a -- "$dest" 2>/dev/null)" ]; then
      chmod "$(stat -L -c %a -- "$dest")" "$landing" 2>/dev/null
      chown "$(stat -L -c %u:%g -- "$dest")" "$landing" 2>/dev/null
    else
      chmod "$(stat -L -f %Lp -- "$dest")" "$landing" 2>/dev/null
    fi
    if [ "$backup" = 1 ]; then
      b=$dest.$$.$(date +%Y-%m-%d@%H:%M:%S~)
      cp -p -- "$dest" "$b" || {
        rm -f -- "$landing"
        stop "Could not make a backup of $dest"
      }
      printf 'backup=%s\n' "$b"
    fi
  else
    # A new file gets what the umask leaves of 0666, as Ansible gives it.
    chmod "$(printf '%o' $((0666 & ~$(umask))))" "$landing"
  fi
  if ! out=$(mv -f -- "$landing" "$dest" 2>&1); then
    rm -f -- "$landing"
    stop "failed to copy $tmp to $dest: $out"
  fi
  echo moved=1
else
  rm -f -- "$tmp"
fi

if [ -n "$algorithm" ] && [ -f "$dest" ]; then
  got=$(digest "$algorithm" "$dest")
  echo "digest=$got"
  [ "$got" = "$expected" ] || rm -f -- "$dest"
fi
[ -f "$dest" ] && echo "md5=$(digest md5 "$dest")"
echo end=1
