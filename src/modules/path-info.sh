#!/bin/sh
# apb-path-info: functions prepended to the module scripts that report a path (wait-for.sh,
# tempfile.sh, assemble.sh). POSIX sh.
#
# describe_path prints the fields Ansible's exit_json adds to a result naming an existing path (its
# owner, group, mode, kind and size; of the path itself, not of what a link leads to), read by
# src/modules/path-info.ts. home_path expands the ~ and ~/… of an argument of type path, as Python's
# expanduser does.
describe_path() {
  [ -e "$1" ] || return 0
  if info=$(LC_ALL=C stat -c '%u %g %a %h %s' -- "$1" 2>/dev/null); then
    echo "info=$info"
    echo "owner=$(stat -c %U -- "$1")"
    echo "group=$(stat -c %G -- "$1")"
  fi
  if [ -L "$1" ]; then
    echo kind=link
  elif [ -d "$1" ]; then
    echo kind=directory
  fi
}

# Sets $expanded to $1 with a leading ~ or ~/ replaced by $HOME (a literal ~ is what is matched).
# shellcheck disable=SC2088,SC2034
home_path() {
  case $1 in
    '~') expanded=$HOME ;;
    '~/'*) expanded=$HOME/${1#'~/'} ;;
    *) expanded=$1 ;;
  esac
}
