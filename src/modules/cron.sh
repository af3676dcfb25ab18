#!/bin/sh
# apb-cron: reads (probe) and writes (write, remove) a crontab or a cron file on the target for
# src/modules/cron.ts, which decides what it holds. POSIX sh; the target's own crontab command.
# expand-args.sh comes before this text.
#
#   probe CRON_FILE USER
#     Prints crontab= (the command's path, empty when missing) and path_hex= (PATH, for the message),
#     me_hex= (who runs this). With CRON_FILE: file_hex= (~ and $VAR expanded, relative names under
#     /etc/cron.d), is_file=1 and content_hex= when it is a regular file that can be read. Without:
#     `crontab -l` (with -u USER when USER is not who runs this) as rc=, out_hex=, err_hex=.
#   write CRON_FILE USER BACKUP BACKUP_BYTES
#     stdin: BACKUP_BYTES bytes for the backup file BACKUP (made 0600, only if no file has that name;
#     none when BACKUP is ''), then the new text: written to CRON_FILE (umask 022), or else installed
#     with `crontab [-u USER] FILE` (rc=, err_hex=). Prints backup_hex= when the backup was made.
#   remove CRON_FILE
#     Deletes the cron file: removed=1 when it did.
# The answer ends with end=1.
set -u

hex() {
  od -An -v -tx1 | tr -d ' \n'
}

cron_path() {
  apb_expanded=$(apb_expand "$1")
  file=${apb_expanded%x}
  case $file in
    /*) ;;
    *) file=/etc/cron.d/$file ;;
  esac
}

# Sets $user_opt to "-u USER" when USER is given and is not who runs this.
user_option() {
  user_opt=
  if [ -n "$1" ] && [ "$1" != "$(id -un 2>/dev/null)" ]; then
    user_opt=-u
  fi
}

# Copies exactly N bytes of stdin (one read per byte: the rest of stdin is the next part; a crontab is
# small).
copy_bytes() {
  [ "$1" -gt 0 ] || return 0
  dd bs=1 count="$1" 2>/dev/null
}

mode=$1
shift
case $mode in
  probe)
    cron_file=$1 user=$2
    echo "crontab=$(command -v crontab 2>/dev/null)"
    echo "path_hex=$(printf '%s' "$PATH" | hex)"
    echo "me_hex=$(id -un 2>/dev/null | tr -d '\n' | hex)"
    if [ -n "$cron_file" ]; then
      cron_path "$cron_file"
      echo "file_hex=$(printf '%s' "$file" | hex)"
      if [ -f "$file" ] && [ -r "$file" ]; then
        echo is_file=1
        echo "content_hex=$(hex <"$file")"
      fi
    elif command -v crontab >/dev/null 2>&1; then
      user_option "$user"
      scratch=$(mktemp -d "${TMPDIR:-/tmp}/apb-cron.XXXXXX") || exit 1
      rc=0
      if [ -n "$user_opt" ]; then
        crontab -u "$user" -l >"$scratch/out" 2>"$scratch/err" </dev/null || rc=$?
      else
        crontab -l >"$scratch/out" 2>"$scratch/err" </dev/null || rc=$?
      fi
      echo "rc=$rc"
      echo "out_hex=$(hex <"$scratch/out")"
      echo "err_hex=$(hex <"$scratch/err")"
      rm -rf -- "$scratch"
    fi
    ;;
  write)
    cron_file=$1 user=$2 backup=$3 backup_bytes=$4
    if [ -n "$backup" ]; then
      if (umask 077 && set -C && copy_bytes "$backup_bytes" >"$backup") 2>/dev/null; then
        echo "backup_hex=$(printf '%s' "$backup" | hex)"
      else
        # The name was taken: the backup bytes are read all the same, into a name mktemp picks.
        backup=$(mktemp "${TMPDIR:-/tmp}/crontabXXXXXXXX") || exit 1
        copy_bytes "$backup_bytes" >"$backup"
        echo "backup_hex=$(printf '%s' "$backup" | hex)"
      fi
    fi
    if [ -n "$cron_file" ]; then
      cron_path "$cron_file"
      umask 022
      out=$(cat 2>&1 >"$file") || {
        echo rc=1
        echo "err_hex=$(printf '%s' "$out" | hex)"
        echo end=1
        exit 0
      }
      echo rc=0
    else
      user_option "$user"
      # Named as Ansible names it (crontab's messages name the file).
      table=$(mktemp "${TMPDIR:-/tmp}/crontabXXXXXXXX") || exit 1
      err=$(mktemp "${TMPDIR:-/tmp}/apb-cron.XXXXXX") || {
        rm -f -- "$table"
        exit 1
      }
      cat >"$table"
      chmod 644 "$table"
      rc=0
      if [ -n "$user_opt" ]; then
        crontab -u "$user" "$table" >/dev/null 2>"$err" </dev/null || rc=$?
      else
        crontab "$table" >/dev/null 2>"$err" </dev/null || rc=$?
      fi
      echo "rc=$rc"
      echo "err_hex=$(hex <"$err")"
      rm -f -- "$table" "$err"
    fi
    ;;
  remove)
    cron_path "$1"
    if rm -- "$file" 2>/dev/null; then
      echo removed=1
    fi
    ;;
esac
echo end=1
