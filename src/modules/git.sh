#!/bin/sh
# apb-git: brings a git checkout on the target to the version asked, with the target's own git, deciding
# as Ansible's git module does (clone when there is no repository, else refuse local modifications
# unless force, fetch, switch to the version, update submodules) and telling what it did. POSIX sh.
#
# Run as:  /bin/sh -c "<this text>" apb-git <git> <repo> <dest> <version> <remote> <refspec> <force>
#            <depth> <clone> <update> <bare> <recursive> <track_submodules> <single_branch>
#            <separate_git_dir> <umask> <check> <diff> <ssh_opts given 0|1> <ssh_opts> <accept_hostkey>
#            <accept_newhostkey> <key_file> <reference> <archive> <archive_prefix given 0|1>
#            <archive_prefix> <repo as written>
# (src/modules/git.ts builds the command; flags are 0/1, absent values empty)
#
# The answer, key=value lines (text in hex): before, after (a commit id, `null` for none), changed,
# remote_url_changed, msg_hex, git_dir_before_hex, git_dir_now_hex, submodules_changed, diff_hex,
# warn_hex (each warning); or, for a failure, fail_hex (the message; absent when it is the failed
# command's stderr), with rc, out_hex, err_hex and arg_hex (each word of the command, cmd=string|list)
# where Ansible reports them, details_hex, and with_result=1 when the fields above go with it.
# missing_tool=git when git cannot be found (path_hex: the PATH searched). Last line: end=1.
set -u
git=$1 repo=$2 dest=$3 version=$4 remote=$5 refspec=$6 force=$7 depth=$8 allow_clone=$9
shift 9
update=$1 bare=$2 recursive=$3 track=$4 single_branch=$5 separate=$6 mask=$7 check=$8 want_diff=$9
shift 9
ssh_given=$1 ssh_opts=$2 accept_hostkey=$3 accept_newhostkey=$4 key_file=$5 reference=$6 archive=$7
archive_prefix_given=$8 archive_prefix=$9
shift 9
repo_written=$1

hex() {
  od -An -v -tx1 | tr -d ' \n'
}
say() {
  printf '%s=%s\n' "$1" "$(printf '%s' "$2" | hex)" >&3
}
# finish: ends the answer (once) and the script; a function run in a command substitution that finishes
# leaves a mark that its caller stops on (stop_if_done).
finish() {
  if [ ! -e "$scratch/done" ]; then
    : >"$scratch/done"
    echo end=1 >&3
  fi
  exit 0
}
stop_if_done() {
  if [ -e "$scratch/done" ]; then exit 0; fi
}

exec 3>&1
scratch=$(mktemp -d "${TMPDIR:-/tmp}/apb-git.XXXXXX") || exit 1
trap 'rm -rf "$scratch"' EXIT

# Git's messages are read (and shown) as Ansible reads them: in the C locale.
LANG=C LC_ALL=C LC_MESSAGES=C LC_CTYPE=C
export LANG LC_ALL LC_MESSAGES LC_CTYPE

# run DIR CMD…: runs CMD in DIR (in the current directory when DIR is not one), its output in files.
run() {
  run_dir=$1
  shift
  rc=0
  (
    if [ -n "$run_dir" ] && [ -d "$run_dir" ]; then cd "$run_dir" || exit 1; fi
    exec "$@"
  ) >"$scratch/out" 2>"$scratch/err" </dev/null || rc=$?
  out=$(cat "$scratch/out"; echo x)
  out=${out%x}
}

# cmd_words KIND CMD…: the failed command, as Ansible shows it (string: shell-quoted; list: a list).
cmd_words() {
  echo "cmd=$1" >&3
  shift
  for word in "$@"; do say arg_hex "$word"; done
}

# fail_output: the failed run's exit code and output.
fail_output() {
  echo "rc=$rc" >&3
  echo "out_hex=$(hex <"$scratch/out")" >&3
  echo "err_hex=$(hex <"$scratch/err")" >&3
}

# must DIR CMD…: runs CMD; when it fails, the task fails with its stderr, as a checked run in Ansible.
must() {
  run "$@"
  if [ "$rc" != 0 ]; then
    shift
    cmd_words string "$@"
    fail_output
    finish
  fi
}

# fail MSG: the task fails with MSG (and whatever was printed before it).
fail() {
  say fail_hex "$1"
  finish
}

contains() {
  case $1 in *"$2"*) return 0 ;; esac
  return 1
}

# --- the git executable ----------------------------------------------------------------------------
# shellcheck disable=SC2088 # a literal tilde, expanded here as Ansible expands a path
case $git in
  "~/"*) git=$HOME/${git#"~/"} ;;
esac
if [ -n "$git" ]; then
  if [ ! -x "$git" ] || [ -d "$git" ]; then
    # Ansible's module fails where it first runs it (git --version), with Python's OSError text.
    say fail_hex "[Errno 2] No such file or directory: b'$git'"
    cmd_words string "$git" --version
    echo rc=2 >&3
    echo out_hex= >&3
    echo err_hex= >&3
    finish
  fi
else
  PATH=$PATH:/usr/sbin:/sbin:/usr/local/sbin
  git=$(command -v git 2>/dev/null) || git=
  if [ -z "$git" ]; then
    say path_hex "$PATH"
    echo missing_tool=git >&3
    finish
  fi
fi

# --- ssh options (GIT_SSH_COMMAND) -------------------------------------------------------------------
if [ "$accept_hostkey" = 1 ]; then
  if [ "$ssh_given" = 1 ]; then
    if ! contains "$ssh_opts" '-o StrictHostKeyChecking=no' && ! contains "$ssh_opts" '-o StrictHostKeyChecking=accept-new'; then
      ssh_opts="$ssh_opts -o StrictHostKeyChecking=no"
    fi
  else
    ssh_opts='-o StrictHostKeyChecking=no' ssh_given=1
  fi
fi
if [ "$accept_newhostkey" = 1 ]; then
  if ! ssh_path=$(command -v ssh 2>/dev/null) || [ -z "$ssh_path" ]; then
    say details_hex "Failed to find required executable \"ssh\" in paths: $PATH"
    fail 'Remote host is missing ssh command, so you cannot use acceptnewhostkey option.'
  fi
  if ! "$ssh_path" -o StrictHostKeyChecking=accept-new -V >/dev/null 2>&1; then
    say warn_hex 'Your ssh client does not support accept_newhostkey option, therefore it cannot be used.'
  elif [ "$ssh_given" = 1 ]; then
    if ! contains "$ssh_opts" '-o StrictHostKeyChecking=no' && ! contains "$ssh_opts" '-o StrictHostKeyChecking=accept-new'; then
      ssh_opts="$ssh_opts -o StrictHostKeyChecking=accept-new"
    fi
  else
    ssh_opts='-o StrictHostKeyChecking=accept-new' ssh_given=1
  fi
fi

# --- umask ---------------------------------------------------------------------------------------------
if [ -n "$mask" ]; then
  umask "$mask" || fail 'umask must be an octal integer'
fi

# A repository given as a path is cloned as a file:// URL (depth needs one).
# shellcheck disable=SC2088 # a literal tilde, expanded here as Ansible expands it
case $repo in
  "~") repo=$HOME ;;
  "~/"*) repo=$HOME/${repo#"~/"} ;;
esac
case $repo in
  /*) repo=file://$repo ;;
esac
# shellcheck disable=SC2088
case $repo_written in
  "~") repo_home=$HOME ;;
  "~/"*) repo_home=$HOME/${repo_written#"~/"} ;;
  *) repo_home=$repo_written ;;
esac

absolute() {
  # shellcheck disable=SC2088
  case $1 in
    "~") printf '%s' "$HOME" ;;
    "~/"*) printf '%s' "$HOME/${1#"~/"}" ;;
    /*) printf '%s' "$1" ;;
    *) printf '%s' "$PWD/$1" ;;
  esac
}
# resolved PATH: the path with symbolic links and dot components resolved (os.path.realpath).
resolved() {
  if command -v realpath >/dev/null 2>&1; then
    realpath -m -- "$1" 2>/dev/null || printf '%s\n' "$1"
  else
    printf '%s\n' "$1"
  fi
}
normal() {
  # Drops ./ and duplicate slashes and a trailing slash, as os.path.abspath does (not ..).
  printf '%s' "$1" | sed -e 's#/\./#/#g' -e 's#//*#/#g' -e 's#/\.$##' -e 's#\(.\)/$#\1#'
}

if [ -n "$separate" ]; then separate=$(resolved "$(absolute "$separate")"); fi
# Paths given as ~/… are the login user's, as Ansible expands them on the target.
tilde() {
  # shellcheck disable=SC2088
  case $1 in
    "~") printf '%s' "$HOME" ;;
    "~/"*) printf '%s' "$HOME/${1#"~/"}" ;;
    *) printf '%s' "$1" ;;
  esac
}
key_file=$(tilde "$key_file")
archive=$(tilde "$archive")

# repo_path_of DEST: the repository's directory (DEST/.git, DEST when bare, or where a .git file points).
repo_path_of() {
  if [ "$bare" = 1 ]; then rp=$1; else rp=$1/.git; fi
  if [ -f "$rp" ]; then
    gitfile=$(cat "$rp"; echo x)
    gitfile=${gitfile%x}
    gitfile=$(printf '%s' "$gitfile" | sed -e ':a' -e '$!N' -e '$!ba' -e 's/[[:space:]]*$//')
    case $gitfile in
      'gitdir: '*) gitdir=${gitfile#gitdir: } ;;
      *)
        say details_hex '.git file has invalid git dir reference format'
        return 1
        ;;
    esac
    case $gitdir in
      /*) rp=$gitdir ;;
      *) rp=$1/$gitdir ;;
    esac
    if [ ! -d "$rp" ]; then
      say details_hex "$rp is not a directory"
      return 1
    fi
  fi
  return 0
}
bad_repo_path() {
  fail 'Current repo does not have a valid reference to a separate Git dir or it refers to the invalid path'
}

changed=0
if [ -z "$dest" ] && [ "$allow_clone" = 1 ]; then
  fail 'the destination directory must be specified unless clone=no'
fi
if [ -n "$dest" ]; then
  dest=$(normal "$(absolute "$dest")")
  repo_path_of "$dest" || bad_repo_path
  repo_path=$rp
  if [ -n "$separate" ] && [ -e "$repo_path" ] && [ "$separate" != "$repo_path" ]; then
    changed=1
    if [ "$check" = 0 ]; then
      [ -e "$separate" ] && fail "Separate-git-dir path $separate already exists."
      if ! mv -- "$repo_path" "$separate" 2>"$scratch/err"; then
        fail "Unable to move git dir. $(cat "$scratch/err")"
      fi
      if ! printf 'gitdir: %s' "$separate" >"$dest/.git" 2>"$scratch/err"; then
        [ -e "$separate" ] && mv -- "$separate" "$repo_path"
        fail "Unable to move git dir. $(cat "$scratch/err")"
      fi
      say git_dir_before_hex "$repo_path"
      say git_dir_now_hex "$separate"
      repo_path=$separate
    fi
  fi
fi

ssh_command=${GIT_SSH:-${GIT_SSH_COMMAND:-ssh}}
if [ "$ssh_given" = 1 ]; then opts="${GIT_SSH_OPTS:-} $ssh_opts"; else opts=${GIT_SSH_OPTS:-}; fi
if [ "$accept_hostkey" = 1 ] && ! contains "$opts" StrictHostKeyChecking=no; then
  opts="$opts -o StrictHostKeyChecking=no"
fi
contains "$opts" BatchMode=yes || opts="$opts -o BatchMode=yes"
if [ -n "$key_file" ]; then
  # git runs GIT_SSH_COMMAND through sh: the key's path goes in single quotes (a ' in it as '\'').
  quoted_key=$(printf '%sx' "$key_file" | sed "s/'/'\\\\''/g") && quoted_key=${quoted_key%x}
  # shellcheck disable=SC2089 # the quotes are for the sh git runs the command with
  contains "$opts" "-i $key_file" || opts="$opts  -i '$quoted_key'"
  contains "$opts" IdentitiesOnly=yes || opts="$opts -o IdentitiesOnly=yes"
fi
GIT_SSH_COMMAND="$ssh_command $opts"
# shellcheck disable=SC2090 # read by git's sh, which honours the quotes
export GIT_SSH_COMMAND

# --- what git says -------------------------------------------------------------------------------------
# rev DIR [REF]: the commit id of REF (HEAD) as git rev-parse prints it.
rev() {
  run "$1" "$git" rev-parse "${2:-HEAD}"
  printf '%s' "$out" | sed -e ':a' -e '$!N' -e '$!ba' -e 's/\n*$//'
}

# is_remote_branch DIR REMOTE VERSION / is_remote_tag …: whether ls-remote lists it (output names it).
is_remote_branch() {
  must "$1" "$git" ls-remote "$2" -h "refs/heads/$3"
  contains "$out" "$3"
}
is_remote_tag() {
  must "$1" "$git" ls-remote "$2" -t "refs/tags/$3"
  contains "$out" "$3"
}

# branches DIR: `git branch -a`, one stripped line each.
branches() {
  run "$1" "$git" branch --no-color -a
  if [ "$rc" != 0 ]; then
    say fail_hex "Could not determine branch data - received $out"
    echo out_hex="$(hex <"$scratch/out")" >&3
    echo err_hex="$(hex <"$scratch/err")" >&3
    finish
  fi
  printf '%s' "$out" | sed -e 's/^[[:space:]]*//' -e 's/[[:space:]]*$//' -e '/^$/d'
}
is_local_branch() {
  branches "$dest" >"$scratch/branches"
  grep -Fqx -e "$1" -e "* $1" "$scratch/branches"
}
is_not_a_branch() {
  branches "$dest" >"$scratch/branches"
  grep -q -e '^\* .*no branch' -e '^\* .*detached from' -e '^\* .*detached at' "$scratch/branches"
}

# head_branch: the branch HEAD is on, or the remote's HEAD branch when detached ("None" if unknown).
head_branch() {
  repo_path_of "$dest" || bad_repo_path
  headfile=$rp/HEAD
  if is_not_a_branch; then headfile=$rp/refs/remotes/$remote/HEAD; fi
  hb=None
  if [ -f "$headfile" ]; then
    raw=$(head -n 1 "$headfile")
    if [ -n "$raw" ]; then
      case $raw in
        *"refs/remotes/$remote"*) raw=${raw%%"refs/remotes/$remote"*}${raw#*"refs/remotes/$remote"} ;;
      esac
      hb=${raw##* }
      case $hb in */*) hb=${hb#*/} ;; esac
      case $hb in */*) hb=${hb#*/} ;; esac
    fi
  fi
  printf '%s' "$hb"
}

# remote_head REMOTE: the commit id the remote has for the version (the version itself for a commit id).
remote_head() {
  rh_remote=$1
  rh_dir=$dest
  if [ "$rh_remote" = "$repo_written" ] || [ "$rh_remote" = "file://$repo_home" ]; then
    rh_dir=
    [ "$version" = HEAD ] && set -- "$git" ls-remote "$rh_remote" -h HEAD
  elif [ "$version" = HEAD ]; then
    hb=$(head_branch)
  stop_if_done
    set -- "$git" ls-remote "$rh_remote" -h "refs/heads/$hb"
  fi
  rh_tag=0
  if [ "$version" != HEAD ]; then
    if is_remote_branch "$dest" "$rh_remote" "$version"; then
      set -- "$git" ls-remote "$rh_remote" -h "refs/heads/$version"
    elif is_remote_tag "$dest" "$rh_remote" "$version"; then
      rh_tag=1
      set -- "$git" ls-remote "$rh_remote" -t "refs/tags/$version*"
    else
      printf '%s' "$version"
      return 0
    fi
  fi
  must "$rh_dir" "$@"
  if [ -z "$out" ]; then
    say fail_hex "Could not determine remote revision for $version"
    fail_output
    finish
  fi
  if [ "$rh_tag" = 1 ]; then
    picked=$(printf '%s' "$out" | awk -v v="$version" '
      { line = $0 }
      substr(line, length(line) - length(v "^{}") + 1) == v "^{}" { found = line; exit }
      substr(line, length(line) - length(v) + 1) == v { found = line }
      END { print found }')
    [ -n "$picked" ] && out=$picked
  fi
  printf '%s' "$out" | awk 'NF { print $1; exit }'
}

# remote_url: the URL the checkout's remote has (empty when git cannot tell).
remote_url() {
  run "$dest" "$git" ls-remote --get-url "$remote"
  [ "$rc" = 0 ] || return 1
  printf '%s' "$out" | sed -e ':a' -e '$!N' -e '$!ba' -e 's/\n*$//'
}
same_url() {
  [ "$1" = "$2" ] || [ "$(resolved "$(absolute "$1")")" = "$(resolved "$(absolute "$2")")" ]
}
# set_remote_url: points the remote at the repo; true when that changed a URL git knew.
set_remote_url() {
  if url=$(remote_url); then known=1; else known=0 url=; fi
  if [ "$known" = 1 ] && same_url "$url" "$repo"; then return 1; fi
  run "$dest" "$git" remote set-url "$remote" "$repo"
  if [ "$rc" != 0 ]; then
    fail "Failed to set a new url $repo for $remote: $out $(cat "$scratch/err")"
  fi
  [ "$known" = 1 ]
}

# fetch VERSION REFSPEC FORCE: downloads what the version needs (every ref and tag unless depth).
fetch() {
  f_version=$1 f_refspec=$2 f_force=$3
  set_remote_url || :
  set -- "$git" fetch
  n=0
  if [ -n "$depth" ]; then
    current=$(head_branch)
  stop_if_done
    if [ -n "$f_refspec" ]; then
      r1=$f_refspec n=1
    elif [ "$f_version" = HEAD ]; then
      r1=$current n=1
    elif is_remote_branch "$dest" "$repo" "$f_version"; then
      if [ "$current" != "$f_version" ]; then
        r1="+refs/heads/$f_version:refs/heads/$f_version" r2="+refs/heads/$f_version:refs/remotes/$remote/$f_version" n=2
      else
        r1="+refs/heads/$f_version:refs/remotes/$remote/$f_version" n=1
      fi
    elif is_remote_tag "$dest" "$repo" "$f_version"; then
      r1="+refs/tags/$f_version:refs/tags/$f_version" n=1
    fi
    [ "$n" -gt 0 ] && set -- "$@" --depth "$depth"
  fi
  if [ -z "$depth" ] || [ "$n" = 0 ]; then
    if [ "$bare" = 1 ]; then
      # shellcheck disable=SC2034 # read through eval below
      r1='+refs/heads/*:refs/heads/*' r2='+refs/tags/*:refs/tags/*' n=2
    else
      set -- "$@" --tags
    fi
    if [ -n "$f_refspec" ]; then
      n=$((n + 1))
      eval "r$n=\$f_refspec"
    fi
  fi
  [ "$f_force" = 1 ] && set -- "$@" --force
  set -- "$@" "$remote"
  i=1
  while [ "$i" -le "$n" ]; do
    eval "set -- \"\$@\" \"\$r$i\""
    i=$((i + 1))
  done
  run "$dest" "$@"
  if [ "$rc" != 0 ]; then
    say fail_hex "Failed to download remote objects and refs: $out $(cat "$scratch/err")"
    cmd_words list "$@"
    finish
  fi
}

# diff BEFORE AFTER: what --diff shows of the change.
show_diff() {
  if [ "$1" = null ]; then
    say diff_hex ">> Newly checked out $2"
  elif [ "$1" != "$2" ]; then
    fetch "$2" '' 0
    run "$dest" "$git" diff "$1" "$2"
    if [ "$rc" = 0 ] && [ -n "$out" ]; then
      say diff_hex "$out"
    elif [ "$rc" = 0 ]; then
      say diff_hex ">> No visual differences between $1 and $2"
    elif [ -s "$scratch/err" ]; then
      say diff_hex ">> Failed to get proper diff between $1 and $2:
>> $(cat "$scratch/err"; echo x)"
    else
      say diff_hex ">> Failed to get proper diff between $1 and $2"
    fi
  fi
}

clone() {
  parent=$(dirname -- "$dest")
  mkdir -p -- "$parent" 2>/dev/null
  set -- "$git" clone
  if [ "$bare" = 1 ]; then set -- "$@" --bare; else set -- "$@" --origin "$remote"; fi
  if is_remote_branch "$dest" "$repo" "$version" || is_remote_tag "$dest" "$repo" "$version"; then
    named=1
  else
    named=0
  fi
  if [ -n "$depth" ]; then
    if [ "$version" = HEAD ] || [ -n "$refspec" ]; then
      set -- "$@" --depth "$depth"
    elif [ "$named" = 1 ]; then
      set -- "$@" --depth "$depth" --branch "$version"
    else
      say warn_hex 'Ignoring depth argument. Shallow clones are only available for HEAD, branches, tags or in combination with refspec.'
    fi
  fi
  [ -n "$reference" ] && set -- "$@" --reference "$reference"
  if [ "$single_branch" = 1 ]; then
    set -- "$@" --single-branch
    [ "$named" = 1 ] && set -- "$@" --branch "$version"
  fi
  [ -n "$separate" ] && set -- "$@" "--separate-git-dir=$separate"
  must "$parent" "$@" "$repo" "$dest"
  if [ "$bare" = 1 ] && [ "$remote" != origin ]; then
    must "$dest" "$git" remote add "$remote" "$repo"
  fi
  if [ -n "$refspec" ]; then
    set -- "$git" fetch
    [ -n "$depth" ] && set -- "$@" --depth "$depth"
    must "$dest" "$@" "$remote" "$refspec"
  fi
}

has_local_mods() {
  [ "$bare" = 1 ] && return 1
  run "$dest" "$git" status --porcelain
  printf '%s\n' "$out" | grep -v '^??' | grep -q .
}

switch_version() {
  if [ "$version" = HEAD ]; then
    branch=$(head_branch)
  stop_if_done
    run "$dest" "$git" checkout --force "$branch"
    if [ "$rc" != 0 ]; then
      say fail_hex "Failed to checkout branch $branch"
      fail_output
      finish
    fi
    set -- "$git" reset --hard "$remote/$branch" --
  elif is_remote_branch "$dest" "$remote" "$version"; then
    if [ -n "$depth" ] && ! is_local_branch "$version"; then
      run "$dest" "$git" fetch "--depth=$depth" "$remote" "+refs/heads/$version:refs/heads/$version" "+refs/heads/$version:refs/remotes/$remote/$version"
      if [ "$rc" != 0 ]; then
        say fail_hex "Failed to fetch branch from remote: $version"
        fail_output
        finish
      fi
    fi
    if ! is_local_branch "$version"; then
      set -- "$git" checkout --track -b "$version" "$remote/$version"
    else
      run "$dest" "$git" checkout --force "$version"
      if [ "$rc" != 0 ]; then
        say fail_hex "Failed to checkout branch $version"
        fail_output
        finish
      fi
      set -- "$git" reset --hard "$remote/$version"
    fi
  else
    set -- "$git" checkout --force "$version"
  fi
  run "$dest" "$@"
  if [ "$rc" != 0 ]; then
    if [ "$version" != HEAD ]; then
      say fail_hex "Failed to checkout $version"
    else
      say fail_hex "Failed to checkout branch $branch"
    fi
    fail_output
    echo cmd=raw >&3
    for word in "$@"; do say arg_hex "$word"; done
    finish
  fi
}

# submodule_paths: the paths .gitmodules names, one a line.
submodule_paths() {
  while IFS= read -r line || [ -n "$line" ]; do
    trimmed=$(printf '%s' "$line" | sed -e 's/^[[:space:]]*//')
    case $trimmed in
      path*)
        case $line in
          *=*) printf '%s\n' "${line#*=}" | sed -e 's/^[[:space:]]*//' -e 's/[[:space:]]*$//' ;;
        esac
        ;;
    esac
  done <"$dest/.gitmodules"
}

# submodule_versions REF: "name id" lines of each submodule at REF.
submodule_versions() {
  run "$dest" "$git" submodule foreach "$git" rev-parse "$1"
  if [ "$rc" != 0 ]; then
    say fail_hex 'Unable to determine hashes of submodules'
    fail_output
    finish
  fi
  printf '%s' "$out"
}

submodules_fetch() {
  [ -f "$dest/.gitmodules" ] || return 1
  submodule_paths >"$scratch/paths"
  while IFS= read -r sub; do
    [ -e "$dest/$sub/.git" ] || return 0
  done <"$scratch/paths"
  begin=$(submodule_versions HEAD)
  stop_if_done
  must "$dest" "$git" submodule foreach "$git" fetch
  if [ "$track" = 1 ]; then
    now=$(submodule_versions "$remote/master")
    stop_if_done
    [ "$begin" != "$now" ]
    return
  fi
  must "$dest" "$git" submodule status
  printf '%s\n' "$out" | grep -q '^[^ ]'
}

submodule_update() {
  [ -f "$dest/.gitmodules" ] || return 0
  must "$dest" "$git" submodule sync
  set -- "$git" submodule update --init --recursive
  [ "$track" = 1 ] && set -- "$@" --remote
  [ "$force" = 1 ] && set -- "$@" --force
  run "$dest" "$@"
  if [ "$rc" != 0 ]; then
    fail "Failed to init/update submodules: $out$(cat "$scratch/err")"
  fi
}

archive_format() {
  case $archive in
    *.zip) echo zip ;;
    *.gz) echo tar.gz ;;
    *.tar) echo tar ;;
    *.tgz) echo tgz ;;
    *) return 1 ;;
  esac
}
git_archive() {
  set -- "$git" archive --format "$2" --output "$1"
  [ "$archive_prefix_given" = 1 ] && set -- "$@" --prefix "$archive_prefix"
  run "$dest" "$@" "$version"
  if [ "$rc" != 0 ]; then
    say details_hex "Git archive command failed to create archive $1 using $dest directory.Error: $(cat "$scratch/err")"
    fail 'Failed to perform archive operation'
  fi
}
# make_archive: the archive of the version; left alone when it has the same bytes already.
make_archive() {
  if ! format=$(archive_format); then
    say details_hex "Please specify archive as filename with extension. File extension can be one of ['tar', 'tar.gz', 'zip', 'tgz']"
    fail "Unable to get file extension from archive file name : $archive"
  fi
  if [ -e "$archive" ]; then
    name=${repo##*/}
    fresh=$scratch/archive/$(printf '%s' "$name" | sed 's/\.git//g').$format
    mkdir -p "$scratch/archive"
    git_archive "$fresh" "$format"
    if cmp -s "$fresh" "$archive"; then
      changed=0
    elif mv -f -- "$fresh" "$archive" 2>"$scratch/err"; then
      changed=1
    else
      say details_hex "Error occurred while moving : $(cat "$scratch/err")"
      fail "Failed to move $fresh to $archive"
    fi
  else
    git_archive "$archive" "$format"
    changed=1
  fi
}

report() {
  echo "before=$before" >&3
  echo "after=$after" >&3
  echo "changed=$changed" >&3
  [ -n "${url_changed:-}" ] && echo "remote_url_changed=$url_changed" >&3
  finish
}

before=null after=
local_mods=0
url_changed=
if { [ -n "$dest" ] && [ ! -e "$repo_path/config" ]; } || { [ -z "$dest" ] && [ "$allow_clone" = 0 ]; }; then
  if [ "$check" = 1 ] || [ "$allow_clone" = 0 ]; then
    after=$(remote_head "$repo")
  stop_if_done
    changed=1
    [ "$want_diff" = 1 ] && show_diff "$before" "$after"
    report
  fi
  clone
elif [ "$update" = 0 ]; then
  before=$(rev "$dest")
  after=$before
  if [ -n "$archive" ]; then
    if [ "$check" = 1 ]; then
      changed=1
      report
    fi
    make_archive
  fi
  report
else
  if has_local_mods; then local_mods=1; fi
  before=$(rev "$dest")
  echo "before=$before" >&3
  if [ "$local_mods" = 1 ]; then
    if [ "$force" = 0 ]; then
      echo "changed=$changed" >&3
      echo with_result=1 >&3
      fail "Local modifications exist in the destination: $dest (force=no)."
    fi
    if [ "$check" = 0 ]; then
      must "$dest" "$git" reset --hard HEAD
      changed=1
      say msg_hex "Local modifications exist in the destination: $dest"
    fi
  fi
  if [ "$check" = 1 ]; then
    url_changed=false
    if url=$(remote_url) && [ -n "$url" ] && ! same_url "$url" "$repo"; then url_changed=true; fi
    after=$(remote_head "$remote")
  stop_if_done
    changed=0
    if [ "$before" != "$after" ] || [ "$url_changed" = true ]; then changed=1; fi
    [ "$want_diff" = 1 ] && show_diff "$before" "$after"
    report
  fi
  if set_remote_url; then url_changed=true; else url_changed=false; fi
  fetch "$version" "$refspec" "$force"
fi

[ "$bare" = 1 ] || switch_version

if [ "$recursive" = 1 ] && [ "$bare" = 0 ] && submodules_fetch; then
  echo submodules_changed=1 >&3
  submodule_update
  subs=1
else
  subs=0
fi

after=$(rev "$dest")
if [ "$before" != "$after" ] || [ "$local_mods" = 1 ] || [ "$subs" = 1 ] || [ "$url_changed" = true ]; then
  changed=1
  [ "$want_diff" = 1 ] && show_diff "$before" "$after"
fi

if [ -n "$archive" ]; then
  if [ "$check" = 1 ]; then
    changed=1
    report
  fi
  make_archive
fi
report
