#!/usr/bin/env bash
# Prepares the real-SSH benchmark (`fleet-sre bench ssh`): installs openssh-server and ansible from
# Debian's packages when they are missing, then starts the benchmark's own OpenSSH sshd on loopback
# addresses 127.0.1.1, 127.0.1.2, ... (Linux routes all of 127.0.0.0/8 to the lo interface), each
# address standing for one host. The system sshd and its configuration are not touched.
#
# Usage: prepare.sh DIR HOSTS PORT MAX_STARTUPS MAX_SESSIONS USER
#   DIR           empty directory for the keys, configuration, logs and pid files
#   HOSTS         loopback addresses to listen on, one per simulated host (1 to 25000)
#   PORT          TCP port on every address
#   MAX_STARTUPS  sshd MaxStartups of each instance (unauthenticated connections at once)
#   MAX_SESSIONS  sshd MaxSessions (sessions, i.e. channels, per connection)
#   USER          the user the clients log in as. When it is missing, it is created with shell
#                 /bin/sh, like the diagnostic user of deploy/host-setup/setup-host.sh, and
#                 stop.sh removes it again.
#
# It must run as root. It writes DIR/hosts.txt (one address a line), DIR/id_ecdsa (client key),
# DIR/known_hosts and DIR/sshd-N.pid for every instance. Stop it with stop.sh DIR.
# Exit codes: 0 ready, 2 invalid arguments, 3 installing packages failed, 4 sshd did not start.
set -euo pipefail

usage="usage: prepare.sh DIR HOSTS PORT MAX_STARTUPS MAX_SESSIONS USER"
dir="${1:?$usage}"
hosts="${2:?$usage}"
port="${3:?$usage}"
max_startups="${4:?$usage}"
max_sessions="${5:?$usage}"
user="${6:?$usage}"

# OpenSSH's sshd listens on at most 16 sockets (MAX_LISTEN_SOCKS in sshd.c), so every 16
# addresses get their own sshd process, all sharing one host key and one authorized_keys file.
addresses_per_sshd=16

fail() {
  local code="$1"
  shift
  echo "prepare.sh: $*" >&2
  exit "$code"
}

for value in "$hosts" "$port" "$max_startups" "$max_sessions"; do
  [[ "$value" =~ ^[0-9]+$ ]] || fail 2 "expected a whole number, got [$value]; $usage"
done
(( hosts >= 1 && hosts <= 25000 )) || fail 2 "HOSTS must be between 1 and 25000, got $hosts"
(( port >= 1 && port <= 65535 )) || fail 2 "PORT must be between 1 and 65535, got $port"
[[ "$user" =~ ^[a-z_][a-z0-9_-]*$ ]] || fail 2 "invalid user name [$user]; expected lower-case letters, digits, _ or -"
[[ -d "$dir" ]] || fail 2 "directory [$dir] does not exist"
dir="$(cd "$dir" && pwd)"
[[ $(id -u) -eq 0 ]] || fail 2 "run it as root: it installs packages, may create user $user and starts sshd"

install_packages() {
  local missing=()
  [[ -x /usr/sbin/sshd ]] || missing+=(openssh-server)
  command -v ansible >/dev/null 2>&1 || missing+=(ansible)
  command -v ssh-keygen >/dev/null 2>&1 || missing+=(openssh-client)
  if (( ${#missing[@]} == 0 )); then
    return
  fi
  echo "prepare.sh: installing ${missing[*]} with apt-get" >&2
  # On Debian, installing openssh-server starts the system sshd on port 22 unless
  # /usr/sbin/policy-rc.d forbids it (as in most containers); the benchmark does not use it.
  if ! apt-get update -q >&2; then
    fail 3 "apt-get update failed; see its output above"
  fi
  if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" >&2; then
    fail 3 "apt-get install ${missing[*]} failed; see its output above"
  fi
}

# Prints the loopback address of host number $1 (1-based): 127.0.1.1 to 127.0.1.250, then
# 127.0.2.1 and so on, so no address ends in .0 or .255.
address_of() {
  local index=$(( $1 - 1 ))
  echo "127.0.$(( 1 + index / 250 )).$(( 1 + index % 250 ))"
}

# Creates the login user when it is missing. Its shell is /bin/sh (dash on Debian), which reads
# no startup file for a command, so a slow ~/.bashrc of the machine's own users cannot slow the
# commands down.
create_user() {
  if id "$user" >/dev/null 2>&1; then
    return
  fi
  useradd --system --create-home --shell /bin/sh --comment "fleet-sre SSH benchmark" "$user"
  # useradd leaves the password as "!", which sshd without PAM treats as a locked account; "*"
  # allows no password either but lets key authentication through.
  usermod --password '*' "$user"
  echo "$user" >"$dir/created-user"
  echo "prepare.sh: created user $user; stop.sh removes it" >&2
}

write_sshd_config() {
  local config="$1" first="$2" last="$3" number="$4"
  {
    echo "# sshd of the fleet-sre SSH benchmark, instance $number; written by bench/ssh/prepare.sh"
    echo "Port $port"
    for (( i = first; i <= last; i++ )); do
      echo "ListenAddress $(address_of "$i")"
    done
    echo "HostKey $dir/ssh_host_ecdsa_key"
    echo "PidFile $dir/sshd-$number.pid"
    echo "AuthorizedKeysFile $dir/authorized_keys"
    echo "AllowUsers $user"
    echo "PermitRootLogin no"
    echo "PubkeyAuthentication yes"
    echo "PasswordAuthentication no"
    echo "KbdInteractiveAuthentication no"
    # The key files live in a temporary directory under /tmp, whose mode (1777) StrictModes rejects.
    echo "StrictModes no"
    # No PAM: the benchmark measures the SSH clients; PAM's session modules would add the same
    # cost per connection to both sides.
    echo "UsePAM no"
    echo "UseDNS no"
    echo "PrintMotd no"
    echo "PrintLastLog no"
    echo "X11Forwarding no"
    echo "AllowTcpForwarding no"
    echo "AllowAgentForwarding no"
    # Every instance serves up to 16 hosts, and each client connects to many of them at once.
    # On a real fleet each host has its own sshd and gets about one new connection from the
    # engine at a time. Here one sshd gets those of 16 hosts, so MaxStartups is raised to let no
    # connection be dropped before authentication (the default 10:30:100 drops some at random).
    echo "MaxStartups $max_startups"
    # Channels per connection. fleet-sre's max-channels-per-session (8) is sized to stay below
    # this; ansible's ControlMaster multiplexes its sessions over one connection too.
    echo "MaxSessions $max_sessions"
    echo "LoginGraceTime 30"
    echo "LogLevel INFO"
    echo "Subsystem sftp internal-sftp"
  } >"$config"
}

start_sshd() {
  # The privilege separation directory that Debian's service unit normally creates.
  mkdir -p /run/sshd
  chmod 0755 /run/sshd

  ssh-keygen -q -t ecdsa -b 256 -N '' -C "fleet-sre bench host key" -f "$dir/ssh_host_ecdsa_key"
  ssh-keygen -q -t ecdsa -b 256 -N '' -C "fleet-sre bench client key" -f "$dir/id_ecdsa"
  cp "$dir/id_ecdsa.pub" "$dir/authorized_keys"
  # sshd reads authorized_keys as the login user, so that user needs to reach and read it.
  chmod 711 "$dir"
  chmod 644 "$dir/authorized_keys"

  local host_key
  host_key="$(cut -d' ' -f1,2 "$dir/ssh_host_ecdsa_key.pub")"
  : >"$dir/hosts.txt"
  : >"$dir/known_hosts"
  for (( i = 1; i <= hosts; i++ )); do
    local address
    address="$(address_of "$i")"
    echo "$address" >>"$dir/hosts.txt"
    echo "[$address]:$port $host_key" >>"$dir/known_hosts"
  done

  local number=0
  for (( first = 1; first <= hosts; first += addresses_per_sshd )); do
    number=$(( number + 1 ))
    local last=$(( first + addresses_per_sshd - 1 ))
    (( last <= hosts )) || last=$hosts
    local config="$dir/sshd-$number.conf"
    write_sshd_config "$config" "$first" "$last" "$number"
    if ! /usr/sbin/sshd -t -f "$config"; then
      fail 4 "sshd rejected its configuration $config; see the message above"
    fi
    # Without -D sshd detaches and writes its PidFile once it listens.
    if ! /usr/sbin/sshd -f "$config" -E "$dir/sshd-$number.log"; then
      fail 4 "sshd instance $number did not start; see $dir/sshd-$number.log"
    fi
  done
  echo "$number" >"$dir/sshd-instances"
}

# Logs in on the first and the last address with the client key, so a broken setup fails here
# with OpenSSH's own message rather than as failed commands in the benchmark.
check_login() {
  local address
  for address in "$(address_of 1)" "$(address_of "$hosts")"; do
    local attempt
    for attempt in 1 2 3 4 5 6 7 8 9 10; do
      if ssh -q -F none -i "$dir/id_ecdsa" -p "$port" -o BatchMode=yes -o IdentitiesOnly=yes \
        -o StrictHostKeyChecking=yes -o UserKnownHostsFile="$dir/known_hosts" \
        -o ConnectTimeout=5 "$user@$address" true 2>"$dir/check-login.err"; then
        continue 2
      fi
      sleep 0.5
    done
    fail 4 "cannot log in to $address:$port with $dir/id_ecdsa: $(cat "$dir/check-login.err")"
  done
}

install_packages
create_user
start_sshd
check_login
echo "prepare.sh: $(cat "$dir/sshd-instances") sshd instance(s) listening on port $port of $(address_of 1) to $(address_of "$hosts")" >&2
