# shellcheck shell=sh
# apb-uri-probe: what the uri module reads before its request (apb_expand from expand-args.sh is
# defined before this). POSIX sh.
#
# Arguments: CREATES REMOVES DEST, each prefixed with `-` when not given and `+` when given (so that an
# empty value stays an argument). Paths are expanded as Ansible's `path` type expands them ($VAR, ~).
# Prints skip=creates or skip=removes (with the expanded path in hex) when the request must not be
# made; otherwise, for DEST, its expanded path, its kind (dir, file, other, none), its mtime (epoch
# seconds) when a file, and a private (0600) temporary file next to it (in it, for a directory) that
# the transport writes the response to, or why none could be made.
hex() { printf '%s' "$1" | od -An -v -tx1 | tr -d ' \n'; }
expand() {
  expanded=$(apb_expand "$1")
  expanded=${expanded%x}
}
case $1 in
  +*)
    expand "${1#+}"
    echo "creates_hex=$(hex "$expanded")"
    if [ -e "$expanded" ]; then
      echo skip=creates
      echo end=1
      exit 0
    fi
    ;;
esac
case $2 in
  +*)
    expand "${2#+}"
    echo "removes_hex=$(hex "$expanded")"
    if [ ! -e "$expanded" ]; then
      echo skip=removes
      echo end=1
      exit 0
    fi
    ;;
esac
case $3 in
  +*)
    expand "${3#+}"
    dest=$expanded
    echo "dest_hex=$(hex "$dest")"
    if [ -d "$dest" ]; then
      echo dest_kind=dir
      dir=$dest
    else
      if [ -f "$dest" ]; then
        echo dest_kind=file
        echo "dest_mtime=$(stat -c %Y -- "$dest" 2>/dev/null)"
      elif [ -e "$dest" ] || [ -L "$dest" ]; then
        echo dest_kind=other
      else
        echo dest_kind=none
      fi
      case $dest in
        */*) dir=${dest%/*} ;;
        *) dir=. ;;
      esac
      [ -n "$dir" ] || dir=/
    fi
    if tmp=$(umask 077 && mktemp "$dir/.apb-uri.XXXXXX" 2>&1); then
      echo "tmp_hex=$(hex "$tmp")"
    else
      echo "tmp_error_hex=$(hex "$tmp")"
    fi
    ;;
esac
echo end=1
