# Defines apb_expand: prints its argument with $VAR, ${VAR} and a leading ~ or ~user expanded, the way
# Ansible's command module expands arguments (Python's os.path.expandvars then expanduser), followed by
# an "x" so that command substitution keeps trailing newlines. Unknown variables stay as written.
# Nothing in the argument is ever evaluated by the shell: awk reads it from the environment.
apb_expand() {
  APB_ARG=$1 awk 'BEGIN {
    s = ENVIRON["APB_ARG"]; out = ""
    while (match(s, /\$([A-Za-z0-9_]+|\{[^}]*\})/)) {
      name = substr(s, RSTART + 1, RLENGTH - 1)
      if (substr(name, 1, 1) == "{") name = substr(name, 2, length(name) - 2)
      out = out substr(s, 1, RSTART - 1)
      if (name != "APB_ARG" && (name in ENVIRON)) out = out ENVIRON[name]
      else out = out substr(s, RSTART, RLENGTH)
      s = substr(s, RSTART + RLENGTH)
    }
    s = out s
    if (substr(s, 1, 1) == "~") {
      slash = index(s, "/"); if (slash == 0) slash = length(s) + 1
      user = substr(s, 2, slash - 2); home = ""
      if (user == "") home = ENVIRON["HOME"]
      else if (user ~ /^[A-Za-z0-9._][A-Za-z0-9._-]*$/) {
        cmd = "getent passwd " user
        if ((cmd | getline line) > 0) { split(line, f, ":"); home = f[6] }
        close(cmd)
      }
      if (home != "") s = home substr(s, slash)
    }
    printf "%sx", s
  }'
}
