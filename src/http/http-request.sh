#!/bin/sh
# apb-http: one HTTP request on the target with curl (preferred) or GNU wget, following redirects one
# hop at a time as Ansible's follow_redirects decides, so that both tools behave alike. POSIX sh.
#
# Run as:  /bin/sh -c "<this text>" apb-http PREFER POLICY METHOD HAS_BODY OUT CAP TIMEOUT DECOMPRESS KEEP \
#            CURL_LEN CURL_ENTITY_LEN CURL_FIRST_LEN WGET_LEN WGET_ENTITY_LEN WGET_FIRST_LEN URL_LEN
# (src/http/transport.ts builds the command). Everything secret comes on stdin, never in argv:
# the curl config (headers, credentials, TLS options), the curl config of the entity headers
# (Content-Type…, dropped on a redirect that drops the body), the curl config of the headers sent on
# the first request only (unredirected_headers), the same three as wgetrc text, the URL, then
# the request body: the *_LEN arguments are the byte lengths of these sections, the body is the rest.
# They land in a private (0700) directory that is removed on exit.
#
# DECOMPRESS=1: a gzip Content-Encoding is decoded (gzip -dc), as Ansible's decompress does.
# OUT is the file the response body is written to (created 0600); empty: a private file whose first CAP
# bytes are printed. OUT is removed when the request fails, and unless the final status is KEEP (when
# KEEP is not empty). The answer is key=value lines ending with end=1, then the final response's header
# block (headers_len bytes, as the tool saw it) and the captured body (body_len bytes).
set -u
prefer=$1
policy=$2
method=$3
has_body=$4
out=$5
cap=$6
timeout=$7
decompress=$8
keep=$9
shift 9

umask 077
d=$(mktemp -d "${TMPDIR:-/tmp}/apb-http.XXXXXX" 2>/dev/null) || {
  echo "error=mktemp could not create a private temporary directory in ${TMPDIR:-/tmp}"
  echo end=1
  exit 0
}
trap 'rm -rf "$d"' EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM
cat >"$d/in"

# The sections, in order; small ones byte by byte (dd from a regular file), the body with tail.
offset=0
for name in common.curl entity.curl first.curl common.wgetrc entity.wgetrc first.wgetrc url; do
  length=$1
  shift
  if [ "$length" -gt 0 ]; then
    dd if="$d/in" of="$d/$name" bs=1 skip="$offset" count="$length" 2>/dev/null
  else
    : >"$d/$name"
  fi
  offset=$((offset + length))
done
tail -c "+$((offset + 1))" "$d/in" >"$d/body"
rm -f "$d/in"

have() { command -v "$1" >/dev/null 2>&1; }
tool=
case $prefer in
  curl) have curl && tool=curl ;;
  wget) have wget && tool=wget ;;
  *)
    if have curl; then
      tool=curl
    elif have wget; then
      tool=wget
    fi
    ;;
esac
if [ -z "$tool" ]; then
  echo "missing=$prefer"
  echo end=1
  exit 0
fi
echo "tool=$tool"
if [ "$tool" = wget ]; then
  if ! wget --version 2>/dev/null | grep 'GNU Wget' >/dev/null; then
    echo busybox_wget=1
    echo end=1
    exit 0
  fi
  if grep '^#refuse' "$d/common.wgetrc" >/dev/null; then
    echo wget_refused=1
    echo end=1
    exit 0
  fi
fi

# Escapes a value for a double-quoted curl config string.
curl_quote() {
  printf '%s' "$1" | sed 's/[\\"]/\\&/g'
}

# Sets `location` to the Location header of $d/headers made absolute against $url (wget does not).
resolve_location() {
  loc=$(awk '{ sub(/\r$/, "") }
    tolower(substr($0, 1, 9)) == "location:" { v = substr($0, 10); sub(/^[ \t]+/, "", v); sub(/[ \t]+$/, "", v); last = v }
    END { print last }' "$d/headers")
  case $loc in
    '') location= ;;
    [A-Za-z]*://*) location=$loc ;;
    //*) location=${url%%//*}$loc ;;
    /*)
      rest=${url#*://}
      location=${url%%://*}://${rest%%/*}$loc
      ;;
    \?*) location=${url%%\?*}$loc ;;
    *)
      base=${url%%\?*}
      rest=${base#*://}
      case $rest in
        */*) location=${base%/*}/$loc ;;
        *) location=$base/$loc ;;
      esac
      ;;
  esac
}

start=$(date +%s)
hops=0
send_body=$has_body
: >"$d/visited"
url=$(cat "$d/url")
while :; do
  : >"$d/headers"
  : >"$d/err"
  target=${out:-$d/response}
  status=
  location=
  connect_times=
  if [ "$tool" = curl ]; then
    cat "$d/common.curl" >"$d/hop.curl"
    [ "$send_body" = 1 ] && cat "$d/entity.curl" >>"$d/hop.curl"
    [ "$hops" = 0 ] && cat "$d/first.curl" >>"$d/hop.curl"
    printf 'url = "%s"\n' "$(curl_quote "$url")" >>"$d/hop.curl"
    # --head writes the headers where the body would go: a HEAD's body is nothing.
    body_to=$target
    [ "$method" = HEAD ] && body_to=/dev/null
    set -- -q -sS --http1.1 -K "$d/hop.curl" -D "$d/headers" -o "$body_to" \
      -w '%{http_code}\n%{redirect_url}\n%{time_connect} %{time_appconnect}\n' \
      --connect-timeout "$timeout" --speed-limit 1 --speed-time "$timeout"
    if [ "$method" = HEAD ]; then
      set -- "$@" --head
    elif [ "$method" != GET ] || [ "$send_body" = 1 ]; then
      set -- "$@" -X "$method"
    fi
    [ "$send_body" = 1 ] && set -- "$@" --data-binary "@$d/body"
    answer=$(curl "$@" 2>"$d/err")
    rc=$?
    status=$(printf '%s\n' "$answer" | sed -n 1p)
    location=$(printf '%s\n' "$answer" | sed -n 2p)
    connect_times=$(printf '%s\n' "$answer" | sed -n 3p)
    [ "$status" = 000 ] && status=
  else
    cat "$d/common.wgetrc" >"$d/hop.wgetrc"
    [ "$send_body" = 1 ] && cat "$d/entity.wgetrc" >>"$d/hop.wgetrc"
    [ "$hops" = 0 ] && cat "$d/first.wgetrc" >>"$d/hop.wgetrc"
    printf '%s\n' "$url" >"$d/hop.url"
    set -- --config="$d/hop.wgetrc" -nv -S -i "$d/hop.url" -O "$target" -o "$d/err" \
      --content-on-error=on --max-redirect=0 --tries=1 --timeout="$timeout"
    [ "$method" != GET ] && set -- "$@" --method="$method"
    [ "$send_body" = 1 ] && set -- "$@" --body-file="$d/body"
    wget "$@"
    rc=$?
    # The last response's block: the lines wget indents by two spaces, from its last status line.
    awk '/^  HTTP\// { n = 0 } /^  / { block[++n] = substr($0, 3) }
      END { for (i = 1; i <= n; i++) print block[i] }' "$d/err" >"$d/headers"
    status=$(sed -n '1s/^HTTP\/[0-9.]* \([0-9][0-9][0-9]\).*/\1/p' "$d/headers")
  fi
  [ -n "$status" ] || break
  case $status in
    301 | 302 | 303 | 307 | 308) ;;
    *) break ;;
  esac
  [ "$tool" = wget ] && resolve_location
  [ -n "$location" ] || break
  echo "location=$location"
  follow=0
  case $policy in
    urllib2)
      case $method:$status in
        GET:* | HEAD:* | POST:301 | POST:302 | POST:303) follow=1 ;;
      esac
      ;;
    all | yes) follow=1 ;;
    safe)
      case $method in
        GET | HEAD) follow=1 ;;
      esac
      ;;
  esac
  [ "$follow" = 1 ] || break
  # urllib gives up after 10 redirects, or on the 5th visit of one URL.
  seen=$(grep -cxF -- "$location" "$d/visited")
  if [ "$hops" -ge 10 ] || [ "$seen" -ge 4 ]; then
    echo redirect_loop=1
    break
  fi
  printf '%s\n' "$location" >>"$d/visited"
  hops=$((hops + 1))
  if [ "$policy" = urllib2 ]; then
    method=GET
    send_body=0
  else
    case $status in
      307 | 308) ;;
      *)
        send_body=0
        case $status:$method in
          303:HEAD | 302:HEAD) ;;
          303:* | 302:* | 301:POST) method=GET ;;
        esac
        ;;
    esac
  fi
  url=$(printf '%s' "$location" | sed 's/ /%20/g')
  location=
done
end=$(date +%s)
# curl creates no file for an empty body.
[ -n "$status" ] && [ ! -e "$target" ] && : >"$target"
if [ -n "$out" ]; then
  failed=0
  if [ -z "$status" ]; then
    failed=1
  elif [ "$tool" = curl ] && [ "$rc" != 0 ]; then
    failed=1
  elif [ "$tool" = wget ] && [ "$rc" != 0 ] && [ "$rc" != 8 ]; then
    failed=1
  fi
  if [ "$failed" = 1 ] || { [ -n "$keep" ] && [ "$status" != "$keep" ]; }; then
    rm -f -- "$out"
  fi
fi
if [ "$decompress" = 1 ] && [ -f "$target" ] && [ -s "$target" ] &&
  grep -i '^content-encoding:[[:space:]]*gzip' "$d/headers" >/dev/null; then
  if gzip -dc <"$target" >"$d/decoded" 2>"$d/gzip-err"; then
    cat "$d/decoded" >"$target"
    echo decoded=1
  else
    echo "decode_error=$(head -n 1 "$d/gzip-err")"
  fi
  rm -f "$d/decoded"
fi

echo "rc=$rc"
echo "status=$status"
echo "url=$url"
echo "hops=$hops"
echo "method=$method"
echo "elapsed=$((end - start))"
echo "connect_times=$connect_times"
echo "err_hex=$(tail -c 2000 "$d/err" | od -An -v -tx1 | tr -d ' \n')"
size=-1
[ -f "$target" ] && size=$(($(wc -c <"$target")))
echo "body_size=$size"
headers_len=$(($(wc -c <"$d/headers")))
echo "headers_len=$headers_len"
body_len=0
if [ -z "$out" ] && [ "$size" -gt 0 ]; then
  body_len=$size
  [ "$body_len" -gt "$cap" ] && body_len=$cap
fi
echo "body_len=$body_len"
echo end=1
cat "$d/headers"
if [ "$body_len" -gt 0 ]; then
  dd if="$target" bs="$body_len" count=1 2>/dev/null
fi
exit 0
