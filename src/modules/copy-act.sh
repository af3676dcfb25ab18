#!/bin/sh
# apb-copy: what `copy` does on the target besides single writes (src/modules/file-transfer.ts,
# src/modules/copy-tree.ts). POSIX sh, no Python.
#
# Run as:  /bin/sh -c "<this text>" apb-copy <op> <operands>...
#
#   rcopy SRC DEST MODE SUFFIX
#           copy file SRC (on the target: remote_src) to DEST through the private temporary file
#           .DEST.apb-SUFFIX.tmp beside it (created 0600, exclusively), keeping SRC's mtime as
#           Ansible's copystat does, chmod MODE, then moved over DEST
#   probe ROOT
#           for each line of stdin (a kind letter, f d or l, then a path below ROOT as printf %b
#           escapes), what is
#           there: `e=<type: F D L O> <mode> <uid> <gid> <size> <sha1 or -> <owner hex> <group hex>
#           <link hex>`,
#           `e=-` when nothing is; then umask=, root= (the type of ROOT), for a missing ROOT
#           existing_hex= (the deepest directory above it that exists) and end=1
#   stage DIR
#           create DIR (mode 0700, exclusively) and extract the tar archive on stdin into it
#   place DIR [INDEX DEST MODE]...
#           chmod DIR/fINDEX to MODE and move it over DEST (never into a directory at DEST)
#   unstage DIR
#           remove DIR and what is left in it
#
# Failures print fail=<what> and fail_hex=<the tool's message, hex> and exit 1.
set -u

hex() {
  od -An -v -tx1 | tr -d ' \n'
}

fail() {
  echo "fail=$1"
  printf '%s' "${p:-}" | hex | sed 's/^/fail_at_hex=/'
  echo
  printf '%s' "$2" | hex | sed 's/^/fail_hex=/'
  echo
  exit 1
}

op=$1
shift
case $op in
  rcopy)
    src=$1 dest=$2 mode=$3 suffix=$4
    p=$dest
    dir=$(dirname -- "$dest" && echo x) && dir=${dir%??}
    tmp=$dir/.$(basename -- "$dest").apb-$suffix.tmp
    [ -d "$dir" ] || fail missing-dir "$dir"
    out=$( (umask 077 && set -C && : >"$tmp") 2>&1) || fail create "$out"
    # set -C lets the shell open an existing device or FIFO: only the file just made is written.
    if [ -L "$tmp" ] || [ ! -f "$tmp" ] || [ -s "$tmp" ]; then
      fail create "$tmp is not a new empty file"
    fi
    if ! out=$(cat -- "$src" 2>&1 >"$tmp"); then
      rm -f -- "$tmp"
      fail copy "$out"
    fi
    touch -r "$src" -- "$tmp" 2>/dev/null || :
    if ! out=$(chmod -- "$mode" "$tmp" 2>&1) || ! out=$(mv -f -- "$tmp" "$dest" 2>&1); then
      rm -f -- "$tmp"
      fail copy "$out"
    fi
    ;;
  probe)
    root=$1
    if command -v sha1sum >/dev/null 2>&1; then sum=sha1sum; else sum='openssl sha1 -r'; fi
    while IFS= read -r line; do
      kind=$(printf '%s' "$line" | cut -c1)
      # The path comes as printf %b escapes (\0NNN for any byte but [A-Za-z0-9._/-]).
      rel=$(printf '%b' "${line#?}x")
      rel=${rel%x}
      f=$root/$rel
      if [ ! -e "$f" ] && [ ! -L "$f" ]; then
        echo 'e=-'
        continue
      fi
      # %F: regular file, directory, symbolic link…; names are hex (they may hold blanks).
      info=$(stat -c '%a %u %g %s' -- "$f")
      if [ -L "$f" ]; then type=L; elif [ -d "$f" ]; then type=D; elif [ -f "$f" ]; then type=F; else type=O; fi
      sha=-
      if [ "$type" = F ] && [ "$kind" = f ] && [ -r "$f" ]; then
        sha=$($sum <"$f" | cut -d' ' -f1)
      fi
      owner=$(stat -c %U -- "$f" | tr -d '\n' | hex)
      group=$(stat -c %G -- "$f" | tr -d '\n' | hex)
      link=-
      [ "$type" = L ] && link=$(readlink -- "$f" | tr -d '\n' | hex)
      echo "e=$type $info $sha ${owner:--} ${group:--} ${link:--}"
    done
    echo "umask=$(umask)"
    if [ -L "$root" ] && [ -d "$root" ]; then echo root=dirlink
    elif [ -d "$root" ]; then echo root=dir
    elif [ -e "$root" ] || [ -L "$root" ]; then echo root=other
    else
      echo root=none
      # The deepest directory above ROOT that exists: what is below it gets created.
      up=${root%/}
      while [ -n "$up" ] && [ ! -d "$up" ]; do up=$(dirname -- "$up" && echo x) && up=${up%??}; done
      printf '%s' "$up" | hex | sed 's/^/existing_hex=/'
      echo
    fi
    echo end=1
    ;;
  stage)
    p=$1
    command -v tar >/dev/null 2>&1 || fail tar 'tar is not installed on the target'
    out=$(mkdir -m 0700 -- "$p" 2>&1) || fail stage "$out"
    # -m: the files get the time they are written, -o: the extracting user owns them.
    out=$(tar -x -m -o -f - -C "$p" 2>&1) || fail tar "$out"
    ;;
  place)
    stage=$1
    shift
    while [ $# -ge 3 ]; do
      p=$2
      if [ -d "$p" ] && [ ! -L "$p" ]; then fail place "Is a directory"; fi
      out=$(chmod -- "$3" "$stage/f$1" 2>&1) || fail place "$out"
      out=$(mv -f -- "$stage/f$1" "$p" 2>&1) || fail place "$out"
      echo "placed=$1"
      shift 3
    done
    ;;
  unstage)
    rm -rf -- "$1"
    ;;
  *)
    fail usage "unknown operation $op"
    ;;
esac
echo act=done
