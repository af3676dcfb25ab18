#!/bin/sh
# apb-rtree: `copy` with `remote_src` and a directory as `src`, on the target. POSIX sh, no Python.
#
# Run as:  /bin/sh -c "<this text>" apb-rtree SRC DEST INTO FOLLOW OWNER GROUP DRY
# (src/modules/copy-remote-tree.ts)
#
#   SRC     the directory on the target to copy (without its trailing slash)
#   DEST    the directory to copy into
#   INTO    1: copy SRC itself into DEST (Ansible's `src: dir`); 0: what is in SRC (`src: dir/`)
#   FOLLOW  local_follow as given: 1, 0, or empty when not given (links that are new then stay out,
#           links inside new directories stay links, as Ansible's copy module does)
#   OWNER   GROUP  given to what is copied (names or ids), empty: left as they come
#   DRY     1: change nothing, only say whether something would change
#
# As Ansible's copy module does it: a directory that is new at its place is copied whole (modes and
# times kept); in a directory that exists, a file that differs is rewritten in place and a new one
# written, both with the mode of the source file; then owner and group are set on everything below.
# Prints changed=1 for each change (or would-be change), then act=done. A failure prints fail=<what>
# and fail_hex=<message, hex>, and exits 1.
set -u

hex() {
  od -An -v -tx1 | tr -d ' \n'
}

fail() {
  echo "fail=$1"
  printf '%s' "$2" | hex | sed 's/^/fail_hex=/'
  echo
  exit 1
}

src=$1 dest=$2 into=$3 follow=$4 owner=$5 group=$6 dry=$7

# A whole directory, modes and times kept (copytree); links followed only with FOLLOW=1.
copy_tree() {
  [ "$dry" = 1 ] && {
    echo changed=1
    return 0
  }
  deref=-P
  [ "$follow" = 1 ] && deref=-L
  out=$(cp -R "$deref" --preserve=mode,timestamps -- "$1" "$2" 2>&1) ||
    out=$(cp -R "$deref" -p -- "$1" "$2" 2>&1) || fail copy "$out"
  echo changed=1
}

# One file's bytes into dest (in place, as copyfile), then the source's mode (copymode).
copy_file() {
  out=$(cat -- "$1" 2>&1 >"$2") || fail copy "$out"
  [ "$3" = 1 ] || return 0
  m=$(stat -L -c %a -- "$1") || fail copy "cannot read the mode of $1"
  out=$(chmod -- "$m" "$2" 2>&1) || fail copy "$out"
}

# What is in directory S into directory D, which exists: differing files, new entries, then the
# directories both have, recursively (each level in a subshell: sh has no local variables).
sync_dir() {
  s=$1 d=$2
  for e in "$s"/* "$s"/.[!.]* "$s"/..?*; do
    [ -e "$e" ] || [ -L "$e" ] || continue
    n=${e##*/}
    t=$d/$n
    if [ -e "$t" ] || [ -L "$t" ]; then
      if [ -f "$e" ] && [ -f "$t" ]; then
        if ! cmp -s -- "$e" "$t"; then
          echo changed=1
          if [ "$dry" != 1 ]; then
            if [ -L "$e" ] && [ "$follow" = 0 ]; then
              out=$(ln -s -- "$(readlink -- "$e")" "$t" 2>&1) || fail copy "$out"
            else
              copy_file "$e" "$t" 1
            fi
          fi
        fi
      elif [ -d "$e" ] && [ -d "$t" ]; then
        (sync_dir "$e" "$t") || exit 1
      fi
      continue
    fi
    if [ -L "$e" ]; then
      case $follow in
        1)
          if [ -d "$e" ]; then
            copy_tree "$e" "$t"
          elif [ -f "$e" ]; then
            echo changed=1
            [ "$dry" = 1 ] || copy_file "$e" "$t" 0
          fi
          ;;
        0)
          echo changed=1
          if [ "$dry" != 1 ]; then
            out=$(ln -s -- "$(readlink -- "$e")" "$t" 2>&1) || fail copy "$out"
          fi
          ;;
        *)
          # local_follow not given: Ansible's copy module leaves a new link out, yet counts it
          # as a change (it is there only on one side).
          echo changed=1
          ;;
      esac
    elif [ -d "$e" ]; then
      copy_tree "$e" "$t"
    elif [ -f "$e" ]; then
      echo changed=1
      [ "$dry" = 1 ] || copy_file "$e" "$t" 1
    fi
  done
}

# Owner and group of everything at and below P, where they differ.
own_tree() {
  if [ -n "$owner" ]; then
    case $owner in
      *[!0-9]*) uid=$(id -u -- "$owner" 2>/dev/null) || fail owner-lookup "$owner" ;;
      *) uid=$owner ;;
    esac
    if [ -n "$(find "$1" ! -uid "$uid" -print | head -n 1)" ]; then
      echo changed=1
      if [ "$dry" != 1 ]; then
        out=$(find "$1" ! -uid "$uid" -exec chown -h -- "$uid" {} + 2>&1) || fail chown "$out"
      fi
    fi
  fi
  if [ -n "$group" ]; then
    case $group in
      *[!0-9]*)
        gid=$(getent group "$group" 2>/dev/null | cut -d: -f3)
        [ -n "$gid" ] || fail group-lookup "$group"
        ;;
      *) gid=$group ;;
    esac
    if [ -n "$(find "$1" ! -gid "$gid" -print | head -n 1)" ]; then
      echo changed=1
      if [ "$dry" != 1 ]; then
        out=$(find "$1" ! -gid "$gid" -exec chgrp -h -- "$gid" {} + 2>&1) || fail chgrp "$out"
      fi
    fi
  fi
}

if [ "$into" = 1 ]; then
  target=$dest/${src##*/}
  if [ ! -d "$dest" ]; then
    # A new dest: made, then filled file by file (the times of files are not kept here).
    echo changed=1
    if [ "$dry" != 1 ]; then
      out=$(mkdir -p -- "$target" 2>&1) || fail mkdir "$out"
      (sync_dir "$src" "$target") || exit 1
      own_tree "$target"
    fi
  elif [ ! -e "$target" ]; then
    copy_tree "$src" "$target"
    [ "$dry" = 1 ] || own_tree "$dest"
  else
    (sync_dir "$src" "$target") || exit 1
    own_tree "$target"
  fi
else
  if [ ! -e "$dest" ]; then
    copy_tree "$src" "$dest"
    [ "$dry" = 1 ] || own_tree "$dest"
  else
    (sync_dir "$src" "$dest") || exit 1
    own_tree "$dest"
  fi
fi
echo act=done
