#!/bin/sh
# apb-apt-sources: reads the one-line apt sources on the target for apt_repository: where apt keeps them
# (apt-config, so Dir::Etc settings and APT_CONFIG count as they do for apt itself), then sources.list
# and every sources.list.d/*.list file with its text and mode. POSIX sh.
#
# Run as:  /bin/sh -c "<this text>" apb-apt-sources
# The answer (key=value lines, paths and texts in hex):
#   missing_tool=apt-config when apt-config is missing (the target is no apt system)
#   list_hex=<sources.list path> parts_hex=<sources.list.d directory> umask=<octal> codename=<VERSION_CODENAME>
#   then one line per file: file=<path hex> <mode, octal> <contents hex, or - when it cannot be read>.
#   Last line end=1.
set -u
PATH=$PATH:/usr/sbin:/sbin
export PATH

hex() {
  od -An -v -tx1 | tr -d ' \n'
}

if ! command -v apt-config >/dev/null 2>&1; then
  echo missing_tool=apt-config
  echo end=1
  exit 0
fi
list=/etc/apt/sources.list
parts=/etc/apt/sources.list.d/
eval "$(apt-config shell list Dir::Etc::sourcelist/f parts Dir::Etc::sourceparts/d 2>/dev/null)"
echo "list_hex=$(printf '%s' "$list" | hex)"
echo "parts_hex=$(printf '%s' "$parts" | hex)"
echo "umask=$(umask)"
codename=
if [ -r /etc/os-release ]; then
  codename=$(sed -n 's/^VERSION_CODENAME=//p' /etc/os-release | tr -d '"'"'" | head -n 1)
fi
echo "codename=$codename"

show() {
  [ -f "$1" ] || return 0
  text=-
  [ -r "$1" ] && text=$(hex <"$1")
  echo "file=$(printf '%s' "$1" | hex) $(stat -L -c '%a' -- "$1" 2>/dev/null) $text"
}

show "$list"
parts=${parts%/}
for file in "$parts"/*.list; do
  show "$file"
done
echo end=1
