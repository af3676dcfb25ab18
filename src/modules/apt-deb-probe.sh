#!/bin/sh
# apb-apt-deb-probe: reads .deb files for the apt module's `deb` option, in one round trip: fetches a
# URL first (curl or wget) into a new directory, then for each file its Package, Version,
# Architecture, Depends and Pre-Depends, the installed version of that package, and dpkg's state and
# apt's policy of every package its dependencies name. POSIX sh.
#
# Run as:  /bin/sh -c "<this text>" apb-apt-deb-probe <deb path or URL>...
# (src/modules/apt-deb.ts parses the answer)
#
# The answer: missing_tool=<name>; fetch_dir (when a URL was fetched), fetch_failed_hex; per file
# deb=<path hex>:<rc of dpkg-deb -f, or enoent/eacces>:<fields hex>:<installed "status|version" hex>; multiarch=0|1;
# dep=<name hex>:<dpkg-query "status|version" hex>; policy_hex. Last line end=1.
set -u

hex() {
  od -An -v -tx1 | tr -d ' \n'
}

command -v dpkg >/dev/null 2>&1 || {
  echo missing_tool=dpkg
  echo end=1
  exit 0
}

fetch_dir=
files=
for deb in "$@"; do
  case $deb in
    *://*)
      if [ -z "$fetch_dir" ]; then
        fetch_dir=$(mktemp -d)
        echo "fetch_dir=$fetch_dir"
      fi
      base=${deb##*/}
      base=${base%%\?*}
      [ -n "$base" ] || base=download.deb
      target=$fetch_dir/$base
      if command -v curl >/dev/null 2>&1; then
        err=$(curl -fsSL -o "$target" -- "$deb" 2>&1) || {
          echo "fetch_failed_hex=$(printf '%s: %s' "$deb" "$err" | hex)"
          echo end=1
          exit 0
        }
      elif command -v wget >/dev/null 2>&1; then
        err=$(wget -q -O "$target" -- "$deb" 2>&1) || {
          echo "fetch_failed_hex=$(printf '%s: %s' "$deb" "$err" | hex)"
          echo end=1
          exit 0
        }
      else
        echo missing_tool=curl
        echo end=1
        exit 0
      fi
      deb=$target
      ;;
  esac
  files="$files
$deb"
done

if [ -n "$(dpkg --print-foreign-architectures 2>/dev/null)" ]; then
  echo multiarch=1
else
  echo multiarch=0
fi

deps=
list=$(mktemp)
printf '%s\n' "$files" | sed 1d >"$list"
while IFS= read -r deb; do
  if [ ! -e "$deb" ]; then
    fields='' rc=enoent
  elif [ ! -r "$deb" ]; then
    fields='' rc=eacces
  else
    fields=$(dpkg-deb -f -- "$deb" Package Version Architecture Depends Pre-Depends 2>&1)
    rc=$?
  fi
  name=$(printf '%s\n' "$fields" | sed -n 's/^Package: //p')
  arch=$(printf '%s\n' "$fields" | sed -n 's/^Architecture: //p')
  installed=
  if [ -n "$name" ]; then
    installed=$(dpkg-query -W -f='${db:Status-Status}|${Version}\n' -- "$name" "$name:$arch" 2>/dev/null | grep '^installed|' | head -n 1)
  fi
  echo "deb=$(printf '%s' "$deb" | hex):$rc:$(printf '%s' "$fields" | hex):$(printf '%s' "$installed" | hex)"
  deps="$deps $(printf '%s\n' "$fields" | sed -n 's/^\(Pre-\)\{0,1\}Depends: //p' | tr ',' '\n' | tr '|' '\n' | sed 's/(.*//; s/:.*//' | tr -d ' ')"
done <"$list"
rm -f "$list"

# The names read from the .deb files split on blanks, never globbed (a file's Depends is its author's text).
set -f
names=
for dep in $deps; do
  case " $names " in *" $dep "*) continue ;; esac
  names="$names $dep"
  line=$(dpkg-query -W -f='${db:Status-Status}|${Version}\n' -- "$dep" 2>/dev/null | head -n 1)
  echo "dep=$(printf '%s' "$dep" | hex):$(printf '%s' "$line" | hex)"
done
if [ -n "$names" ]; then
  # shellcheck disable=SC2086 # package names have no blanks
  echo "policy_hex=$(apt-cache policy -- $names 2>/dev/null | hex)"
fi
echo end=1
