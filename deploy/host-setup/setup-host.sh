#!/usr/bin/env bash
# Prepares one Debian web server for fleet-sre: creates the restricted diagnostic user, installs
# the engine's public key for it and the sudoers rules of fleet-sre.sudoers.
#
# Usage (as root on the host):  setup-host.sh PUBLIC_KEY_FILE [USER]
# The user can read logs (group adm) and the web roots, and run only the sudo commands listed
# in fleet-sre.sudoers. Nothing else on the host changes. Running it again is safe.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
key_file="${1:?usage: setup-host.sh PUBLIC_KEY_FILE [USER]}"
user="${2:-fleet-sre}"

if [[ $(id -u) -ne 0 ]]; then
  echo "setup-host.sh: run it as root; it creates a user and a sudoers file" >&2
  exit 2
fi
if [[ ! -r "$key_file" ]]; then
  echo "setup-host.sh: cannot read public key file [$key_file]; pass the engine's .pub file" >&2
  exit 2
fi
if [[ "$user" != "fleet-sre" ]]; then
  echo "setup-host.sh: fleet-sre.sudoers names the user fleet-sre; edit it before using [$user]" >&2
  exit 2
fi

if ! id "$user" >/dev/null 2>&1; then
  useradd --system --create-home --shell /bin/sh --comment "fleet-sre diagnostics" "$user"
  echo "created user $user"
fi
# On Debian, adm reads /var/log and the systemd journal (journalctl); www-data reads the web roots.
usermod --append --groups adm,www-data "$user"

home="$(getent passwd "$user" | cut -d: -f6)"
install -d -m 0700 -o "$user" -g "$user" "$home/.ssh"
# The key may run nothing but commands: no port forwarding, no agent, no PTY.
printf 'restrict %s\n' "$(cat "$key_file")" > "$home/.ssh/authorized_keys.new"
install -m 0600 -o "$user" -g "$user" "$home/.ssh/authorized_keys.new" "$home/.ssh/authorized_keys"
rm -f "$home/.ssh/authorized_keys.new"
echo "installed the public key for $user"

visudo -cf "$here/fleet-sre.sudoers"
install -m 0440 -o root -g root "$here/fleet-sre.sudoers" /etc/sudoers.d/fleet-sre
echo "installed /etc/sudoers.d/fleet-sre"
