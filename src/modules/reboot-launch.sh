# Starts a reboot command detached from this SSH session, then reports how it went.
#   $1  the reboot command (POSIX sh text)
#   $2  directories appended to PATH (Ansible's search_paths: shutdown lives in /sbin, which a
#       non-root user's PATH often lacks), colon-separated
#   $3  how long to wait for the command, in tenths of a second
# The command runs under nohup with its own output files, so the session ending (the host going down,
# sshd stopping) cannot take it along. A command that ends within the wait (`shutdown` refused for a
# user who is not root, a typo) exits this script with its status and output. One still running when
# the wait ends is taking the host down: that counts as started (exit 0).
PATH=$PATH:$2
export PATH
apb_dir=$(mktemp -d "${TMPDIR:-/tmp}/apb-reboot.XXXXXX") || exit 125
# The inner shell records the status through a rename, so a half-written file is never read.
# shellcheck disable=SC2016 # $1 and $2 are the inner shell's own arguments
nohup /bin/sh -c '/bin/sh -c "$1"; echo "$?" >"$2/rc.tmp" && mv "$2/rc.tmp" "$2/rc"' \
  apb-reboot "$1" "$apb_dir" </dev/null >"$apb_dir/out" 2>"$apb_dir/err" &
apb_waited=0
while [ ! -e "$apb_dir/rc" ] && [ "$apb_waited" -lt "$3" ]; do
  sleep 0.1 2>/dev/null || sleep 1
  apb_waited=$((apb_waited + 1))
done
if [ ! -e "$apb_dir/rc" ]; then
  rm -rf "$apb_dir"
  exit 0
fi
apb_rc=$(cat "$apb_dir/rc")
cat "$apb_dir/out"
cat "$apb_dir/err" >&2
rm -rf "$apb_dir"
exit "$apb_rc"
