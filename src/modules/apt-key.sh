#!/bin/sh
# apb-apt-key: reads and changes apt's trusted keys with apt-key and gpg, for the apt_key module. POSIX sh.
#
# Run as:  /bin/sh -c "<this text>" apb-apt-key <read|add|del> <keyring or ""> <file|data|none> <arg>
#   read: the id of the first key in the file (arg) or the data (stdin), unless none; then the key list
#   add:  apt-key add the file (arg) or the data (stdin, as `apt-key add -`); then the key list
#   del:  apt-key del arg (a key id); then the key list
# The answer (key=value lines; texts in hex): missing_tool=<name> when apt-key or gpg is missing;
# apt_key_hex=<apt-key's path>; for read: gpg_rc, gpg_out_hex, gpg_err_hex (gpg --with-colons); for add
# and del: rc, out_hex, err_hex; then list_rc, list_out_hex, list_err_hex (apt-key adv
# --list-public-keys --keyid-format=long). Last line end=1.
set -u
PATH=$PATH:/usr/sbin:/sbin
export PATH
op=$1 keyring=$2 source=$3 arg=$4

hex() {
  od -An -v -tx1 | tr -d ' \n'
}

for tool in apt-key gpg; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "missing_tool=$tool"
    echo end=1
    exit 0
  fi
done
apt_key=$(command -v apt-key)
gpg=$(command -v gpg)
echo "apt_key_hex=$(printf '%s' "$apt_key" | hex)"

scratch=$(mktemp -d "${TMPDIR:-/tmp}/apb-apt-key.XXXXXX") || exit 1
trap 'rm -rf "$scratch"' EXIT
if [ "$source" = data ]; then
  cat >"$scratch/data"
  input=$scratch/data
  what=-
else
  input=/dev/null
  what=$arg
fi

# report PREFIX COMMAND…: runs it, printing PREFIXrc=, PREFIXout_hex= and PREFIXerr_hex=
report() {
  prefix=$1
  shift
  rc=0
  "$@" <"$input" >"$scratch/out" 2>"$scratch/err" || rc=$?
  echo "${prefix}rc=$rc"
  echo "${prefix}out_hex=$(hex <"$scratch/out")"
  echo "${prefix}err_hex=$(hex <"$scratch/err")"
}

# with_keyring COMMAND…: apt-key with --keyring first when one is given
with_keyring() {
  if [ -n "$keyring" ]; then
    "$apt_key" --keyring "$keyring" "$@"
  else
    "$apt_key" "$@"
  fi
}

case $op in
  read)
    if [ "$source" != none ]; then
      LANG=C LC_ALL=C LC_MESSAGES=C report gpg_ "$gpg" --with-colons "$what"
    fi
    ;;
  add)
    report '' with_keyring add "$what"
    ;;
  del)
    report '' with_keyring del "$arg"
    ;;
esac
input=/dev/null
report list_ with_keyring adv --list-public-keys --keyid-format=long
echo end=1
