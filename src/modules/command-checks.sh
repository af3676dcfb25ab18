# Checks made before a command runs, so that a command that cannot start fails as Ansible's command
# module reports it (Python's os.chdir and subprocess errors) instead of with the shell's own message.
# A failed check prints one line on stdout, "$__apb_mark <what> <errno> <path>", before anything else
# runs, and exits 1; the controller turns the line into Ansible's result. $__apb_mark is set by the caller to
# a fresh random word, so no command's output can pass for such a line.

__apb_cannot() {
  # shellcheck disable=SC2154 # set by the caller, before these functions are defined
  printf '%s %s %s %s\n' "$__apb_mark" "$1" "$2" "$3"
  exit 1
}

# Changes to the directory as os.chdir does: the physical directory (so `pwd` and $PWD show the path
# with its symbolic links resolved), or the errno os.chdir would give: ENOTDIR 20, ENOENT 2, EACCES 13.
__apb_cd() {
  cd -P -- "$1" 2>/dev/null && return 0
  if [ -e "$1" ]; then
    [ -d "$1" ] || __apb_cannot chdir 20 "$1"
    __apb_cannot chdir 13 "$1"
  fi
  __apb_up=$1
  while :; do
    case $__apb_up in
      */*) __apb_up=${__apb_up%/*} ;;
      *) break ;;
    esac
    [ -n "$__apb_up" ] || break
    if [ -e "$__apb_up" ] && [ ! -d "$__apb_up" ]; then __apb_cannot chdir 20 "$1"; fi
  done
  __apb_cannot chdir 2 "$1"
}

# The errno execve would give for a file: 0 (it can run), ENOENT 2, EACCES 13 (a directory, or no
# execute permission). Sets __apb_errno.
__apb_exec_errno() {
  if [ ! -e "$1" ]; then
    __apb_errno=2
  elif [ -d "$1" ] || [ ! -x "$1" ]; then
    __apb_errno=13
  else
    __apb_errno=0
  fi
}

# Finds a program as Python's subprocess does without a shell: a name with a slash is used as it is;
# any other name is tried in each directory of $PATH (Python's default path when PATH is unset), and
# the error is the first one other than ENOENT, else ENOENT.
__apb_check_program() {
  case $1 in
    */*)
      __apb_exec_errno "$1"
      [ "$__apb_errno" = 0 ] || __apb_cannot exec "$__apb_errno" "$1"
      return 0
      ;;
  esac
  __apb_saved=0
  __apb_rest=${PATH-/bin:/usr/bin}:
  while [ -n "$__apb_rest" ]; do
    __apb_dir=${__apb_rest%%:*}
    __apb_rest=${__apb_rest#*:}
    if [ -n "$__apb_dir" ]; then __apb_exec_errno "$__apb_dir/$1"; else __apb_exec_errno "$1"; fi
    [ "$__apb_errno" = 0 ] && return 0
    if [ "$__apb_errno" != 2 ] && [ "$__apb_saved" = 0 ]; then __apb_saved=$__apb_errno; fi
  done
  [ "$__apb_saved" != 0 ] || __apb_saved=2
  __apb_cannot exec "$__apb_saved" "$1"
}
