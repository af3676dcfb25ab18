# shellcheck shell=sh
# apb-uri-act: what the uri module does with a response written to a temporary file next to dest
# (describe_path from path-info.sh is defined before this). POSIX sh.
#
# Arguments: TMP FINAL WRITE MODE OWNER GROUP WANT_BODY CAP EMPTY. MODE, OWNER and GROUP are
# prefixed with `-` when not given and `+` when given. EMPTY=1: FINAL gets no content (what Ansible
# writes for a status it accepts that is no 2xx, and for HEAD); the body is still read from TMP.
# WRITE=1: the response replaces FINAL, atomically (mv in one
# directory), unless FINAL already holds the same bytes; a file it replaces keeps its mode and owner,
# a new one gets what the umask leaves of 0666 (as Ansible's atomic_move). Then MODE (chmod), OWNER
# and GROUP are applied. WRITE=0: TMP is removed.
# Prints key=value lines ending with end=1 (describe_path's for FINAL, errors as *_error_hex), then,
# with WANT_BODY=1, the first CAP bytes of the body (body_len of them).
tmp=$1
final=$2
write=$3
mode=$4
owner=$5
group=$6
want_body=$7
cap=$8
empty=$9
hex() { printf '%s' "$1" | od -An -v -tx1 | tr -d ' \n'; }
fail() {
  echo "$1_error_hex=$(hex "$2")"
  rm -f "$tmp" ${src:+"$src"}
  describe_path "$final"
  echo end=1
  exit 0
}
body=$tmp
src=$tmp
if [ "$write" = 1 ]; then
  if [ "$empty" = 1 ]; then
    src=$(umask 077 && mktemp "$tmp.XXXXXX" 2>&1) || fail write "$src"
  fi
  if [ -f "$final" ] && cmp -s "$src" "$final"; then
    rm -f "$src"
  else
    if [ -f "$final" ]; then
      perms=$(stat -c %a -- "$final")
      ids=$(stat -c %u:%g -- "$final")
      chown "$ids" "$src" 2>/dev/null
    else
      perms=$(printf '%o' $((0666 & ~$(umask))))
    fi
    chmod "$perms" "$src"
    err=$(mv -f "$src" "$final" 2>&1) || fail write "$err"
  fi
  [ "$src" = "$tmp" ] && body=$final
  case $mode in
    +*) err=$(chmod "${mode#+}" "$final" 2>&1) || fail mode "$err" ;;
  esac
  case $owner in
    +*) err=$(chown "${owner#+}" "$final" 2>&1) || fail owner "$err" ;;
  esac
  case $group in
    +*) err=$(chgrp "${group#+}" "$final" 2>&1) || fail group "$err" ;;
  esac
fi
describe_path "$final"
body_len=0
if [ "$want_body" = 1 ] && [ -f "$body" ]; then
  body_len=$(($(wc -c <"$body")))
  [ "$body_len" -gt "$cap" ] && body_len=$cap
fi
echo "body_len=$body_len"
echo end=1
[ "$body_len" -gt 0 ] && dd if="$body" bs="$body_len" count=1 2>/dev/null
[ "$body" = "$final" ] || rm -f "$tmp"
exit 0
