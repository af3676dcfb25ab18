#!/bin/sh
# apb-user-probe: what the user module decides from, in one round trip. POSIX sh.
#
# Run as:  /bin/sh -c "<account-run.sh + this text>" apb-user-probe <name> <home or ""> \
#            <ssh key file or ""> <group or ""> <group>…
# (src/modules/user.ts builds the command and parses the answer; see user-act.sh for the changes)
#
# The answer (values that may hold any byte are hex):
#   home_arg_hex, key_arg_hex   the home and key file asked for, expanded
#   pw_hex, sp_hex     the passwd and shadow entries (empty when none, or shadow unreadable)
#   own_group=1        a group named like the user exists
#   group_hex          the entry of the `group` argument (by gid when it is a number, else by name)
#   each_hex           the entry of each of the `groups`, in order (empty when none)
#   member=NAME        each group that lists the user as a member
#   home_hex, home_exists, home_parent   the home (given, else the passwd one) and whether it and its
#                      parent directory exist
#   with a key file: hostname_hex (uname -n, for the key's default comment) and the fields of
#   ssh_key_state (account-run.sh)
#   end=1
set -u
name=$1 home=$2 key=$3 group=$4
shift 4
# home and ssh_key_file are Ansible `path` arguments: $VAR and a leading ~ expanded on the target.
if [ -n "$home" ]; then
  home=$(apb_expand "$home")
  home=${home%x}
  echo "home_arg_hex=$(printf '%s' "$home" | hex)"
fi
if [ -n "$key" ]; then
  key=$(apb_expand "$key")
  key=${key%x}
  echo "key_arg_hex=$(printf '%s' "$key" | hex)"
fi

pw=$(entry passwd "$name")
echo "pw_hex=$(printf '%s' "$pw" | hex)"
echo "sp_hex=$(entry shadow "$name" | hex)"
[ -n "$(entry group "$name")" ] && echo own_group=1
[ -n "$group" ] && echo "group_hex=$(entry group "$group" | hex)"
for each in "$@"; do
  echo "each_hex=$(entry group "$each" | hex)"
done
if [ -n "$pw" ]; then
  if have getent; then getent group; else cat /etc/group; fi 2>/dev/null |
    awk -F: -v user="$name" '{ n = split($4, m, ","); for (i = 1; i <= n; i++) if (m[i] == user) { print "member=" $1; break } }'
  [ -n "$home" ] || home=$(printf '%s\n' "$pw" | cut -d: -f6)
fi
if [ -n "$home" ]; then
  echo "home_hex=$(printf '%s' "$home" | hex)"
  [ -e "$home" ] && echo home_exists=1
  [ -d "$(dirname -- "$home")" ] && echo home_parent=1
fi
if [ -n "$key" ]; then
  echo "hostname_hex=$(uname -n | hex)"
  ssh_key_state "$home" "$key"
fi
echo end=1
