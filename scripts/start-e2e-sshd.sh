#!/usr/bin/env bash
# Starts a throwaway OpenSSH sshd on 127.0.0.1 for the e2e workflow (.github/workflows/e2e.yml): an
# unprivileged login user, a fresh host key and client key, and a minimal config. Then proves that a plain
# `ssh` gets in, so a broken setup fails here and not inside the action under test.
#
# Writes the step outputs `private-key`, `known-hosts` and `user` to $GITHUB_OUTPUT.
# Environment: E2E_SSH_USER (default apbe2e), E2E_SSH_PORT (default 2222), RUNNER_TEMP (required).
set -euo pipefail

user=${E2E_SSH_USER:-apbe2e}
port=${E2E_SSH_PORT:-2222}
dir="${RUNNER_TEMP:?RUNNER_TEMP must name a scratch directory}/e2e-sshd"
output=${GITHUB_OUTPUT:?GITHUB_OUTPUT must name the step output file}

if [ ! -x /usr/sbin/sshd ]; then
  sudo apt-get update -qq
  sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openssh-server
fi

# Test as an unprivileged user with a plain POSIX login shell, as most targets are set up.
if ! id "$user" >/dev/null 2>&1; then
  sudo useradd --create-home --shell /bin/sh "$user"
fi
# useradd leaves the password locked ("!"), and sshd without PAM refuses locked accounts; "*" only means
# that no password can log in.
sudo usermod -p '*' "$user"
home=$(getent passwd "$user" | cut -d: -f6)

rm -rf "$dir"
mkdir -p "$dir"
ssh-keygen -q -t ed25519 -N '' -C e2e-host-key -f "$dir/host_key"
ssh-keygen -q -t ed25519 -N '' -C e2e-client-key -f "$dir/client_key"
sudo install -d -m 700 -o "$user" -g "$user" "$home/.ssh"
sudo install -m 600 -o "$user" -g "$user" "$dir/client_key.pub" "$home/.ssh/authorized_keys"

cat >"$dir/sshd_config" <<EOF
ListenAddress 127.0.0.1
Port $port
HostKey $dir/host_key
PidFile $dir/sshd.pid
AuthorizedKeysFile .ssh/authorized_keys
AllowUsers $user
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
PermitRootLogin no
UseDNS no
PrintMotd no
LogLevel VERBOSE
EOF

# The privilege-separation directory; the openssh-server package only creates it when its service starts.
sudo mkdir -p /run/sshd
sudo /usr/sbin/sshd -t -f "$dir/sshd_config"
# sshd binds its port before it detaches, so it accepts connections once this returns.
sudo /usr/sbin/sshd -f "$dir/sshd_config" -E "$dir/sshd.log"

# The known_hosts line names the port, as OpenSSH does for a port other than 22.
known_hosts="[127.0.0.1]:$port $(cut -d' ' -f1,2 "$dir/host_key.pub")"
printf '%s\n' "$known_hosts" >"$dir/known_hosts"

if ! ssh -F /dev/null -i "$dir/client_key" -p "$port" \
  -o BatchMode=yes -o IdentitiesOnly=yes -o StrictHostKeyChecking=yes \
  -o UserKnownHostsFile="$dir/known_hosts" -o ConnectTimeout=10 \
  "$user@127.0.0.1" 'echo "logged in as $(id -un)"'; then
  echo "::error::ssh to the e2e sshd failed; its log follows"
  sudo cat "$dir/sshd.log" >&2 || true
  exit 1
fi

delimiter="EOF_$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"
{
  echo "user=$user"
  echo "known-hosts=$known_hosts"
  echo "private-key<<$delimiter"
  cat "$dir/client_key"
  echo "$delimiter"
} >>"$output"
echo "sshd listens on 127.0.0.1:$port for $user (log: $dir/sshd.log, pid file: $dir/sshd.pid)"
