#!/bin/sh
# apb-service: the state of one service on the target, in one round trip. POSIX sh, no Python.
#
# Run as:  /bin/sh -c "<this text>" apb-service <name>   (src/facts/service.ts parses the answer)
#
# systemd when it runs the system (/run/systemd/system exists, as sd_booted() checks) and systemctl
# is there; else sysvinit: /etc/init.d/<name> (its `status` action: 0 running, anything else not)
# and S links in /etc/rc[2-5].d for enabled. The answer is key=value lines, tools' words in hex
# (keys ending in _hex), and ends with end=1.
set -u
name=$1

hex() {
  od -An -v -tx1 | tr -d ' \n'
}

if [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1; then
  echo manager=systemd
  case $name in
    *.*) unit=$name ;;
    *) unit=$name.service ;;
  esac
  echo "show_hex=$(systemctl show --no-pager -p LoadState -p ActiveState -p SubState -p UnitFileState -- "$unit" 2>&1 | hex)"
  echo end=1
  exit 0
fi

echo manager=sysvinit
script=/etc/init.d/$name
if [ ! -f "$script" ]; then
  echo exists=0
  echo end=1
  exit 0
fi
echo exists=1
# The status action may print anything: only its exit status is read.
if [ -x "$script" ]; then
  "$script" status >/dev/null 2>&1 </dev/null
  echo "status=$?"
elif command -v service >/dev/null 2>&1; then
  service "$name" status >/dev/null 2>&1 </dev/null
  echo "status=$?"
else
  echo status=unknown
fi
enabled=0
for link in /etc/rc2.d/S??"$name" /etc/rc3.d/S??"$name" /etc/rc4.d/S??"$name" /etc/rc5.d/S??"$name"; do
  if [ -e "$link" ]; then
    enabled=1
  fi
done
echo "enabled=$enabled"
echo end=1
