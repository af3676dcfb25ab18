#!/bin/sh
# apb-become: runs a command as another user through sudo or su. POSIX sh, no Python.
#
# Run as:  /bin/sh -c "<this text>" apb-become <method> <exe> <user> <prompt> <inner> <password> <stdin> <flag>...
# (src/connection/become.ts builds it)
#
#   method    sudo or su
#   exe       the sudo or su executable (become_exe)
#   user      the user to become (become_user)
#   prompt    sudo's password prompt (-p): a random marker the controller strips from stderr
#   inner     sudo: POSIX sh text run by /bin/sh -c as <user>; su: the -c argument for <user>'s shell.
#             It first prints the controller's success marker on stderr: no marker, no escalation.
#   password  1: the first line of stdin is the password, the rest is the command's stdin; 0: no password
#   stdin     1: stdin holds input for the command after the password line; 0: nothing after it
#             (with su and a password, that input reaches <inner> on fd 3: see below)
#   flag...   become_flags, already split into words (for sudo without -n and -S: they are added here)
#
# The password only ever travels on stdin: it is read into a shell variable and written by the printf
# builtin into sudo's stdin, so it never appears on a command line (ps) or in the environment. It is
# sent only when sudo will ask for it: with a NOPASSWD rule it would otherwise reach the command.
# Full-line comments are stripped before this text is sent, so comment freely.

set -u
method=$1 exe=$2 user=$3 prompt=$4 inner=$5 with_password=$6 with_stdin=$7
shift 7

if [ "$method" = su ]; then
  if [ "$with_password" = 0 ]; then
    exec "$exe" "$@" "$user" -c "$inner"
  fi
  IFS= read -r apb_password || apb_password=
  # su asks PAM for the password, which may read ahead on stdin: the command's own input (after the
  # password line) waits on fd 3, and <inner> takes it back as its stdin (becomeCommand adds that).
  [ "$with_stdin" = 0 ] || exec 3<&0
  # root is let through without a password (pam_rootok): the rest of stdin is the command's.
  if [ "$(id -u)" = 0 ]; then
    apb_password=
    exec "$exe" "$@" "$user" -c "$inner"
  fi
  printf '%s\n' "$apb_password" | "$exe" "$@" "$user" -c "$inner"
  exit
fi

if [ "$with_password" = 0 ]; then
  exec "$exe" "$@" -n -S -p "$prompt" -u "$user" /bin/sh -c "$inner"
fi
IFS= read -r apb_password || apb_password=
# -k ignores cached credentials, so sudo asks for the password exactly when the policy requires one.
if "$exe" "$@" -k -n -u "$user" /bin/sh -c : </dev/null >/dev/null 2>&1; then
  # No password needed (a NOPASSWD rule): the rest of stdin is the command's.
  apb_password=
  exec "$exe" "$@" -k -n -S -p "$prompt" -u "$user" /bin/sh -c "$inner"
fi
if [ "$with_stdin" = 1 ]; then
  # After a wrong password sudo would read the command's input as further attempts: check it alone.
  printf '%s\n' "$apb_password" | "$exe" "$@" -k -S -p "$prompt" -u "$user" /bin/sh -c : >/dev/null || exit 1
  { printf '%s\n' "$apb_password"; exec cat; } | "$exe" "$@" -k -S -p "$prompt" -u "$user" /bin/sh -c "$inner"
  exit
fi
printf '%s\n' "$apb_password" | "$exe" "$@" -k -S -p "$prompt" -u "$user" /bin/sh -c "$inner"
