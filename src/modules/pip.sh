#!/bin/sh
# apb-pip: the pip module's one round trip on the target. POSIX sh; pip and Python are the target's own.
#
# Run as:  /bin/sh -c "<expand-args.sh + this text>" apb-pip MODE PYTHON EXECUTABLE VENV CHDIR UMASK \
#            SITE VENV_PYTHON_MODE COUNT VENV_WORDS… FREEZE -- PIP_ARGS…
#   MODE              run (install/uninstall), check (list what is installed), setup (the virtualenv
#                     and pip only: the module then decides without running pip) or check-setup (the
#                     same in check mode, where a missing virtualenv is only reported)
#   PYTHON            the host's ansible_python_interpreter, or "" to look for python3
#   EXECUTABLE        `executable` as written, or ""
#   VENV, CHDIR       `virtualenv` and `chdir` as written ($VAR and ~ expanded here), or ""
#   UMASK             octal umask to run under, or ""
#   SITE              1: --system-site-packages
#   VENV_PYTHON_MODE  "" (virtualenv: add -p<python>), "venv" (python -m venv or pyvenv: no -p),
#                     "refuse" (venv with virtualenv_python: refused when the virtualenv is to be made)
#                     or a Python name to pass as -p
#   COUNT VENV_WORDS  virtualenv_command, split into COUNT words on the controller
#   FREEZE            1: list the packages before and after (a requirements file or a VCS URL)
#   PIP_ARGS          what follows pip: install -U … or uninstall -y …
#
# The answer (key=value lines, values that may hold any byte in hex, end=1 last):
#   venv_hex, chdir_hex              the expanded paths
#   fail=… (+ detail_hex)            no_chdir, no_tool (venv_tool_hex, path_hex), no_python, help_failed,
#                                    venv_python,
#                                    no_pip_in_venv (names_hex), no_pip (names_hex): nothing was run
#   venv_missing=1                   check mode with no virtualenv yet: nothing was run
#   venv_cmd_hex (repeated), venv_rc, venv_out_hex, venv_err_hex   the virtualenv creation
#   pip_hex (repeated)               the pip command's first words
#   list_rc, list_out_hex, list_err_hex   pip list --format=freeze (list_freeze=1: pip freeze, if refused),
#                                    prefixed before_/after_ around a run with FREEZE=1
#   rc, out_hex, err_hex             the pip run
set -u
mode=$1 python=$2 executable=$3 venv=$4 chdir=$5 umask_value=$6 site=$7 venv_python=$8 count=$9
shift 9

hex() {
  od -An -v -tx1 | tr -d ' \n'
}
say_hex() {
  printf '%s=%s\n' "$1" "$(printf '%s' "$2" | hex)"
}
finish() {
  echo end=1
  exit 0
}
fail() {
  echo "fail=$1"
  finish
}
# PATH with the sbin directories that exist and it lacks, as Ansible's get_bin_path looks.
sbin_path=$PATH
for dir in /sbin /usr/sbin /usr/local/sbin; do
  case :$PATH: in
    *":$dir:"*) ;;
    *) [ -e "$dir" ] && sbin_path=$sbin_path:$dir ;;
  esac
done
# find_tool NAME: its path on PATH (the sbin directories included, as Ansible looks), in $found.
find_tool() {
  found=$(PATH=$sbin_path command -v "$1" 2>/dev/null) || found=
  case $found in /*) return 0 ;; *) found= && return 1 ;; esac
}

[ -n "$umask_value" ] && umask "$umask_value"
if [ -n "$chdir" ]; then
  chdir=$(apb_expand "$chdir")
  chdir=${chdir%x}
  say_hex chdir_hex "$chdir"
  cd "$chdir" 2>/dev/null || fail no_chdir
else
  cd "${TMPDIR:-/tmp}" 2>/dev/null || cd /tmp || fail no_chdir
fi
if [ -n "$venv" ]; then
  venv=$(apb_expand "$venv")
  venv=${venv%x}
  case $venv in /*) ;; *) [ -n "$chdir" ] && venv=${chdir%/}/$venv ;; esac
  say_hex venv_hex "$venv"
fi
if [ -n "$executable" ]; then
  executable=$(apb_expand "$executable")
  executable=${executable%x}
fi

# The Python that Ansible's module would run under: ansible_python_interpreter, else python3.
find_python() {
  if [ -n "$python" ]; then
    case $python in
      /*) [ -x "$python" ] || return 1 ;;
      *)
        find_tool "$python" || return 1
        python=$found
        ;;
    esac
    return 0
  fi
  for candidate in /usr/bin/python3 python3 python; do
    case $candidate in
      /*) [ -x "$candidate" ] && python=$candidate && return 0 ;;
      *) find_tool "$candidate" && python=$found && return 0 ;;
    esac
  done
  return 1
}

# The packages pip lists, prefixed $1: list --format=freeze in the C locale, pip freeze where refused.
list_packages() {
  list_rc=0
  (
    LANG=C.UTF-8 LC_ALL=C.UTF-8 LC_MESSAGES=C.UTF-8
    export LANG LC_ALL LC_MESSAGES
    run_pip list --format=freeze
  ) >"$scratch/list.out" 2>"$scratch/list.err" || list_rc=$?
  if [ "$list_rc" -ne 0 ]; then
    echo "${1}list_freeze=1"
    list_rc=0
    run_pip freeze >"$scratch/list.out" 2>"$scratch/list.err" || list_rc=$?
  fi
  echo "${1}list_rc=$list_rc"
  echo "${1}list_out_hex=$(hex <"$scratch/list.out")"
  echo "${1}list_err_hex=$(hex <"$scratch/list.err")"
  [ "$list_rc" -eq 0 ]
}

scratch=$(mktemp -d "${TMPDIR:-/tmp}/apb-pip.XXXXXX") || exit 1
trap 'rm -rf "$scratch"' EXIT

# run_pip ARGS…: the pip command (its words were set by the lookup below) with ARGS.
run_pip() {
  if [ -n "$pip_module" ]; then
    "$python" -m pip.__main__ "$@" </dev/null
  else
    "$pip_path" "$@" </dev/null
  fi
}

# create_venv VENV_WORDS… (the first $count words of its arguments): the virtualenv creation command,
# with its options and the directory added as Ansible adds them.
create_venv() {
  total=$#
  i=0
  while [ "$i" -lt "$count" ]; do
    set -- "$@" "$1"
    shift
    i=$((i + 1))
  done
  shift $((total - count))
  # virtualenv_command is a path: ~ and $VAR in it are expanded, as Ansible expands it.
  tool=$(apb_expand "$1")
  tool=${tool%x}
  shift
  case $tool in
    */*) ;;
    *)
      if ! find_tool "$tool"; then
        say_hex venv_tool_hex "$tool"
        say_hex path_hex "$sbin_path"
        fail no_tool
      fi
      tool=$found
      ;;
  esac
  set -- "$tool" "$@"
  if [ "$site" = 1 ]; then
    set -- "$@" --system-site-packages
  else
    help_rc=0
    help=$("$tool" --help 2>&1 </dev/null) || help_rc=$?
    if [ "$help_rc" -ne 0 ]; then
      say_hex help_cmd_hex "$tool --help"
      say_hex detail_hex "$help"
      fail help_failed
    fi
    for word in $help; do
      if [ "$word" = --no-site-packages ]; then
        set -- "$@" --no-site-packages
        break
      fi
    done
  fi
  case $venv_python in
    venv) ;;
    refuse) fail venv_python ;;
    '')
      find_python || fail no_python
      set -- "$@" "-p$python"
      ;;
    *) set -- "$@" "-p$venv_python" ;;
  esac
  set -- "$@" "$venv"
  for word in "$@"; do
    say_hex venv_cmd_hex "$word"
  done
  venv_rc=0
  "$@" >"$scratch/venv.out" 2>"$scratch/venv.err" </dev/null || venv_rc=$?
  echo "venv_rc=$venv_rc"
  echo "venv_out_hex=$(hex <"$scratch/venv.out")"
  echo "venv_err_hex=$(hex <"$scratch/venv.err")"
  [ "$venv_rc" -eq 0 ] || finish
}

if [ -n "$venv" ] && [ ! -e "$venv/bin/activate" ]; then
  case $mode in check*) echo venv_missing=1 && finish ;; esac
  create_venv "$@"
fi
shift "$count"
freeze=$1
shift 2

# Which pip: `executable`; the virtualenv's pip3 or pip; else the Python's own pip module; else pip3.
pip_module=
pip_path=
if [ -n "$executable" ]; then
  case $executable in
    /*) pip_path=$executable ;;
    *)
      find_tool "$executable" || {
        say_hex names_hex "$executable"
        fail no_pip
      }
      pip_path=$found
      ;;
  esac
elif [ -n "$venv" ]; then
  for name in pip3 pip; do
    if [ -f "$venv/bin/$name" ] && [ -x "$venv/bin/$name" ]; then
      pip_path=$venv/bin/$name
      break
    fi
  done
  [ -n "$pip_path" ] || fail no_pip_in_venv
else
  if find_python && "$python" -c 'import importlib.util, sys; sys.exit(0 if importlib.util.find_spec("pip") else 1)' >/dev/null 2>&1 </dev/null; then
    pip_module=1
  elif find_tool pip3; then
    pip_path=$found
  else
    find_python || fail no_python
    say_hex names_hex pip3
    fail no_pip
  fi
fi
if [ -n "$pip_module" ]; then
  say_hex pip_hex "$python"
  say_hex pip_hex -m
  say_hex pip_hex pip.__main__
else
  say_hex pip_hex "$pip_path"
fi

case $mode in
  setup | check-setup) finish ;;
  check)
    list_packages '' || true
    finish
    ;;
esac
if [ "$freeze" = 1 ]; then
  list_packages before_ || finish
fi
if [ -n "$venv" ]; then
  PATH=$venv/bin:$PATH
  export PATH
fi
rc=0
run_pip "$@" >"$scratch/out" 2>"$scratch/err" || rc=$?
echo "rc=$rc"
echo "out_hex=$(hex <"$scratch/out")"
echo "err_hex=$(hex <"$scratch/err")"
if [ "$freeze" = 1 ] && [ "$rc" -eq 0 ]; then
  list_packages after_ || true
fi
finish
