#!/bin/sh
# apb-group: adds, changes or deletes one group on the target with its own tools (groupadd, groupmod,
# groupdel; BusyBox's addgroup and delgroup where those are missing). POSIX sh.
#
# Run as:  /bin/sh -c "<account-run.sh + this text>" apb-group <add|mod|del> <name> <gid or ""> \
#            <non_unique 0|1> <system 0|1>
# (src/modules/group.ts decides what to do from the group fact, builds the command and parses the answer)
#
# The answer: missing_tool=<name> when the tool is missing; else rc=<exit code>, out_hex and err_hex
# (what the tool printed), and entry_hex, the group's entry afterwards (getent group). Last line end=1.
set -u
op=$1 name=$2 gid=$3 non_unique=$4 system=$5
found=

# shellcheck disable=SC2154 # $found is set by have (account-run.sh)
case $op in
  add)
    if have groupadd; then
      set -- "$found"
      [ -n "$gid" ] && set -- "$@" -g "$gid"
      [ -n "$gid" ] && [ "$non_unique" = 1 ] && set -- "$@" -o
      [ "$system" = 1 ] && set -- "$@" -r
    elif have addgroup; then
      set -- "$found"
      [ -n "$gid" ] && set -- "$@" -g "$gid"
      [ "$system" = 1 ] && set -- "$@" -S
    else
      missing groupadd
    fi
    ;;
  mod)
    have groupmod || missing groupmod
    set -- "$found" -g "$gid"
    [ "$non_unique" = 1 ] && set -- "$@" -o
    ;;
  del)
    if have groupdel || have delgroup; then
      set -- "$found"
    else
      missing groupdel
    fi
    ;;
esac

run_tool "$@" "$name"
echo "entry_hex=$(entry group "$name" | hex)"
echo end=1
