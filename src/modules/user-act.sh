#!/bin/sh
# apb-user-act: makes the changes src/modules/user.ts decided, in one round trip. POSIX sh.
#
# Run as:  /bin/sh -c "<account-run.sh + this text>" apb-user-act <name> <home to make first or ""> \
#            <tool or ""> <set password 0|1> <create home 0|1> <home or ""> <generate ssh key 0|1> \
#            <type> <bits> <comment> <key file> <force 0|1> <passphrase 0|1> <skeleton or ""> \
#            <password_expire_min or ""> <password_expire_max or ""> <tool argument>…
# with stdin: the password hash on the first line, the key passphrase on the second (never in argv).
#
# In order, as Ansible's user module: the home's missing parents (and the home from the skeleton) when
# useradd cannot make them; the tool (useradd, usermod or userdel, found on PATH); the password through
# `chpasswd -e`; a missing home; the ssh key; the password ages (chage, when shadow's differ). The answer: rc, out_hex, err_hex of the tool (and of
# chpasswd when it failed: pw_rc, pw_err_hex), home_made=1, the ssh key's key_rc/key_err_hex/key_made=1
# and warn=<kind> lines, chage_rc/chage_err_hex (chage_made=1), then the state afterwards: pw_hex and the ssh_key_state fields. Last line end=1.
set -u
name=$1 pre_home=$2 tool=$3 set_pw=$4 create_home=$5 home=$6 ssh=$7 ssh_type=$8 ssh_bits=$9
shift 9
ssh_comment=$1 key=$2 force=$3 has_pp=$4 skeleton=${5:-/etc/skel} expire_min=$6 expire_max=$7
shift 7
# The rest are the tool's arguments.
found=

IFS= read -r password || :
IFS= read -r passphrase || :

# make_home PATH UID GID: the home from the skeleton (/etc/skel unless given), its mode from login.defs'
# UMASK, owned by the user when UID is given.
make_home() {
  if [ -d "$skeleton" ]; then
    mkdir -p -- "$1" && cp -pR "$skeleton/." "$1/"
  else
    mkdir -p -- "$1"
  fi || return 1
  umask_value=$(sed -n 's/^UMASK[[:space:]]\{1,\}\([0-7]\{1,\}\)[[:space:]]*$/\1/p' /etc/login.defs 2>/dev/null | tail -n 1)
  if [ -n "$umask_value" ]; then
    chmod "$(printf '%o' $((0777 & ~0$umask_value)))" "$1" || return 1
  fi
  if [ -n "${2:-}" ]; then
    chown -R "$2:$3" "$1" || return 1
  fi
  return 0
}

ids() {
  entry passwd "$name" | cut -d: -f3,4 | tr ':' ' '
}

if [ -n "$pre_home" ]; then
  make_home "$pre_home" || {
    echo "home_fail=$pre_home"
    echo end=1
    exit 0
  }
fi

if [ -n "$tool" ]; then
  have "$tool" || missing "$tool"
  run_tool "$found" "$@" "$name"
  # shellcheck disable=SC2154 # set by run_tool (account-run.sh)
  if [ "$apb_rc" != 0 ]; then
    echo end=1
    exit 0
  fi
  if [ -n "$pre_home" ]; then
    # shellcheck disable=SC2046 # two numbers
    set -- $(ids)
    [ $# = 2 ] && chown -R "$1:$2" "$pre_home"
  fi
fi

if [ "$set_pw" = 1 ]; then
  have chpasswd || missing chpasswd
  pw_rc=0
  # shellcheck disable=SC2154 # set by account-run.sh
  printf '%s:%s\n' "$name" "$password" | "$found" -e >/dev/null 2>"$apb_scratch/pw_err" || pw_rc=$?
  if [ "$pw_rc" != 0 ]; then
    echo "pw_rc=$pw_rc"
    echo "pw_err_hex=$(hex <"$apb_scratch/pw_err")"
    echo end=1
    exit 0
  fi
fi

pw=$(entry passwd "$name")
echo "pw_hex=$(printf '%s' "$pw" | hex)"
[ -n "$home" ] || home=$(printf '%s\n' "$pw" | cut -d: -f6)
if [ -n "$pw" ] && [ "$create_home" = 1 ] && [ -n "$home" ] && [ ! -e "$home" ]; then
  # shellcheck disable=SC2046 # two numbers
  set -- $(ids)
  if make_home "$home" "$1" "$2"; then echo home_made=1; else echo "home_fail=$home"; fi
fi

if [ "$ssh" = 1 ] && [ -n "$pw" ]; then
  # shellcheck disable=SC2046 # two numbers
  set -- $(ids)
  uid=$1 gid=$2
  case $key in
    /*) key_path=$key ;;
    *) key_path=$home/$key ;;
  esac
  key_dir=$(dirname -- "$key_path" && echo x) && key_dir=${key_dir%??}
  generate=1
  case $key in
    /*) ;;
    *)
      if [ ! -e "$home" ]; then
        echo key_rc=1
        echo "key_err_hex=$(printf 'User %s home directory does not exist' "$name" | hex)"
        generate=0
      fi
      ;;
  esac
  if [ "$generate" = 1 ] && [ ! -d "$key_dir" ]; then
    if ! mkdir -m 700 -- "$key_dir" 2>"$apb_scratch/key_err" || ! chown "$uid:$gid" "$key_dir"; then
      echo key_rc=1
      echo "key_err_hex=$( (printf 'Failed to create %s: ' "$key_dir" && cat "$apb_scratch/key_err") | hex)"
      generate=0
    fi
  fi
  if [ "$generate" = 1 ] && [ -e "$key_path" ]; then
    if [ "$force" = 1 ]; then echo warn=overwrite_key; else
      echo warn=key_exists
      generate=0
    fi
  fi
  if [ "$generate" = 1 ] && [ -e "$key_path.pub" ]; then
    if [ "$force" = 1 ]; then
      echo warn=overwrite_pub
      rm -f -- "$key_path.pub"
    else
      echo warn=pub_exists
      generate=0
    fi
  fi
  if [ "$generate" = 1 ]; then
    have ssh-keygen || missing ssh-keygen
    set -- "$found" -t "$ssh_type"
    [ "$ssh_bits" -gt 0 ] && set -- "$@" -b "$ssh_bits"
    set -- "$@" -C "$ssh_comment" -f "$key_path"
    key_rc=0
    if [ "$has_pp" = 1 ]; then
      # The passphrase reaches ssh-keygen through an askpass helper reading it from the environment:
      # never on a command line.
      # shellcheck disable=SC2016 # expanded by the helper, not here
      printf '#!/bin/sh\nprintf "%%s\\n" "$APB_KEY_PASSPHRASE"\n' >"$apb_scratch/askpass"
      chmod 700 "$apb_scratch/askpass"
      APB_KEY_PASSPHRASE=$passphrase SSH_ASKPASS=$apb_scratch/askpass SSH_ASKPASS_REQUIRE=force \
        DISPLAY=${DISPLAY:-none} "$@" </dev/null >/dev/null 2>"$apb_scratch/key_err" || key_rc=$?
    elif [ -e "$key_path" ]; then
      printf 'y\n' | "$@" -N '' >/dev/null 2>"$apb_scratch/key_err" || key_rc=$?
    else
      "$@" -N '' </dev/null >/dev/null 2>"$apb_scratch/key_err" || key_rc=$?
    fi
    echo "key_rc=$key_rc"
    echo "key_err_hex=$(hex <"$apb_scratch/key_err")"
    if [ "$key_rc" = 0 ]; then
      echo key_made=1
      chown "$uid:$gid" "$key_path" "$key_path.pub"
    fi
  fi
  ssh_key_state "$home" "$key"
fi

if [ -n "$pw" ] && { [ -n "$expire_min" ] || [ -n "$expire_max" ]; }; then
  shadow=$(entry shadow "$name")
  if [ -n "$shadow" ]; then
    set --
    [ -n "$expire_min" ] && [ "$expire_min" != "$(printf '%s\n' "$shadow" | cut -d: -f4)" ] &&
      set -- -m "$expire_min"
    [ -n "$expire_max" ] && [ "$expire_max" != "$(printf '%s\n' "$shadow" | cut -d: -f5)" ] &&
      set -- "$@" -M "$expire_max"
    if [ $# -gt 0 ]; then
      have chage || missing chage
      chage_rc=0
      "$found" "$@" "$name" >/dev/null 2>"$apb_scratch/chage_err" </dev/null || chage_rc=$?
      echo "chage_rc=$chage_rc"
      echo "chage_err_hex=$(hex <"$apb_scratch/chage_err")"
      [ "$chage_rc" = 0 ] && echo chage_made=1
    fi
  fi
fi
echo end=1
