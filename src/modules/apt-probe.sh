#!/bin/sh
# apb-apt-probe: what the apt module needs to decide, in one round trip: the apt tools present, the
# package lists' age (updating them first when asked and stale), the packages that glob patterns
# match, and for each package dpkg's state, apt's policy (installed, candidate, version table) and
# the packages that provide a virtual one. POSIX sh.
#
# Run as:  /bin/sh -c "<this text>" apb-apt-probe <update 0|1> <cache_valid_time> <check 0|1> \
#            <update retries> <retry max delay> <default release or ""> <lock timeout> \
#            <dpkg enough: present|absent|""> <pattern count> <pattern>... <name>...
# (src/modules/apt.ts builds the arguments and parses the answer)
#
# The answer (key=value lines, values in hex where they are text): missing_tool=<name>; apt_get,
# aptitude, apt_mark (paths, empty when missing), locale; cache_time_before, update_rc + update_err_hex
# (when an update ran), cache_time;
# stale=1 when the lists are older than cache_valid_time (by the target's clock);
# glob=<pattern hex>:<matching names, newline-separated, hex> per pattern; then per name
# pkg=<name hex>:<dpkg-query line hex>:<has files 0|1>, policy_hex (apt-cache policy of every name;
# policy_err_hex: its errors when it fails),
# provides=<name hex>:<apt-cache showpkg's Reverse Provides hex> for names apt knows no version of,
# with provider=<name hex>:<dpkg-query line hex> for each provider; auto=<name> for the named packages
# marked automatically installed. Last line end=1.
# With <dpkg enough> present (plain names to be present: nothing to decide once each is installed) or
# absent (names to be removed: dpkg's state says what to remove), apt's policy is not read when dpkg's
# state settles every name (present: installed, once, for apt's architecture or all; absent: no record,
# or one for those architectures) and apt can read its sources: the answer says policy_skipped=1 instead
# (apt-cache builds its whole cache each time on a machine that keeps none, as container images often
# are: most of a second).
set -u
update=$1 valid=$2 check=$3 retries=$4 max_delay=$5 release=$6 lock_timeout=$7 enough=$8 count=$9
shift 9

hex() {
  od -An -v -tx1 | tr -d ' \n'
}

if ! apt_get=$(command -v apt-get); then
  echo missing_tool=apt-get
  echo end=1
  exit 0
fi
echo "apt_get=$apt_get"
echo "aptitude=$(command -v aptitude || true)"
echo "apt_mark=$(command -v apt-mark || true)"

# The first of these locales the target has: apt's messages are read, not shown.
loc=C
available=$(locale -a 2>/dev/null || true)
for candidate in C.utf8 C.UTF-8 en_US.utf8 en_US.UTF-8 C POSIX; do
  if printf '%s\n' "$available" | grep -qx -- "$candidate"; then
    loc=$candidate
    break
  fi
done
echo "locale=$loc"
LANG=$loc LC_ALL=$loc LC_MESSAGES=$loc LC_CTYPE=$loc DEBIAN_FRONTEND=noninteractive DEBIAN_PRIORITY=critical
export LANG LC_ALL LC_MESSAGES LC_CTYPE DEBIAN_FRONTEND DEBIAN_PRIORITY

cache_time() {
  if [ -e /var/lib/apt/periodic/update-success-stamp ]; then
    stat -c %Y /var/lib/apt/periodic/update-success-stamp
  elif [ -e /var/lib/apt/lists ]; then
    stat -c %Y /var/lib/apt/lists
  else
    echo 0
  fi
}

before=$(cache_time)
echo "cache_time_before=$before"
stale=0
[ "$update" = 1 ] && [ $((before + valid)) -lt "$(date +%s)" ] && stale=1
echo "stale=$stale"
if [ "$stale" = 1 ] && [ "$check" = 0 ]; then
  # Retried with a growing delay, as a mirror may be briefly unreachable; a held lock is waited for
  # until the lock timeout.
  attempt=0
  deadline=$(($(date +%s) + lock_timeout))
  while :; do
    err=$("$apt_get" update -q 2>&1 >/dev/null)
    rc=$?
    [ "$rc" = 0 ] && break
    if printf '%s' "$err" | grep -q 'Could not get lock' && [ "$(date +%s)" -lt "$deadline" ]; then
      sleep 1
      continue
    fi
    attempt=$((attempt + 1))
    [ "$attempt" -ge "$retries" ] && break
    delay=$((1 << (attempt - 1)))
    [ "$delay" -gt "$max_delay" ] && delay=$max_delay
    sleep "$delay"
  done
  echo "update_rc=$rc"
  echo "update_err_hex=$(printf '%s' "$err" | hex)"
fi
echo "cache_time=$(cache_time)"

# Glob patterns: the names apt knows (real packages; with an architecture only when the pattern has one).
i=0
names_file=
while [ "$i" -lt "$count" ]; do
  pattern=$1
  shift
  i=$((i + 1))
  if [ -z "$names_file" ]; then
    names_file=$(mktemp)
    apt-cache pkgnames >"$names_file" 2>/dev/null
  fi
  matches=$(
    while IFS= read -r candidate; do
      case $pattern in *:*) ;; *) case $candidate in *:*) continue ;; esac ;; esac
      # shellcheck disable=SC2254 # the pattern is a glob on purpose
      case $candidate in $pattern) printf '%s\n' "$candidate" ;; esac
    done <"$names_file"
  )
  echo "glob=$(printf '%s' "$pattern" | hex):$(printf '%s' "$matches" | hex)"
  if [ -n "$matches" ]; then
    # One name a line (apt's names have no blanks), never globbed.
    set -f
    # shellcheck disable=SC2086
    set -- "$@" $matches
    set +f
  fi
done
[ -n "$names_file" ] && rm -f "$names_file"

[ $# -eq 0 ] && {
  echo end=1
  exit 0
}

# apt's own architecture (dpkg's unless apt is told otherwise), and the dpkg database apt reads: dpkg-query
# reads dpkg's own, so apt told to read another (APT_CONFIG, a chroot's) decides from its policy.
native=
case $enough in present | absent) ;; *) enough= ;; esac
if [ -n "$enough" ]; then
  conf=$(apt-config dump --no-empty --format '%f=%v%n' APT::Architecture Dir::State::status 2>/dev/null)
  native=$(printf '%s\n' "$conf" | sed -n 's/^APT::Architecture=//p' | head -n 1)
  [ -n "$native" ] || native=$(dpkg --print-architecture 2>/dev/null)
  status_file=$(printf '%s\n' "$conf" | sed -n 's/^Dir::State::status=//p' | head -n 1)
  [ "$status_file" = /var/lib/dpkg/status ] || enough=
fi
[ -n "$native" ] || enough=
for name in "$@"; do
  lines=$(dpkg-query -W -f='${db:Status-Abbrev}|${Version}|${db:Status-Status}|${Architecture}\n' -- "$name" 2>/dev/null)
  line=$(printf '%s\n' "$lines" | head -n 1)
  if [ -n "$enough" ]; then
    # (a backslash is a pattern character to dpkg-query, not to apt)
    case $name in *:* | *\\*) enough= ;; esac
    [ "$lines" = "$line" ] || enough=
    if [ "$enough" = present ]; then
      case ${line#*|*|} in "installed|$native" | "installed|all") ;; *) enough= ;; esac
    elif [ -n "$line" ]; then
      case ${line##*|} in "$native" | all) ;; *) enough= ;; esac
    fi
  fi
  files=0
  for list in /var/lib/dpkg/info/"$name".list /var/lib/dpkg/info/"$name":*.list; do
    [ -s "$list" ] && files=1
  done
  echo "pkg=$(printf '%s' "$name" | hex):$(printf '%s' "$line" | hex):$files"
done

# Reading the policy fails on sources apt cannot read, as Ansible's python-apt cache fails to open:
# without it, apt-get reads them (without fetching anything or taking a lock) to fail the same way.
if [ -n "$enough" ] && ! "$apt_get" -qq --print-uris update >/dev/null 2>&1 </dev/null; then
  enough=
fi
if [ -n "$enough" ]; then
  echo policy_skipped=1
else
  err=$(mktemp)
  if [ -n "$release" ]; then
    policy=$(apt-cache -o "APT::Default-Release=$release" policy -- "$@" 2>"$err")
  else
    policy=$(apt-cache policy -- "$@" 2>"$err")
  fi
  policy_rc=$?
  echo "policy_hex=$(printf '%s' "$policy" | hex)"
  [ "$policy_rc" = 0 ] || echo "policy_err_hex=$(grep '^E:' "$err" | hex)"
  rm -f "$err"

  # A name with no version apt could install may be virtual: the packages that provide it.
  for name in "$@"; do
    section=$(printf '%s\n' "$policy" | awk -v name="$name:" '
      $0 == name { inside = 1; next }
      /^[^ ]/ { inside = 0 }
      inside { print }')
    if ! printf '%s\n' "$section" | grep -Eq '^ (\*\*\*|   ) [^ ]+ -?[0-9]+$'; then
      provides=$(apt-cache showpkg -- "$name" 2>/dev/null | sed -n '/^Reverse Provides:/,$p' | sed 1d)
      echo "provides=$(printf '%s' "$name" | hex):$(printf '%s' "$provides" | hex)"
      printf '%s\n' "$provides" | while read -r provider _; do
        [ -n "$provider" ] || continue
        line=$(dpkg-query -W -f='${db:Status-Abbrev}|${Version}|${db:Status-Status}\n' -- "$provider" 2>/dev/null | head -n 1)
        echo "provider=$(printf '%s' "$provider" | hex):$(printf '%s' "$line" | hex)"
      done
    fi
  done
fi

# apt's record of the named packages it installed automatically (read directly: apt-mark showauto is slow).
if [ -r /var/lib/apt/extended_states ]; then
  printf '%s\n' "$@" | awk '
    NR == FNR { sub(/:.*/, ""); named[$0] = 1; next }
    /^Package:/ { name = $2 }
    /^Auto-Installed: 1/ && (name in named) { print "auto=" name }' - /var/lib/apt/extended_states
fi
echo end=1
