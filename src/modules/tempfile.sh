#!/bin/sh
# apb-tempfile: creates a temporary file (0600) or directory (0700) on the target, exclusively: an
# existing name is never reused, nor a link planted under it followed. POSIX sh, no Python.
#
# Run as:  /bin/sh -c "<path-info.sh + this text>" apb-tempfile <file|directory> <dir or ""> <name>…
# (src/modules/tempfile.ts builds the command, with a few random names to try, and parses the answer)
#
# The directory, when not given, is the first writable one of $TMPDIR, $TEMP, $TMP, /tmp, /var/tmp,
# /usr/tmp, as Python's tempfile picks it. The answer is key=value lines ending with end=1:
#   created=<path> and its path fields, or error=<errno> with dir=<the directory>.
set -u
state=$1
home_path "$2"
# shellcheck disable=SC2154 # set by home_path (path-info.sh)
dir=$expanded
shift 2

if [ -z "$dir" ]; then
  for candidate in "${TMPDIR:-}" "${TEMP:-}" "${TMP:-}" /tmp /var/tmp /usr/tmp; do
    if [ -n "$candidate" ] && [ -d "$candidate" ] && [ -w "$candidate" ]; then
      dir=$candidate
      break
    fi
  done
  [ -n "$dir" ] || dir=$(pwd)
fi
echo "dir=$dir"
case $dir in
  /*) ;;
  *) dir=$(pwd)/$dir ;;
esac

for name in "$@"; do
  target=$dir/$name
  if [ "$state" = directory ]; then
    mkdir -m 700 -- "$target" 2>/dev/null && created=1 || created=0
  else
    # noclobber: the shell opens the file with O_EXCL.
    (umask 077 && set -C && : >"$target") 2>/dev/null && created=1 || created=0
  fi
  if [ "$created" = 1 ]; then
    echo "created=$target"
    describe_path "$target"
    echo end=1
    exit 0
  fi
  [ -e "$target" ] || [ -L "$target" ] || break
done

# Why it could not be created, as Python's errno names it.
if [ ! -e "$dir" ]; then
  echo error=2
elif [ ! -d "$dir" ]; then
  echo error=20
elif [ -e "$target" ] || [ -L "$target" ]; then
  echo error=17
else
  echo error=13
fi
echo "failed=$target"
echo end=1
