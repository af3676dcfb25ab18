#!/bin/sh
# apb-dnf: the dnf and yum modules' one round trip on the target, with its own dnf (yum where dnf is
# missing) and rpm. POSIX sh.
#
# Run as:  /bin/sh -c "<this text>" apb-dnf MODE STATE ROOT CONF UPDATE_CACHE BACKEND OPTION… -- SPEC…
#   MODE          run, or check (dnf --assumeno: nothing changes)
#   STATE         present, latest or absent
#   ROOT          the installroot ("/" for the system)
#   CONF          conf_file, or ""
#   UPDATE_CACHE  1: refresh the metadata first (dnf makecache alone when there is no SPEC)
#   BACKEND       yum: yum's command line first (yum's use_backend: yum), else dnf first
#   OPTION…       options for every dnf command (--enablerepo=…, --nogpgcheck, -c FILE, …)
#
# The answer (key=value lines, values that may hold any byte in hex, end=1 last):
#   missing_tool=dnf | not_root=1 | bad_conf=1     nothing was run
#   cache_rc, cache_out_hex, cache_err_hex         dnf makecache (no SPEC)
#   not_installed_hex (repeated)                   a wildcard to remove that matches nothing installed
#   nothing=1                                      every SPEC is as asked (or no SPEC, no cache update)
#   STEP_spec_hex (repeated)                       the SPECs each step is given
#   STEP_rc, STEP_out_hex, STEP_err_hex            each dnf command run (STEP: install, upgrade, remove)
#   before_hex, after_hex                          rpm -qa (NAME-EPOCH:VERSION-RELEASE.ARCH lines) around
#                                                  the run
set -u
mode=$1 state=$2 root=$3 conf=$4 refresh=$5 backend=$6
shift 6
PATH=$PATH:/usr/sbin:/sbin:/usr/local/sbin

hex() {
  od -An -v -tx1 | tr -d ' \n'
}
finish() {
  echo end=1
  exit 0
}

if [ "$backend" = yum ]; then
  tools='yum dnf'
else
  tools='dnf yum'
fi
dnf=
for tool in $tools; do
  if command -v "$tool" >/dev/null 2>&1; then
    dnf=$tool
    break
  fi
done
if [ -z "$dnf" ]; then
  echo missing_tool=dnf
  finish
fi
command -v rpm >/dev/null 2>&1 || {
  echo missing_tool=rpm
  finish
}
[ "$(id -u)" = 0 ] || {
  echo not_root=1
  finish
}
if [ -n "$conf" ] && [ ! -r "$conf" ]; then
  echo bad_conf=1
  finish
fi

scratch=$(mktemp -d "${TMPDIR:-/tmp}/apb-dnf.XXXXXX") || exit 1
trap 'rm -rf "$scratch"' EXIT

# "$@" stays OPTION… -- SPEC… to the end: every user word keeps its place in it and is handed to dnf
# from there, one word each (never joined into text the shell reads again). Our own words (no blanks,
# no globs) travel in $common and each step's words.
specs=0
seen=0
for arg in "$@"; do
  if [ "$seen" = 1 ]; then
    specs=$((specs + 1))
  elif [ "$arg" = -- ]; then
    seen=1
  fi
done
common=
[ "$refresh" = 1 ] && common=--refresh
# As Ansible's module: removing a package leaves the dependencies it pulled in.
common="$common --setopt=clean_requirements_on_remove=False"

# run_dnf STEP WORDS KEEP OPTION… -- SPEC…: dnf with the OPTIONs, $common, WORDS (ours: `-y install`)
# and the SPECs whose numbers (from 1) are in KEEP (" 1  3 "); prints STEP_rc, STEP_out_hex,
# STEP_err_hex.
run_dnf() {
  step=$1 words=$2 keep=$3
  shift 3
  # Rotate the arguments once, keeping the options, our words in place of --, and the kept specs.
  n=$#
  i=0
  j=0
  past=0
  while [ "$i" -lt "$n" ]; do
    arg=$1
    shift
    i=$((i + 1))
    if [ "$past" = 1 ]; then
      j=$((j + 1))
      case $keep in *" $j "*) set -- "$@" "$arg" ;; esac
    elif [ "$arg" = -- ]; then
      past=1
      # shellcheck disable=SC2086 # our own words, split on purpose
      set -- "$@" $common $words
    else
      set -- "$@" "$arg"
    fi
  done
  rc=0
  "$dnf" "$@" >"$scratch/out" 2>"$scratch/err" </dev/null || rc=$?
  echo "${step}_rc=$rc"
  echo "${step}_out_hex=$(hex <"$scratch/out")"
  echo "${step}_err_hex=$(hex <"$scratch/err")"
}

if [ "$specs" -eq 0 ]; then
  if [ "$refresh" = 1 ]; then
    run_dnf cache makecache '' "$@"
  else
    echo nothing=1
  fi
  finish
fi

installed() {
  rpm --root "$root" -q --quiet -- "$1" 2>/dev/null
}
list_installed() {
  rpm --root "$root" -qa --qf '%{NAME}-%{EPOCHNUM}:%{VERSION}-%{RELEASE}.%{ARCH}\n' 2>/dev/null | sort
}

# newer_installed SPEC: true when SPEC names a whole name-[epoch:]version-release[.arch] and rpm has a
# newer one of that name, which Ansible leaves as it is (no downgrade without allow_downgrade).
newer_installed() {
  nvr=${1%.rpm}
  case ${nvr##*.} in
    noarch | x86_64 | i386 | i486 | i586 | i686 | aarch64 | ppc64le | ppc64 | s390x | armv7hl | riscv64) nvr=${nvr%.*} ;;
  esac
  release=${nvr##*-}
  rest=${nvr%-*}
  [ "$rest" != "$nvr" ] || return 1
  version=${rest##*-}
  name=${rest%-*}
  [ "$name" != "$rest" ] && [ -n "$name" ] || return 1
  case $version in *:*) epoch=${version%%:*} version=${version#*:} ;; *) epoch=0 ;; esac
  case $version in [0-9]*) ;; *) return 1 ;; esac
  want=${epoch:-0}:$version-$release
  case $want in *[!A-Za-z0-9._+~^:-]*) return 1 ;; esac
  have=$(rpm --root "$root" -q --qf '%{EPOCHNUM}:%{VERSION}-%{RELEASE}\n' -- "$name" 2>/dev/null | head -n 1)
  case $have in '' | *[!A-Za-z0-9._+~^:-]*) return 1 ;; esac
  [ "$(rpm --eval "%{lua:print(rpm.vercmp('$have','$want'))}" 2>/dev/null)" = 1 ]
}

install=''
upgrade=''
remove=''
# add STEP SPEC: the SPEC (number $j) goes to STEP.
add() {
  echo "${1}_spec_hex=$(printf '%s' "$2" | hex)"
  case $1 in
    install) install="$install $j " ;;
    upgrade) upgrade="$upgrade $j " ;;
    remove) remove="$remove $j " ;;
  esac
}
j=0
seen=0
for spec in "$@"; do
  if [ "$seen" = 0 ]; then
    [ "$spec" = -- ] && seen=1
    continue
  fi
  j=$((j + 1))
  case $state in
    present) newer_installed "$spec" || installed "$spec" || add install "$spec" ;;
    latest)
      if newer_installed "$spec"; then
        :
      elif [ "$spec" = '*' ] || installed "$spec"; then
        add upgrade "$spec"
      else
        add install "$spec"
      fi
      ;;
    absent)
      case $spec in
        *'*'* | *'?'* | *'['*)
          if [ -n "$(rpm --root "$root" -qa -- "$spec" 2>/dev/null)" ]; then
            add remove "$spec"
          else
            echo "not_installed_hex=$(printf '%s' "$spec" | hex)"
          fi
          ;;
        *) installed "$spec" && add remove "$spec" ;;
      esac
      ;;
  esac
done
if [ -z "$install$upgrade$remove" ]; then
  echo nothing=1
  finish
fi

echo "before_hex=$(list_installed | hex)"
if [ "$mode" = check ]; then
  yes=--assumeno
else
  yes=-y
fi
# One step after the other, stopping at the first that fails (as Ansible's one transaction fails whole);
# in check mode dnf answers no to each and only shows what it would do.
rc=0
[ -n "$install" ] && run_dnf install "$yes install" "$install" "$@"
[ -n "$upgrade" ] && { [ "$rc" -eq 0 ] || [ "$mode" = check ]; } && run_dnf upgrade "$yes upgrade" "$upgrade" "$@"
[ -n "$remove" ] && { [ "$rc" -eq 0 ] || [ "$mode" = check ]; } && run_dnf remove "$yes remove" "$remove" "$@"
echo "after_hex=$(list_installed | hex)"
finish
