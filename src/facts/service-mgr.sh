#!/bin/sh
# apb_service_mgr: prints the host's service manager as Ansible's facts name it (ansible_service_mgr)
# on Linux: PID 1's name (procd, runit-init, svscan and openrc-init renamed; `init` and shells say
# nothing), else systemd when systemctl exists and systemd's runtime directory does (sd_booted()),
# upstart, openrc, systemd offline (/sbin/init a link to systemd), sysvinit (/etc/init.d), or
# `service`. A function, put before the scripts that call it (facts.sh, service-run.sh).
apb_service_mgr() {
  apb_sm_systemctl=0
  if command -v systemctl >/dev/null 2>&1 || [ -x /sbin/systemctl ] || [ -x /usr/sbin/systemctl ] ||
    [ -x /usr/local/sbin/systemctl ]; then
    apb_sm_systemctl=1
  fi
  apb_sm_proc1=
  if [ -r /proc/1/comm ]; then
    apb_sm_proc1=$(cat /proc/1/comm 2>/dev/null)
  elif command -v ps >/dev/null 2>&1; then
    apb_sm_proc1=$(ps -p 1 -o comm 2>/dev/null | tail -n 1)
    case $apb_sm_proc1 in '' | COMMAND | *[0-9]' '*) apb_sm_proc1= ;; esac
  fi
  if [ -z "$apb_sm_proc1" ] && [ -L /sbin/init ]; then apb_sm_proc1=$(readlink /sbin/init); fi
  apb_sm_proc1=${apb_sm_proc1##*/}
  case $apb_sm_proc1 in
    '' | init | *sh) ;;
    procd) echo openwrt_init && return ;;
    runit-init) echo runit && return ;;
    svscan) echo svc && return ;;
    openrc-init) echo openrc && return ;;
    *) echo "$apb_sm_proc1" && return ;;
  esac
  case $(uname -s 2>/dev/null) in
    Linux) ;;
    Darwin) echo launchd && return ;;
    *BSD | DragonFly | Bitrig) echo bsdinit && return ;;
    SunOS) echo smf && return ;;
    AIX) echo src && return ;;
    *) echo service && return ;;
  esac
  if [ "$apb_sm_systemctl" = 1 ] && { [ -e /run/systemd/system/ ] || [ -e /dev/.run/systemd/ ] || [ -e /dev/.systemd/ ]; }; then
    echo systemd
  elif command -v initctl >/dev/null 2>&1 && [ -e /etc/init/ ]; then
    echo upstart
  elif [ -e /sbin/openrc ]; then
    echo openrc
  elif [ "$apb_sm_systemctl" = 1 ] && [ -L /sbin/init ] && [ "$(readlink /sbin/init | sed 's|.*/||')" = systemd ]; then
    echo systemd
  elif [ -e /etc/init.d/ ]; then
    echo sysvinit
  else
    echo service
  fi
}
