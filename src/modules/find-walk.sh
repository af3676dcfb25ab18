# shellcheck shell=sh
# apb-find: lists the trees under Ansible's find paths in one round trip, a few `find` passes per path
# (never a process per directory). POSIX sh with find (-mindepth/-maxdepth, as GNU, busybox and BSD
# have), stat -c (GNU or busybox) and test; apb_expand (expand-args.sh) is defined before this.
# src/modules/find.ts rebuilds os.walk's order from the listing.
#
# Run as:  /bin/sh -c "<expand-args.sh + this>" apb-find <follow> <levels> <checksum> <icase> <ere> <path>...
#   follow    1: walk into symbolic links to directories (os.walk followlinks; find -L)
#   levels    how many directory levels below each path to walk: -1 for all, 0 for the path only
#   checksum  1: sha1 of each regular file
#   icase     1: match ere ignoring case (grep -i)
#   ere       when not empty: list the regular files that have a line matching this ERE from its start
#
# The answer, per path: `top_hex=` (expanded), then `nodir=1`, or `newline=1` when a name holds a
# newline (names are read a line each), or: `unreadable_hex=` per directory in reach that cannot be
# listed, `linkdir_hex=` per symbolic link to a directory, one block per entry (`@` line, stat fields,
# `name=` its path), `sum=` lines (`sha1  path`), `grep_hex=` per matching file. Last line: end=1.
set -u
follow=$1 levels=$2 checksum=$3 icase=$4 ere=$5
shift 5
case $icase in 1) grep_case=-i ;; *) grep_case=-E ;; esac
nl='
'

hex() {
  od -An -v -tx1 | tr -d ' \n'
}

if ! stat -c %f / >/dev/null 2>&1; then
  echo missing_tool=stat
  echo end=1
  exit 0
fi
if [ "$checksum" = 1 ] && ! command -v sha1sum >/dev/null 2>&1; then
  echo missing_tool=sha1sum
  echo end=1
  exit 0
fi

FORMAT='@
mode_hex=%f
uid=%u
gid=%g
owner=%U
group=%G
size=%s
inode=%i
dev=%d
nlink=%h
atime=%X
mtime=%Y
ctime=%Z
atime_text=%x
mtime_text=%y
ctime_text=%z
name=%n'

echo "now=$(date +%s)"
for top in "$@"; do
  top=$(apb_expand "$top")
  top=${top%x}
  printf '%s' "$top" | { printf 'top_hex='; hex; echo; }
  if [ ! -d "$top" ]; then
    echo nodir=1
    continue
  fi
  # Never an option to find (the names it prints then start with ./, which normpath drops).
  case $top in -*) top=./$top ;; esac
  # The walk reaches directories down to `levels` below the path, and lists their entries.
  if [ "$follow" = 1 ]; then set -- -L; else set --; fi
  if [ "$levels" -ge 0 ]; then
    set -- "$@" "$top" -mindepth 1 -maxdepth "$((levels + 1))"
  else
    set -- "$@" "$top" -mindepth 1
  fi
  if [ -n "$(find "$@" -name "*$nl*" -print 2>/dev/null | head -n 1)" ]; then
    echo newline=1
    continue
  fi
  # Every directory listed: find.ts reports only those its walk would enter.
  find "$@" -type d -exec sh -c '
    for d; do [ -r "$d" ] || printf "%s\n" "$d"; done' apb-unreadable {} + 2>/dev/null |
    while IFS= read -r d; do printf '%s' "$d" | { printf 'unreadable_hex='; hex; echo; }; done
  [ -r "$top" ] || { printf '%s' "$top" | { printf 'unreadable_hex='; hex; echo; }; }
  find "$@" -exec sh -c '
    for l; do [ -L "$l" ] && [ -d "$l" ] && printf "%s\n" "$l"; done; exit 0' apb-linkdirs {} + 2>/dev/null |
    while IFS= read -r l; do printf '%s' "$l" | { printf 'linkdir_hex='; hex; echo; }; done
  find "$@" -exec stat -c "$FORMAT" {} + 2>/dev/null
  if [ "$checksum" = 1 ]; then
    find "$@" -type f -exec sha1sum {} + 2>/dev/null | sed 's/^/sum=/'
  fi
  if [ -n "$ere" ]; then
    find "$@" -type f -exec grep -l -E "$grep_case" -e "$ere" {} + 2>/dev/null |
      while IFS= read -r match; do printf '%s' "$match" | { printf 'grep_hex='; hex; echo; }; done
  fi
  echo path_end=1
done
echo end=1
