#!/bin/sh
# apb-package: which package manager the target has, and the state of each named package, in one
# round trip. POSIX sh, no Python.
#
# Run as:  /bin/sh -c "<this text>" apb-package <name>...   (src/facts/package.ts parses the answer)
#
# The database is dpkg (dpkg-query) on Debian-like targets, else rpm. For each name, in order:
# package_hex=<name in hex>, then query_hex=<what the database said, in hex> and query_status=<its
# exit status>. The last line is end=1.
set -u

hex() {
  od -An -v -tx1 | tr -d ' \n'
}

has() {
  command -v "$1" >/dev/null 2>&1
}

for manager in apt-get dnf yum zypper apk pacman; do
  if has "$manager"; then
    echo "manager=$manager"
    break
  fi
done

if has dpkg-query; then
  database=dpkg
elif has rpm; then
  database=rpm
else
  echo database=none
  echo end=1
  exit 0
fi
echo "database=$database"

for name in "$@"; do
  echo "package_hex=$(printf '%s' "$name" | hex)"
  if [ "$database" = dpkg ]; then
    # One line per installed architecture: status abbreviation, version, architecture.
    out=$(dpkg-query -W -f='${db:Status-Abbrev}|${Version}|${Architecture}\n' -- "$name" 2>/dev/null)
  else
    out=$(rpm -q --qf '%{VERSION}-%{RELEASE}|%{ARCH}\n' -- "$name" 2>/dev/null)
  fi
  status=$?
  echo "query_hex=$(printf '%s' "$out" | hex)"
  echo "query_status=$status"
done
echo end=1
