#!/bin/sh
# apb-hostname: reads and sets the target's host name with its own tools, the way the strategy chosen
# by src/modules/hostname.ts does it (hostnamectl, a file such as /etc/hostname, `hostname -F`). POSIX sh.
#
# Run as:  /bin/sh -c "<this text>" apb-hostname probe <systemd 0|1>
#     or:  /bin/sh -c "<this text>" apb-hostname <act> <name> <file>
#   act: hostnamectl-static, hostnamectl-transient, write-file (the file's new text on stdin),
#        hostname-file (hostname -F FILE)
#
# probe answers: system (uname -s), os_id, os_version (/etc/os-release), systemd=1 when systemd runs
# the machine (systemctl and sd_booted's directories), node_hex (the kernel's name), fqdn_hex (the
# name the kernel's name resolves back to, as Python's socket.getfqdn()), and for each file the
# strategies read (n = 0…): fileN=none|unreadable|read with fileN_hex; with systemd=1 asked, the
# transient and static names from hostnamectl (t_rc, t_out_hex, t_err_hex; s_…).
# act answers: rc, out_hex, err_hex of the tool, or write_error_hex. Last line end=1.
set -u
PATH=$PATH:/usr/sbin:/sbin:/usr/local/sbin
export PATH

hex() {
  od -An -v -tx1 | tr -d ' \n'
}
say() {
  printf '%s=%s\n' "$1" "$(printf '%s' "$2" | hex)"
}
scratch=$(mktemp -d "${TMPDIR:-/tmp}/apb-hostname.XXXXXX") || exit 1
trap 'rm -rf "$scratch"' EXIT

# tool PREFIX CMD…: runs CMD, printing PREFIX_rc, PREFIX_out_hex and PREFIX_err_hex.
tool() {
  prefix=$1
  shift
  rc=0
  "$@" >"$scratch/out" 2>"$scratch/err" </dev/null || rc=$?
  echo "${prefix}rc=$rc"
  echo "${prefix}out_hex=$(hex <"$scratch/out")"
  echo "${prefix}err_hex=$(hex <"$scratch/err")"
}

if [ "$1" = probe ]; then
  echo "system=$(uname -s)"
  if [ -r /etc/os-release ]; then
    # shellcheck disable=SC1091
    (. /etc/os-release && echo "os_id=${ID:-}" && echo "os_version=${VERSION_ID:-}")
  fi
  if command -v systemctl >/dev/null 2>&1; then
    for canary in /run/systemd/system/ /dev/.run/systemd/ /dev/.systemd/; do
      if [ -e "$canary" ]; then
        echo systemd=1
        break
      fi
    done
  fi
  node=$(uname -n)
  say node_hex "$node"
  # socket.getfqdn(): the first address the name resolves to, then that address's names: the first
  # holding a dot, else the first; the name itself when either step fails.
  fqdn=$node
  if command -v getent >/dev/null 2>&1; then
    address=$(getent ahosts "$node" 2>/dev/null | awk 'NR == 1 { print $1 }')
    if [ -n "$address" ]; then
      names=$(getent hosts "$address" 2>/dev/null | awk 'NR == 1 { for (i = 2; i <= NF; i++) print $i }')
      if [ -n "$names" ]; then
        dotted=$(printf '%s\n' "$names" | grep -F . | head -n 1)
        if [ -n "$dotted" ]; then fqdn=$dotted; else fqdn=$(printf '%s\n' "$names" | head -n 1); fi
      fi
    fi
  fi
  say fqdn_hex "$fqdn"
  n=0
  for file in /etc/hostname /etc/HOSTNAME /etc/myname /etc/sysconfig/network /etc/conf.d/hostname; do
    if [ ! -f "$file" ]; then
      echo "file$n=none"
    elif [ ! -r "$file" ]; then
      echo "file$n=unreadable"
    else
      echo "file$n=read"
      echo "file${n}_hex=$(hex <"$file")"
    fi
    n=$((n + 1))
  done
  if [ "$2" = 1 ]; then
    if ctl=$(command -v hostnamectl 2>/dev/null) && [ -n "$ctl" ]; then
      echo "hostnamectl=$ctl"
      tool t_ "$ctl" --transient status
      tool s_ "$ctl" --static status
    else
      say path_hex "$PATH"
    fi
  fi
  echo end=1
  exit 0
fi

act=$1 name=$2 file=$3
case $act in
  hostnamectl-static) tool '' hostnamectl --pretty --static set-hostname "$name" ;;
  hostnamectl-transient) tool '' hostnamectl --transient set-hostname "$name" ;;
  hostname-file)
    if ! command -v hostname >/dev/null 2>&1; then
      say path_hex "$PATH"
      echo missing_tool=hostname
    else
      tool '' "$(command -v hostname)" -F "$file"
    fi
    ;;
  write-file)
    # Written in place, as Ansible writes it (the file keeps its inode, mode and owner).
    if ! { cat >"$file"; } 2>"$scratch/err"; then
      say write_error_hex "$(cat "$scratch/err")"
    fi
    ;;
esac
echo end=1
