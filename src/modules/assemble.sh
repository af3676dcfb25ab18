#!/bin/sh
# apb-assemble: reads a directory of fragments on the target for assemble, in one round trip.
# POSIX sh, no Python.
#
# Run as:  /bin/sh -c "<path-info.sh + this text>" apb-assemble <src> <ignore_hidden: 0|1>
# (src/modules/assemble.ts builds the command, then filters, orders and joins the fragments)
#
# The answer is key=value lines ending with end=1: src=<expanded src>, then state=missing | notdir |
# dir; for a directory one line per entry: entry=<kind>:<name in hex>:<contents in hex>, where kind is
# f (a regular file, or a link to one, that can be read: its contents follow), u (such a file that
# cannot be read) or o (anything else: no contents).
set -u
home_path "$1"
# shellcheck disable=SC2154 # set by home_path (path-info.sh)
src=$expanded hidden=$2
echo "src=$src"

hex() {
  od -An -v -tx1 | tr -d ' \n'
}

if [ ! -e "$src" ]; then
  echo state=missing
elif [ ! -d "$src" ]; then
  echo state=notdir
else
  echo state=dir
  # Every name, hidden ones included (the glob's order does not matter: the controller sorts).
  for entry in "$src"/* "$src"/.*; do
    name=${entry##*/}
    case $name in
      . | ..) continue ;;
      '*' | '.*') [ -e "$entry" ] || [ -L "$entry" ] || continue ;;
    esac
    if [ "$hidden" = 1 ]; then
      case $name in .*) continue ;; esac
    fi
    if [ -f "$entry" ] && [ -r "$entry" ]; then
      printf 'entry=f:%s:%s\n' "$(printf '%s' "$name" | hex)" "$(hex <"$entry")"
    elif [ -f "$entry" ]; then
      printf 'entry=u:%s:\n' "$(printf '%s' "$name" | hex)"
    else
      printf 'entry=o:%s:\n' "$(printf '%s' "$name" | hex)"
    fi
  done
fi
echo end=1
