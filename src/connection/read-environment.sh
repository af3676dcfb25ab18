#!/bin/sh
# apb-read-environment: the start of a command that takes a task's `environment:` from stdin, so no
# value is ever on a command line (ps, /proc/*/cmdline). Sent as text ahead of the command, in the
# same shell; src/connection/task-environment.ts writes the records and the lines that use this.
#
# Stdin starts with one record per variable: the number of lines of the value, then those lines, each
# ending in a newline (the value is the lines joined by newlines, so it may hold any byte but NUL,
# trailing newlines included). `read` takes one byte at a time from a pipe, so what follows the
# records (the task's own stdin) is left, untouched, for the command.
#
# Every name here starts with __apb_env_; the controller renames them all when a variable of the task
# starts with that, so a task's variable never collides with ours.
# shellcheck disable=SC2034 # used by the lines the controller appends
__apb_env_nl='
'
__apb_env_missing() {
  echo 'async-playbook: the task environment did not arrive on stdin' >&2
  exit 125
}
# Reads one record into $__apb_env_v; ends the shell when stdin ends early.
__apb_env_read() {
  IFS= read -r __apb_env_n || __apb_env_missing
  __apb_env_v=
  while [ "$__apb_env_n" -gt 0 ]; do
    IFS= read -r __apb_env_l || __apb_env_missing
    __apb_env_v=$__apb_env_v$__apb_env_l
    __apb_env_n=$((__apb_env_n - 1))
    [ "$__apb_env_n" -eq 0 ] || __apb_env_v=$__apb_env_v$__apb_env_nl
  done
}
