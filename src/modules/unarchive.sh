#!/bin/sh
# apb-unarchive: what the unarchive module reads and changes on the target. POSIX sh, no Python.
# (src/modules/unarchive.ts builds the commands and decides; unarchive-compare.ts reads the answers)
#
# Run as one of (expand-args.sh and path-info.sh are prepended):
#   apb-unarchive probe SRC DEST CHECK STATS ZIP_ARGS TAR_LIST_ARGS TAR_DIFF_ARGS
#       SRC/DEST as given ($VAR and ~ expanded here, as Ansible's path type does); CHECK=1: check mode
#       (the tar handlers are not tried); STATS=1: describe every path of the archive under DEST (zip
#       always does). The *_ARGS are shell text built by the controller with its quoting helper (every
#       user value quoted; "$src" and "$dest" name this script's variables), evaluated here:
#       ZIP_ARGS follow `zipinfo -T -s "$src"`, TAR_LIST_ARGS `tar --list -C "$dest" FLAG`,
#       TAR_DIFF_ARGS `tar --diff -C "$dest" FLAG`. Answers: the expanded paths, the state of SRC and
#       DEST, who runs this, which handler can read the archive (the reasons of those that cannot), its
#       listing, and what Ansible's handler compares with DEST (tar --diff, or zipinfo, unzip -v and
#       the CRC-32 of each file).
#   apb-unarchive extract DEST ARGV...
#       runs ARGV (the extraction) in DEST with Ansible's locale; prints its rc, out and err (hex).
#       Exits 1 when it failed, so that what is chained after it does not run.
#   apb-unarchive attrs DEST OWNER GROUP DESCRIBE BLIND     (MODE PATH lines on stdin)
#       sets owner, group (chown -h / chgrp -h) and the octal MODE (`-`: none; never on a symbolic
#       link) of each PATH where they differ, stopping at the first failure (fail=WHAT, fail_hex,
#       fail_at_hex); prints changed=1 when it changed something. BLIND=1 (just extracted: changed
#       anyway) sets them without reading them first. DESCRIBE=1: the paths are described afterwards
#       (st= lines), for a symbolic mode the controller resolves against each path's new mode.
# Answers are key=value lines ending with end=1; values that may hold any byte are hex (_hex keys).
set -u

hex() {
  od -An -v -tx1 | tr -d ' \n'
}

has() {
  command -v "$1" >/dev/null 2>&1
}

# Ansible runs tar with the first of these locales the target has (its get_best_parsable_locale).
pick_locale() {
  loc=C
  avail=$(locale -a 2>/dev/null) || avail=
  for l in C.utf8 C.UTF-8 en_US.utf8; do
    if printf '%s\n' "$avail" | grep -qx "$l"; then
      loc=$l
      break
    fi
  done
}

# describe_paths: for each path on stdin (one a line) that exists, one line
#   st=<mode octal> TAB <uid> TAB <gid> TAB <size> TAB <type, as stat %F> TAB <owner> TAB <group> TAB
#      <mtime, local, as stat %y> TAB <path as given>
# from a single stat per batch (xargs): a path that does not exist prints nothing.
describe_paths() {
  tab=$(printf '\t')
  tr '\n' '\000' | xargs -0 stat -c "st=%a$tab%u$tab%g$tab%s$tab%F$tab%U$tab%G$tab%y$tab%n" -- 2>/dev/null
  return 0
}

# describe_all DEST NAMES: the paths of the archive under DEST (NAMES, one a line, a leading / dropped)
# and each top folder once after the first name in it, as paths_hex=, described by describe_paths
# (relative to DEST: ./NAME); with $want_crc=1 also filecrc_hex=, gzip's 8-byte trailer (CRC-32 and
# size, little-endian) of each path that is a regular file it can read, zeros for the others.
describe_all() {
  awk '{
    sub(/^\/+/, ""); print
    slash = index($0, "/")
    if (slash > 0) { top = substr($0, 1, slash - 1); if (!(top in seen)) { seen[top] = 1; print top } }
  }' "$2" >"$work/paths"
  echo "paths_hex=$(hex <"$work/paths")"
  (
    cd -- "$1" || exit 0
    sed 's|^|./|' "$work/paths" | describe_paths
    if [ "$want_crc" = 1 ]; then
      printf 'filecrc_hex='
      while IFS= read -r name; do
        if [ -f "./$name" ] && [ ! -L "./$name" ] && [ -r "./$name" ]; then
          gzip -c <"./$name" | tail -c 8
        else
          printf '\000\000\000\000\000\000\000\000'
        fi
      done <"$work/paths" | od -An -v -tx1 | tr -d ' \n'
      echo
    fi
  )
}

# Runs "$@" in $cwd with Ansible's locale; sets rc and writes its output to $out and $err.
run_in() {
  (cd -- "$cwd" && LANG=$loc LC_ALL=$loc LC_MESSAGES=$loc LANGUAGE=$loc "$@") >"$out" 2>"$err"
  rc=$?
}

mode=$1
shift

if [ "$mode" = extract ]; then
  cwd=$1
  shift
  pick_locale
  work=$(mktemp -d) || exit 1
  out=$work/out err=$work/err
  run_in "$@" </dev/null
  echo "rc=$rc"
  echo "out_hex=$(hex <"$out")"
  echo "err_hex=$(hex <"$err")"
  rm -rf -- "$work"
  describe_path "$cwd" | sed 's/^/dest_/'
  echo end=1
  [ "$rc" = 0 ] || exit 1
  exit 0
fi

if [ "$mode" = attrs ]; then
  dest=$1 owner=$2 group=$3 describe=$4 blind=$5 changed=''
  p=''
  fail() {
    echo "fail=$1"
    echo "fail_at_hex=$(printf '%s' "$p" | hex)"
    echo "fail_hex=$(printf '%s' "$2" | hex)"
    echo end=1
    exit 0
  }
  uid=''
  gid=''
  if [ -n "$owner" ]; then
    case $owner in
      *[!0-9]*) uid=$(id -u -- "$owner" 2>/dev/null) || uid='' ;;
      *) uid=$owner ;;
    esac
  fi
  if [ -n "$group" ]; then
    case $group in
      *[!0-9]*)
        if has getent; then
          gid=$(getent group "$group" | cut -d: -f3)
        else
          gid=$(awk -F: -v n="$group" '$1 == n { print $3; exit }' /etc/group)
        fi
        ;;
      *) gid=$group ;;
    esac
  fi
  input=$(cat)
  # Just extracted, one mode for all: one chown and one chmod for every path (links keep their mode).
  # If that fails, the loop below goes path by path and stops at the first failure with its message.
  if [ "$blind" = 1 ] && { [ -z "$owner" ] || [ -n "$uid" ]; } && { [ -z "$group" ] || [ -n "$gid" ]; }; then
    spec=''
    [ -n "$owner" ] && spec=$uid
    [ -n "$group" ] && spec="$spec:$gid"
    all_mode=$(printf '%s\n' "$input" | sed -n '1s/ .*//p')
    if { [ -z "$spec" ] || printf '%s\n' "$input" | sed 's/^[^ ]* //' | tr '\n' '\000' |
      xargs -0 chown -h -- "$spec" 2>/dev/null; } &&
      { [ "$all_mode" = - ] || printf '%s\n' "$input" | sed 's/^[^ ]* //' |
        while IFS= read -r p; do [ -L "$p" ] || printf '%s\000' "$p"; done |
        xargs -0 chmod -- "$all_mode" 2>/dev/null; }; then
      echo changed=1
      if [ "$describe" = 1 ]; then
        printf '%s\n' "$input" | sed 's/^[^ ]* //' | describe_paths
      fi
      describe_path "$dest" | sed 's/^/dest_/'
      echo end=1
      exit 0
    fi
  fi
  list=''
  while IFS=' ' read -r want_mode p; do
    list="$list$p
"
    [ -e "$p" ] || [ -L "$p" ] || continue
    case $p in -*) p=./$p ;; esac
    if [ -n "$owner" ]; then
      [ -n "$uid" ] || fail owner-lookup "$owner"
      now=-
      [ "$blind" = 1 ] || now=$(stat -c %u -- "$p")
      if [ "$now" != "$uid" ]; then
        out=$(chown -h -- "$uid" "$p" 2>&1) || fail chown "$out"
        changed=1
      fi
    fi
    if [ -n "$group" ]; then
      [ -n "$gid" ] || fail group-lookup "$group"
      now=-
      [ "$blind" = 1 ] || now=$(stat -c %g -- "$p")
      if [ "$now" != "$gid" ]; then
        out=$(chgrp -h -- "$gid" "$p" 2>&1) || fail chgrp "$out"
        changed=1
      fi
    fi
    # A link's own mode is never changed (chmod would change what it points to).
    if [ "$want_mode" != - ] && [ ! -L "$p" ]; then
      now=-
      [ "$blind" = 1 ] || now=$(stat -c %a -- "$p")
      if [ "$now" = - ] || [ "$((0$now))" != "$((0$want_mode))" ]; then
        out=$(chmod -- "$want_mode" "$p" 2>&1) || fail chmod "$out"
        changed=1
      fi
    fi
  done <<EOF
$input
EOF
  [ -n "$changed" ] && echo changed=1
  if [ "$describe" = 1 ]; then
    printf '%s' "$list" | describe_paths
  fi
  describe_path "$dest" | sed 's/^/dest_/'
  echo end=1
  exit 0
fi

# probe
src_arg=$1 dest_arg=$2 check=$3 stats=$4 zip_args=$5 tar_list_args=$6 tar_diff_args=$7
owner=$8 group=$9
shift 9
# "$@": the excludes (patterns), with which a tar listing may leave no names at all.
src=$(apb_expand "$src_arg") && src=${src%x}
dest=$(apb_expand "$dest_arg") && dest=${dest%x}
echo "src_hex=$(printf '%s' "$src" | hex)"
echo "dest_hex=$(printf '%s' "$dest" | hex)"
echo "run_uid=$(id -u)"
echo "run_gid=$(id -g)"
echo "run_groups=$(id -G | tr ' ' ,)"
echo "run_user=$(id -un 2>/dev/null || id -u)"
echo "run_group=$(id -gn 2>/dev/null || id -g)"
echo "umask=$(umask)"
# The accounts owner and group name (by name, or by number), as name:id.
account() {
  if has getent; then
    getent "$1" "$2" | cut -d: -f1,3
  else
    awk -F: -v n="$2" '$1 == n || $3 == n { print $1 ":" $3; exit }' "/etc/$1"
  fi
}
[ -n "$owner" ] && echo "owner_account=$(account passwd "$owner" | head -n 1)"
[ -n "$group" ] && echo "group_account=$(account group "$group" | head -n 1)"

finish() {
  echo end=1
  exit 0
}
# The action checks dest before the module looks at src.
if [ ! -d "$dest" ]; then
  echo dest=notdir
  finish
fi
echo dest=dir
describe_path "$dest" | sed 's/^/dest_/'
if [ ! -e "$src" ]; then
  echo src=missing
  finish
elif [ ! -r "$src" ]; then
  echo src=unreadable
  finish
elif [ ! -s "$src" ]; then
  echo src=empty
  finish
fi
echo src=ok

pick_locale
work=$(mktemp -d) || {
  echo missing_tool=mktemp
  finish
}
trap 'rm -rf -- "$work"' EXIT
out=$work/out err=$work/err

reason() {
  echo "reason_hex=$(printf '%s' "$1" | hex)"
}

# A reason already in hex.
reason_hex() {
  echo "reason_hex=$1"
}

handler=
unzip=$(command -v unzip 2>/dev/null) || unzip=
zipinfo=$(command -v zipinfo 2>/dev/null) || zipinfo=
unzip_lists=
unzip_reason=
if [ -n "$unzip" ]; then
  cwd=.
  run_in "$unzip" -l "$src"
  if [ "$rc" = 0 ]; then
    unzip_lists=1
  else
    unzip_reason=$({ printf 'Command "%s" could not handle archive: ' "$unzip"; cat "$err"; } | hex)
  fi
fi
# ZipArchive needs unzip and zipinfo; ZipZArchive unzip with its -Z.
if [ -z "$unzip" ] && [ -z "$zipinfo" ]; then
  reason "Unable to find required 'unzip' or 'zipinfo' binary in the path."
elif [ -z "$unzip" ]; then
  reason "Unable to find required 'unzip' binary in the path."
elif [ -z "$zipinfo" ]; then
  reason "Unable to find required 'zipinfo' binary in the path."
elif [ -n "$unzip_lists" ]; then
  handler=ZipArchive
else
  reason_hex "$unzip_reason"
fi
if [ -z "$handler" ]; then
  if [ -z "$unzip" ]; then
    reason "Unable to find required 'unzip' or 'unzip' binary in the path."
  elif [ -z "$unzip_lists" ]; then
    reason_hex "$unzip_reason"
  elif "$unzip" -Z 2>"$err" | grep -qi zipinfo; then
    handler=ZipZArchive
    zipinfo="$unzip -Z"
  else
    reason_hex "$({ printf 'Command "unzip -Z" could not handle archive: '; cat "$err"; } | hex)"
  fi
fi

if [ -n "$handler" ]; then
  echo "handler=$handler"
  echo "cmd_path_hex=$(printf '%s' "$unzip" | hex)"
  cwd=.
  run_in "$unzip" -Z1 "$src"
  echo "list_hex=$(hex <"$out")"
  cp "$out" "$work/names"
  # shellcheck disable=SC2086 # $zipinfo is a path, or a path and -Z
  eval "run_in $zipinfo -T -s \"\$src\" $zip_args"
  echo "zipinfo_rc=$rc"
  echo "zipinfo_hex=$(hex <"$out")"
  run_in "$unzip" -v "$src"
  echo "crcs_hex=$(hex <"$out")"
  if ! has gzip; then
    echo missing_tool=gzip
    finish
  fi
  want_crc=1
  describe_all "$dest" "$work/names"
  finish
fi

# The tar handlers; Ansible's module stops at the first of them in check mode.
if [ "$check" = 1 ]; then
  echo handler=check
  finish
fi
tar=$(command -v gtar 2>/dev/null) || tar=$(command -v tar 2>/dev/null) || tar=
if [ -z "$tar" ]; then
  reason "Unable to find required 'gtar' or 'tar' binary in the path"
  finish
fi
cwd=.
run_in "$tar" --version
case $(cat "$out") in
  bsdtar*) tar_type=bsd ;;
  tar*GNU*) tar_type=gnu ;;
  *) tar_type=None ;;
esac
if [ "$tar_type" != gnu ]; then
  reason "Command \"$tar\" detected as tar type $tar_type. GNU tar required."
  finish
fi
cwd=$dest
for handler in TgzArchive TarArchive TarBzipArchive TarXzArchive TarZstdArchive; do
  case $handler in
    TgzArchive) flag=-z ;;
    TarArchive) flag= ;;
    TarBzipArchive) flag=-j ;;
    TarXzArchive) flag=-J ;;
    *) flag=--use-compress-program=zstd ;;
  esac
  eval "run_in \"\$tar\" --list -C \"\$dest\" $flag $tar_list_args"
  if [ "$rc" != 0 ]; then
    reason_hex "$({ printf 'Command "%s" could not handle archive: Unable to list files in the archive: ' "$tar"; cat "$err"; } | hex)"
    continue
  fi
  # Listed: the names that are left once the excludes are applied (fnmatch: * matches / too).
  : >"$work/names"
  while IFS= read -r name; do
    case $name in /*) name=${name#/} ;; esac
    for pattern do
      # shellcheck disable=SC2254 # the exclude is a pattern
      case $name in $pattern) continue 2 ;; esac
    done
    printf '%s\n' "$name" >>"$work/names"
  done <"$out"
  if [ ! -s "$work/names" ]; then
    reason "Command \"$tar\" found no files in archive. Empty archive files are not supported."
    continue
  fi
  echo "handler=$handler"
  echo "list_hex=$(hex <"$out")"
  found=$handler
  break
done
if [ -n "${found:-}" ]; then
  echo "cmd_path_hex=$(printf '%s' "$tar" | hex)"
  echo "flag=$flag"
  eval "run_in \"\$tar\" --diff -C \"\$dest\" $flag $tar_diff_args"
  echo "diff_rc=$rc"
  echo "diff_out_hex=$(hex <"$out")"
  echo "diff_err_hex=$(hex <"$err")"
  if [ "$stats" = 1 ]; then
    want_crc=0
    describe_all "$dest" "$work/names"
  fi
fi
finish
