# shellcheck shell=sh
# apb-expand-path: put before a probe whose first argument is a path. Expands $VAR, ${VAR} and a
# leading ~ or ~user in it as Ansible's `path` arguments are expanded on the target (apb_expand, from
# expand-args.sh, is defined before this), prints the result in hex as expanded_hex=, and hands the
# expanded path on to the probe that follows as its $1.
apb_expanded=$(apb_expand "$1")
apb_expanded=${apb_expanded%x}
echo "expanded_hex=$(printf '%s' "$apb_expanded" | od -An -v -tx1 | tr -d ' \n')"
shift
set -- "$apb_expanded" "$@"
