#!/bin/sh
# Gathers the common facts in one round trip, with POSIX sh and coreutils only (no Python).
# Output: records separated by \036 (RS), each "kind\037name\037value". Parsed by facts.ts.
RS=$(printf '\036')
US=$(printf '\037')
fact() { printf '%s%s%s%s%s%s' "fact" "$US" "$1" "$US" "$2" "$RS"; }

fact hostname "$(uname -n 2>/dev/null)"
fact fqdn "$(hostname -f 2>/dev/null || uname -n 2>/dev/null)"
fact kernel "$(uname -r 2>/dev/null)"
fact kernel_version "$(uname -v 2>/dev/null)"
fact architecture "$(uname -m 2>/dev/null)"
fact system "$(uname -s 2>/dev/null)"
fact vcpus "$(grep -c "^processor" /proc/cpuinfo 2>/dev/null || nproc 2>/dev/null || getconf _NPROCESSORS_ONLN 2>/dev/null)"
fact memtotal_kb "$(awk '/^MemTotal:/ { print $2 }' /proc/meminfo 2>/dev/null)"
fact memfree_kb "$(awk '/^MemFree:/ { print $2 }' /proc/meminfo 2>/dev/null)"
fact user_id "$(id -un 2>/dev/null)"
fact user_uid "$(id -u 2>/dev/null)"
fact user_gid "$(id -g 2>/dev/null)"
fact user_entry "$(getent passwd "$(id -un 2>/dev/null)" 2>/dev/null)"
fact date "$(date '+%Y %m %d %H %M %S %s %z %Z %w %W %A' 2>/dev/null)"
fact boot_id "$(cat /proc/sys/kernel/random/boot_id 2>/dev/null)"
if [ -r /etc/os-release ]; then
  fact os_release "$(cat /etc/os-release)"
elif [ -r /usr/lib/os-release ]; then
  fact os_release "$(cat /usr/lib/os-release)"
fi
if [ -r /etc/debian_version ]; then
  fact debian_version "$(cat /etc/debian_version)"
fi
if [ "$(uname -s 2>/dev/null)" = Darwin ]; then
  fact macos_version "$(sw_vers -productVersion 2>/dev/null)"
fi
# The package managers' programs that are there (setup.ts picks ansible_pkg_mgr from them, as Ansible's
# pkg_mgr facts do); `test -e` is a builtin, so this costs no process. setup.ts keeps the same list.
pkg_paths=
for p in /usr/bin/rpm-ostree /usr/bin/yum /usr/bin/dnf /usr/bin/apt-get /usr/bin/zypper /usr/sbin/urpmi \
  /usr/bin/pacman /bin/opkg /usr/pkg/bin/pkgin /opt/local/bin/pkgin /opt/tools/bin/pkgin /opt/local/bin/port \
  /usr/local/bin/brew /opt/homebrew/bin/brew /sbin/apk /usr/sbin/pkg /usr/sbin/swlist /usr/bin/emerge \
  /usr/sbin/pkgadd /usr/bin/pkg /usr/bin/xbps-install /usr/local/sbin/pkg /usr/bin/swupd /usr/sbin/sorcery \
  /usr/bin/installp /QOpenSys/pkgs/bin/yum /run/ostree-booted; do
  if [ -e "$p" ]; then pkg_paths="$pkg_paths $p"; fi
done
fact pkg_paths "$pkg_paths"
# APT-RPM (ALT Linux) has an apt-get that rpm owns; an rpm installed on Debian owns none.
if [ -e /usr/bin/rpm ] && [ -e /usr/bin/apt-get ] && /usr/bin/rpm -q --whatprovides /usr/bin/apt-get >/dev/null 2>&1; then
  fact apt_rpm 1
fi
# The Python a module would run under, as Ansible's interpreter discovery finds it: the host's
# ansible_python_interpreter (apb_py_first, set by setup.ts), else /usr/bin/python3 (what Debian, Ubuntu
# and Fedora map to), RHEL 8's platform-python, then Ansible's fallback list. Its version is one process.
apb_py=
for p in "${apb_py_first:-/usr/bin/python3}" /usr/bin/python3 /usr/libexec/platform-python python3.12 python3.11 python3.10 \
  python3.9 python3.8 python3.7 python3.6 python3.5 python2.7 /usr/bin/python python; do
  apb_py=$(command -v "$p" 2>/dev/null) && [ -n "$apb_py" ] && break
  apb_py=
done
if [ -n "$apb_py" ]; then
  fact python_executable "$apb_py"
  fact python_version "$("$apb_py" -V 2>&1)"
fi
# What Ansible's Linux virtualization facts read (virtual-facts.ts decides them as it does): the small
# files through one head (its ==> NAME <== headers say which is which), the telling lines of cpuinfo,
# /proc/self/status and /proc/modules through one grep, PID 1's environment, and which paths exist.
# (/dev/null first: head names each file only when it reads more than one.)
if [ -d /proc ]; then
  virt_files=/dev/null
  for f in /proc/1/cgroup /run/systemd/container /proc/xen/capabilities \
    /sys/devices/virtual/dmi/id/product_name /sys/devices/virtual/dmi/id/sys_vendor \
    /sys/devices/virtual/dmi/id/product_family /sys/devices/virtual/dmi/id/bios_vendor; do
    if [ -r "$f" ]; then virt_files="$virt_files $f"; fi
  done
  # shellcheck disable=SC2086 # paths without spaces, listed above
  fact virt_files "$(head -n 100 $virt_files 2>/dev/null)"
  [ -r /proc/1/environ ] && fact virt_environ "$(tr '\000' '\n' </proc/1/environ 2>/dev/null)"
  fact virt_lines "$(grep -H -E '^(model name|vendor_id|machine|VxID:|kvm |vboxdrv |virtio )' \
    /proc/cpuinfo /proc/self/status /proc/modules 2>/dev/null)"
  virt_paths=
  for p in /proc/vz /proc/lve /proc/bc /.dockerenv /.dockerinit /proc/xen /rhev /dev/kvm /proc/modules; do
    if [ -e "$p" ]; then virt_paths="$virt_paths $p"; fi
  done
  fact virt_paths "$virt_paths"
  if command -v dmidecode >/dev/null 2>&1 && virt_dmi=$(dmidecode -s system-product-name 2>/dev/null); then
    fact virt_dmidecode "$virt_dmi"
  fi
fi
# apb_service_mgr: src/facts/service-mgr.sh, put before this script by setup.ts.
fact service_mgr "$(apb_service_mgr)"
awk -v us="$US" -v rs="$RS" 'BEGIN { for (k in ENVIRON) printf "env%s%s%s%s%s", us, k, us, ENVIRON[k], rs }'
