#!/bin/sh
# apb-deb822: reads the files deb822_repository may replace: for each path argument, one line
#   path=<path hex> <kind: file, dir, other or none> <mode, octal, or -> <contents hex, or - when not a
#   readable regular file>
# and the umask (umask=<octal>). Last line end=1. POSIX sh.
#
# Run as:  /bin/sh -c "<this text>" apb-deb822 PATH…
set -u

hex() {
  od -An -v -tx1 | tr -d ' \n'
}

echo "umask=$(umask)"
for path in "$@"; do
  kind=none mode=- text=-
  if [ -f "$path" ]; then
    kind='file'
    mode=$(stat -L -c '%a' -- "$path" 2>/dev/null) || mode=-
    [ -r "$path" ] && text=$(hex <"$path")
  elif [ -d "$path" ]; then
    kind=dir
  elif [ -e "$path" ] || [ -L "$path" ]; then
    kind=other
  fi
  echo "path=$(printf '%s' "$path" | hex) $kind $mode $text"
done
echo end=1
