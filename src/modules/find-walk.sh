# shellcheck shell=sh
# apb-find: walks directories as Python's os.walk does for Ansible's find, in one round trip. POSIX sh
# and find/stat/test (GNU or busybox stat -c); apb_expand (expand-args.sh) is defined before this.
#
# Run as:  /bin/sh -c "<expand-args.sh + this>" apb-find <follow> <levels> <checksum> <icase> <ere> <path>...
#   follow    1: walk into symbolic links to directories (os.walk followlinks)
#   levels    how many directory levels below each path to walk: -1 for all, 0 for the path only
#   checksum  1: sha1 of each regular file
#   icase     1: match ere ignoring case (grep -i)
#   ere       when not empty: list the regular files that have a line matching this ERE from its start
#
# The answer, in walk order: for each path `top_hex=` (expanded), then `nodir=1` or, per directory walked,
# `dir_hex=` and one block per entry (`@` line, stat fields, `name_hex=`), `isdir_hex=` per entry that
# is a directory (following links), `sum=` lines (`sha1  name`), `grep_hex=` per matching file; a
# directory that cannot be listed gives `error_dir_hex=` and `error_hex=` (find's message) and ends
# that path's walk. Last line: end=1.
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

# Lists one directory ($1, as the walk names it) at level $2, then walks its subdirectories in order.
walk() {
  dir=$1 level=$2
  # A directory that cannot be listed stops the walk of this path, as os.walk's onerror raising.
  if ! err=$(find "$dir/." ! -name . -prune -print 2>&1 >/dev/null) || [ -n "$err" ]; then
    printf '%s' "$dir" | { printf 'error_dir_hex='; hex; echo; }
    printf '%s' "${err:-cannot list $dir}" | { printf 'error_hex='; hex; echo; }
    return 1
  fi
  # Entries are read a line each: a name holding a newline is reported, never misread.
  if [ -n "$(find "$dir/." ! -name . -prune -name "*$nl*" -print)" ]; then
    printf '%s' "$dir" | { printf 'newline_hex='; hex; echo; }
    return 1
  fi
  printf '%s' "$dir" | { printf 'dir_hex='; hex; echo; }
  find "$dir/." ! -name . -prune -exec stat -c "$FORMAT" {} + 2>/dev/null
  find "$dir/." ! -name . -prune \( -type d -o -type l -exec test -d {} \; \) -print |
    while IFS= read -r sub; do
      printf '%s' "${sub##*/}" | { printf 'isdir_hex='; hex; echo; }
    done
  if [ "$checksum" = 1 ]; then
    find "$dir/." ! -name . -prune -type f -exec sha1sum {} + 2>/dev/null | sed 's/^/sum=/'
  fi
  if [ -n "$ere" ]; then
    find "$dir/." ! -name . -prune -type f -exec grep -l -E "$grep_case" -e "$ere" {} + 2>/dev/null |
      while IFS= read -r match; do
        printf '%s' "${match##*/}" | { printf 'grep_hex='; hex; echo; }
      done
  fi
  [ "$levels" = 0 ] && return 0
  next=$((level + 1))
  if [ "$levels" -ge 0 ] && [ "$next" -gt "$levels" ]; then return 0; fi
  if [ "$follow" = 1 ]; then
    subdirs=$(find "$dir/." ! -name . -prune \( -type d -o -type l -exec test -d {} \; \) -print)
  else
    subdirs=$(find "$dir/." ! -name . -prune -type d -print)
  fi
  [ -z "$subdirs" ] && return 0
  # One subshell per directory keeps each level's variables; a failure ends the whole walk.
  printf '%s\n' "$subdirs" | {
    status=0
    while IFS= read -r sub; do
      # As os.path.join: no second slash after a path that ends with one.
      case $dir in
        */) child=$dir${sub##*/} ;;
        *) child=$dir/${sub##*/} ;;
      esac
      (walk "$child" "$next") || { status=1; break; }
    done
    exit "$status"
  }
}

echo "now=$(date +%s)"
for top in "$@"; do
  top=$(apb_expand "$top")
  top=${top%x}
  printf '%s' "$top" | { printf 'top_hex='; hex; echo; }
  if [ ! -d "$top" ]; then
    echo nodir=1
    continue
  fi
  (walk "$top" 0) || true
  echo path_end=1
done
echo end=1
