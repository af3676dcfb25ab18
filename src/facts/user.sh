#!/bin/sh
# apb-user: one account's entry on the target (user or group), in one round trip. POSIX sh.
#
# Run as:  /bin/sh -c "<this text>" apb-user <user|group> <name>   (src/facts/user.ts parses it)
#
# The entry comes from getent (so LDAP and NIS accounts count), else from /etc/passwd or /etc/group.
# For a user, its groups come from `id -Gn`. Entries are printed in hex (entry_hex, groups_hex);
# found=0 when there is none. The last line is end=1.
set -u
kind=$1 name=$2

hex() {
  od -An -v -tx1 | tr -d ' \n'
}

if [ "$kind" = user ]; then
  database=passwd
else
  database=group
fi

if command -v getent >/dev/null 2>&1; then
  entry=$(getent "$database" "$name" 2>/dev/null) || entry=
else
  echo missing_tool=getent
  entry=$(awk -F: -v wanted="$name" '$1 == wanted { print; exit }' "/etc/$database" 2>/dev/null) || entry=
fi

if [ -z "$entry" ]; then
  echo found=0
  echo end=1
  exit 0
fi
echo found=1
echo "entry_hex=$(printf '%s' "$entry" | hex)"
if [ "$kind" = user ]; then
  echo "groups_hex=$(id -Gn -- "$name" 2>/dev/null | hex)"
fi
echo end=1
